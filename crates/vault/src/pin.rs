use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{Result, VaultError};

/// The shortest PIN a member may set. Eight digits, not six: a thief who copies the files
/// guesses offline at one Argon2id unlock per try, and six digits fall in about an hour of
/// one rented 32-core machine, eight in about five days (docs/src/security.md).
pub const MIN_PIN: usize = 8;
pub const MAX_PIN: usize = 12;
/// The shortest PIN that still opens: one set before eight became the minimum keeps
/// working until its member changes it.
pub const MIN_PIN_KEPT: usize = 6;

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
    /// second on a cheap tablet (docs/src/security.md); the memory makes guessing on GPUs dear.
    fn default() -> Self {
        KdfParams {
            m_kib: 64 * 1024,
            t: 3,
            p: 1,
        }
    }
}

/// A PIN a member sets is `MIN_PIN` to `MAX_PIN` digits: typed with a finger on the
/// tablet's number pad.
pub fn check_pin(pin: &str) -> Result<()> {
    digits(pin, MIN_PIN)
}

/// A PIN typed to unlock: one of an earlier minimum (`MIN_PIN_KEPT`) still opens.
pub(crate) fn check_typed_pin(pin: &str) -> Result<()> {
    digits(pin, MIN_PIN_KEPT)
}

fn digits(pin: &str, min: usize) -> Result<()> {
    if (min..=MAX_PIN).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_pin_is_eight_digits_at_least_and_an_older_six_digit_one_still_opens() {
        assert!(check_pin("13579024").is_ok());
        assert!(check_pin("135790").is_err(), "too short to set");
        assert!(check_typed_pin("135790").is_ok(), "an earlier member's still opens");
        for bad in ["12345", "1234567890123", "1357902a", ""] {
            assert!(check_pin(bad).is_err() && check_typed_pin(bad).is_err(), "{bad:?}");
        }
    }
}
