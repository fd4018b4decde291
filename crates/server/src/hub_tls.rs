//! The PLKB hub's own certificates for the office network. No public authority vouches for
//! a laptop's LAN address, so the hub makes an authority once (kept beside its store) and,
//! at every start, a certificate signed by it for the addresses it has then: a new address
//! from the office router needs no new trust. A tablet trusts the authority after the cadre
//! has compared its fingerprint (`pendamping_protocol::authority`) with the hub's screen.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
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
    // It may vouch only for what a laptop is on an office network (`OFFICE_V4`, `OFFICE_V6`,
    // `localhost`): whoever copies its key can then impersonate no public name or address
    // (the centre's), whatever a tablet that trusts it is asked to reach.
    let mut permitted: Vec<GeneralSubtree> = OFFICE_V4
        .iter()
        .map(|(addr, prefix)| GeneralSubtree::IpAddress(CidrSubnet::from_v4_prefix(addr.octets(), *prefix)))
        .collect();
    permitted.extend(
        OFFICE_V6
            .iter()
            .map(|(addr, prefix)| GeneralSubtree::IpAddress(CidrSubnet::from_v6_prefix(addr.octets(), *prefix))),
    );
    permitted.push(GeneralSubtree::DnsName("localhost".into()));
    p.name_constraints = Some(NameConstraints {
        permitted_subtrees: permitted,
        excluded_subtrees: Vec::new(),
    });
    p
}

/// The networks a hub's authority may vouch for: private, shared (carrier-grade NAT) and
/// loopback IPv4; unique-local and loopback IPv6.
const OFFICE_V4: [(Ipv4Addr, u8); 5] = [
    (Ipv4Addr::new(10, 0, 0, 0), 8),
    (Ipv4Addr::new(172, 16, 0, 0), 12),
    (Ipv4Addr::new(192, 168, 0, 0), 16),
    (Ipv4Addr::new(100, 64, 0, 0), 10),
    (Ipv4Addr::new(127, 0, 0, 0), 8),
];
const OFFICE_V6: [(Ipv6Addr, u8); 2] = [
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),
    (Ipv6Addr::LOCALHOST, 128),
];

/// Whether the hub's authority may vouch for `ip` (`OFFICE_V4`, `OFFICE_V6`): the only
/// addresses its certificate names, and the only ones its screen offers the tablets.
pub fn servable(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => OFFICE_V4.iter().any(|(net, prefix)| {
            let mask = u32::MAX.checked_shl(32 - u32::from(*prefix)).unwrap_or(0);
            u32::from(*v4) & mask == u32::from(*net) & mask
        }),
        IpAddr::V6(v6) => OFFICE_V6.iter().any(|(net, prefix)| {
            let mask = u128::MAX.checked_shl(128 - u32::from(*prefix)).unwrap_or(0);
            u128::from(*v6) & mask == u128::from(*net) & mask
        }),
    }
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
    // Only addresses the authority may vouch for: a certificate naming another one (a
    // public IPv6 address of the laptop) would be refused whole.
    let mut ips: Vec<IpAddr> = hosts.iter().copied().filter(servable).collect();
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

/// This machine's addresses on its office networks (`servable`): IPv4 first (what an
/// office router hands out), never loopback, link-local or public.
pub fn lan_ips() -> Vec<IpAddr> {
    let mut ips: Vec<IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.ip())
        .filter(|ip| !ip.is_loopback() && servable(ip))
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
        // The hub's own certificate names only what its authority may vouch for, whatever
        // addresses the laptop has (a public IPv6 one among them).
        let today = ensure(
            dir.path(),
            &[
                "192.168.1.31".parse().unwrap(),
                "2001:db8::7".parse().unwrap(),
                "8.8.8.8".parse().unwrap(),
            ],
        )
        .unwrap();
        let leaf = rustls::pki_types::CertificateDer::pem_file_iter(&today.cert)
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        for name in ["192.168.1.31", "127.0.0.1", "localhost"] {
            let ok = verifier.verify_server_cert(
                &leaf,
                &[],
                &rustls::pki_types::ServerName::try_from(name.to_string()).unwrap(),
                &[],
                rustls::pki_types::UnixTime::now(),
            );
            assert!(ok.is_ok(), "{name}: {ok:?}");
        }
        assert!(servable(&"10.1.2.3".parse().unwrap()) && servable(&"fd12::1".parse().unwrap()));
        assert!(!servable(&"172.32.0.1".parse().unwrap()) && !servable(&"2001:db8::7".parse().unwrap()));
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
