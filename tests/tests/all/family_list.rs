//! A government family list (BNBA) of 30,000 families over four villages, as the district
//! receives it (CSV with `;` and XLSX), previewed at the centre against the families its
//! tablets already synced: every bad cell, repeated row and row outside the importer's
//! kecamatan named at its line, every other family planned once, the known ones matched
//! by KK number or by the head's NIK. The expectation is the list maker's own record.

use std::collections::BTreeMap;

use pendamping_core::area::AreaCode;
use pendamping_core::family_list::Plan;
use pendamping_core::person::Relationship;
use pendamping_core::sex::Sex;
use pendamping_protocol::Role;
use pendamping_tests::net::*;
use pendamping_tests::*;
use uuid::Uuid;

fn today() -> chrono::NaiveDate {
    d(2026, 12, 7)
}

const HEADERS: [&str; 9] = [
    "NO",
    "KODE DESA",
    "RT",
    "NO KK",
    "NAMA KEPALA KELUARGA",
    "NIK KEPALA KELUARGA",
    "JUMLAH BALITA",
    "JAMBAN TIDAK LAYAK",
    "STATUS KRS",
];

/// What the list maker meant each line to be.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Meant {
    New,
    Known(Uuid),
    Refused(&'static str),
    Outside,
    Repeat,
}

struct List {
    rows: Vec<Vec<String>>,
    meant: BTreeMap<usize, Meant>,
}

/// The list: family `i` in village `i % 4`, its KK `3602010{i:09}`; the district's own
/// families (`known`: KK, head's NIK, id) at every 97th line, by KK at odd ones and by
/// NIK under a new KK at even ones; a bad cell at every 101st, a repeat of the line
/// before at every 211th, a village of another kecamatan at every 307th.
fn make_list(villages: &[String], elsewhere: &str, known: &[(String, String, Uuid)]) -> List {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut meant: BTreeMap<usize, Meant> = BTreeMap::new();
    let mut known = known.iter();
    for i in 0..30_000usize {
        let line = i + 2;
        if i % 211 == 210 {
            let mut again = rows.last().unwrap().clone();
            again[0] = (i + 1).to_string();
            let before = meant[&(line - 1)].clone();
            meant.insert(
                line,
                if matches!(before, Meant::New | Meant::Known(_)) {
                    Meant::Repeat
                } else {
                    before
                },
            );
            rows.push(again);
            continue;
        }
        let village = if i % 307 == 306 {
            elsewhere
        } else {
            villages[i % 4].as_str()
        };
        let birth = d(1980 + (i % 20) as i32, 1 + (i % 12) as u32, 1 + (i % 28) as u32);
        let mut row = vec![
            (i + 1).to_string(),
            village.to_string(),
            format!("{}", 1 + i % 9),
            format!("3602010{i:09}"),
            format!("KELUARGA {i}"),
            pendamping_core::nik::compose("360201", Sex::Male, birth, (i % 9000) as u16 + 1),
            (i % 3).to_string(),
            if i % 5 == 0 { "1" } else { "0" }.into(),
            if i % 5 == 0 { "BERISIKO" } else { "TIDAK BERISIKO" }.into(),
        ];
        let mut m = if village == elsewhere {
            Meant::Outside
        } else {
            Meant::New
        };
        if m == Meant::New
            && i % 97 == 0
            && let Some((kk, nik, id)) = known.next()
        {
            if i % 2 == 1 {
                row[3] = kk.clone();
            } else {
                row[5] = nik.clone();
            }
            m = Meant::Known(*id);
        } else if m == Meant::New && i % 101 == 100 {
            let (col, cell, header) = match (i / 101) % 4 {
                0 => (3, "3,60201E+15", "NO KK"),
                1 => (1, "3602019", "KODE DESA"),
                2 => (7, "kadang", "JAMBAN TIDAK LAYAK"),
                _ => (6, "banyak", "JUMLAH BALITA"),
            };
            row[col] = cell.into();
            m = Meant::Refused(header);
        }
        meant.insert(line, m);
        rows.push(row);
    }
    List { rows, meant }
}

fn csv(list: &List) -> Vec<u8> {
    let mut out = "\u{feff}".to_string() + &HEADERS.join(";");
    for row in &list.rows {
        out.push('\n');
        out.push_str(&row.join(";"));
    }
    out.into_bytes()
}

fn xlsx(list: &List) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in list.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            // Counts and the line number as numbers, as a spreadsheet holds them.
            match (c, cell.parse::<f64>()) {
                (0 | 2 | 6, Ok(n)) => sheet.write_number(r as u32 + 1, c as u16, n),
                _ => sheet.write_string(r as u32 + 1, c as u16, cell),
            }
            .unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bnba_list_is_previewed_against_the_districts_families_naming_every_problem_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let villages: Vec<String> = pendamping_core::area::villages_under(KECAMATAN)
        .iter()
        .take(4)
        .map(|v| v.code.to_string())
        .collect();
    let elsewhere = pendamping_core::area::villages_under("360202")[0].code.to_string();
    // The district's own families, synced from a tablet: each with its KK and a head.
    let mut tablet = enrolled_device(&server, clock_at(today()), Role::Plkb, &[KECAMATAN]).await;
    let mut known = Vec::new();
    for n in 0..60u128 {
        let h = household(7_000 + n * 10, &villages[(n % 4) as usize], "Keluarga Lama");
        tablet.save_household(&h).unwrap();
        let head = person(
            7_001 + n * 10,
            &h,
            "Kepala Lama",
            Sex::Male,
            d(1980, 3, 1),
            Relationship::KepalaKeluarga,
        );
        tablet.save_person(&head).unwrap();
        known.push((h.kk_number.clone().unwrap(), head.nik.clone().unwrap(), h.id));
    }
    pendamping_sync::sync(&mut tablet, &fast_options(), &mut |_| {})
        .await
        .unwrap();

    let list = make_list(&villages, &elsewhere, &known);
    let scope = [AreaCode::parse(KECAMATAN).unwrap()];
    for (kind, bytes) in [("CSV", csv(&list)), ("XLSX", xlsx(&list))] {
        let (state, scope) = (server.state.clone(), scope.clone());
        let p = tokio::task::spawn_blocking(move || state.preview_family_list(&bytes, None, &scope).unwrap())
            .await
            .unwrap()
            .preview;
        assert_eq!(p.rows, 30_000, "{kind}");
        let mut said = BTreeMap::new();
        for f in &p.planned {
            let m = match f.plan {
                Plan::New => Meant::New,
                Plan::Known { household, .. } => Meant::Known(household),
            };
            assert!(
                said.insert(f.family.row, m).is_none(),
                "{kind}: line {} twice",
                f.family.row
            );
        }
        for problem in &p.problems {
            let m = match problem.problem.code.as_str() {
                "outside_scope" => Meant::Outside,
                "repeated_row" => Meant::Repeat,
                _ => Meant::Refused(HEADERS.iter().find(|h| **h == problem.column).copied().unwrap_or("?")),
            };
            assert!(
                said.insert(problem.row, m).is_none(),
                "{kind}: line {} said twice",
                problem.row
            );
        }
        let wrong: Vec<_> = list
            .meant
            .iter()
            .filter(|(line, m)| said.get(line) != Some(m))
            .map(|(line, m)| (line, m, said.get(line)))
            .take(10)
            .collect();
        assert!(wrong.is_empty(), "{kind} (line, meant, said): {wrong:?}");
        assert_eq!(said.len(), list.meant.len(), "{kind}");
        let matched = list.meant.values().filter(|m| matches!(m, Meant::Known(_))).count();
        assert_eq!(matched, known.len(), "every family of the district is in the list once");
        assert_eq!(p.known_families(), matched, "{kind}");
        // The listed risk, as the list's status column says it.
        let at_risk = p.planned.iter().filter(|f| f.family.at_risk).count();
        let expected = p
            .planned
            .iter()
            .filter(|f| list.rows[f.family.row - 2][8] == "BERISIKO")
            .count();
        assert_eq!(at_risk, expected, "{kind}");
        assert!(at_risk > 5_000, "{kind}: {at_risk}");
    }
    server.stop().await;
}
