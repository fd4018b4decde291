//! Printing the monthly recap: a table for people; the sheet (CSV or XLSX, shared with the
//! app) for spreadsheets.

use std::collections::BTreeMap;
use std::io::Write;

use pendamping_core::recap::{Recap, TargetGroup};
use pendamping_report::labels::{area_title, group_label, pairs};

pub use pendamping_report::recap::sheet;

/// How a recap is written.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Xlsx,
    Json,
}

/// Writes a recap as `format` to `output` (a file) or `out`.
pub fn write(
    r: &Recap,
    area: &str,
    format: Format,
    output: Option<&std::path::Path>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    writer(format, output, out, |w| {
        match format {
            Format::Table => table(r, area, w)?,
            Format::Csv => w.write_all(&sheet(r).csv()?)?,
            Format::Xlsx => w.write_all(&sheet(r).xlsx()?)?,
            Format::Json => serde_json::to_writer_pretty(w, r)?,
        }
        Ok(())
    })
}

/// Runs `f` on `output` (a file) or `out`; XLSX, a binary file, needs `output`.
pub fn writer(
    format: Format,
    output: Option<&std::path::Path>,
    out: &mut dyn Write,
    f: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    use anyhow::Context;
    let mut file = match output {
        Some(p) => Some(std::fs::File::create(p).with_context(|| format!("membuat {}", p.display()))?),
        None if matches!(format, Format::Xlsx) => {
            anyhow::bail!("--output diperlukan untuk --format xlsx (berkas biner)")
        }
        None => None,
    };
    let w: &mut dyn Write = match file.as_mut() {
        Some(f) => f,
        None => out,
    };
    f(w)
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
    let d = r.distinct_of(area_code);
    writeln!(
        out,
        "Keluarga dengan sasaran: {} · orang dikunjungi: {} (dihitung atas seluruh wilayah, bukan dijumlah: satu keluarga bisa punya beberapa sasaran)",
        d.families_with_targets, d.persons_visited
    )?;
    let children = r.by_child_area(area_code);
    if children.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<34} {:>10} {:>10} {:>9} {:>6} {:>10} {:>9} {:>9}",
        "Per wilayah", "Didampingi", "Dikunjungi", "Kunjungan", "KRS", "KRS dikunj", "Keluarga*", "Orang*"
    )?;
    for (code, rows, krs) in &children {
        let d = r.distinct_of(code);
        writeln!(
            out,
            "{:<34} {:>10} {:>10} {:>9} {:>6} {:>10} {:>9} {:>9}",
            area_title(code),
            rows.iter().map(|x| x.caseload_end).sum::<u32>(),
            rows.iter().map(|x| x.visited).sum::<u32>(),
            rows.iter().map(|x| x.visits).sum::<u32>(),
            krs.krs_families,
            krs.krs_accompanied,
            d.families_with_targets,
            d.persons_visited
        )?;
    }
    writeln!(
        out,
        "* tidak dijumlah: dihitung atas wilayahnya sendiri; jumlah per wilayah bisa lebih besar dari totalnya"
    )?;
    Ok(())
}
