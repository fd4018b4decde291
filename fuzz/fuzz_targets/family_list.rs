//! A family list as a district might receive it, built by structure: a workbook or a CSV
//! whose headers are the BNBA layout's (or anything), whose cells are KK numbers typed as
//! numbers, Excel dates, names, yes/no in any spelling or junk, with raw bytes after it.
//! Read (`pendamping_report::sheet_in`) and previewed (`pendamping_core::family_list`):
//! refused with a reason or previewed whole — never a panic — and every row read is
//! planned, refused or left out as a repeat, once.
#![no_main]

use std::collections::BTreeSet;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use pendamping_core::area::AreaCode;
use pendamping_core::family_list::{Known, Mapping, preview};

const HEADERS: [&str; 12] = [
    "Kode Desa",
    "No. KK",
    "Nama Kepala Keluarga",
    "NIK Kepala Keluarga",
    "RT",
    "RW",
    "Tgl Lahir Istri",
    "Jumlah Baduta",
    "Air Minum Tidak Layak",
    "Terlalu Muda",
    "Status Risiko Stunting",
    "Desil",
];

#[derive(Arbitrary, Debug)]
enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Digits(u64),
    Village(u8),
    YesNo(bool),
}

#[derive(Arbitrary, Debug)]
struct Input {
    xlsx: bool,
    /// Each header: one of the layout's (by index) or any text.
    headers: Vec<Result<u8, String>>,
    rows: Vec<Vec<Cell>>,
    tail: Vec<u8>,
}

fn text(c: &Cell) -> String {
    match c {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.clone(),
        Cell::Number(f) => f.to_string(),
        Cell::Digits(n) => format!("{n:016}"),
        Cell::Village(i) => format!("360201{}", 2001 + u32::from(*i % 16)),
        Cell::YesNo(b) => if *b { "Ya" } else { "Tidak" }.into(),
    }
}

fn workbook(headers: &[String], rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in headers.iter().enumerate().take(300) {
        let _ = sheet.write_string(0, c as u16, h);
    }
    for (r, row) in rows.iter().enumerate().take(2_000) {
        for (c, cell) in row.iter().enumerate().take(300) {
            let (r, c) = (r as u32 + 1, c as u16);
            let _ = match cell {
                Cell::Number(f) if f.is_finite() => sheet.write_number(r, c, *f),
                Cell::Digits(n) => sheet.write_number(r, c, *n as f64),
                other => sheet.write_string(r, c, text(other)),
            };
        }
    }
    book.save_to_buffer().unwrap_or_default()
}

fuzz_target!(|input: Input| {
    let headers: Vec<String> = input
        .headers
        .iter()
        .map(|h| match h {
            Ok(i) => HEADERS[*i as usize % HEADERS.len()].to_string(),
            Err(s) => s.clone(),
        })
        .collect();
    let mut bytes = if input.xlsx {
        workbook(&headers, &input.rows)
    } else {
        let mut csv = headers.join(";");
        for row in &input.rows {
            csv.push('\n');
            csv.push_str(&row.iter().map(text).collect::<Vec<_>>().join(";"));
        }
        csv.into_bytes()
    };
    bytes.extend_from_slice(&input.tail);
    let Ok(table) = pendamping_report::sheet_in::read(&bytes) else {
        return;
    };
    let Ok(located) = Mapping::guess(&table.headers).locate(&table.headers) else {
        return;
    };
    let scope = [AreaCode::parse("360201").expect("a kecamatan")];
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).expect("a day");
    let p = preview(
        &located,
        table.rows.iter().map(|(l, c)| (*l, c.as_slice())),
        &scope,
        &Known::default(),
        today,
    );
    let mut seen = BTreeSet::new();
    for f in &p.planned {
        assert!(seen.insert(f.family.row), "row {} planned twice", f.family.row);
        assert!(scope[0].encloses(&f.family.area_code));
    }
    for problem in &p.problems {
        assert!(!seen.contains(&problem.row) || !problem.problem.is_error(), "row {} planned and refused", problem.row);
    }
});
