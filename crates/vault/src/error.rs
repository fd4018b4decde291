use std::path::PathBuf;

pub type Result<T> = std::result::Result<T, VaultError>;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("key file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the key file {path} is not readable: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error("wrong PIN ({left} tries left before the PIN must be recovered)")]
    WrongPin { left: u32, wait_ms: i64 },
    #[error("too many wrong PINs: wait until {until_ms} (ms since the epoch)")]
    Wait { until_ms: i64 },
    #[error("too many wrong PINs: this member's PIN was erased and must be recovered")]
    PinErased,
    #[error("no member {0} on this device")]
    NoMember(uuid::Uuid),
    #[error("a PIN is {min} to {max} digits", min = crate::MIN_PIN, max = crate::MAX_PIN)]
    BadPin,
    #[error("a member's name is 1 to 60 characters")]
    BadName,
    #[error("there is already a member called {0}")]
    NameTaken(String),
    #[error("this device has no recovery wrap (it was never enrolled with a server)")]
    NoRecovery,
    #[error("a wrap does not open: wrong key or altered")]
    Unwrap,
    #[error("the key derivation failed: {0}")]
    Kdf(String),
    #[error("the operating system's random number generator failed: {0}")]
    Random(#[from] getrandom::Error),
}
