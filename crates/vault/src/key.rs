use zeroize::Zeroizing;

use crate::Result;

/// The store's 32-byte data key. Zeroed when dropped; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    pub fn random() -> Result<DataKey> {
        Ok(DataKey(Zeroizing::new(random()?)))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> DataKey {
        DataKey(Zeroizing::new(bytes))
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A key of its own for another store this device keeps under the same unlock (the
    /// PLKB hub's, `purpose` naming it): HKDF-SHA256 of this key, so neither file's key
    /// opens the other, and a PIN recovery recovers both.
    pub fn derive(&self, purpose: &str) -> DataKey {
        let mut out = Zeroizing::new([0u8; 32]);
        hkdf::Hkdf::<sha2::Sha256>::new(None, self.0.as_slice())
            .expand(purpose.as_bytes(), out.as_mut_slice())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        DataKey(out)
    }

    /// Reads a key file: 64 hex digits (surrounding white space ignored), as `write_new`
    /// makes one. The error says what is wrong without echoing the file.
    pub fn from_key_file(path: &std::path::Path) -> std::result::Result<DataKey, String> {
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| e.to_string())?);
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), bytes.as_mut_slice()).map_err(|_| "not 64 hex digits".to_string())?;
        Ok(DataKey::from_bytes(*bytes))
    }

    /// Makes a new random key and writes it to `path` as 64 hex digits, readable by its
    /// owner only; an existing file is never replaced (it may be the only key of a store).
    pub fn write_new(path: &std::path::Path) -> std::io::Result<DataKey> {
        use std::io::Write;
        let key = DataKey::random().map_err(std::io::Error::other)?;
        let mut file = crate::files::create_new_private(path)?;
        file.write_all(format!("{}\n", hex::encode(*key.0)).as_bytes())?;
        file.sync_all()?;
        Ok(key)
    }

    /// The value of SQLCipher's `PRAGMA key` for a raw key (`x'…'`): it uses these bytes
    /// as they are, with no key derivation of its own at every open.
    pub fn sqlcipher_key(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(*self.0)))
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

pub(crate) fn random<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b)?;
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_derived_key_is_fixed_by_its_parent_and_purpose_and_differs_from_both() {
        let k = DataKey::from_bytes([7; 32]);
        let hub = k.derive("plkb-hub-store");
        assert_eq!(hub, DataKey::from_bytes([7; 32]).derive("plkb-hub-store"));
        assert_ne!(hub, k);
        assert_ne!(hub, k.derive("another"));
        assert_ne!(hub, DataKey::from_bytes([8; 32]).derive("plkb-hub-store"));
    }

    #[test]
    fn a_key_file_is_written_private_once_and_read_back() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.key");
        let key = DataKey::write_new(&path).unwrap();
        assert_eq!(DataKey::from_key_file(&path).unwrap(), key);
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(DataKey::write_new(&path).is_err(), "an existing key is never replaced");
        std::fs::write(&path, "ab".repeat(31)).unwrap();
        assert_eq!(DataKey::from_key_file(&path).unwrap_err(), "not 64 hex digits");
    }
}
