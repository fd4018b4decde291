//! The PLKB hub's own certificates for the office network. No public authority vouches for
//! a laptop's LAN address, so the hub makes an authority once (kept beside its store) and,
//! at every start, a certificate signed by it for the addresses it has then: a new address
//! from the office router needs no new trust. A tablet trusts the authority after the cadre
//! has compared its fingerprint (`pendamping_protocol::authority`) with the hub's screen.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints, SanType,
};

use crate::error::{Result, ServerError};

// The second authority: the first had no name constraints, so it could vouch for any name
// (the centre's included). A hub that still has one makes this one beside it, and tablets
// compare the new fingerprint once.
pub const AUTHORITY: &str = "hub-authority-2.pem";
pub const AUTHORITY_KEY: &str = "hub-authority-2.key";
const CERT: &str = "hub-tls.pem";
const KEY: &str = "hub-tls.key";

/// What the hub serves with, and what it shows.
#[derive(Debug, Clone)]
pub struct HubTls {
    /// The certificate chain (this start's certificate, then the authority's) and its key.
    pub cert: PathBuf,
    pub key: PathBuf,
    /// The authority's certificate, served at `/v1/hub/authority`, and its text (for the
    /// laptop's own trust, without reading the file again).
    pub authority: PathBuf,
    pub authority_pem: String,
    pub fingerprint: String,
}

fn failed(e: impl std::fmt::Display) -> ServerError {
    ServerError::Config(format!("the hub's certificate: {e}"))
}

/// The authority's parameters: the same at every start, so its issuer can be rebuilt from
/// its key alone.
fn authority_params() -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name.push(DnType::CommonName, "Pendamping hub PLKB");
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    // It may vouch only for what a laptop is on an office network: a private or loopback
    // address, or `localhost`. Whoever copies its key can then impersonate no public name
    // or address (the centre's), whatever a tablet that trusts it is asked to reach.
    let net = |addr: [u8; 4], prefix| GeneralSubtree::IpAddress(CidrSubnet::from_v4_prefix(addr, prefix));
    let net6 =
        |addr: std::net::Ipv6Addr, prefix| GeneralSubtree::IpAddress(CidrSubnet::from_v6_prefix(addr.octets(), prefix));
    p.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![
            net([10, 0, 0, 0], 8),
            net([172, 16, 0, 0], 12),
            net([192, 168, 0, 0], 16),
            net([100, 64, 0, 0], 10),
            net([127, 0, 0, 0], 8),
            net6("fc00::".parse().expect("an address"), 7),
            net6(std::net::Ipv6Addr::LOCALHOST, 128),
            GeneralSubtree::DnsName("localhost".into()),
        ],
        excluded_subtrees: Vec::new(),
    });
    p
}

/// Writes `text`; a private key readable by its owner only.
fn write(path: &Path, text: &str, private: bool) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    use std::io::Write;
    let mut f = options.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

/// The hub's authority (made the first time) and a certificate for `hosts` signed by it,
/// in `dir`.
pub fn ensure(dir: &Path, hosts: &[IpAddr]) -> Result<HubTls> {
    let (authority, authority_key) = (dir.join(AUTHORITY), dir.join(AUTHORITY_KEY));
    let key = match std::fs::read_to_string(&authority_key) {
        Ok(pem) if authority.exists() => KeyPair::from_pem(&pem).map_err(failed)?,
        _ => {
            let key = KeyPair::generate().map_err(failed)?;
            let cert = authority_params().self_signed(&key).map_err(failed)?;
            write(&authority_key, &key.serialize_pem(), true)?;
            write(&authority, &cert.pem(), false)?;
            tracing::info!("the hub made its certificate authority");
            key
        }
    };
    let authority_pem = std::fs::read_to_string(&authority)?;
    let issuer = Issuer::new(authority_params(), key);
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, "Pendamping hub");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let mut ips: Vec<IpAddr> = hosts.to_vec();
    ips.push(IpAddr::V4(Ipv4Addr::LOCALHOST));
    ips.sort();
    ips.dedup();
    params.subject_alt_names = ips.into_iter().map(SanType::IpAddress).collect();
    params
        .subject_alt_names
        .push(SanType::DnsName("localhost".try_into().map_err(failed)?));
    let leaf_key = KeyPair::generate().map_err(failed)?;
    let leaf = params.signed_by(&leaf_key, &issuer).map_err(failed)?;
    let (cert, key) = (dir.join(CERT), dir.join(KEY));
    write(&key, &leaf_key.serialize_pem(), true)?;
    write(&cert, &format!("{}{authority_pem}", leaf.pem()), false)?;
    let fingerprint = pendamping_protocol::authority::fingerprint(authority_pem.as_bytes())
        .ok_or_else(|| failed("the authority's file holds no certificate"))?;
    Ok(HubTls {
        cert,
        key,
        authority,
        authority_pem,
        fingerprint,
    })
}

/// This machine's addresses on its networks: IPv4 first (what an office router hands out),
/// never loopback or link-local.
pub fn lan_ips() -> Vec<IpAddr> {
    let mut ips: Vec<IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.ip())
        .filter(|ip| !ip.is_loopback() && !matches!(ip, IpAddr::V6(v6) if v6.is_unicast_link_local()))
        .collect();
    ips.sort_by_key(|ip| (ip.is_ipv6(), *ip));
    ips.dedup();
    ips
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::client::danger::ServerCertVerifier;
    use rustls::pki_types::pem::PemObject;

    #[test]
    fn the_authority_is_made_once_and_each_start_certifies_the_addresses_of_the_day() {
        let dir = tempfile::tempdir().unwrap();
        let monday = ensure(dir.path(), &["192.168.1.20".parse().unwrap()]).unwrap();
        let tuesday = ensure(dir.path(), &["192.168.1.31".parse().unwrap()]).unwrap();
        assert_eq!(monday.fingerprint, tuesday.fingerprint, "one authority, trusted once");
        assert_eq!(monday.fingerprint.len(), 24);
        // The certificates serve with rustls, chained to the authority.
        crate::tls::acceptor(&tuesday.cert, &tuesday.key).unwrap();
        let chain = std::fs::read_to_string(&tuesday.cert).unwrap();
        assert!(chain.ends_with(&std::fs::read_to_string(&tuesday.authority).unwrap()));
        assert!(chain.ends_with(&tuesday.authority_pem));
        // The authority vouches for the hub's own addresses, never for another name: a
        // certificate made with its key for the centre's name or a public address is refused
        // by a client that trusts it.
        let key = KeyPair::from_pem(&std::fs::read_to_string(dir.path().join(AUTHORITY_KEY)).unwrap()).unwrap();
        let issuer = Issuer::new(authority_params(), key);
        let forged = |san: SanType| {
            let mut p = CertificateParams::default();
            p.subject_alt_names = vec![san];
            p.signed_by(&KeyPair::generate().unwrap(), &issuer).unwrap()
        };
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(rustls::pki_types::CertificateDer::from_pem_slice(tuesday.authority_pem.as_bytes()).unwrap())
            .unwrap();
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let verifier =
            rustls::client::WebPkiServerVerifier::builder_with_provider(std::sync::Arc::new(roots), provider)
                .build()
                .unwrap();
        let check = |cert: &rcgen::Certificate, name: &str| {
            verifier.verify_server_cert(
                cert.der(),
                &[],
                &rustls::pki_types::ServerName::try_from(name.to_string()).unwrap(),
                &[],
                rustls::pki_types::UnixTime::now(),
            )
        };
        let own = forged(SanType::IpAddress("192.168.1.31".parse().unwrap()));
        assert!(check(&own, "192.168.1.31").is_ok(), "its own office address");
        let centre = forged(SanType::DnsName("pendamping.lebakkab.go.id".try_into().unwrap()));
        assert!(
            check(&centre, "pendamping.lebakkab.go.id").is_err(),
            "never the centre's name"
        );
        let public = forged(SanType::IpAddress("203.0.113.7".parse().unwrap()));
        assert!(check(&public, "203.0.113.7").is_err(), "never a public address");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(AUTHORITY_KEY))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the authority's key is its owner's alone");
        }
    }
}
