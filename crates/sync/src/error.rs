use thiserror::Error;

#[derive(Debug, Error)]
pub enum SyncError {
    #[error("penyimpanan: {0}")]
    Store(#[from] pendamping_store::StoreError),
    #[error("perangkat belum didaftarkan ke server; jalankan pendaftaran dengan kode dari admin")]
    NotEnrolled,
    /// The server refused the request (4xx): retrying would not help.
    #[error("server menolak ({status}, {code}): {message}")]
    Refused { status: u16, code: String, message: String },
    /// The link or the server failed on every attempt.
    #[error("tidak dapat menghubungi server setelah {attempts} percobaan: {last}")]
    Unreachable { attempts: u32, last: String },
    #[error("jawaban server tidak dapat dibaca: {0}")]
    BadAnswer(String),
}

impl SyncError {
    /// The server's error code, for a refused request.
    pub fn code(&self) -> Option<&str> {
        match self {
            SyncError::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;
