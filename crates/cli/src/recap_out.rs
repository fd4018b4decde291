//! Printing the monthly recap: a table for people, CSV for spreadsheets, JSON for programs.

use std::collections::BTreeMap;
use std::io::Write;

use pendamping_core::area;
use pendamping_core::recap::{Recap, RecapRow, TargetGroup};
use serde::Serialize;

fn group_label(g: TargetGroup) -> &'static str {
    match g {
        TargetGroup::Catin => "Calon pengantin",
        TargetGroup::IbuHamil => "Ibu hamil",
        TargetGroup::Nifas => "Ibu pasca persalinan",
        TargetGroup::Baduta => "Baduta (0-23 bln)",
        TargetGroup::Balita => "Balita (24-59 bln)",
        TargetGroup::Krs => "Keluarga berisiko (KRS)",
    }
}

fn pairs<K: Serialize, V: std::fmt::Display>(m: &BTreeMap<K, V>) -> String {
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

fn area_title(code: &str) -> String {
    match area::lookup(code) {
        Some(a) => format!("{} {}", area::dotted(code), a.name),
        None => area::dotted(code),
    }
}

pub fn table(r: &Recap, area_code: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let month = r.month.map(|m| m.to_string()).unwrap_or_default();
    writeln!(out, "Rekap bulanan TPK {month} — {}", area_title(area_code))?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<26} {:>7} {:>6} {:>7} {:>10} {:>9} {:>6} {:>6} {:>8} {:>7}",
        "Sasaran", "Kasus", "Baru", "Keluar", "Dikunjungi", "Kunjungan", "KIE", "Rujuk", "Rujuk ok", "Bansos"
    )?;
    let totals = r.totals_by_group();
    for g in TargetGroup::ALL {
        let row = totals.iter().find(|t| t.group == Some(g)).cloned().unwrap_or_default();
        writeln!(
            out,
            "{:<26} {:>7} {:>6} {:>7} {:>10} {:>9} {:>6} {:>6} {:>8} {:>7}",
            group_label(g),
            row.caseload_end,
            row.new_enrolments,
            row.exits.values().sum::<u32>(),
            row.visited,
            row.visits,
            row.kie,
            row.referrals,
            row.referrals_completed,
            row.bansos
        )?;
    }
    writeln!(out)?;
    writeln!(out, "Sasaran dengan faktor risiko (dihitung sekali per sasaran):")?;
    for t in &totals {
        for (flag, n) in &t.flags {
            writeln!(
                out,
                "  {:<26} {:<36} {n:>6}",
                group_label(t.group.expect("group")),
                flag.label_id()
            )?;
        }
    }
    let ttd: u32 = totals.iter().map(|t| t.ttd_target_reached).sum();
    writeln!(out, "Ibu hamil mencapai target TTD: {ttd}")?;
    let kbpp: BTreeMap<_, u32> = totals
        .iter()
        .flat_map(|t| t.kbpp.iter())
        .fold(BTreeMap::new(), |mut m, (k, v)| {
            *m.entry(*k).or_default() += v;
            m
        });
    writeln!(
        out,
        "KBPP menurut metode: {}",
        if kbpp.is_empty() { "-".into() } else { pairs(&kbpp) }
    )?;
    let krs = r.krs_total();
    writeln!(
        out,
        "Keluarga berisiko stunting: {} keluarga, {} didampingi bulan ini",
        krs.krs_families, krs.krs_accompanied
    )?;
    Ok(())
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
