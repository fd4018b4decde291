//! Printing the monthly recap: a table for people; the sheet (CSV or XLSX, shared with the
//! app) for spreadsheets.

use std::collections::BTreeMap;
use std::io::Write;

use pendamping_core::recap::{Recap, TargetGroup};
use pendamping_report::labels::{Labelled, Lang, Words, area_title, pairs, w};

pub use pendamping_report::recap::{COLUMNS, sheet};

/// How a recap is written.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Xlsx,
    Json,
}

/// Writes a recap as `format` to `output` (a file) or `out`.
pub fn write(r: &Recap, area: &str, to: &Output, out: &mut dyn Write) -> anyhow::Result<()> {
    let lang = to.lang;
    writer(to, out, |w| {
        match to.format {
            Format::Table => table(r, area, lang, w)?,
            Format::Csv => w.write_all(&sheet(r, lang).csv()?)?,
            Format::Xlsx => w.write_all(&sheet(r, lang).xlsx()?)?,
            Format::Json => serde_json::to_writer_pretty(w, r)?,
        }
        Ok(())
    })
}

/// Where and how a recap or a list is written.
pub struct Output<'a> {
    pub format: Format,
    /// A file; `None`: the standard output.
    pub file: Option<&'a std::path::Path>,
    pub lang: Lang,
}

/// Runs `f` on the output's file or `out`; XLSX, a binary file, needs a file.
pub fn writer(
    to: &Output,
    out: &mut dyn Write,
    f: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    use anyhow::Context;
    let mut file = match to.file {
        // A list carries names and NIKs: the owner's only.
        Some(p) => {
            Some(pendamping_vault::files::create_private(p).with_context(|| format!("membuat {}", p.display()))?)
        }
        None if matches!(to.format, Format::Xlsx) => {
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

/// The table's own sentences (its columns are the sheet's).
const TITLE: Words = w("Rekap bulanan TPK", "Monthly TPK recap");
const FLAGS: Words = w(
    "Sasaran dengan faktor risiko (dihitung sekali per sasaran):",
    "Targets with a risk factor (each counted once):",
);
const TTD: Words = w(
    "Ibu hamil mencapai target TTD",
    "Pregnant women who reached the iron target",
);
const KRS: Words = w(
    "Keluarga berisiko stunting: {families} keluarga, {accompanied} dikunjungi bulan ini",
    "Families at risk of stunting: {families}, {accompanied} visited this month",
);
const DISTINCT: Words = w(
    "Keluarga dengan sasaran: {families} · orang dikunjungi: {persons} (dihitung atas seluruh wilayah, bukan dijumlah: satu keluarga bisa punya beberapa sasaran)",
    "Families with a target: {families} · persons visited: {persons} (counted over the whole area, not summed: one family can have several targets)",
);
const BY_AREA: [Words; 8] = [
    w("Per wilayah", "By area"),
    w("Didampingi", "Accompanied"),
    w("Dikunjungi", "Visited"),
    w("Kunjungan", "Visits"),
    w("KRS", "KRS"),
    w("KRS dikunj", "KRS visited"),
    w("Keluarga*", "Families*"),
    w("Orang*", "Persons*"),
];
const NOT_SUMMED: Words = w(
    "* tidak dijumlah: dihitung atas wilayahnya sendiri; jumlah per wilayah bisa lebih besar dari totalnya",
    "* not summed: counted over each area itself; the areas' figures can add up to more than the total",
);
/// The sheet's columns the group table shows, after the group's name.
const GROUP_COLUMNS: [usize; 9] = [5, 6, 7, 9, 10, 11, 12, 13, 14];

/// Cells padded to their column's header, right-aligned after a first wide column.
fn line(out: &mut dyn Write, first: &str, width: usize, heads: &[&str], cells: &[String]) -> std::io::Result<()> {
    write!(out, "{first:<width$}")?;
    for (h, c) in heads.iter().zip(cells) {
        let n = h.chars().count().max(6);
        write!(out, " {c:>n$}")?;
    }
    writeln!(out)
}

pub fn table(r: &Recap, area_code: &str, lang: Lang, out: &mut dyn Write) -> std::io::Result<()> {
    let month = r.month.map(|m| m.to_string()).unwrap_or_default();
    writeln!(out, "{} {month} — {}", TITLE.get(lang), area_title(area_code))?;
    writeln!(out)?;
    let heads: Vec<&str> = GROUP_COLUMNS.iter().map(|&i| COLUMNS[i].get(lang)).collect();
    line(
        out,
        COLUMNS[4].get(lang),
        28,
        &heads,
        &heads.iter().map(|h| h.to_string()).collect::<Vec<_>>(),
    )?;
    let totals = r.totals_by_group();
    for g in TargetGroup::ALL {
        let row = totals.iter().find(|t| t.group == Some(g)).cloned().unwrap_or_default();
        let cells = [
            row.caseload_end,
            row.new_enrolments,
            row.exits.values().sum::<u32>(),
            row.visited,
            row.visits,
            row.kie,
            row.referrals,
            row.referrals_completed,
            row.bansos,
        ]
        .map(|n| n.to_string());
        line(out, g.label(lang), 28, &heads, &cells)?;
    }
    writeln!(out)?;
    writeln!(out, "{}", FLAGS.get(lang))?;
    for t in &totals {
        for (flag, n) in &t.flags {
            let group = t.group.map_or("", |g| g.label(lang));
            writeln!(out, "  {group:<28} {:<36} {n:>6}", flag.label(lang))?;
        }
    }
    let ttd: u32 = totals.iter().map(|t| t.ttd_target_reached).sum();
    writeln!(out, "{}: {ttd}", TTD.get(lang))?;
    let kbpp: BTreeMap<_, u32> = totals
        .iter()
        .flat_map(|t| t.kbpp.iter())
        .fold(BTreeMap::new(), |mut m, (k, v)| {
            *m.entry(*k).or_default() += v;
            m
        });
    let kbpp = if kbpp.is_empty() {
        "-".into()
    } else {
        pairs(&kbpp, lang)
    };
    writeln!(out, "{}: {kbpp}", COLUMNS[17].get(lang))?;
    let krs = r.krs_total();
    let krs_line = KRS
        .get(lang)
        .replace("{families}", &krs.krs_families.to_string())
        .replace("{accompanied}", &krs.krs_accompanied.to_string());
    writeln!(out, "{krs_line}")?;
    let d = r.distinct_of(area_code);
    let distinct = DISTINCT
        .get(lang)
        .replace("{families}", &d.families_with_targets.to_string())
        .replace("{persons}", &d.persons_visited.to_string());
    writeln!(out, "{distinct}")?;
    let children = r.by_child_area(area_code);
    if children.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    let heads: Vec<&str> = BY_AREA[1..].iter().map(|h| h.get(lang)).collect();
    line(
        out,
        BY_AREA[0].get(lang),
        34,
        &heads,
        &heads.iter().map(|h| h.to_string()).collect::<Vec<_>>(),
    )?;
    for (code, rows, krs) in &children {
        let d = r.distinct_of(code);
        let cells = [
            rows.iter().map(|x| x.caseload_end).sum::<u32>(),
            rows.iter().map(|x| x.visited).sum::<u32>(),
            rows.iter().map(|x| x.visits).sum::<u32>(),
            krs.krs_families,
            krs.krs_accompanied,
            d.families_with_targets,
            d.persons_visited,
        ]
        .map(|n| n.to_string());
        line(out, &area_title(code), 34, &heads, &cells)?;
    }
    writeln!(out, "{}", NOT_SUMMED.get(lang))?;
    Ok(())
}
