//! A generated BNBA-style list with every kind of problem planted at known rows: the
//! preview must name each of them at its row, and plan every other family once, matched
//! where the district knows it. The expectation is the generator's own record of what it
//! planted, not a second run of the reader.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use uuid::Uuid;

use super::*;
use crate::area::AreaCode;
use crate::krs::KrsCriterion;
use crate::nik;
use crate::sex::Sex;

const HEADERS: [&str; 16] = [
    "No",
    "Kode Provinsi",
    "Kode Kabupaten",
    "Kode Kecamatan",
    "Kode Desa",
    "RW",
    "RT",
    "No. KK",
    "Nama Kepala Keluarga",
    "NIK Kepala Keluarga",
    "Nama Istri",
    "Tgl Lahir Istri",
    "Jumlah Baduta",
    "Air Minum Tidak Layak",
    "Terlalu Muda",
    "Status Risiko Stunting",
];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
}

/// What a planted row should come out as.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Truth {
    New,
    Known(Uuid),
    /// An error in this column (the header as in the file).
    Bad(&'static str),
    Outside,
    RepeatOf(usize),
}

struct Generated {
    headers: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
    truth: BTreeMap<usize, Truth>,
    known: Known,
    listed_at_risk: BTreeSet<usize>,
}

/// `n` families over four villages of Lebak, and one village outside the importer's
/// kecamatan; every 37th row planted with a problem, every 53rd a repeat of the row
/// before, every 41st a family the district already has.
fn generate(n: usize) -> Generated {
    let in_kecamatan: Vec<String> = crate::area::villages_under("360201")
        .iter()
        .take(4)
        .map(|v| v.code.to_string())
        .collect();
    let villages: Vec<&str> = in_kecamatan.iter().map(|c| &c[6..]).collect();
    let next_door = crate::area::villages_under("360202")[0].code.to_string();
    let mut rows = Vec::new();
    let mut truth = BTreeMap::new();
    let mut known = Known::default();
    let mut listed_at_risk = BTreeSet::new();
    let mut last: Option<Vec<String>> = None;
    for i in 0..n {
        let line = i + 2;
        if i % 53 == 52
            && let Some(prev) = &last
        {
            let mut again = prev.clone();
            again[0] = (i + 1).to_string();
            // The same KK, a name written differently: still the same family.
            again[8] = again[8].to_uppercase();
            rows.push((line, again));
            // A repeat of a bad row is bad on its own; of a good one, left out.
            let t = match &truth[&(line - 1)] {
                bad @ (Truth::Bad(_) | Truth::Outside) => bad.clone(),
                _ => Truth::RepeatOf(line - 1),
            };
            truth.insert(line, t);
            continue;
        }
        let village = villages[i % 4];
        let (district, village) = if i % 97 == 96 {
            ("02", &next_door[6..])
        } else {
            ("01", village)
        };
        let kk = format!("360201{:010}", 1_000_000 + i);
        let birth = NaiveDate::from_ymd_opt(1985 + (i % 20) as i32, 1 + (i % 12) as u32, 1 + (i % 28) as u32).unwrap();
        let head_nik = nik::compose("360201", Sex::Male, birth, (i % 9000) as u16 + 1);
        let at_risk = i % 3 == 0;
        let mut cells: Vec<String> = vec![
            (i + 1).to_string(),
            "36".into(),
            "3602".into(),
            format!("3602{district}"),
            village.into(),
            format!("{}", 1 + i % 5),
            format!("{:03}", 1 + i % 12),
            kk.clone(),
            format!("Kepala {i}"),
            head_nik.clone(),
            format!("Istri {i}"),
            birth.format("%d-%m-%Y").to_string(),
            (i % 3).to_string(),
            if at_risk { "Ya" } else { "Tidak" }.into(),
            "0".into(),
            if at_risk { "1" } else { "0" }.into(),
        ];
        let mut t = if district == "02" { Truth::Outside } else { Truth::New };
        if i % 37 == 36 && t == Truth::New {
            // Each kind of bad cell in turn.
            let (col, cell, header) = match (i / 37) % 6 {
                0 => (7, "3.60201E+15".to_string(), "No. KK"),
                1 => (7, "12345".to_string(), "No. KK"),
                2 => (4, "99".to_string(), "Kode Desa"),
                3 => (11, "31-02-1990".to_string(), "Tgl Lahir Istri"),
                4 => (13, "mungkin".to_string(), "Air Minum Tidak Layak"),
                _ => (8, String::new(), "Nama Kepala Keluarga"),
            };
            cells[col] = cell;
            t = Truth::Bad(header);
        }
        if t == Truth::New && i % 41 == 40 {
            let id = Uuid::from_u128(i as u128 + 1);
            if i % 2 == 0 {
                known.by_kk.insert(kk.clone(), id);
            } else {
                // Known by the head's NIK only: the list's KK is one the district lacks.
                known.by_head_nik.insert(head_nik.clone(), id);
            }
            t = Truth::Known(id);
        }
        if matches!(t, Truth::New | Truth::Known(_)) && at_risk {
            listed_at_risk.insert(line);
        }
        truth.insert(line, t);
        last = Some(cells.clone());
        rows.push((line, cells));
    }
    Generated {
        headers: HEADERS.iter().map(|h| h.to_string()).collect(),
        rows,
        truth,
        known,
        listed_at_risk,
    }
}

#[test]
fn a_generated_list_plans_every_family_once_and_names_every_problem_at_its_row() {
    let g = generate(3_000);
    let located = Mapping::guess(&g.headers).locate(&g.headers).unwrap();
    let scope = [AreaCode::parse("360201").unwrap()];
    let p = preview(
        &located,
        g.rows.iter().map(|(l, c)| (*l, c.as_slice())),
        &scope,
        &g.known,
        today(),
    );
    assert_eq!(p.rows, 3_000);
    // What the preview says of each row, in the generator's terms.
    let mut said: BTreeMap<usize, Truth> = BTreeMap::new();
    for planned in &p.planned {
        let t = match planned.plan {
            Plan::New => Truth::New,
            Plan::Known { household, .. } => Truth::Known(household),
        };
        assert!(
            said.insert(planned.family.row, t).is_none(),
            "row {} planned twice",
            planned.family.row
        );
    }
    for problem in &p.problems {
        let t = match problem.problem.code.as_str() {
            "outside_scope" => Truth::Outside,
            "repeated_row" => {
                let first: usize = problem
                    .problem
                    .message_en
                    .split("line ")
                    .nth(1)
                    .unwrap()
                    .split(':')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                Truth::RepeatOf(first)
            }
            _ => {
                assert!(problem.problem.is_error(), "{problem:?}");
                let header = HEADERS.iter().find(|h| **h == problem.column).copied();
                Truth::Bad(header.unwrap_or_else(|| panic!("a problem with no column: {problem:?}")))
            }
        };
        assert!(said.insert(problem.row, t).is_none(), "row {} said twice", problem.row);
    }
    let differ: Vec<_> = g
        .truth
        .iter()
        .filter(|(row, t)| said.get(row) != Some(t))
        .map(|(row, t)| (row, t, said.get(row)))
        .collect();
    assert!(differ.is_empty(), "(row, planted, said): {differ:?}");
    assert_eq!(said.len(), g.truth.len());
    // The counts a user reads, against the generator's.
    let count = |f: fn(&Truth) -> bool| g.truth.values().filter(|t| f(t)).count();
    assert_eq!(p.new_families(), count(|t| *t == Truth::New));
    assert_eq!(p.known_families(), count(|t| matches!(t, Truth::Known(_))));
    assert_eq!(p.repeated_rows(), count(|t| matches!(t, Truth::RepeatOf(_))));
    assert_eq!(p.bad_rows(), count(|t| matches!(t, Truth::Bad(_) | Truth::Outside)));
    // The listed facts of each planned family, as written in its row.
    let at_risk: BTreeSet<usize> = p
        .planned
        .iter()
        .filter(|f| f.family.at_risk)
        .map(|f| f.family.row)
        .collect();
    assert_eq!(at_risk, g.listed_at_risk);
    let by_row: BTreeMap<usize, &Vec<String>> = g.rows.iter().map(|(l, c)| (*l, c)).collect();
    for f in &p.planned {
        let cells = by_row[&f.family.row];
        assert_eq!(f.family.kk_number.as_deref(), Some(cells[7].as_str()));
        assert_eq!(f.family.area_code, format!("{}{}", cells[3], cells[4]));
        assert_eq!(f.family.rt.as_deref(), Some(cells[6].as_str()));
        assert_eq!(f.family.rw, Some(format!("{:0>3}", cells[5])));
        assert_eq!(
            f.family
                .wife_birth_date
                .map(|d| d.format("%d-%m-%Y").to_string())
                .as_deref(),
            Some(cells[11].as_str())
        );
        assert_eq!(f.family.children_0_23, Some(cells[12].parse().unwrap()));
        let water = cells[13] == "Ya";
        assert_eq!(f.family.criteria.contains(&KrsCriterion::UnsafeWater), water);
        assert!(!f.family.criteria.contains(&KrsCriterion::WifeTooYoung));
    }
}

#[test]
fn a_list_without_a_risk_column_counts_a_family_at_risk_by_its_criteria() {
    let headers: Vec<String> = ["Kode Desa", "No KK", "Nama Kepala Keluarga", "Jamban Tidak Layak"]
        .iter()
        .map(|h| h.to_string())
        .collect();
    let located = Mapping::guess(&headers).locate(&headers).unwrap();
    let row = |latrine: &str| -> Vec<String> {
        ["3602012002", "3602010101200001", "Ahmad", latrine]
            .iter()
            .map(|c| c.to_string())
            .collect()
    };
    for (cell, at_risk) in [("Ya", true), ("0", false), ("", false)] {
        let (family, problems) = read_row(&located, 2, &row(cell), today());
        assert_eq!(problems, vec![]);
        assert_eq!(family.unwrap().at_risk, at_risk, "{cell:?}");
    }
}
