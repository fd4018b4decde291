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
}

/// Writes an export into `dir` (created when missing), readable by its owner only where the
/// OS allows: even counts are the programme's data.
pub fn save(dir: &std::path::Path, name: &str, bytes: &[u8]) -> Result<Exported, AppError> {
    pendamping_vault::files::create_private_dir(dir).map_err(failed)?;
    let path = dir.join(name);
    let mut file = pendamping_vault::files::create_private(&path).map_err(failed)?;
    std::io::Write::write_all(&mut file, bytes).map_err(failed)?;
    Ok(Exported {
        name: name.to_string(),
        folder: dir.display().to_string(),
        path: path.display().to_string(),
    })
}

fn failed(e: impl std::fmt::Display) -> AppError {
    AppError::new("export_failed", format!("Ekspor gagal: {e}"))
}

impl From<ExportError> for AppError {
    fn from(e: ExportError) -> AppError {
        AppError::new("export_failed", e.to_string())
    }
}
