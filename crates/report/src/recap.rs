//! The monthly recap as a sheet: one row per village, TPK and target group (the columns of
//! `pendamping recap --format csv`, the app's Rekap export and the dashboard's).

use pendamping_core::recap::{Recap, RecapRow};

use crate::labels::{area_name, group_label, pairs};
use crate::sheet::{Cell, Sheet};

/// The recap's columns, one definition per number (the same as the screen's).
pub const COLUMNS: [&str; 20] = [
    "Bulan",
    "Kode desa",
    "Desa/kelurahan",
    "TPK",
    "Sasaran",
    "Didampingi akhir bulan",
    "Baru didampingi",
    "Selesai didampingi",
    "Selesai menurut alasan",
    "Sasaran dikunjungi",
    "Jumlah kunjungan",
    "KIE",
    "Dirujuk",
    "Rujukan selesai",
    "Bansos difasilitasi",
    "Ibu hamil TTD ≥ 90",
    "Sasaran dengan faktor risiko",
    "KBPP menurut metode",
    "Keluarga berisiko (KRS)",
    "KRS didampingi bulan ini",
];

fn flags_text(r: &RecapRow) -> String {
    r.flags
        .iter()
        .map(|(f, n)| format!("{}: {n}", f.label_id()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn row(month: &str, r: &RecapRow) -> Vec<Cell> {
    vec![
        month.into(),
        r.area_code.as_str().into(),
        area_name(&r.area_code).into(),
        // A target enrolled without a TPK is counted under its village, named so.
        if r.tpk.is_empty() {
            "(tanpa TPK)".into()
        } else {
            r.tpk.as_str().into()
        },
        r.group.map(group_label).unwrap_or_default().into(),
        r.caseload_end.into(),
        r.new_enrolments.into(),
        r.exits.values().sum::<u32>().into(),
        pairs(&r.exits).into(),
        r.visited.into(),
        r.visits.into(),
        r.kie.into(),
        r.referrals.into(),
        r.referrals_completed.into(),
        r.bansos.into(),
        r.ttd_target_reached.into(),
        flags_text(r).into(),
        pairs(&r.kbpp).into(),
        "".into(),
        "".into(),
    ]
}

/// The recap as a table: one row per village, TPK and target group, then one KRS row per
/// village (KRS counts families, not targets: it is not summed with the groups).
pub fn sheet(r: &Recap) -> Sheet {
    let month = r.month.map(|m| m.to_string()).unwrap_or_default();
    let mut rows: Vec<Vec<Cell>> = r.rows.iter().map(|x| row(&month, x)).collect();
    for k in &r.krs {
        let mut krs: Vec<Cell> = vec!["".into(); COLUMNS.len()];
        krs[0] = month.as_str().into();
        krs[1] = k.area_code.as_str().into();
        krs[2] = area_name(&k.area_code).into();
        krs[4] = "Keluarga berisiko stunting".into();
        krs[18] = k.krs_families.into();
        krs[19] = k.krs_accompanied.into();
        rows.push(krs);
    }
    Sheet {
        name: format!("Rekap {month}"),
        headers: COLUMNS.to_vec(),
        rows,
    }
}

/// The recap's file name for `area` in `month`.
pub fn file_name(area: &str, month: pendamping_core::recap::Month, format: crate::sheet::Format) -> String {
    format!("rekap-tpk-{area}-{month}.{}", format.extension())
}
