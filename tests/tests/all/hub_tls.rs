//! A PLKB hub on the office network speaks TLS under its own authority: a tablet refuses it
//! until its cadre has compared the authority's fingerprint with the hub's screen, then
//! enrols and syncs; a wrong fingerprint trusts nothing, another hub's authority is not
//! trusted by trusting this one, and this one's vouches for this hub's address only. (Its own test binary: trusting holds for the process.)

use std::sync::Arc;

use pendamping_app::authority;
use pendamping_core::hlc::ManualTime;
use pendamping_protocol::Role;
use pendamping_server::service;
use pendamping_store::Store;
use pendamping_sync::SyncError;
use pendamping_tests::*;

async fn hub_with_own_authority(dir: &std::path::Path, now: u64) -> service::Running {
    net::hub_tls_server(
        dir,
        "plkb.db",
        "127.0.0.1:0".parse().unwrap(),
        Arc::new(ManualTime::new(now)),
    )
    .await
    .0
}

fn tablet() -> Store {
    Store::open_in_memory(options(clock_at(d(2026, 12, 1)))).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_trusts_the_hub_only_once_its_cadre_has_matched_the_fingerprint() {
    let now = millis_at(d(2026, 12, 1));
    let (hub_dir, app_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let hub = hub_with_own_authority(hub_dir.path(), now).await;
    let url = format!("https://127.0.0.1:{}", hub.addr.port());
    let code = net::enrollment_code(&hub_dir.path().join("plkb.db"), Role::Cadre, &[VILLAGE], now);

    // Unknown: refused before anything is sent, the code left unused.
    let refused = pendamping_sync::enroll(&mut tablet(), &url, &code, "tablet Sari")
        .await
        .unwrap_err();
    assert!(matches!(refused, SyncError::Untrusted(_)), "{refused:?}");

    // The tablet shows the authority's fingerprint: the one on the hub's screen.
    let shown = authority::inspect(&url).await.unwrap();
    let made = std::fs::read(hub_dir.path().join(pendamping_server::hub_tls::AUTHORITY)).unwrap();
    assert_eq!(
        Some(shown.fingerprint.clone()),
        pendamping_protocol::authority::fingerprint(&made)
    );

    // A fingerprint the cadre did not find on the hub's screen trusts nothing.
    let wrong = authority::trust(app_dir.path(), &url, "0000 0000 0000 0000 0000")
        .await
        .unwrap_err();
    assert_eq!(wrong.field.as_deref(), Some("fingerprint"));
    assert!(!app_dir.path().join(authority::FILE).exists());
    let still = pendamping_sync::enroll(&mut tablet(), &url, &code, "tablet Sari")
        .await
        .unwrap_err();
    assert!(matches!(still, SyncError::Untrusted(_)), "{still:?}");

    // Matched: kept for the next start (and a PIN's recovery), and the tablet enrols and syncs.
    authority::trust(app_dir.path(), &url, &shown.fingerprint)
        .await
        .unwrap();
    assert!(app_dir.path().join(authority::FILE).exists());
    authority::restore(app_dir.path()).unwrap();
    let mut sari = tablet();
    pendamping_sync::enroll(&mut sari, &url, &code, "tablet Sari")
        .await
        .unwrap();
    family_with_child(&mut sari, 1, VILLAGE, d(2025, 6, 1));
    let summary = net::sync(&mut sari).await;
    assert!(summary.pushed >= 4, "{summary:?}");
    assert_eq!(sari.pending_count().unwrap(), 0);

    // Trusted for this hub's address only: a server elsewhere whose certificate the same
    // authority signed (whoever copied the hub's authority key could make one, for the
    // centre's name too) is refused, though its fingerprint is the one compared.
    let (twin, _) = net::hub_tls_server(
        hub_dir.path(),
        "twin.db",
        "127.0.0.1:0".parse().unwrap(),
        Arc::new(ManualTime::new(now)),
    )
    .await;
    let twin_url = format!("https://127.0.0.1:{}", twin.addr.port());
    assert_eq!(
        authority::inspect(&twin_url).await.unwrap().fingerprint,
        shown.fingerprint
    );
    let twin_code = net::enrollment_code(&hub_dir.path().join("twin.db"), Role::Cadre, &[VILLAGE], now);
    let err = pendamping_sync::enroll(&mut tablet(), &twin_url, &twin_code, "tablet")
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Untrusted(_)), "{err:?}");
    twin.stop().await.unwrap();

    // Another hub, with an authority of its own, is not trusted by trusting this one.
    let other_dir = tempfile::tempdir().unwrap();
    let other = hub_with_own_authority(other_dir.path(), now).await;
    let other_url = format!("https://127.0.0.1:{}", other.addr.port());
    let other_code = net::enrollment_code(&other_dir.path().join("plkb.db"), Role::Cadre, &[VILLAGE], now);
    let err = pendamping_sync::enroll(&mut tablet(), &other_url, &other_code, "tablet")
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Untrusted(_)), "{err:?}");
    assert_ne!(
        authority::inspect(&other_url).await.unwrap().fingerprint,
        shown.fingerprint
    );
    other.stop().await.unwrap();
    hub.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_an_authority_of_its_own_is_not_offered_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let server = net::TestServer::start(dir.path(), Arc::new(ManualTime::new(millis_at(d(2026, 12, 1)))), |_| {}).await;
    let err = authority::inspect(&server.url()).await.unwrap_err();
    assert_eq!(err.field.as_deref(), Some("server"), "{err:?}");
    server.stop().await;
}
