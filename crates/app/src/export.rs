//! Exports saved where a person finds them; the sheets themselves are pendamping-report's.

use serde::Serialize;

use crate::AppError;

pub use pendamping_report::sheet::{Cell, ExportError, Format, Sheet};

/// Where an export was written, for the screen to say in words a person finds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Exported {
    pub name: String,
    pub folder: String,
    pub path: String,
    /// A list's rows (a recap: none): the screen says how many names the file holds.
    pub rows: Option<u32>,
}

/// Writes an export into `dir` (created when missing), readable by its owner only where the
/// OS allows: even counts are the programme's data. A file already there is never
/// replaced (the Indonesian recap is not lost to the English one): the new one is written
/// beside it as "name (2).xlsx", "name (3).xlsx", …, and the screen names the file written.
pub fn save(dir: &std::path::Path, name: &str, bytes: &[u8]) -> Result<Exported, AppError> {
    pendamping_vault::files::create_private_dir(dir).map_err(failed)?;
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    for n in 1..=999 {
        let name = match (n, ext) {
            (1, _) => name.to_string(),
            (_, "") => format!("{stem} ({n})"),
            _ => format!("{stem} ({n}).{ext}"),
        };
        let path = dir.join(&name);
        let mut file = match pendamping_vault::files::create_new_private(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(failed(e)),
        };
        if let Err(e) = std::io::Write::write_all(&mut file, bytes).and_then(|_| file.sync_all()) {
            // Nothing half-written is left behind under a name the screen would not give.
            let _ = std::fs::remove_file(&path);
            return Err(failed(e));
        }
        return Ok(Exported {
            name,
            folder: dir.display().to_string(),
            path: path.display().to_string(),
            rows: None,
        });
    }
    Err(AppError::new(
        "export_failed",
        format!("Ekspor gagal: sudah ada 999 berkas {name} di {}", dir.display()),
        format!("Export failed: there are already 999 files {name} in {}", dir.display()),
    ))
}

/// A file's name in the language it is written in: an English file says so ("-en"), so
/// the two are told apart in a folder.
pub fn named_in(name: &str, lang: pendamping_core::catalogue::Lang) -> String {
    match (lang, name.rsplit_once('.')) {
        (pendamping_core::catalogue::Lang::En, Some((stem, ext))) => format!("{stem}-en.{ext}"),
        _ => name.to_string(),
    }
}

fn failed(e: impl std::fmt::Display) -> AppError {
    AppError::new(
        "export_failed",
        format!("Ekspor gagal: {e}"),
        format!("Export failed: {e}"),
    )
}

impl From<ExportError> for AppError {
    fn from(e: ExportError) -> AppError {
        AppError::new("export_failed", e.to_string(), format!("Export failed: {}", e.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_never_replaces_a_file_and_an_english_one_is_named_so() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("Dokumen").join("Pendamping");
        let first = save(&folder, "rekap.xlsx", b"id").unwrap();
        let again = save(&folder, "rekap.xlsx", b"id 2").unwrap();
        assert_eq!(
            (first.name.as_str(), again.name.as_str()),
            ("rekap.xlsx", "rekap (2).xlsx")
        );
        assert_eq!(std::fs::read(&first.path).unwrap(), b"id");
        assert_eq!(std::fs::read(&again.path).unwrap(), b"id 2");
        let en = named_in("rekap.xlsx", pendamping_core::catalogue::Lang::En);
        assert_eq!(en, "rekap-en.xlsx");
        assert_eq!(
            named_in("rekap.xlsx", pendamping_core::catalogue::Lang::Id),
            "rekap.xlsx"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&again.path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }
}
