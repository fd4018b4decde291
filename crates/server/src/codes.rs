//! One-time codes (enrolment, PIN recovery) and bearer tokens: made from the operating
//! system's randomness, shown in groups a person reads over the phone, kept only as hashes.

use sha2::{Digest, Sha256};

pub(crate) fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

pub(crate) fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // The OS RNG failing leaves no safe way to make a secret: stop rather than weaken it.
    getrandom::fill(&mut b).expect("the operating system's random number generator failed");
    b
}

/// No 0/O, 1/I/L: a code read over the phone is typed right.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

pub(crate) fn normalize_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// 12 letters and digits of [`CODE_ALPHABET`] (about 59 bits), as stored (hashed).
pub(crate) fn new_code() -> String {
    random::<12>()
        .iter()
        .map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char)
        .collect()
}

/// A code as a person reads it: ABCD-EFGH-JKMN.
pub(crate) fn show_code(code: &str) -> String {
    format!("{}-{}-{}", &code[..4], &code[4..8], &code[8..])
}
