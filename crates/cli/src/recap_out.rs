//! Printing the monthly recap: a table for people; the sheet (CSV or XLSX, shared with the
//! app) for spreadsheets.

use std::collections::BTreeMap;
use std::io::Write;

use pendamping_app::recap::{area_title, group_label, pairs};
use pendamping_core::recap::{Recap, TargetGroup};

pub use pendamping_app::recap::sheet;

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
