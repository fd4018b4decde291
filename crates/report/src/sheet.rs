//! Sheets a person opens in a spreadsheet: CSV the way Excel reads it in the sheet's
//! language (Indonesian: `;` between columns and a decimal comma; English: `,` and a decimal
//! point; a UTF-8 byte-order mark either way) and XLSX.

use pendamping_core::catalogue::Lang;
use serde::{Deserialize, Serialize};

/// One cell: numbers stay numbers in XLSX, so a sum in the spreadsheet works.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A measurement: a number in XLSX, in CSV with the decimal sign of the sheet's language.
    Dec(f64),
}

impl Cell {
    /// The cell as CSV and a printed table show it in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Dec(x) => decimal(*x, lang),
        }
    }
}

impl From<Option<f64>> for Cell {
    fn from(x: Option<f64>) -> Cell {
        x.map_or(Cell::Text(String::new()), Cell::Dec)
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<u32> for Cell {
    fn from(n: u32) -> Cell {
        Cell::Int(i64::from(n))
    }
}

/// A table with its Indonesian headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The worksheet's name (at most 31 characters in XLSX).
    pub name: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    /// For a sheet of names: the personal-data notice, in the sheet's language. The XLSX
    /// then carries it in its properties, on every printed page and on a second tab of its
    /// own (the data stays the first tab, as readers expect); the file's name says it too.
    pub personal: Option<&'static str>,
    /// The language of its headers, and of its numbers in a CSV.
    pub lang: Lang,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// What a spreadsheet takes for a formula when a cell starts with it (OWASP, "CSV
/// Injection"): `=`, `+`, `-`, `@`, a tab or a carriage return.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as a CSV may carry it: one that a spreadsheet would run as a formula (a name
/// typed as `=HYPERLINK(…)`) is prefixed with `'`, so it opens as the text it is. A plain
/// number (`-2,31`) is a number, not a formula, and stays as it is.
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    let plain_number = |s: &str| {
        let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
        !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.')
            && digits.starts_with(|c: char| c.is_ascii_digit())
    };
    if text.starts_with(FORMULA_STARTS) && !plain_number(text) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// `neutralise` for a file that is read back (`pendamping export` / `import`): a text that
/// starts with `'` is prefixed too, so `restore` gives back exactly what was written.
pub fn neutralise_reversibly(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with('\'') {
        return std::borrow::Cow::Owned(format!("'{text}"));
    }
    neutralise(text)
}

/// The text `neutralise_reversibly` was given.
pub fn restore(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// At most two decimals: 12,5 and -2,31 as Indonesian Excel reads them, 12.5 and -2.31 in
/// English.
fn decimal(x: f64, lang: Lang) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    match (s, lang) {
        ("-0", _) => "0".into(),
        (s, Lang::En) => s.into(),
        (s, Lang::Id) => s.replace('.', ","),
    }
}

/// The name of the tab that says a workbook holds personal data.
pub const PERSONAL_TAB: &str = "DATA PRIBADI";

/// A sheet that could not be written (the CSV or XLSX writer's reason).
#[derive(Debug, thiserror::Error)]
#[error("Ekspor gagal: {0}")]
pub struct ExportError(pub String);

fn failed(e: impl std::fmt::Display) -> ExportError {
    ExportError(e.to_string())
}

impl Sheet {
    pub fn to_bytes(&self, format: Format) -> Result<Vec<u8>, ExportError> {
        match format {
            Format::Csv => self.csv(),
            Format::Xlsx => self.xlsx(),
        }
    }

    /// With a byte-order mark, `;`-separated in Indonesian (what Excel set to Indonesian
    /// opens in columns, its decimal sign being the comma), `,` in English.
    pub fn csv(&self) -> Result<Vec<u8>, ExportError> {
        let mut out = "\u{feff}".as_bytes().to_vec();
        {
            let delimiter = match self.lang {
                Lang::Id => b';',
                Lang::En => b',',
            };
            let mut w = csv::WriterBuilder::new().delimiter(delimiter).from_writer(&mut out);
            w.write_record(&self.headers).map_err(failed)?;
            for row in &self.rows {
                w.write_record(row.iter().map(|c| match c {
                    Cell::Text(t) => neutralise(t).into_owned(),
                    number => number.text(self.lang),
                }))
                .map_err(failed)?;
            }
            w.flush().map_err(failed)?;
        }
        Ok(out)
    }

    pub fn xlsx(&self) -> Result<Vec<u8>, ExportError> {
        use rust_xlsxwriter::{Format as Style, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let name: String = self
            .name
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        sheet.set_name(&name).map_err(failed)?;
        let bold = Style::new().set_bold();
        for (c, h) in self.headers.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(failed)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => sheet.write_string(r, c, s).map(|_| ()),
                    Cell::Int(n) => sheet.write_number(r, c, *n as f64).map(|_| ()),
                    Cell::Dec(x) => sheet.write_number(r, c, *x).map(|_| ()),
                }
                .map_err(failed)?;
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(failed)?;
        sheet.autofit();
        if let Some(notice) = self.personal {
            // "&&" is a literal ampersand in a printed header.
            sheet.set_header(format!("&C&B{}", notice.replace('&', "&&")));
            sheet.set_footer("&C&P / &N");
            book.set_properties(
                &rust_xlsxwriter::DocProperties::new()
                    .set_subject(notice)
                    .set_keywords("data pribadi, UU 27/2022, personal data")
                    .set_category("DATA PRIBADI"),
            );
            let tab = book.add_worksheet();
            tab.set_name(PERSONAL_TAB).map_err(failed)?;
            tab.write_string_with_format(0, 0, notice, &Style::new().set_bold().set_text_wrap())
                .map_err(failed)?;
            tab.set_column_width(0, 100).map_err(failed)?;
        }
        book.save_to_buffer().map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet() -> Sheet {
        Sheet {
            name: "Rekap 2026-11".into(),
            headers: vec!["Desa", "Kunjungan"],
            rows: vec![vec!["Cilangkahan; Malingping".into(), 12u32.into()]],
            personal: None,
            lang: Lang::Id,
        }
    }

    #[test]
    fn an_english_csv_has_decimal_points_and_commas_between_columns() {
        let mut s = sheet();
        s.rows[0].push(Cell::Dec(-2.305));
        s.rows[0].push(Cell::Dec(81.7));
        s.headers.extend(["z", "cm"]);
        let id = String::from_utf8(s.csv().unwrap()).unwrap();
        assert_eq!(
            id,
            "\u{feff}Desa;Kunjungan;z;cm\n\"Cilangkahan; Malingping\";12;-2,31;81,7\n"
        );
        s.lang = Lang::En;
        let en = String::from_utf8(s.csv().unwrap()).unwrap();
        assert_eq!(
            en,
            "\u{feff}Desa,Kunjungan,z,cm\nCilangkahan; Malingping,12,-2.31,81.7\n"
        );
        assert_eq!(Cell::Dec(-0.001).text(Lang::En), "0");
    }

    #[test]
    fn csv_is_semicolon_separated_with_a_byte_order_mark() {
        let text = String::from_utf8(sheet().csv().unwrap()).unwrap();
        assert_eq!(text, "\u{feff}Desa;Kunjungan\n\"Cilangkahan; Malingping\";12\n");
    }

    #[test]
    fn xlsx_is_a_zip_of_a_workbook() {
        let bytes = sheet().xlsx().unwrap();
        assert_eq!(&bytes[..2], b"PK", "an XLSX file is a zip archive");
        assert!(bytes.len() > 1000);
    }
}
