//! TLS end to end: a server with a certificate (made here for 127.0.0.1), a device that
//! trusts it enrolling and syncing through it, and one that does not trust it refused; a
//! server asked to listen beyond loopback without TLS does not start.
//! (Its own test binary: trusting the certificate holds for the whole process.)

use std::sync::Arc;

use pendamping_core::hlc::ManualTime;
use pendamping_protocol::{Role, Scope};
use pendamping_server::Config;
use pendamping_server::service;
use pendamping_store::Store;
use pendamping_tests::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_syncs_over_tls_with_a_trusted_certificate_and_refuses_an_untrusted_one() {
    let dir = tempfile::tempdir().unwrap();
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
    let (cert, key) = (dir.path().join("server.pem"), dir.path().join("server.key"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    let now = millis_at(d(2026, 12, 1));
    let config = Config {
        db: dir.path().join("central.db"),
        listen: "127.0.0.1:0".parse().unwrap(),
        tls_cert: Some(cert.clone()),
        tls_key: Some(key),
        ..Config::default()
    };
    let running = service::start(config, Arc::new(ManualTime::new(now)), None)
        .await
        .unwrap();
    let url = format!("https://127.0.0.1:{}", running.addr.port());
    let scope = Scope::new(Role::Cadre, &[VILLAGE]).unwrap();
    let code = |n: &str| {
        pendamping_server::Admin::at(&dir.path().join("central.db"), None)
            .unwrap()
            .enrollment_code(n, &scope, now as i64, 3_600_000)
            .unwrap()
    };

    // Not trusted (a self-signed certificate, no CA file): refused before anything is sent.
    let mut stranger = Store::open_in_memory(options(clock_at(d(2026, 12, 1)))).unwrap();
    let first = code("Siti");
    let refused = pendamping_sync::enroll(&mut stranger, &url, &first, "tablet")
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, pendamping_sync::SyncError::Untrusted(why) if why.contains("certificate")),
        "refused at once, saying why: {refused:?}"
    );
    // Plain HTTP to the TLS port gets no answer either.
    let plain = format!("http://127.0.0.1:{}/health", running.addr.port());
    assert!(reqwest::get(&plain).await.is_err());

    // Trusted: the same code (never used) enrols, and a family reaches the server.
    pendamping_sync::trust(&url, &std::fs::read(&cert).unwrap()).unwrap();
    let mut tablet = Store::open_in_memory(options(clock_at(d(2026, 12, 1)))).unwrap();
    pendamping_sync::enroll(&mut tablet, &url, &first, "tablet")
        .await
        .unwrap();
    family_with_child(&mut tablet, 1, VILLAGE, d(2025, 6, 1));
    let summary = net::sync(&mut tablet).await;
    assert!(summary.pushed >= 4, "{summary:?}");
    assert_eq!(tablet.pending_count().unwrap(), 0);
    running.stop().await.unwrap();

    // Beyond loopback, plain HTTP is refused unless the config allows it.
    let open = Config {
        db: dir.path().join("other.db"),
        listen: "0.0.0.0:0".parse().unwrap(),
        ..Config::default()
    };
    let err = service::start(open.clone(), Arc::new(ManualTime::new(now)), None)
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("tls_cert"), "{err}");
    let allowed = Config {
        allow_plain_http: true,
        ..open
    };
    service::start(allowed, Arc::new(ManualTime::new(now)), None)
        .await
        .unwrap()
        .stop()
        .await
        .unwrap();
}
