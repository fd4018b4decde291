//! The monthly recap as a sheet: one row per village, TPK and target group (the columns of
//! `pendamping recap --format csv`, the app's Rekap export and the dashboard's).

use pendamping_core::recap::{Recap, RecapRow};

use crate::labels::{Labelled, Lang, Words, area_name, pairs, w};
use crate::sheet::{Cell, Sheet};

/// The recap's columns, one definition per number (the same as the screen's).
pub const COLUMNS: [Words; 21] = [
    w("Bulan", "Month"),
    w("Kode desa", "Village code"),
    w("Desa/kelurahan", "Village"),
    w("TPK", "TPK"),
    w("Sasaran", "Target group"),
    w("Didampingi akhir bulan", "Accompanied at month end"),
    w("Baru didampingi", "Newly enrolled"),
    w("Selesai didampingi", "Enrolments ended"),
    w("Selesai menurut alasan", "Ended, by reason"),
    w("Sasaran dikunjungi", "Targets visited"),
    w("Jumlah kunjungan", "Visits"),
    w("KIE", "Counselling (KIE)"),
    w("Dirujuk", "Referred"),
    w("Rujukan selesai", "Referrals completed"),
    w("Bansos difasilitasi", "Social aid facilitated"),
    w("Ibu hamil TTD ≥ 90", "Pregnant women, iron ≥ 90"),
    w("Sasaran dengan faktor risiko", "Targets with a risk factor"),
    w("KBPP menurut metode", "KBPP by method"),
    w("Keluarga berisiko (KRS)", "Families at risk (KRS)"),
    w("KRS dikunjungi bulan ini", "KRS visited this month"),
    // The month still running is counted to today: a file read later says so itself.
    w("Dihitung sampai", "Counted to"),
];

/// A target enrolled without a TPK is counted under its village, named so.
pub const NO_TPK: Words = w("(tanpa TPK)", "(no TPK)");

fn flags_text(r: &RecapRow, lang: Lang) -> String {
    r.flags
        .iter()
        .map(|(f, n)| format!("{}: {n}", f.label(lang)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn row(month: &str, counted_to: &str, r: &RecapRow, lang: Lang) -> Vec<Cell> {
    vec![
        month.into(),
        r.area_code.as_str().into(),
        area_name(&r.area_code).into(),
        if r.tpk.is_empty() {
            NO_TPK.get(lang).into()
        } else {
            r.tpk.as_str().into()
        },
        r.group.map_or("", |g| g.label(lang)).into(),
        r.caseload_end.into(),
        r.new_enrolments.into(),
        r.exits.values().sum::<u32>().into(),
        pairs(&r.exits, lang).into(),
        r.visited.into(),
        r.visits.into(),
        r.kie.into(),
        r.referrals.into(),
        r.referrals_completed.into(),
        r.bansos.into(),
        r.ttd_target_reached.into(),
        flags_text(r, lang).into(),
        pairs(&r.kbpp, lang).into(),
        "".into(),
        "".into(),
        counted_to.into(),
    ]
}

/// The recap as a table: one row per village, TPK and target group, then one KRS row per
/// village (KRS counts families, not targets: it is not summed with the groups).
pub fn sheet(r: &Recap, lang: Lang) -> Sheet {
    let month = r.month.map(|m| m.to_string()).unwrap_or_default();
    // The last day counted: today while the month runs, else its last day (ISO, as the
    // month column is written).
    let counted_to = r
        .month
        .map(|m| r.as_of.map_or(m.last_day(), |t| t.min(m.last_day())).to_string())
        .unwrap_or_default();
    let mut rows: Vec<Vec<Cell>> = r.rows.iter().map(|x| row(&month, &counted_to, x, lang)).collect();
    for k in &r.krs {
        let mut krs: Vec<Cell> = vec!["".into(); COLUMNS.len()];
        krs[0] = month.as_str().into();
        krs[1] = k.area_code.as_str().into();
        krs[2] = area_name(&k.area_code).into();
        krs[4] = pendamping_core::recap::TargetGroup::Krs.label(lang).into();
        krs[18] = k.krs_families.into();
        krs[19] = k.krs_accompanied.into();
        krs[20] = counted_to.as_str().into();
        rows.push(krs);
    }
    Sheet {
        name: format!("{} {month}", w("Rekap", "Recap").get(lang)),
        headers: COLUMNS.iter().map(|c| c.get(lang)).collect(),
        rows,
        // Counts only: no person in it.
        personal: None,
        lang,
    }
}

/// The recap's file name for `area` in `month`.
pub fn file_name(area: &str, month: pendamping_core::recap::Month, format: crate::sheet::Format) -> String {
    format!("rekap-tpk-{area}-{month}.{}", format.extension())
}
