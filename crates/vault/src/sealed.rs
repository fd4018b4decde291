//! Authenticated encryption of small secrets: a box under a symmetric key, and a box
//! sealed to an X25519 public key (the server's recovery key, or a device's one-time reply
//! key) that only the holder of its secret opens.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use crate::key::random;
use crate::{DataKey, Result, VaultError};

/// A secret under a symmetric key: XChaCha20-Poly1305 with a random 24-byte nonce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Boxed {
    #[serde(with = "hex::serde")]
    pub nonce: Vec<u8>,
    #[serde(with = "hex::serde")]
    pub ct: Vec<u8>,
}

pub(crate) fn lock(key: &[u8; 32], plain: &[u8], aad: &[u8]) -> Result<Boxed> {
    let nonce: [u8; 24] = random()?;
    let ct = XChaCha20Poly1305::new(key.into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
        .map_err(|_| VaultError::Unwrap)?;
    Ok(Boxed {
        nonce: nonce.to_vec(),
        ct,
    })
}

pub(crate) fn unlock(key: &[u8; 32], boxed: &Boxed, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    if boxed.nonce.len() != 24 {
        return Err(VaultError::Unwrap);
    }
    XChaCha20Poly1305::new(key.into())
        .decrypt(XNonce::from_slice(&boxed.nonce), Payload { msg: &boxed.ct, aad })
        .map(Zeroizing::new)
        .map_err(|_| VaultError::Unwrap)
}

pub(crate) fn data_key(plain: &[u8]) -> Result<DataKey> {
    let bytes: [u8; 32] = plain.try_into().map_err(|_| VaultError::Unwrap)?;
    Ok(DataKey::from_bytes(bytes))
}

/// What binds a recovery wrap to its device: the server opens it only for that device.
pub fn recovery_aad(device_id: uuid::Uuid) -> Vec<u8> {
    format!("pendamping recovery v1 device {device_id}").into_bytes()
}

/// An X25519 public key, written as 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RecoveryPublic([u8; 32]);

impl std::fmt::Debug for RecoveryPublic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecoveryPublic({})", hex::encode(self.0))
    }
}

impl std::fmt::Display for RecoveryPublic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl std::str::FromStr for RecoveryPublic {
    type Err = VaultError;
    fn from_str(s: &str) -> Result<Self> {
        let mut b = [0u8; 32];
        hex::decode_to_slice(s, &mut b).map_err(|_| VaultError::Unwrap)?;
        Ok(RecoveryPublic(b))
    }
}

impl TryFrom<String> for RecoveryPublic {
    type Error = VaultError;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<RecoveryPublic> for String {
    fn from(k: RecoveryPublic) -> String {
        k.to_string()
    }
}

/// A box sealed to a public key: the sender's one-time public key and the box under the
/// key both sides derive (X25519, then HKDF-SHA256 over both public keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    pub eph: RecoveryPublic,
    #[serde(flatten)]
    pub boxed: Boxed,
}

fn box_key(shared: &x25519_dalek::SharedSecret, eph: &PublicKey, to: &PublicKey) -> Result<Zeroizing<[u8; 32]>> {
    // A low-order public key gives an all-zero secret that anyone could compute.
    if !shared.was_contributory() {
        return Err(VaultError::Unwrap);
    }
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(eph.as_bytes());
    salt[32..].copy_from_slice(to.as_bytes());
    let mut key = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(&salt), shared.as_bytes())
        .expand(b"pendamping sealed box v1", key.as_mut())
        .map_err(|_| VaultError::Unwrap)?;
    Ok(key)
}

impl RecoveryPublic {
    /// Seals `plain` so that only this key's secret opens it.
    pub fn seal(&self, plain: &[u8], aad: &[u8]) -> Result<Sealed> {
        let eph = StaticSecret::from(random::<32>()?);
        let eph_pub = PublicKey::from(&eph);
        let to = PublicKey::from(self.0);
        let key = box_key(&eph.diffie_hellman(&to), &eph_pub, &to)?;
        Ok(Sealed {
            eph: RecoveryPublic(eph_pub.to_bytes()),
            boxed: lock(&key, plain, aad)?,
        })
    }

    pub fn seal_key(&self, key: &DataKey, aad: &[u8]) -> Result<Sealed> {
        self.seal(key.bytes(), aad)
    }
}

/// The secret half: the server's recovery key (kept in its store), or a device's one-time
/// key for the server's answer.
pub struct RecoverySecret(StaticSecret);

impl RecoverySecret {
    pub fn generate() -> Result<RecoverySecret> {
        Ok(RecoverySecret(StaticSecret::from(random::<32>()?)))
    }

    pub fn from_hex(s: &str) -> Result<RecoverySecret> {
        let mut b = Zeroizing::new([0u8; 32]);
        crate::bytes::unhex(s, b.as_mut()).map_err(|_| VaultError::Unwrap)?;
        Ok(RecoverySecret(StaticSecret::from(*b)))
    }

    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(crate::bytes::hex(&self.0.to_bytes()))
    }

    pub fn public(&self) -> RecoveryPublic {
        RecoveryPublic(PublicKey::from(&self.0).to_bytes())
    }

    pub fn open(&self, sealed: &Sealed, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let eph = PublicKey::from(sealed.eph.0);
        let key = box_key(&self.0.diffie_hellman(&eph), &eph, &PublicKey::from(&self.0))?;
        unlock(&key, &sealed.boxed, aad)
    }

    pub fn open_key(&self, sealed: &Sealed, aad: &[u8]) -> Result<DataKey> {
        data_key(&self.open(sealed, aad)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_secret_holder_opens_a_sealed_box_and_only_for_its_device() {
        let server = RecoverySecret::generate().unwrap();
        let other = RecoverySecret::generate().unwrap();
        let key = DataKey::random().unwrap();
        let device = uuid::Uuid::new_v4();
        let sealed = server.public().seal_key(&key, &recovery_aad(device)).unwrap();
        assert_eq!(server.open_key(&sealed, &recovery_aad(device)).unwrap(), key);
        assert!(matches!(
            other.open_key(&sealed, &recovery_aad(device)),
            Err(VaultError::Unwrap)
        ));
        let elsewhere = recovery_aad(uuid::Uuid::new_v4());
        assert!(matches!(server.open_key(&sealed, &elsewhere), Err(VaultError::Unwrap)));
        let mut altered = sealed.clone();
        altered.boxed.ct[3] ^= 1;
        assert!(server.open_key(&altered, &recovery_aad(device)).is_err());
        // The secret survives being written down and read back.
        let again = RecoverySecret::from_hex(&server.to_hex()).unwrap();
        assert_eq!(again.public(), server.public());
        assert_eq!(again.open_key(&sealed, &recovery_aad(device)).unwrap(), key);
    }

    #[test]
    fn a_low_order_public_key_is_refused() {
        let zero: RecoveryPublic = "00".repeat(32).parse().unwrap();
        assert!(zero.seal(b"secret", b"").is_err());
    }
}
