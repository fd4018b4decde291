//! Rekap: the monthly recap of the village on screen, and its CSV for the PLKB's
//! spreadsheet (the same columns as `pendamping recap --format csv`).

use std::collections::BTreeMap;
use std::io::Write;

use pendamping_core::area;
use pendamping_core::recap::{KrsRow, Month, Recap, RecapRow, TargetGroup};
use pendamping_store::Store;
use serde::Serialize;

use crate::{AppError, setup};

pub fn group_label(g: TargetGroup) -> &'static str {
    match g {
        TargetGroup::Catin => "Calon pengantin",
        TargetGroup::IbuHamil => "Ibu hamil",
        TargetGroup::Nifas => "Ibu pasca persalinan",
        TargetGroup::Baduta => "Baduta (0-23 bln)",
        TargetGroup::Balita => "Balita (24-59 bln)",
        TargetGroup::Krs => "Keluarga berisiko (KRS)",
    }
}

pub fn pairs<K: Serialize, V: std::fmt::Display>(m: &BTreeMap<K, V>) -> String {
    m.iter()
        .map(|(k, v)| {
            let key = serde_json::to_value(k)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            format!("{key}={v}")
        })
        .collect::<Vec<_>>()
        .join(";")
}

pub fn area_title(code: &str) -> String {
    match area::lookup(code) {
        Some(a) => format!("{} {}", area::dotted(code), a.name),
        None => area::dotted(code),
    }
}

pub const CSV_COLUMNS: [&str; 20] = [
    "month",
    "area_code",
    "area_name",
    "tpk",
    "group",
    "caseload_end",
    "new_enrolments",
    "exits",
    "exits_by_reason",
    "visited",
    "visits",
    "kie",
    "referrals",
    "referrals_completed",
    "bansos",
    "ttd_target_reached",
    "flags",
    "kbpp",
    "krs_families",
    "krs_accompanied",
];

fn area_name(code: &str) -> String {
    area::lookup(code).map(|a| a.name.to_string()).unwrap_or_default()
}

fn csv_row(month: &str, r: &RecapRow) -> Vec<String> {
    vec![
        month.to_string(),
        r.area_code.clone(),
        area_name(&r.area_code),
        r.tpk.clone(),
        r.group.map(|g| g.as_str().to_string()).unwrap_or_default(),
        r.caseload_end.to_string(),
        r.new_enrolments.to_string(),
        r.exits.values().sum::<u32>().to_string(),
        pairs(&r.exits),
        r.visited.to_string(),
        r.visits.to_string(),
        r.kie.to_string(),
        r.referrals.to_string(),
        r.referrals_completed.to_string(),
        r.bansos.to_string(),
        r.ttd_target_reached.to_string(),
        pairs(&r.flags),
        pairs(&r.kbpp),
        String::new(),
        String::new(),
    ]
}

/// One row per village, TPK and target group, then one `krs_keluarga` row per village.
pub fn csv(r: &Recap, out: &mut dyn Write) -> Result<(), csv::Error> {
    let month = r.month.map(|m| m.to_string()).unwrap_or_default();
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_COLUMNS)?;
    for row in &r.rows {
        w.write_record(csv_row(&month, row))?;
    }
    for k in &r.krs {
        let mut row = vec![String::new(); CSV_COLUMNS.len()];
        row[0] = month.clone();
        row[1] = k.area_code.clone();
        row[2] = area_name(&k.area_code);
        row[4] = "krs_keluarga".into();
        row[18] = k.krs_families.to_string();
        row[19] = k.krs_accompanied.to_string();
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecapView {
    pub month: String,
    pub area_code: String,
    pub area_title: String,
    /// One row per target group, in the report's order, summed over the TPKs.
    pub groups: Vec<GroupRow>,
    pub krs: KrsRow,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GroupRow {
    pub group: TargetGroup,
    pub label: &'static str,
    pub exits: u32,
    pub row: RecapRow,
}

fn month_of(raw: &str) -> Result<Month, AppError> {
    Month::parse(raw).ok_or_else(|| AppError::invalid("month", "Bulan harus berbentuk TTTT-BB, mis. 2026-11"))
}

pub fn recap(store: &Store, month: &str) -> Result<RecapView, AppError> {
    let m = month_of(month)?;
    let village = setup::current_village(store)?;
    let r = store.recap(m, &village)?;
    let totals = r.totals_by_group();
    let groups = TargetGroup::ALL
        .iter()
        .map(|&g| {
            let row = totals.iter().find(|t| t.group == Some(g)).cloned().unwrap_or_default();
            GroupRow {
                group: g,
                label: group_label(g),
                exits: row.exits.values().sum(),
                row,
            }
        })
        .collect();
    Ok(RecapView {
        month: m.to_string(),
        area_title: area_title(&village),
        krs: r.krs_total(),
        area_code: village,
        groups,
    })
}

/// The recap as CSV text, and the file name to save it under.
pub fn recap_csv(store: &Store, month: &str) -> Result<(String, String), AppError> {
    let m = month_of(month)?;
    let village = setup::current_village(store)?;
    let r = store.recap(m, &village)?;
    let mut out = Vec::new();
    csv(&r, &mut out).map_err(|e| AppError::new("export_failed", format!("Ekspor CSV gagal: {e}")))?;
    Ok((
        String::from_utf8(out).unwrap_or_default(),
        format!("rekap-tpk-{village}-{m}.csv"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pendamping_tests::*;

    #[test]
    fn the_village_recap_counts_the_months_visits_and_exports_them() {
        let today = d(2026, 11, 24);
        let mut s = store_at(today);
        setup::work_offline(&mut s, &[VILLAGE.into()]).unwrap();
        let (_, _, _, e) = family_with_child(&mut s, 1, VILLAGE, d(2025, 5, 24));
        s.record_visit(&child_visit(10, &e, d(2026, 11, 3), 8.0, 70.0)).unwrap();
        s.record_visit(&child_visit(11, &e, d(2026, 10, 3), 8.0, 69.0)).unwrap();
        let v = recap(&s, "2026-11").unwrap();
        assert_eq!(v.groups.len(), TargetGroup::ALL.len());
        let baduta = v.groups.iter().find(|g| g.group == TargetGroup::Baduta).unwrap();
        assert_eq!(
            (baduta.row.caseload_end, baduta.row.visited, baduta.row.visits),
            (1, 1, 1)
        );
        assert!(v.area_title.contains("36.02.01.2002"));
        let (text, name) = recap_csv(&s, "2026-11").unwrap();
        assert_eq!(name, "rekap-tpk-3602012002-2026-11.csv");
        assert!(text.starts_with("month,area_code,"));
        assert!(
            text.lines()
                .any(|l| l.starts_with("2026-11,3602012002,") && l.contains(",baduta,"))
        );
        assert_eq!(recap(&s, "11/2026").unwrap_err().field.as_deref(), Some("month"));
    }
}
