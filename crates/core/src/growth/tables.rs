//! The WHO Child Growth Standards LMS tables, embedded and parsed once on first use.

use std::sync::OnceLock;

use super::Sex;

/// One row of an LMS table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lms {
    pub l: f64,
    pub m: f64,
    pub s: f64,
}

/// An LMS table keyed by a whole number: age in days, or length/height in millimetres
/// (the tables step by 0.1 cm).
#[derive(Debug)]
pub struct Table {
    first_key: i64,
    rows: [Vec<Lms>; 2],
}

impl Table {
    /// Parses a WHO `anthro` table: header line, then `sex key l m s [loh]`.
    /// `key_scale` turns the key column into the integer key (1 for days, 10 for cm).
    fn parse(text: &str, key_scale: f64) -> Table {
        let mut rows: [Vec<(i64, Lms)>; 2] = [Vec::new(), Vec::new()];
        for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split('\t').collect();
            let num = |i: usize| -> f64 {
                cols[i]
                    .trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("embedded WHO table: bad number in {line:?}"))
            };
            let sex = num(0) as usize;
            let key = (num(1) * key_scale).round() as i64;
            rows[sex - 1].push((
                key,
                Lms {
                    l: num(2),
                    m: num(3),
                    s: num(4),
                },
            ));
        }
        let first_key = rows[0][0].0;
        for sex_rows in &rows {
            // The lookup indexes by position, so every table must be contiguous.
            for (i, (key, _)) in sex_rows.iter().enumerate() {
                assert_eq!(*key, first_key + i as i64, "embedded WHO table has a gap");
            }
        }
        Table {
            first_key,
            rows: rows.map(|r| r.into_iter().map(|(_, lms)| lms).collect()),
        }
    }

    pub fn get(&self, sex: Sex, key: i64) -> Option<Lms> {
        let idx = usize::try_from(key - self.first_key).ok()?;
        self.rows[sex.index()].get(idx).copied()
    }
}

/// The seven indicators' tables.
#[derive(Debug)]
pub struct Tables {
    pub len: Table,
    pub wei: Table,
    pub wfl: Table,
    pub wfh: Table,
    pub bmi: Table,
    pub hc: Table,
    pub ac: Table,
}

/// Identifies the table set; stored with every derived result.
pub const TABLES_VERSION: &str = "who-2006-anthro-1.1.0.9000";

macro_rules! who_table {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/data/who/", $name))
    };
}

pub fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| Tables {
        len: Table::parse(who_table!("lenanthro.txt"), 1.0),
        wei: Table::parse(who_table!("weianthro.txt"), 1.0),
        wfl: Table::parse(who_table!("wflanthro.txt"), 10.0),
        wfh: Table::parse(who_table!("wfhanthro.txt"), 10.0),
        bmi: Table::parse(who_table!("bmianthro.txt"), 1.0),
        hc: Table::parse(who_table!("hcanthro.txt"), 1.0),
        ac: Table::parse(who_table!("acanthro.txt"), 1.0),
    })
}
