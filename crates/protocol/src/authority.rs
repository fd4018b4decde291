//! A PLKB hub's own certificate authority, as a tablet comes to trust it: no public
//! authority vouches for a laptop's address on an office network, so the hub makes its own,
//! serves it at [`PATH`], and shows its [`fingerprint`] on its screen; the cadre compares
//! that with what the tablet shows before the tablet trusts it.

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use sha2::{Digest, Sha256};

/// Where a hub serves its authority's certificate (PEM).
pub const PATH: &str = "/v1/hub/authority";

/// The first certificate of a PEM bundle.
fn first(pem: &[u8]) -> Option<CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(pem).next()?.ok()
}

/// What a person compares: the SHA-256 of the certificate, its first 80 bits as five groups
/// of four hex digits ("3FA9 C12B 77D0 1E5A 9B22"): short enough to read aloud, and no one
/// can make another certificate that reads the same. `None` when `pem` holds none.
pub fn fingerprint(pem: &[u8]) -> Option<String> {
    let digest = Sha256::digest(first(pem)?.as_ref());
    let hex: String = digest[..10].iter().map(|b| format!("{b:02X}")).collect();
    let groups: Vec<&str> = (0..5).map(|i| &hex[i * 4..i * 4 + 4]).collect();
    Some(groups.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_is_five_groups_of_the_certificates_digest_and_nothing_else_has_one() {
        // A certificate's PEM armour around arbitrary bytes: the digest is of those bytes.
        let pem = b"-----BEGIN CERTIFICATE-----\nAAECAw==\n-----END CERTIFICATE-----\n";
        let want = Sha256::digest([0u8, 1, 2, 3]);
        let f = fingerprint(pem).unwrap();
        assert_eq!(f.len(), 24);
        assert_eq!(
            f.replace(' ', ""),
            format!("{:020X}", u128::from_be_bytes(want[..16].try_into().unwrap()) >> 48)
        );
        assert_eq!(fingerprint(b"not a certificate"), None);
    }
}
