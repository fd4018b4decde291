//! The government's family lists at the centre or a PLKB hub: a list read from the file a
//! district received (CSV or XLSX), its columns mapped (the BNBA layout's by default), and
//! previewed against the families the view already holds, before anything is written.

use pendamping_core::area::AreaCode;
use pendamping_core::family_list::{Mapping, MappingError, Preview, preview};
use pendamping_report::sheet_in::{self, ReadError};

use crate::error::ServerError;
use crate::state::AppState;

/// Why a list cannot be previewed.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{0}")]
    Read(#[from] ReadError),
    #[error("pemetaan kolom: {0}")]
    Mapping(#[from] MappingError),
    #[error(transparent)]
    Server(#[from] ServerError),
}

/// A list as it would be imported: the mapping used, and the preview.
#[derive(Debug, Clone)]
pub struct ListPreview {
    pub mapping: Mapping,
    pub preview: Preview,
}

impl AppState {
    /// Reads `bytes` as a family list and previews it for an importer who may write in
    /// `scope`, with `mapping` (or the BNBA layout's headers found in the file), against
    /// the families the view holds once it has caught up with the log. Blocking.
    pub fn preview_family_list(
        &self,
        bytes: &[u8],
        mapping: Option<Mapping>,
        scope: &[AreaCode],
    ) -> Result<ListPreview, ListError> {
        let table = sheet_in::read(bytes)?;
        let mapping = mapping.unwrap_or_else(|| Mapping::guess(&table.headers));
        let located = mapping.locate(&table.headers)?;
        self.view_current()?;
        let known = self
            .view()
            .with_store(|s| s.known_families(scope))
            .map_err(|e| ServerError::View(e.to_string()))?;
        let today = self.today_in(scope.first().map_or("", |a| a.as_str()));
        let preview = preview(
            &located,
            table.rows.iter().map(|(line, cells)| (*line, cells.as_slice())),
            scope,
            &known,
            today,
        );
        Ok(ListPreview { mapping, preview })
    }
}
