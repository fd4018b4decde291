//! A device's signing key (Ed25519). Made at enrolment, kept in the device's encrypted
//! store; the public half is registered with the server. What a device pushes is signed
//! with it (`pendamping_protocol::seal`), so a hub can relay a change but neither forge nor
//! alter it, and a leaked token alone cannot push in another device's name.

use ed25519_dalek::{Signer, Verifier};
use zeroize::Zeroizing;

use crate::Result;

/// The private half. Never printed.
pub struct DeviceKey(ed25519_dalek::SigningKey);

/// The public half, as the server registers it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey([u8; 32]);
crate::fixed_bytes!(PublicKey, 32);

#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature([u8; 64]);
crate::fixed_bytes!(Signature, 64);

impl DeviceKey {
    pub fn generate() -> Result<DeviceKey> {
        let seed = Zeroizing::new(crate::key::random::<32>()?);
        Ok(DeviceKey(ed25519_dalek::SigningKey::from_bytes(&seed)))
    }

    /// The key as kept (its 32-byte seed, hex), in the encrypted store only.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(crate::bytes::hex(&self.0.to_bytes()))
    }

    pub fn from_hex(s: &str) -> Option<DeviceKey> {
        let mut seed = Zeroizing::new([0u8; 32]);
        crate::bytes::unhex(s, seed.as_mut()).ok()?;
        Some(DeviceKey(ed25519_dalek::SigningKey::from_bytes(&seed)))
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key().to_bytes())
    }

    pub fn sign(&self, message: &[u8]) -> Signature {
        Signature(self.0.sign(message).to_bytes())
    }
}

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceKey(public {})", self.public())
    }
}

impl PublicKey {
    /// Whether `signature` is this key's over `message` (strict: no malleable forms, no
    /// weak keys).
    pub fn verifies(&self, message: &[u8], signature: &Signature) -> bool {
        let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&self.0) else {
            return false;
        };
        if key.is_weak() {
            return false;
        }
        let sig = ed25519_dalek::Signature::from_bytes(&signature.0);
        key.verify_strict(message, &sig).is_ok() && key.verify(message, &sig).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_key_and_message() {
        let (a, b) = (DeviceKey::generate().unwrap(), DeviceKey::generate().unwrap());
        let sig = a.sign(b"batch");
        assert!(a.public().verifies(b"batch", &sig));
        assert!(!a.public().verifies(b"batcH", &sig));
        assert!(!b.public().verifies(b"batch", &sig));
        let kept = DeviceKey::from_hex(&a.to_hex()).unwrap();
        assert_eq!(kept.public(), a.public());
        assert!(DeviceKey::from_hex("00").is_none());
        let text = serde_json::to_string(&a.public()).unwrap();
        assert_eq!(text.len(), 66, "hex in JSON");
        assert_eq!(serde_json::from_str::<PublicKey>(&text).unwrap(), a.public());
        assert!(serde_json::from_str::<PublicKey>("\"abcd\"").is_err());
        assert!(!format!("{a:?}").contains(a.to_hex().as_str()));
    }
}
