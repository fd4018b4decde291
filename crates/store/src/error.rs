use pendamping_core::Problem;
use pendamping_core::hlc::HlcError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("data could not be read: {0}")]
    Json(#[from] serde_json::Error),
    /// The record has problems that block saving; warnings come along for display.
    #[error("{}", summary(.0))]
    Invalid(Vec<Problem>),
    #[error("{entity} {id} tidak ditemukan")]
    NotFound { entity: &'static str, id: String },
    #[error("store was written by a newer Pendamping (schema {found}, this version knows {supported}); update the app")]
    NewerSchema { found: u32, supported: u32 },
    #[error("rules file: {0}")]
    Rules(String),
    #[error(transparent)]
    Hlc(#[from] HlcError),
    #[error("file {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Not a store of the kind asked for (`ours`): refused as it was.
    #[error("{}: {why}", path.display())]
    NotOurs {
        path: std::path::PathBuf,
        why: &'static str,
    },
    /// The key does not open the store (or the file is not a store at all).
    #[error("the store does not open with this key")]
    WrongKey,
    #[error("corrupt row {table}/{id}: {reason}")]
    Corrupt {
        table: &'static str,
        id: String,
        reason: String,
    },
}

fn summary(problems: &[Problem]) -> String {
    problems
        .iter()
        .filter(|p| p.is_error())
        .map(|p| format!("{}: {}", p.field, p.message_id))
        .collect::<Vec<_>>()
        .join("; ")
}

impl StoreError {
    /// A stable code for programs and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Sqlite(_)
            | StoreError::Json(_)
            | StoreError::Corrupt { .. }
            | StoreError::Io { .. }
            | StoreError::NotOurs { .. } => "storage",
            StoreError::Invalid(_) => "invalid",
            StoreError::NotFound { .. } => "not_found",
            StoreError::NewerSchema { .. } => "schema_too_new",
            StoreError::Rules(_) => "rules",
            StoreError::Hlc(_) => "clock",
            StoreError::WrongKey => "wrong_key",
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
