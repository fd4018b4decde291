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
}
