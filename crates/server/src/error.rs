use thiserror::Error;

#[derive(Debug, Error)]
pub enum ServerError {
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
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
}

pub type Result<T, E = ServerError> = std::result::Result<T, E>;
