//! The CSV import, attacked by structure rather than by damaged bytes: a village exported
//! as the tool writes it, then cells replaced by what a hostile or careless file holds —
//! huge and odd unicode strings, formulas, numbers no field takes, JSON nested thousands
//! deep or of the wrong shape, dates that do not exist, ids of nothing — rows with a cell
//! too many or too few, rows twice, a header renamed. Each import is refused whole, writing
//! nothing, or taken whole, and then every reader of the store (search, the recap, the due
//! list, each record) still answers.

use pendamping_cli::csvio;
use pendamping_core::recap::Month;
use pendamping_store::Store;
use pendamping_tests::*;
use proptest::prelude::*;

const FILES: [&str; 4] = ["households.csv", "persons.csv", "enrolments.csv", "visits.csv"];

fn hostile() -> impl Strategy<Value = String> {
    let fixed = prop_oneof![
        Just(String::new()),
        Just(" ".to_string()),
        Just("é".repeat(20_000)),
        Just("=HYPERLINK(\"http://x.example\",\"klik\")".to_string()),
        Just("\u{202e}kiri\u{200b}\u{feff}".to_string()),
        Just("1e309".to_string()),
        Just("NaN".to_string()),
        Just("-1".to_string()),
        Just("99999999999999999999999".to_string()),
        Just(format!("{}1{}", "[".repeat(5000), "]".repeat(5000))),
        Just(format!("{}{}", "{\"a\":".repeat(200), "}".repeat(200))),
        Just(r#"{"kind":"anak","weight_kg":"berat"}"#.to_string()),
        Just(r#"{"kind":"baduta"}"#.to_string()),
        Just(r#"{}"#.to_string()),
        Just(r#""\ud800""#.to_string()),
        Just("null".to_string()),
        Just("true".to_string()),
        Just("2026-02-30".to_string()),
        Just("0000-00-00".to_string()),
        Just("\0".to_string()),
        Just("baris\npatah".to_string()),
        Just("a,b;c\"d".to_string()),
        Just("baduta".to_string()),
    ];
    prop_oneof![
        4 => fixed,
        1 => any::<u128>().prop_map(|n| uuid::Uuid::from_u128(n).to_string()),
        1 => "\\PC{0,40}",
    ]
}

#[derive(Debug, Clone)]
enum Change {
    Cell {
        file: usize,
        row: usize,
        col: usize,
        value: String,
    },
    CellTooMany {
        file: usize,
        row: usize,
    },
    CellTooFew {
        file: usize,
        row: usize,
    },
    RowTwice {
        file: usize,
        row: usize,
    },
    Header {
        file: usize,
        col: usize,
        value: String,
    },
}

fn change() -> impl Strategy<Value = Change> {
    let at = (0usize..4, 0usize..64, 0usize..32);
    prop_oneof![
        6 => (at.clone(), hostile()).prop_map(|((file, row, col), value)| Change::Cell { file, row, col, value }),
        1 => at.clone().prop_map(|(file, row, _)| Change::CellTooMany { file, row }),
        1 => at.clone().prop_map(|(file, row, _)| Change::CellTooFew { file, row }),
        1 => at.clone().prop_map(|(file, row, _)| Change::RowTwice { file, row }),
        1 => (at, hostile()).prop_map(|((file, _, col), value)| Change::Header { file, col, value }),
    ]
}

fn read(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_path(path).unwrap();
    rdr.records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn write(path: &std::path::Path, rows: &[Vec<String>]) {
    let mut w = csv::WriterBuilder::new().flexible(true).from_path(path).unwrap();
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
}

fn apply(files: &mut [Vec<Vec<String>>; 4], change: &Change) {
    // Rows past the header, picked modulo what is there.
    let row_of = |rows: &Vec<Vec<String>>, row: usize| 1 + row % (rows.len() - 1).max(1);
    match change {
        Change::Cell { file, row, col, value } => {
            let rows = &mut files[*file];
            let r = row_of(rows, *row).min(rows.len() - 1);
            let cells = &mut rows[r];
            let c = col % cells.len();
            cells[c] = value.clone();
        }
        Change::CellTooMany { file, row } => {
            let rows = &mut files[*file];
            let r = row_of(rows, *row).min(rows.len() - 1);
            rows[r].push("lebih".into());
        }
        Change::CellTooFew { file, row } => {
            let rows = &mut files[*file];
            let r = row_of(rows, *row).min(rows.len() - 1);
            rows[r].pop();
        }
        Change::RowTwice { file, row } => {
            let rows = &mut files[*file];
            let r = row_of(rows, *row).min(rows.len() - 1);
            let copy = rows[r].clone();
            rows.push(copy);
        }
        Change::Header { file, col, value } => {
            let header = &mut files[*file][0];
            let c = col % header.len();
            header[c] = value.clone();
        }
    }
}

/// Every reader a cadre or the PLKB meets on the imported village.
fn every_reader_answers(store: &Store) -> Result<(), String> {
    let village = at(VILLAGE);
    let month = Month::parse("2026-11").unwrap();
    store.recap(month, &village).map_err(|e| format!("recap: {e}"))?;
    store.recap(month, &at(KECAMATAN)).map_err(|e| format!("recap: {e}"))?;
    let households = store
        .households_in(&village, 0, 1000)
        .map_err(|e| format!("households: {e}"))?;
    for h in households {
        store.household(h.id).map_err(|e| format!("household {}: {e}", h.id))?;
    }
    store
        .due_list(&village, d(2026, 12, 1))
        .map_err(|e| format!("due list: {e}"))?;
    for p in store
        .search_persons("", Some(&village), 1000)
        .map_err(|e| format!("search: {e}"))?
    {
        store.person(p.id).map_err(|e| format!("person {}: {e}", p.id))?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_hostile_csv_import_is_refused_whole_or_taken_whole_and_every_reader_answers(
        changes in proptest::collection::vec(change(), 1..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut source = store_at(d(2026, 12, 1));
        for n in 0..2 {
            let (_, _, _, e) = family_with_child(&mut source, 1 + n * 10, VILLAGE, d(2025, 6, 1));
            source.record_visit(&child_visit(100 + n * 10, &e, d(2026, 11, 2), 8.0, 70.0)).unwrap();
        }
        csvio::export(&source, Some(&at(VILLAGE)), dir.path(), &mut std::io::sink()).unwrap();
        let mut files = FILES.map(|f| read(&dir.path().join(f)));
        for c in &changes {
            apply(&mut files, c);
        }
        for (name, rows) in FILES.iter().zip(&files) {
            write(&dir.path().join(name), rows);
        }
        let mut target: Store = store_at(d(2026, 12, 1));
        let empty = dump(&target);
        match csvio::import(&mut target, dir.path()) {
            Err(_) => prop_assert_eq!(dump(&target), empty, "a refused import wrote something"),
            Ok(_) => {
                prop_assert!(target.integrity_ok().unwrap());
                if let Err(why) = every_reader_answers(&target) {
                    prop_assert!(false, "after {:?}: {}", changes, why);
                }
            }
        }
    }
}

/// A store holding a row not whole yet (an edit that arrived before the change that makes
/// its row, as sync may bring it) and whole rows of a person who never arrived exports what
/// is whole with what it refers to, and the export imports back: a tablet's export stays a
/// backup it can be restored from. Found by an outside attack.
#[test]
fn an_export_beside_a_row_not_whole_yet_imports_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut source = store_at(d(2026, 12, 1));
    let (_, _, _, e) = family_with_child(&mut source, 1, VILLAGE, d(2025, 6, 1));
    source
        .record_visit(&child_visit(10, &e, d(2026, 11, 2), 8.0, 70.0))
        .unwrap();
    let ahead = pendamping_core::Change {
        change_id: uuid::Uuid::now_v7(),
        entity: pendamping_core::Entity::Visit,
        row_id: uuid::Uuid::now_v7(),
        area_code: VILLAGE.into(),
        hlc: pendamping_core::Hlc {
            millis: millis_at(d(2026, 11, 30)),
            counter: 0,
            node: 77,
        },
        fields: [("visit_date".to_string(), serde_json::json!("2026-11-20"))].into(),
    };
    // And a whole enrolment, with a whole visit, of a person who never arrived.
    let h = household(50, VILLAGE, "Dede");
    let nobody = person(
        51,
        &h,
        "Bayi",
        pendamping_core::Sex::Male,
        d(2026, 1, 5),
        pendamping_core::Relationship::Anak,
    );
    let orphan = enrolment(52, &nobody, d(2026, 2, 1), child_details());
    let its_visit = child_visit(53, &orphan, d(2026, 11, 3), 7.0, 65.0);
    let whole = |entity, row_id, fields| pendamping_core::Change {
        change_id: uuid::Uuid::now_v7(),
        entity,
        row_id,
        area_code: VILLAGE.into(),
        hlc: pendamping_core::Hlc {
            millis: millis_at(d(2026, 11, 30)),
            counter: 1,
            node: 77,
        },
        fields,
    };
    let changes = [
        ahead,
        whole(
            pendamping_core::Entity::Enrolment,
            orphan.id,
            pendamping_core::change::to_fields(&orphan),
        ),
        whole(
            pendamping_core::Entity::Visit,
            its_visit.id,
            pendamping_core::change::to_fields(&its_visit),
        ),
    ];
    let report = source.apply_remote(&changes, None).unwrap();
    assert_eq!((report.applied, report.rejected.len()), (3, 0));
    let counts = csvio::export(&source, Some(&at(VILLAGE)), dir.path(), &mut std::io::sink()).unwrap();
    assert_eq!(counts, [1, 2, 1, 1], "what is whole, with what it refers to");
    let mut target = store_at(d(2026, 12, 1));
    let imported = csvio::import(&mut target, dir.path()).unwrap();
    assert_eq!(
        (
            imported.households,
            imported.persons,
            imported.enrolments,
            imported.visits
        ),
        (1, 2, 1, 1)
    );
}
