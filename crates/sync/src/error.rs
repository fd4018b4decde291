use thiserror::Error;

#[derive(Debug, Error)]
pub enum SyncError {
    #[error("penyimpanan: {0}")]
    Store(#[from] pendamping_store::StoreError),
    /// A replica other than a device store (a hub's) failed.
    #[error("penyimpanan: {0}")]
    Local(String),
    #[error("perangkat belum didaftarkan ke server; jalankan pendaftaran dengan kode dari admin")]
    NotEnrolled,
    /// The server refused the request (4xx): retrying would not help.
    #[error("server menolak ({status}, {code}): {message}")]
    Refused {
        status: u16,
        code: pendamping_protocol::ErrorCode,
        message: String,
    },
    /// No connection could be made on any attempt (or the server kept failing).
    #[error("tidak dapat menghubungi server setelah {attempts} percobaan: {last}")]
    Unreachable { attempts: u32, last: String },
    /// Connections were made and kept breaking mid-transfer: the link, not the server.
    /// What got through is kept; the next sync goes on from there.
    #[error("sambungan terus terputus ({attempts} kali); {done}{} perubahan sudah sampai dan tersimpan, sinkronkan lagi untuk melanjutkan: {last}", total.map(|t| format!(" dari {t}")).unwrap_or_default())]
    LinkDropping {
        attempts: u32,
        done: u64,
        total: Option<u64>,
        last: String,
    },
    #[error("jawaban server tidak dapat dibaca: {0}")]
    BadAnswer(String),
    /// The server's certificate is not trusted here (wrong server, or an interceptor).
    #[error("sertifikat server tidak dipercaya: {0}")]
    Untrusted(String),
}

/// The code an untrusted certificate is reported under, to the screens and in the sync's
/// state.
pub const UNTRUSTED_SERVER: &str = "untrusted_server";

impl SyncError {
    /// The server's error code, for a refused request.
    pub fn code(&self) -> Option<pendamping_protocol::ErrorCode> {
        match self {
            SyncError::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;
