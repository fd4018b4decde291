//! Fixed-size byte values (keys, signatures, digests) as they travel: hex text in JSON,
//! plain bytes in a binary format (the packed batch), where hex would double them.

/// Implements `Serialize`, `Deserialize`, `Debug` and `Display` (hex) for a newtype over
/// `[u8; N]`.
#[macro_export]
macro_rules! fixed_bytes {
    ($t:ident, $n:expr) => {
        impl $t {
            pub const LEN: usize = $n;

            pub fn from_bytes(bytes: [u8; $n]) -> Self {
                $t(bytes)
            }

            pub fn as_bytes(&self) -> &[u8; $n] {
                &self.0
            }

            /// From a stored or typed value: exactly `LEN` bytes.
            pub fn from_slice(bytes: &[u8]) -> Option<Self> {
                <[u8; $n]>::try_from(bytes).ok().map($t)
            }
        }

        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({})", stringify!($t), $crate::bytes::hex(&self.0))
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&$crate::bytes::hex(&self.0))
            }
        }

        impl std::str::FromStr for $t {
            type Err = $crate::bytes::BadBytes;
            fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
                let mut b = [0u8; $n];
                $crate::bytes::unhex(s, &mut b)?;
                Ok($t(b))
            }
        }

        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                if s.is_human_readable() {
                    s.serialize_str(&self.to_string())
                } else {
                    s.serialize_bytes(&self.0)
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                use serde::de::Error;
                if d.is_human_readable() {
                    let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                    s.parse().map_err(D::Error::custom)
                } else {
                    let b = <&'de [u8]>::deserialize(d)?;
                    $t::from_slice(b).ok_or_else(|| D::Error::invalid_length(b.len(), &stringify!($n)))
                }
            }
        }
    };
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {0} hex digits")]
pub struct BadBytes(pub usize);

pub fn hex(b: &[u8]) -> String {
    ::hex::encode(b)
}

pub fn unhex(s: &str, into: &mut [u8]) -> Result<(), BadBytes> {
    ::hex::decode_to_slice(s, into).map_err(|_| BadBytes(into.len() * 2))
}
