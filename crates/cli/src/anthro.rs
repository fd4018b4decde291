//! `pendamping anthro`: batch z-scores in the convention of WHO Anthro's survey tools.

use std::io::{Read, Write};

use chrono::NaiveDate;
use pendamping_core::Sex;
use pendamping_core::growth::{self, AnthroInput, AnthroResult, Measure, Score};

/// Columns added to every row.
pub const OUTPUT_COLUMNS: [&str; 14] = [
    "clenhei", "cbmi", "zlen", "flen", "zwei", "fwei", "zwfl", "fwfl", "zbmi", "fbmi", "zhc", "fhc", "zac", "fac",
];

/// A row that could not be read: its line number (header is line 1) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRow {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Summary {
    pub rows: u64,
    pub bad: Vec<BadRow>,
}

#[derive(Debug, thiserror::Error)]
pub enum AnthroError {
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("kolom {0:?} tidak ada; perlu id, sex, age_days (atau birth_date dan visit_date)")]
    MissingColumn(&'static str),
}

/// Decimal numbers as typed in Indonesian spreadsheets too ("9,5").
pub fn parse_number(field: &str, raw: &str) -> Result<Option<f64>, String> {
    let t = raw.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("na") {
        return Ok(None);
    }
    t.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or_else(|| format!("{field}: {raw:?} bukan angka"))
}

fn parse_date(field: &str, raw: &str) -> Result<Option<NaiveDate>, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("{field}: {raw:?} bukan tanggal YYYY-MM-DD"))
}

struct Columns {
    sex: usize,
    age_days: Option<usize>,
    birth_date: Option<usize>,
    visit_date: Option<usize>,
    weight: Option<usize>,
    lenhei: Option<usize>,
    measure: Option<usize>,
    headc: Option<usize>,
    armc: Option<usize>,
    oedema: Option<usize>,
}

impl Columns {
    fn find(headers: &csv::StringRecord) -> Result<Columns, AnthroError> {
        let col = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
        if col("id").is_none() {
            return Err(AnthroError::MissingColumn("id"));
        }
        let c = Columns {
            sex: col("sex").ok_or(AnthroError::MissingColumn("sex"))?,
            age_days: col("age_days"),
            birth_date: col("birth_date"),
            visit_date: col("visit_date"),
            weight: col("weight"),
            lenhei: col("lenhei"),
            measure: col("measure"),
            headc: col("headc"),
            armc: col("armc"),
            oedema: col("oedema"),
        };
        if c.age_days.is_none() && (c.birth_date.is_none() || c.visit_date.is_none()) {
            return Err(AnthroError::MissingColumn("age_days"));
        }
        Ok(c)
    }

    fn input(&self, r: &csv::StringRecord) -> Result<AnthroInput, String> {
        let get = |i: Option<usize>| i.and_then(|i| r.get(i)).unwrap_or("");
        let sex_raw = get(Some(self.sex)).trim();
        let sex = match sex_raw {
            "" => None,
            s => Some(Sex::parse(s).ok_or_else(|| format!("sex: {s:?} bukan 1/2, m/f"))?),
        };
        let age_days = match parse_number("age_days", get(self.age_days))? {
            Some(a) if a < 0.0 => return Err(format!("age_days: {a} negatif")),
            Some(a) => Some(a),
            None => match (
                parse_date("birth_date", get(self.birth_date))?,
                parse_date("visit_date", get(self.visit_date))?,
            ) {
                (Some(b), Some(v)) if v < b => return Err("visit_date sebelum birth_date".into()),
                (Some(b), Some(v)) => Some((v - b).num_days() as f64),
                _ => None,
            },
        };
        let measure = match get(self.measure).trim() {
            "" => None,
            "l" | "L" => Some(Measure::Lying),
            "h" | "H" => Some(Measure::Standing),
            other => return Err(format!("measure: {other:?} bukan l/h")),
        };
        let oedema = match get(self.oedema).trim() {
            "" | "n" | "N" | "2" => false,
            "y" | "Y" | "1" => true,
            other => return Err(format!("oedema: {other:?} bukan y/n")),
        };
        Ok(AnthroInput {
            sex,
            age_days,
            weight_kg: parse_number("weight", get(self.weight))?,
            lenhei_cm: parse_number("lenhei", get(self.lenhei))?,
            measure,
            headc_cm: parse_number("headc", get(self.headc))?,
            armc_cm: parse_number("armc", get(self.armc))?,
            oedema,
        })
    }
}

/// Shortest form of a value rounded to `dp` decimals ("72.16", "20").
fn num(v: Option<f64>, dp: usize) -> String {
    v.map(|x| {
        let s = format!("{x:.dp$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    })
    .unwrap_or_default()
}

fn score(s: Option<Score>) -> [String; 2] {
    match s {
        Some(s) => [format!("{:.2}", s.z), (s.flagged as u8).to_string()],
        None => [String::new(), String::new()],
    }
}

fn out_fields(r: &AnthroResult) -> Vec<String> {
    let mut v = vec![num(r.clenhei, 2), num(r.cbmi, 4)];
    for s in [r.len, r.wei, r.wfl, r.bmi, r.hc, r.ac] {
        v.extend(score(s));
    }
    v
}

/// Reads survey rows, writes them back with the z-score columns. A bad row is kept with
/// empty results and reported; it does not stop the others.
pub fn run(input: impl Read, output: impl Write) -> Result<Summary, AnthroError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = rdr.headers()?.clone();
    let cols = Columns::find(&headers)?;
    let mut wtr = csv::Writer::from_writer(output);
    let mut header: Vec<String> = headers
        .iter()
        .map(|h| pendamping_report::sheet::neutralise(h).into_owned())
        .collect();
    header.extend(OUTPUT_COLUMNS.iter().map(|c| c.to_string()));
    wtr.write_record(&header)?;
    let mut summary = Summary::default();
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                // A broken line (bad UTF-8, unbalanced quotes) is reported and skipped.
                let line = e.position().map(|p| p.line()).unwrap_or(summary.rows + 2);
                summary.bad.push(BadRow {
                    line,
                    reason: e.to_string(),
                });
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(e.into());
                }
                continue;
            }
        }
        summary.rows += 1;
        let line = record.position().map(|p| p.line()).unwrap_or(summary.rows + 1);
        let result = match cols.input(&record) {
            Ok(input) => growth::compute(&input),
            Err(reason) => {
                summary.bad.push(BadRow { line, reason });
                AnthroResult::default()
            }
        };
        // The survey's own cells, echoed: a spreadsheet must not run one as a formula.
        let mut row: Vec<String> = (0..headers.len())
            .map(|i| pendamping_report::sheet::neutralise(record.get(i).unwrap_or("")).into_owned())
            .collect();
        row.extend(out_fields(&result));
        wtr.write_record(&row)?;
    }
    wtr.flush().map_err(csv::Error::from)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_str(input: &str) -> (Vec<Vec<String>>, Summary) {
        let mut out = Vec::new();
        let summary = run(input.as_bytes(), &mut out).unwrap();
        let mut rdr = csv::Reader::from_reader(out.as_slice());
        let mut rows = vec![rdr.headers().unwrap().iter().map(str::to_string).collect()];
        rows.extend(rdr.records().map(|r| r.unwrap().iter().map(str::to_string).collect()));
        (rows, summary)
    }

    #[test]
    fn computes_who_values_and_keeps_extra_columns() {
        let (rows, s) = run_str(
            "id,sex,age_days,weight,lenhei,measure,village\n\
             a,2,1522,17,,,Cilangkahan\n\
             b,1,987,,72.86,l,Cilangkahan\n",
        );
        assert!(s.bad.is_empty());
        let h = &rows[0];
        let col = |r: usize, name: &str| rows[r][h.iter().position(|x| x == name).unwrap()].clone();
        assert_eq!(col(1, "village"), "Cilangkahan");
        assert_eq!(col(1, "zwei"), "0.24");
        assert_eq!(col(1, "fwei"), "0");
        assert_eq!(col(2, "clenhei"), "72.16");
        assert_eq!(col(2, "zlen"), "-6.09");
        assert_eq!(col(2, "flen"), "1");
        assert_eq!(col(2, "zwei"), "");
    }

    #[test]
    fn dates_instead_of_age_and_sex_letters() {
        let (rows, s) = run_str("sex,id,birth_date,visit_date,weight\nF,x,2022-06-01,2026-08-01,17\n");
        assert!(s.bad.is_empty());
        let zwei = h_col(&rows, "zwei");
        assert_eq!(rows[1][zwei], "0.24", "1522 days from the dates");
    }

    fn h_col(rows: &[Vec<String>], name: &str) -> usize {
        rows[0].iter().position(|x| x == name).unwrap()
    }

    #[test]
    fn bad_rows_are_reported_with_line_numbers_and_do_not_stop_the_rest() {
        let (rows, s) = run_str("id,sex,age_days,weight\n1,x,100,5\n2,1,abc,5\n3,1,100,5\n4,1,-3,5\n5,2,100,\"6,2\"\n");
        assert_eq!(s.rows, 5);
        let lines: Vec<u64> = s.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [2, 3, 5]);
        assert!(s.bad[0].reason.starts_with("sex"));
        assert!(s.bad[1].reason.starts_with("age_days"));
        let zwei = h_col(&rows, "zwei");
        assert_eq!(rows[1][zwei], "");
        assert_ne!(rows[3][zwei], "");
        assert_ne!(rows[5][zwei], "", "comma decimal accepted");
    }

    #[test]
    fn a_missing_age_column_is_a_clear_error() {
        let err = run("id,sex,weight\n1,1,5\n".as_bytes(), Vec::new()).unwrap_err();
        assert!(err.to_string().contains("age_days"));
    }
}
