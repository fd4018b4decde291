use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{Result, VaultError};

pub const MIN_PIN: usize = 6;
pub const MAX_PIN: usize = 12;

/// Argon2id's cost, kept with each wrap so that a later version may raise it for new PINs
/// while old wraps still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl Default for KdfParams {
    /// 64 MiB, 3 passes, 1 lane: ~0.3 s on this project's 2-core build machine, under a
    /// second on a cheap tablet (README, "Security"); the memory makes guessing on GPUs dear.
    fn default() -> Self {
        KdfParams {
            m_kib: 64 * 1024,
            t: 3,
            p: 1,
        }
    }
}

/// A PIN is 6 to 12 digits: typed with a finger on the tablet's number pad.
pub fn check_pin(pin: &str) -> Result<()> {
    if (MIN_PIN..=MAX_PIN).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(VaultError::BadPin)
    }
}

/// The key that wraps the data key for one member: Argon2id of the PIN and a random salt.
pub(crate) fn derive(pin: &str, salt: &[u8], kdf: KdfParams) -> Result<Zeroizing<[u8; 32]>> {
    let params = Params::new(kdf.m_kib, kdf.t, kdf.p, Some(32)).map_err(|e| VaultError::Kdf(e.to_string()))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(pin.as_bytes(), salt, out.as_mut())
        .map_err(|e| VaultError::Kdf(e.to_string()))?;
    Ok(out)
}
