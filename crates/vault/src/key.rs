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
