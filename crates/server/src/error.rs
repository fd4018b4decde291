use thiserror::Error;

#[derive(Debug, Error)]
pub enum ServerError {
    /// The store failed (its own words, never its types: see `crate::storage`).
    #[error("{0}")]
    Storage(crate::storage::StorageError),
    #[error("the server database is at version {found}; this server knows up to {supported}")]
    NewerSchema { found: u32, supported: u32 },
    #[error("config: {0}")]
    Config(String),
    #[error("scope: {0}")]
    Scope(#[from] pendamping_protocol::ScopeError),
    #[error("no device with id {0}")]
    NoSuchDevice(String),
    #[error("a stored row is damaged ({0}); run `PRAGMA integrity_check`")]
    Corrupt(String),
    #[error("hub ini melayani wilayah {hub}; tidak dapat mendaftarkan perangkat untuk {asked}")]
    OutsideHub { asked: String, hub: String },
    /// Keying or encrypting an encrypted store (a wrong key, a failed copy).
    #[error("encrypted store: {0}")]
    Encrypted(#[from] pendamping_store::StoreError),
    #[error("view: {0}")]
    View(String),
    #[error("tidak dapat mendengarkan di {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("hub belum terdaftar ke server pusat: perlu kode PLKB dari admin pusat")]
    HubNotEnrolled,
    #[error("server pusat: {0}")]
    Upstream(#[from] pendamping_sync::SyncError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("akun: {0}")]
    Account(String),
    /// The store does not answer now (`StorageError::Unavailable`): a 503, not a fault.
    #[error("{0}")]
    Unavailable(String),
    /// A task off the async threads ended without its answer (it panicked).
    #[error("a background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl From<crate::storage::StorageError> for ServerError {
    /// A damaged row and a newer schema keep their own variants: a push refuses the one
    /// change whose record is damaged, and a start says which version it found.
    fn from(e: crate::storage::StorageError) -> ServerError {
        use crate::storage::StorageError as S;
        match e {
            S::Corrupt(why) => ServerError::Corrupt(why),
            S::NewerSchema { found, supported } => ServerError::NewerSchema { found, supported },
            S::Encrypted(e) => ServerError::Encrypted(e),
            S::Open(why) => ServerError::Config(why),
            e @ S::Unavailable(_) => ServerError::Unavailable(e.to_string()),
            e => ServerError::Storage(e),
        }
    }
}

pub type Result<T, E = ServerError> = std::result::Result<T, E>;
