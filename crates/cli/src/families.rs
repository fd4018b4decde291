//! `pendamping server check-families`: a government family list (BNBA, CSV or XLSX) checked
//! against a server's (or hub's) families before it is imported — every problem by line,
//! the rows left out as repeats, the families already known.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use pendamping_core::area::AreaCode;
use pendamping_core::family_list::{Mapping, Match, Plan};
use pendamping_report::sheet_in::MAX_FILE_BYTES;

/// The file's bytes: a regular file no larger than a list may be (a pipe or a device is
/// refused before it is read).
fn list_bytes(file: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(file).with_context(|| format!("berkas {}", file.display()))?;
    if !meta.is_file() {
        bail!("{} bukan berkas biasa", file.display());
    }
    if meta.len() > MAX_FILE_BYTES as u64 {
        bail!("{}: berkas lebih dari {} MB", file.display(), MAX_FILE_BYTES >> 20);
    }
    std::fs::read(file).with_context(|| format!("membaca {}", file.display()))
}

/// Checks `file` for an importer of `areas`, with the mapping in `mapping` (JSON: the
/// BNBA layout's headers found in the file when none), writing what an import would do
/// and every problem (the first 50 unless `all`). Fails when a row cannot be imported.
pub fn check(
    db: &Path,
    file: &Path,
    areas: &[AreaCode],
    mapping: Option<&Path>,
    all: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let mapping: Option<Mapping> = match mapping {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("pemetaan {}", path.display()))?;
            Some(
                serde_json::from_str(&text)
                    .with_context(|| format!("pemetaan {}: bukan JSON pemetaan kolom", path.display()))?,
            )
        }
        None => None,
    };
    let bytes = list_bytes(file)?;
    let state = crate::net::open_state(db)?;
    let checked = state
        .preview_family_list(&bytes, mapping, areas)
        .with_context(|| format!("daftar keluarga {}", file.display()))?;
    let p = &checked.preview;
    writeln!(out, "kolom yang dibaca:")?;
    for (header, column) in &checked.mapping.columns {
        writeln!(out, "  {header:?} → {}", column.as_str())?;
    }
    writeln!(
        out,
        "pemetaan ini (simpan sebagai berkas untuk --mapping): {}",
        serde_json::to_string(&checked.mapping)?
    )?;
    let by = |m: Match| {
        p.planned
            .iter()
            .filter(|f| matches!(f.plan, Plan::Known { by, .. } if by == m))
            .count()
    };
    writeln!(
        out,
        "{} baris: {} keluarga baru, {} sudah dikenal ({} lewat nomor KK, {} lewat NIK kepala keluarga), \
         {} berisiko menurut daftar; {} baris diulang (dilewati); {} baris bermasalah",
        p.rows,
        p.new_families(),
        p.known_families(),
        by(Match::KkNumber),
        by(Match::HeadNik),
        p.planned.iter().filter(|f| f.family.at_risk).count(),
        p.repeated_rows(),
        p.bad_rows(),
    )?;
    let shown = if all {
        p.problems.len()
    } else {
        p.problems.len().min(50)
    };
    for problem in &p.problems[..shown] {
        let column = if problem.column.is_empty() {
            String::new()
        } else {
            format!(", kolom {:?}", problem.column)
        };
        writeln!(out, "  baris {}{column}: {}", problem.row, problem.problem.message_id)?;
    }
    if shown < p.problems.len() {
        writeln!(out, "  … dan {} lagi (--all untuk semuanya)", p.problems.len() - shown)?;
    }
    if p.bad_rows() > 0 {
        bail!("{} baris tidak dapat diimpor: perbaiki berkasnya", p.bad_rows());
    }
    Ok(())
}
