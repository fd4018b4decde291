//! The device store's keys. The store is encrypted (SQLCipher) with a random data key that
//! is never written down as such: the key file next to the store holds it only wrapped,
//! once per team member by that member's PIN (Argon2id, then XChaCha20-Poly1305), and once
//! for recovery, sealed to the server's X25519 key. So a PIN change re-wraps 32 bytes
//! instead of re-encrypting the store, a second member adds a wrap, and a forgotten PIN
//! is recovered by the server opening its wrap (after an admin verified the person)
//! without any unsynced data being lost. A stolen device, offline, yields only wraps.

pub mod bytes;
mod error;
pub mod files;
mod key;
mod keyfile;
mod pin;
mod sealed;
mod signing;

pub use error::{Result, VaultError};
pub use key::DataKey;
pub use keyfile::{FREE_TRIES, MAX_TRIES, MemberInfo, Vault, check_name, wait_after_ms};
pub use pin::{KdfParams, MAX_PIN, MIN_PIN, MIN_PIN_KEPT, check_pin};
pub use sealed::{RecoveryPublic, RecoverySecret, Sealed, recovery_aad};
pub use signing::{DeviceKey, PublicKey, Signature};
