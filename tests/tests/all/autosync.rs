//! Automatic sync: it waits out a dead link, syncs by itself once the server answers, and
//! never holds the store while it waits on the network.

use pendamping_sync::Shared;
use std::time::Duration;

use pendamping_protocol::Role;
use pendamping_sync::{AutoOptions, AutoSync, State};
use pendamping_tests::net::*;
use pendamping_tests::*;
use tokio::sync::watch;

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

/// An hourly sync that retries a dead link within a fraction of a second.
fn quick() -> AutoOptions {
    AutoOptions {
        every: Duration::from_secs(3600),
        retry_min: Duration::from_millis(50),
        retry_max: Duration::from_millis(200),
        probe_timeout: Duration::from_millis(500),
        sync: fast_options(),
    }
}

/// Waits (at most 20 s) for a state that satisfies `want`.
async fn until(rx: &mut watch::Receiver<State>, what: &str, want: impl Fn(&State) -> bool) -> State {
    let found = tokio::time::timeout(Duration::from_secs(20), rx.wait_for(|s| want(s)))
        .await
        .map(|r| r.map(|s| s.clone()));
    match found {
        Ok(Ok(s)) => s,
        _ => panic!("never reached: {what}; last state {:?}", *rx.borrow()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncs_by_itself_once_the_server_answers_and_never_blocks_a_save() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let dead = Faults {
        cut: 1.0,
        cut_within: 1,
        max_delay: Duration::ZERO,
        ..Faults::none()
    };
    let proxy = FaultProxy::start(server.addr, dead.clone(), 3).await;
    let clock = clock_at(today());
    let mut store = enrolled_device(&server, clock.clone(), Role::Cadre, &[VILLAGE]).await;
    store.set_setting("server", &proxy.url()).unwrap();
    family_with_child(&mut store, 100, VILLAGE, d(2025, 5, 1));
    let shared = Shared::new(store);
    let auto = AutoSync::start(shared.clone(), quick());
    let mut rx = auto.subscribe();

    // No link: it says so, keeps the changes, and keeps probing.
    let offline = until(&mut rx, "offline", |s| matches!(s, State::Offline { .. })).await;
    assert!(matches!(offline, State::Offline { pending: 4, .. }), "{offline:?}");
    assert_eq!(server_change_ids(&server.db()).1, 0);

    // The link comes back: nobody presses anything, and it syncs.
    proxy.set(Faults::none());
    let idle = until(&mut rx, "synced", |s| matches!(s, State::Idle { .. })).await;
    let State::Idle { pending, last_success } = idle else {
        unreachable!()
    };
    assert_eq!(pending, 0);
    assert!(last_success.is_some());
    assert_eq!(server_change_ids(&server.db()).1, 4);

    // On a slow line, a save goes through while the sync waits on the network.
    proxy.set(Faults {
        cut: 0.0,
        cut_within: 1,
        max_delay: Duration::from_millis(400),
        ..Faults::none()
    });
    {
        let mut s = shared.lock();
        for i in 0..20u128 {
            family_with_child(&mut s, 1_000 + i * 10, VILLAGE, d(2025, 5, 1));
        }
    }
    auto.sync_now();
    until(&mut rx, "syncing", |s| matches!(s, State::Syncing { .. })).await;
    shared
        .lock()
        .save_household(&household(5_000, VILLAGE, "Rahmat"))
        .unwrap();
    assert!(
        matches!(auto.state(), State::Syncing { .. }),
        "the save finished while the sync was still on the line"
    );
    let idle = until(&mut rx, "synced again", |s| matches!(s, State::Idle { .. })).await;
    assert!(matches!(idle, State::Idle { .. }));
    // The household saved mid-sync is either in this sync or queued for the next: not lost.
    auto.sync_now();
    until(&mut rx, "everything sent", |s| {
        matches!(s, State::Idle { pending: 0, .. })
    })
    .await;
    assert_eq!(server_change_ids(&server.db()).1, 4 + 80 + 1);

    // A revoked device is told so, not retried in a tight loop.
    let device = shared.lock().setting("device_id").unwrap().unwrap();
    server.admin().revoke(&device, 1).unwrap();
    shared
        .lock()
        .save_household(&household(6_000, VILLAGE, "Joko"))
        .unwrap();
    auto.sync_now();
    let failed = until(&mut rx, "refused", |s| matches!(s, State::Failed { .. })).await;
    assert!(
        matches!(&failed, State::Failed { code, pending: 1, .. } if code == "revoked"),
        "{failed:?}"
    );
    auto.stop().await;
    server.stop().await;
}

/// A server whose certificate this device does not trust (a hub rebuilt with a new
/// authority, an interceptor) is reported as such, not as "no connection" retried for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_is_reported_not_taken_for_a_dead_link() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let mut store = enrolled_device(&server, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    // The same device, now pointed at a server with a certificate no one here trusts.
    let (other, _) = hub_tls_server(
        dir.path(),
        "other.db",
        "127.0.0.1:0".parse().unwrap(),
        clock_at(today()),
    )
    .await;
    store
        .set_setting("server", &format!("https://127.0.0.1:{}", other.addr.port()))
        .unwrap();
    family_with_child(&mut store, 100, VILLAGE, d(2025, 5, 1));
    let auto = AutoSync::start(Shared::new(store), quick());
    let mut rx = auto.subscribe();
    let failed = until(&mut rx, "failed", |s| {
        matches!(s, State::Failed { .. } | State::Offline { .. })
    })
    .await;
    assert!(
        matches!(&failed, State::Failed { code, pending: 4, .. } if code == pendamping_sync::UNTRUSTED_SERVER),
        "{failed:?}"
    );
    auto.stop().await;
    other.stop().await.unwrap();
}
