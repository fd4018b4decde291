//! Sync over a link that breaks: connections cut at random bytes in both directions and
//! delayed, and a server killed in the middle of a push.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use pendamping_core::hlc::{ManualTime, TimeSource};
use pendamping_protocol::Role;
use pendamping_store::Store;
use pendamping_tests::net::*;
use pendamping_tests::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

/// Every change id ever queued on `store` lands in `seen`.
fn note_outbox(store: &Store, seen: &mut BTreeSet<Uuid>) {
    seen.extend(store.outbox(usize::MAX >> 1).unwrap().iter().map(|c| c.change_id));
}

/// A cadre's bit of work: a new family with a weighing, or an edited phone number.
fn work(store: &mut Store, clock: &ManualTime, area: &str, n: &mut u128, rng: &mut StdRng) {
    clock.advance(rng.random_range(1_000..60_000));
    if (*n).is_multiple_of(1000) || rng.random_bool(0.6) {
        *n += 10;
        let (_, _, _, e) = family_with_child(store, *n, area, d(2025, 3, 1));
        store
            .record_visit(&child_visit(*n + 5, &e, today(), rng.random_range(7.5..10.0), 72.0))
            .unwrap();
    } else {
        let base = *n - *n % 10;
        let mut p: pendamping_core::Person = serde_json::from_value(
            store
                .record_json(pendamping_core::Entity::Person, Uuid::from_u128(base + 1))
                .unwrap()
                .unwrap(),
        )
        .unwrap();
        p.phone = Some(format!("08{:010}", rng.random_range(0..10_000_000_000u64)));
        store.save_person(&p).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_interrupted_syncs_leave_the_server_and_a_regency_device_with_exactly_the_union() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let proxy = FaultProxy::start(
        server.addr,
        Faults {
            cut: 0.7,
            cut_within: 1_500,
            max_delay: Duration::from_millis(2),
            ..Faults::none()
        },
        7,
    )
    .await;
    let areas = [VILLAGE, VILLAGE, OTHER_VILLAGE];
    let mut devices = Vec::new();
    for (i, area) in areas.iter().enumerate() {
        let clock = clock_at(today());
        let mut store = enrolled_device(&server, clock.clone(), Role::Cadre, &[area]).await;
        store.set_setting("server", &proxy.url()).unwrap();
        devices.push((store, clock, *area, (i as u128 + 1) * 1_000_000));
    }
    // The district's office pulls both villages through the same link.
    let mut regency = enrolled_device(&server, clock_at(today()), Role::Admin, &["3602"]).await;
    regency.set_setting("server", &proxy.url()).unwrap();
    let mut opts = fast_options();
    opts.batch_changes = 6;
    opts.pull_limit = 7;
    opts.retry.attempts = 1;
    let mut created = BTreeSet::new();
    let mut rng = StdRng::seed_from_u64(11);
    let mut failed = 0;
    for _ in 0..200 {
        let pick = rng.random_range(0..4);
        let store = if pick == 3 {
            &mut regency
        } else {
            let (store, clock, area, n) = &mut devices[pick];
            for _ in 0..rng.random_range(0..4) {
                work(store, clock, area, n, &mut rng);
            }
            note_outbox(store, &mut created);
            store
        };
        if pendamping_sync::sync(store, &opts, &mut |_| {}).await.is_err() {
            failed += 1;
        }
    }
    let cuts = proxy.cuts.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!("{cuts} connections cut, {failed} of 200 syncs gave up");
    assert!(cuts > 100, "the link really broke");
    // Most syncs get through their cuts (the next request is smaller); some give up.
    assert!(failed > 0, "some syncs really stopped midway");

    // The link heals: every device syncs to the end.
    proxy.set(Faults::none());
    for _ in 0..2 {
        for (store, ..) in devices.iter_mut() {
            pendamping_sync::sync(store, &fast_options(), &mut |_| {})
                .await
                .unwrap();
        }
    }
    let (on_server, rows) = server_change_ids(&server.db());
    assert_eq!(rows, on_server.len(), "no duplicate");
    assert_eq!(on_server, created, "no loss, nothing extra");
    let quarantined: i64 = server
        .db()
        .query_row("SELECT COUNT(*) FROM quarantine", [], |r| r.get(0))
        .unwrap();
    assert_eq!(quarantined, 0);
    for (store, ..) in &devices {
        assert_eq!(store.pending_count().unwrap(), 0);
    }
    same_rows(&dump_area(&devices[0].0, VILLAGE), &dump_area(&devices[1].0, VILLAGE));
    assert_eq!(dump_area(&devices[0].0, OTHER_VILLAGE), "");
    pendamping_sync::sync(&mut regency, &fast_options(), &mut |_| {})
        .await
        .unwrap();
    same_rows(&dump_area(&regency, VILLAGE), &dump_area(&devices[0].0, VILLAGE));
    same_rows(
        &dump_area(&regency, OTHER_VILLAGE),
        &dump_area(&devices[2].0, OTHER_VILLAGE),
    );
    assert!(!dump_area(&regency, OTHER_VILLAGE).is_empty());
    server.stop().await;
}

/// Two replicas' dumps are equal; on failure, shows the first rows that differ.
fn same_rows(a: &str, b: &str) {
    if a != b {
        let (la, lb): (Vec<_>, Vec<_>) = (a.lines().collect(), b.lines().collect());
        let x = la.iter().find(|l| !lb.contains(l)).copied().unwrap_or_default();
        let y = lb
            .iter()
            .find(|l| l[..50] == x[..50.min(x.len())])
            .copied()
            .unwrap_or_default();
        let at = x.bytes().zip(y.bytes()).take_while(|(p, q)| p == q).count();
        let from = at.saturating_sub(120);
        panic!(
            "replicas differ ({} vs {} rows) at byte {at}:\n a: {}\n b: {}",
            la.len(),
            lb.len(),
            &x[from..(at + 120).min(x.len())],
            &y[from..(at + 120).min(y.len())]
        );
    }
}

fn start_server(db: &std::path::Path) -> (ServerProcess, String) {
    ServerProcess::start(env!("CARGO_BIN_EXE_test-server"), db.as_os_str(), None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_server_during_a_push_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let clock = Arc::new(ManualTime::new(pendamping_store::SystemTime.now_millis()));
    let code = enrollment_code(&db, Role::Cadre, &[VILLAGE], clock.now_millis());
    let (server, url) = start_server(&db);
    let mut store = Store::open_in_memory(options(clock.clone())).unwrap();
    pendamping_sync::enroll(&mut store, &url, &code, "tablet")
        .await
        .unwrap();
    let mut rng = StdRng::seed_from_u64(5);
    let mut n = 0u128;
    for _ in 0..120 {
        work(&mut store, &clock, VILLAGE, &mut n, &mut rng);
    }
    let mut created = BTreeSet::new();
    note_outbox(&store, &mut created);
    let (kills, _server) = sync_through_kills(&mut store, &created, &db, (6, 5..60), &mut rng, server, || {
        start_server(&db)
    })
    .await;
    assert!(kills >= 1);
    pendamping_sync::sync(&mut store, &fast_options(), &mut |_| {})
        .await
        .unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (held, rows) = server_change_ids(&conn);
    assert_eq!(held, created);
    assert_eq!(rows, created.len());
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
}
