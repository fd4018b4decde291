//! Rekap: the monthly recap of the village on screen, and its CSV for the PLKB's
//! spreadsheet (the same columns as `pendamping recap --format csv`).

use pendamping_core::area;
use pendamping_core::recap::{DistinctRow, KrsRow, Month, RecapRow, TargetGroup};
use pendamping_store::Store;
use serde::Serialize;

use crate::export::Format;
use crate::{AppError, setup};
use pendamping_core::catalogue::Lang;
pub use pendamping_report::labels::area_title;
use pendamping_report::recap::sheet;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecapView {
    pub month: String,
    /// The day the month is counted to: its last day, or today while it runs.
    pub as_of: chrono::NaiveDate,
    /// The month is still running (counted to today, not a whole month).
    pub running: bool,
    /// The months that can be shown, newest first: from the first record to this month.
    pub months: Vec<String>,
    pub area_code: String,
    pub area_title: String,
    /// One row per target group, in the report's order, summed over the TPKs.
    pub groups: Vec<GroupRow>,
    pub krs: KrsRow,
    /// Families with targets and people visited, counted over the whole area (not additive).
    pub distinct: DistinctRow,
    /// For an area above a village (a PLKB's kecamatan): one row per village.
    pub areas: Vec<AreaRow>,
}

/// One village (or kecamatan) of a wider recap: its additive counts, and its own
/// non-additive ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AreaRow {
    pub area_code: String,
    pub area_title: String,
    pub caseload_end: u32,
    pub visited: u32,
    pub visits: u32,
    pub krs: KrsRow,
    pub distinct: DistinctRow,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GroupRow {
    pub group: TargetGroup,
    pub exits: u32,
    pub row: RecapRow,
}

/// The month asked, if it can be shown: one that has not come, or from before anything was
/// recorded on this device, is refused with why (never a month of zeros).
pub(crate) fn month_of(store: &Store, raw: &str) -> Result<Month, AppError> {
    let m = Month::parse(raw).ok_or_else(|| {
        AppError::invalid(
            "month",
            "Bulan harus berbentuk TTTT-BB, mis. 2026-11",
            "A month is written YYYY-MM, e.g. 2026-11",
        )
    })?;
    m.shown(store.first_month()?, store.today()).map_err(|why| {
        AppError::invalid(
            "month",
            pendamping_core::catalogue::month_refused(why, m, Lang::Id),
            pendamping_core::catalogue::month_refused(why, m, Lang::En),
        )
    })?;
    Ok(m)
}

/// The area a device's recap covers: a PLKB's whole kecamatan, a cadre's village on screen.
pub(crate) fn recap_area(store: &Store) -> Result<area::AreaCode, AppError> {
    let scope = pendamping_sync::status(store)?.scope;
    match scope {
        Some(s) if s.role.level() == area::Level::District && s.areas.len() == 1 => Ok(s.areas[0].clone()),
        _ => setup::current_village(store),
    }
}

pub fn recap(store: &Store, month: &str) -> Result<RecapView, AppError> {
    let village = recap_area(store)?;
    let m = month_of(store, month)?;
    let r = store.recap(m, &village)?;
    let areas = r
        .by_child_area(&village)
        .into_iter()
        .map(|(code, rows, krs)| AreaRow {
            area_title: area_title(&code),
            caseload_end: rows.iter().map(|x| x.caseload_end).sum(),
            visited: rows.iter().map(|x| x.visited).sum(),
            visits: rows.iter().map(|x| x.visits).sum(),
            krs,
            distinct: r.distinct_of(&code),
            area_code: code,
        })
        .collect();
    let totals = r.totals_by_group();
    let groups = TargetGroup::ALL
        .iter()
        .map(|&g| {
            let row = totals.iter().find(|t| t.group == Some(g)).cloned().unwrap_or_default();
            GroupRow {
                group: g,
                exits: row.exits.values().sum(),
                row,
            }
        })
        .collect();
    let as_of = r.as_of.unwrap_or_else(|| m.last_day());
    let months = Month::shown_months(store.first_month()?, store.today(), 36)
        .iter()
        .map(Month::to_string)
        .collect();
    Ok(RecapView {
        months,
        running: as_of < m.last_day(),
        as_of,
        month: m.to_string(),
        area_title: area_title(&village),
        krs: r.krs_total(),
        distinct: r.distinct_of(&village),
        areas,
        area_code: village.to_string(),
        groups,
    })
}

/// The village's recap as a file in `lang`, and the name to save it under.
pub fn recap_file(store: &Store, month: &str, format: Format, lang: Lang) -> Result<(Vec<u8>, String), AppError> {
    let village = recap_area(store)?;
    let m = month_of(store, month)?;
    let r = store.recap(m, &village)?;
    Ok((
        sheet(&r, lang).to_bytes(format)?,
        crate::export::named_in(&pendamping_report::recap::file_name(&village, m, format), lang),
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
        let (bytes, name) = recap_file(&s, "2026-11", Format::Csv, Lang::Id).unwrap();
        assert_eq!(name, "rekap-tpk-3602012002-2026-11.csv");
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("\u{feff}Bulan;Kode desa;Desa/kelurahan;"), "{text}");
        assert!(
            text.lines()
                .any(|l| l.starts_with("2026-11;3602012002;Cilangkahan;TPK 1;Baduta (0–23 bln);1;0;0;;1;1;")),
            "{text}"
        );
        let (english, _) = recap_file(&s, "2026-11", Format::Csv, Lang::En).unwrap();
        let english = String::from_utf8(english).unwrap();
        // English Excel: commas between columns (and decimal points).
        assert!(english.starts_with("\u{feff}Month,Village code,Village,"), "{english}");
        assert!(english.contains(",TPK 1,Under two (0–23 mo),1,"), "{english}");
        let (xlsx, name) = recap_file(&s, "2026-11", Format::Xlsx, Lang::Id).unwrap();
        assert!(name.ends_with(".xlsx") && xlsx.starts_with(b"PK"));
        assert_eq!(recap(&s, "11/2026").unwrap_err().field.as_deref(), Some("month"));

        // Months outside the data are refused with why, never shown as zeros.
        let later = recap(&s, "2027-06").unwrap_err();
        assert_eq!(later.field.as_deref(), Some("month"));
        assert!(later.message.contains("Juni 2027 belum tiba"), "{}", later.message);
        let before = recap(&s, "1999-01").unwrap_err();
        assert!(before.message.contains("mulai Mei 2025"), "{}", before.message);
        assert_eq!(v.months.first().map(String::as_str), Some("2026-11"));
        assert_eq!(v.months.last().map(String::as_str), Some("2025-05"));
        assert_eq!(v.months.len(), 19);
    }
}
