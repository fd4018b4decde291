//! A sheet as it comes in: a family list (or any table) a district received as CSV or
//! XLSX, read into its headers and its rows of text cells — bounded, because the file is
//! someone else's: its size, what each part of a workbook unpacks to (measured by
//! unpacking, not by what the archive claims), rows, columns and the length of a cell.

use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx};

/// The largest file taken (a list of 300,000 families is about 40 MB as XLSX, 60 MB as CSV).
pub const MAX_FILE_BYTES: usize = 256 << 20;
/// The most a workbook's parts may unpack to, each.
pub const MAX_PART_BYTES: u64 = 1 << 30;
pub const MAX_ROWS: usize = 2_000_000;
pub const MAX_COLUMNS: usize = 256;
pub const MAX_CELL_CHARS: usize = 1_000;

/// A table read from a file: its header row and each row after it with its line number
/// as a spreadsheet shows it (the headers are line 1). Rows are padded to the headers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("berkas lebih dari {} MB", MAX_FILE_BYTES >> 20)]
    TooBig,
    #[error("berkas kosong atau tanpa baris judul")]
    Empty,
    #[error("bukan CSV atau XLSX yang terbaca: {0}")]
    Unreadable(String),
    #[error("bagian {0:?} dari berkas XLSX terlalu besar setelah dibuka")]
    Unpacks(String),
    #[error("lebih dari {MAX_ROWS} baris")]
    TooManyRows,
    #[error("baris {0}: lebih dari {MAX_COLUMNS} kolom")]
    TooManyColumns(usize),
    #[error("baris {0}, kolom {1}: isian lebih dari {MAX_CELL_CHARS} huruf")]
    CellTooLong(usize, usize),
}

/// Reads `bytes` (a whole file) as XLSX when it is a zip archive, else as CSV.
pub fn read(bytes: &[u8]) -> Result<Table, ReadError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooBig);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        read_csv(bytes)
    }
}

/// Rows into a table: the first non-empty row is the headers; cells bounded.
struct Builder {
    table: Table,
    started: bool,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            table: Table::default(),
            started: false,
        }
    }

    fn row(&mut self, line: usize, cells: Vec<String>) -> Result<(), ReadError> {
        if cells.len() > MAX_COLUMNS {
            return Err(ReadError::TooManyColumns(line));
        }
        if let Some(i) = cells.iter().position(|c| c.chars().count() > MAX_CELL_CHARS) {
            return Err(ReadError::CellTooLong(line, i + 1));
        }
        if !self.started {
            if cells.iter().all(|c| c.trim().is_empty()) {
                return Ok(());
            }
            self.started = true;
            self.table.headers = cells.into_iter().map(|c| c.trim().to_string()).collect();
            return Ok(());
        }
        if self.table.rows.len() >= MAX_ROWS {
            return Err(ReadError::TooManyRows);
        }
        let mut cells = cells;
        if cells.len() < self.table.headers.len() {
            cells.resize(self.table.headers.len(), String::new());
        }
        self.table.rows.push((line, cells));
        Ok(())
    }

    fn done(self) -> Result<Table, ReadError> {
        if self.table.headers.is_empty() {
            return Err(ReadError::Empty);
        }
        Ok(self.table)
    }
}

/// CSV as spreadsheets save it: UTF-8 (a byte-order mark dropped) or else Windows-1252,
/// separated by `;` (Indonesian Excel), `,` or tabs, whichever the header line has most.
fn read_csv(bytes: &[u8]) -> Result<Table, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => std::borrow::Cow::Owned(bytes.iter().map(|b| windows_1252(*b)).collect()),
    };
    if text.contains('\0') {
        return Err(ReadError::Unreadable("berisi data biner".into()));
    }
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    let delimiter = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b';');
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut b = Builder::new();
    for record in rdr.records() {
        let record = record.map_err(|e| ReadError::Unreadable(e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        b.row(line, record.iter().map(str::to_string).collect())?;
    }
    b.done()
}

/// The first worksheet of a workbook, cell by cell.
fn read_xlsx(bytes: &[u8]) -> Result<Table, ReadError> {
    measure_parts(bytes)?;
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| ReadError::Unreadable(e.to_string()))?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| ReadError::Unreadable("tidak ada lembar kerja".into()))?;
    let mut cells = book
        .worksheet_cells_reader(&sheet)
        .map_err(|e| ReadError::Unreadable(e.to_string()))?;
    let mut b = Builder::new();
    let mut row: Option<(u32, Vec<String>)> = None;
    while let Some(cell) = cells.next_cell().map_err(|e| ReadError::Unreadable(e.to_string()))? {
        let (r, c) = cell.get_position();
        if (c as usize) >= MAX_COLUMNS {
            return Err(ReadError::TooManyColumns(r as usize + 1));
        }
        if row.as_ref().is_some_and(|(at, _)| *at != r) {
            let (at, done) = row.take().unwrap_or_default();
            b.row(at as usize + 1, done)?;
        }
        let (_, values) = row.get_or_insert_with(|| (r, Vec::new()));
        if values.len() <= c as usize {
            values.resize(c as usize + 1, String::new());
        }
        values[c as usize] = text(cell.get_value());
    }
    if let Some((at, done)) = row {
        b.row(at as usize + 1, done)?;
    }
    b.done()
}

/// Unpacks every part of the archive, counting, and refuses one that unpacks to more than
/// `MAX_PART_BYTES` (a few KB can claim, or unpack to, gigabytes).
fn measure_parts(bytes: &[u8]) -> Result<(), ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::Unreadable(e.to_string()))?;
    let mut buf = vec![0u8; 64 << 10];
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| ReadError::Unreadable(e.to_string()))?;
        let name = part.name().to_string();
        let mut total = 0u64;
        loop {
            let n = part.read(&mut buf).map_err(|e| ReadError::Unreadable(e.to_string()))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > MAX_PART_BYTES {
                return Err(ReadError::Unpacks(name));
            }
        }
    }
    Ok(())
}

/// A cell as text. A number of 16 digits or more is written in scientific notation:
/// spreadsheets keep 15 significant digits, so its last ones are already lost, and the
/// reader of a KK number or NIK says so instead of taking a wrong one.
fn text(v: &DataRef<'_>) -> String {
    match v {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => number(*i as f64),
        DataRef::Float(f) => number(*f),
        DataRef::Bool(b) => if *b { "1" } else { "0" }.into(),
        DataRef::DateTime(d) => number(d.as_f64()),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

fn number(f: f64) -> String {
    if f.abs() >= 1e15 {
        format!("{f:E}")
    } else if f.fract() == 0.0 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A byte of Windows-1252 as its character (its 0x80–0x9F as Latin-1's control codes:
/// what a list's names hold is letters, not curly quotes).
fn windows_1252(b: u8) -> char {
    char::from(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                match cell.strip_prefix('#') {
                    Some(n) => sheet.write_number(r as u32, c as u16, n.parse::<f64>().unwrap()),
                    None => sheet.write_string(r as u32, c as u16, *cell),
                }
                .unwrap();
            }
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn a_csv_is_read_with_the_separator_its_header_line_uses() {
        let t = read("\u{feff}Kode Desa;No KK;Nama\n3602012002;'3602010101200001;Siti, Aminah\n\n".as_bytes()).unwrap();
        assert_eq!(t.headers, ["Kode Desa", "No KK", "Nama"]);
        assert_eq!(
            t.rows,
            vec![(
                2,
                vec!["3602012002".into(), "'3602010101200001".into(), "Siti, Aminah".into()]
            )]
        );
        let t = read(b"a,b\n1\n").unwrap();
        assert_eq!(t.rows, vec![(2, vec!["1".into(), String::new()])]);
        // Windows-1252, as older Excel saves CSV.
        let t = read(b"Nama\nJos\xe9\n").unwrap();
        assert_eq!(t.rows[0].1[0], "José");
        assert_eq!(read(b"\n\n"), Err(ReadError::Empty));
        assert!(matches!(read(b"a\0b\n"), Err(ReadError::Unreadable(_))));
    }

    #[test]
    fn a_workbook_is_read_from_its_first_sheet_with_its_line_numbers() {
        let bytes = xlsx(&[
            &["", ""],
            &["Kode Desa", "No KK", "RT"],
            &["3602012002", "#3602010101200001", "#3"],
        ]);
        let t = read(&bytes).unwrap();
        assert_eq!(t.headers, ["Kode Desa", "No KK", "RT"]);
        // The KK typed as a number has lost its last digit: shown as the rounded number it is.
        assert_eq!(
            t.rows,
            vec![(3, vec!["3602012002".into(), "3.602010101200001E15".into(), "3".into()])]
        );
    }

    #[test]
    fn hostile_files_are_refused_with_a_reason() {
        assert_eq!(read(&vec![b'a'; MAX_FILE_BYTES + 1]), Err(ReadError::TooBig));
        assert!(matches!(read(b"PK\x03\x04 not a zip"), Err(ReadError::Unreadable(_))));
        let wide = format!("{}\n", vec!["x"; MAX_COLUMNS + 1].join(";"));
        assert_eq!(read(wide.as_bytes()), Err(ReadError::TooManyColumns(1)));
        let long = format!("a\n{}\n", "y".repeat(MAX_CELL_CHARS + 1));
        assert_eq!(read(long.as_bytes()), Err(ReadError::CellTooLong(2, 1)));
        // A part that unpacks to more than it may: refused before the workbook is read.
        let mut zipped = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut zipped);
            w.start_file("xl/sharedStrings.xml", zip::write::SimpleFileOptions::default())
                .unwrap();
            let zeros = vec![0u8; 1 << 20];
            for _ in 0..=(MAX_PART_BYTES >> 20) {
                std::io::Write::write_all(&mut w, &zeros).unwrap();
            }
            w.finish().unwrap();
        }
        let bytes = zipped.into_inner();
        assert!(bytes.len() < 4 << 20, "{} bytes", bytes.len());
        assert_eq!(read(&bytes), Err(ReadError::Unpacks("xl/sharedStrings.xml".into())));
    }
}
