//! Devices and the real server on 127.0.0.1: convergence, scopes and conflicts.

use pendamping_core::Sex;
use pendamping_protocol::Role;
use pendamping_store::Store;
use pendamping_tests::net::*;
use pendamping_tests::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_working_offline_converge_in_any_sync_order_each_holding_only_its_area() {
    for seed in 0..4u64 {
        let dir = tempfile::tempdir().unwrap();
        let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
        let (ca, cb, cc, cp) = (
            clock_at(today()),
            clock_at(today()),
            clock_at(today()),
            clock_at(today()),
        );
        let mut a = enrolled_device(&server, ca.clone(), Role::Cadre, &[VILLAGE]).await;
        let mut b = enrolled_device(&server, cb.clone(), Role::Cadre, &[VILLAGE]).await;
        let mut c = enrolled_device(&server, cc.clone(), Role::Cadre, &[OTHER_VILLAGE]).await;
        let mut p = enrolled_device(&server, cp.clone(), Role::Plkb, &[KECAMATAN]).await;

        // a registers a family and shares it with b.
        let (_, mother, _, e) = family_with_child(&mut a, 100, VILLAGE, d(2025, 5, 1));
        sync(&mut a).await;
        assert_eq!(sync(&mut b).await.pulled, 4);

        // Offline: a and b both edit the mother's phone; b later, so b's value wins.
        let mut on_a = mother.clone();
        on_a.phone = Some("081111111111".into());
        a.save_person(&on_a).unwrap();
        a.record_visit(&child_visit(110, &e, today(), 8.9, 72.0)).unwrap();
        cb.advance(60_000);
        let mut on_b = mother.clone();
        on_b.phone = Some("082222222222".into());
        on_b.name = "Siti Aminah Lubis".into();
        b.save_person(&on_b).unwrap();
        // c works in the other village.
        let (_, _, _, e2) = family_with_child(&mut c, 200, OTHER_VILLAGE, d(2024, 12, 1));
        c.record_visit(&child_visit(210, &e2, today(), 9.8, 76.0)).unwrap();
        let mut newborn = person(
            220,
            &household(200, OTHER_VILLAGE, "x"),
            "Bayi Ny. Rina",
            Sex::Male,
            today(),
            pendamping_core::Relationship::Anak,
        );
        newborn.nik = None;
        c.save_person(&newborn).unwrap();

        // Every device syncs, in a random order, three rounds.
        let mut rng = StdRng::seed_from_u64(seed);
        for _ in 0..3 {
            let mut order = vec![0, 1, 2, 3];
            order.shuffle(&mut rng);
            for i in order {
                let dev = match i {
                    0 => &mut a,
                    1 => &mut b,
                    2 => &mut c,
                    _ => &mut p,
                };
                sync(dev).await;
            }
        }

        for dev in [&a, &b, &c, &p] {
            assert_eq!(
                dev.pending_count().unwrap(),
                0,
                "seed {seed}: every change acknowledged"
            );
        }
        let village = dump_area(&a, VILLAGE);
        assert!(
            village.contains("082222222222") && !village.contains("081111111111"),
            "LWW: the later edit wins"
        );
        assert_eq!(dump_area(&b, VILLAGE), village, "seed {seed}: a and b converge");
        assert_eq!(
            dump_area(&p, VILLAGE),
            village,
            "seed {seed}: the PLKB device sees the village"
        );
        let other = dump_area(&c, OTHER_VILLAGE);
        assert!(other.lines().count() >= 6);
        assert_eq!(
            dump_area(&p, OTHER_VILLAGE),
            other,
            "seed {seed}: the PLKB device sees the other village"
        );
        assert_eq!(
            dump_area(&a, OTHER_VILLAGE),
            "",
            "a cadre never receives another village"
        );
        assert_eq!(dump_area(&b, OTHER_VILLAGE), "");
        assert_eq!(dump_area(&c, VILLAGE), "", "c never receives a's village");
        assert_eq!(dump(&p), dump_area(&p, KECAMATAN), "nothing outside the kecamatan");

        // The concurrent phone edits are a conflict on the server and on the device that
        // pushed second; the winner is the same everywhere.
        let server_conflicts: i64 = server
            .db()
            .query_row("SELECT COUNT(*) FROM conflicts WHERE field = 'phone'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(server_conflicts, 1, "seed {seed}");
        let on_devices: Vec<_> = [&a, &b]
            .iter()
            .flat_map(|s| s.conflicts(false).unwrap())
            .filter(|c| c.field == "phone")
            .collect();
        assert_eq!(on_devices.len(), 1, "seed {seed}: {on_devices:?}");
        let mut both = [
            on_devices[0].local_value.to_string(),
            on_devices[0].remote_value.to_string(),
        ];
        both.sort();
        assert_eq!(
            both,
            ["\"081111111111\"", "\"082222222222\""],
            "both values kept for review"
        );
        assert_eq!(!on_devices[0].local_wins, on_devices[0].remote_value == "082222222222");
        // The server's log holds each change once, and the device's derived data works.
        let (ids, rows) = server_change_ids(&server.db());
        assert_eq!(ids.len(), rows);
        assert_eq!(p.search_persons("lubis", Some(&at(KECAMATAN)), 5).unwrap().len(), 1);
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_counts_changes_and_bytes_against_a_known_total() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let mut cadre = enrolled_device(&server, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    for i in 0..30u128 {
        family_with_child(&mut cadre, 100 + i * 10, VILLAGE, d(2025, 5, 1));
    }
    let mut opts = fast_options();
    opts.batch_changes = 7;
    opts.pull_limit = 25;
    let mut events = Vec::new();
    let sum = pendamping_sync::sync(&mut cadre, &opts, &mut |p| events.push(p))
        .await
        .unwrap();
    let pushes: Vec<_> = events
        .iter()
        .filter(|p| p.phase == pendamping_sync::Phase::Push)
        .collect();
    assert_eq!(
        pushes.len(),
        1 + 120usize.div_ceil(7),
        "the start, then one event per batch"
    );
    assert_eq!(pushes[0].done, 0);
    assert!(pushes.iter().all(|p| p.total == Some(120)));
    assert!(
        pushes
            .windows(2)
            .all(|w| w[0].done < w[1].done && w[0].bytes_sent < w[1].bytes_sent)
    );
    assert_eq!(pushes.last().unwrap().done, 120);
    assert_eq!(pushes.last().unwrap().bytes_sent, sum.bytes_sent);

    let mut plkb = enrolled_device(&server, clock_at(today()), Role::Plkb, &[KECAMATAN]).await;
    let mut events = Vec::new();
    let sum = pendamping_sync::sync(&mut plkb, &opts, &mut |p| events.push(p))
        .await
        .unwrap();
    assert_eq!(sum.pulled, 120);
    assert_eq!(
        (events[0].done, events[0].total),
        (0, None),
        "the start, before the server counted"
    );
    let events = &events[1..];
    assert_eq!(events.len(), 5, "pages of 25");
    assert!(
        events
            .iter()
            .all(|p| p.phase == pendamping_sync::Phase::Pull && p.total == Some(120)),
        "{events:?}"
    );
    assert!(
        events
            .windows(2)
            .all(|w| w[0].done < w[1].done && w[0].bytes_received < w[1].bytes_received)
    );
    assert_eq!(events.last().unwrap().done, 120);
    server.stop().await;
}

/// A district replaces its rules once, on the server (here: anaemia in pregnancy below
/// 11.5 g/dL, not 11.0); a device takes them on its next sync, keeps them across a restart,
/// and flags a visit by them, recording their version.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_districts_rules_reach_the_device_on_its_next_sync() {
    use pendamping_core::visit::{HamilVisit, VisitData};
    use pendamping_core::{EnrolmentDetails, Visit, risk::RiskFlag};
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.toml");
    let shipped = pendamping_core::rules::SHIPPED;
    std::fs::write(
        &rules,
        shipped
            .replace("version = \"2026.11-1\"", "version = \"lebak-2026.12\"")
            .replace("hb_pregnant_below = 11.0", "hb_pregnant_below = 11.5"),
    )
    .unwrap();
    assert!(shipped.contains("version = \"2026.11-1\"") && shipped.contains("hb_pregnant_below = 11.0"));
    let server = TestServer::start(dir.path(), clock_at(today()), |c| c.rules_file = Some(rules.clone())).await;
    let path = dir.path().join("device.db");
    let clock = clock_at(today());
    let mut device = Store::open(&path, options(clock.clone())).unwrap();
    let code = server.code(Role::Cadre, &[VILLAGE]);
    pendamping_sync::enroll(&mut device, &server.url(), &code, "tablet")
        .await
        .unwrap();

    let (h, mother, _, _) = family_with_child(&mut device, 300, VILLAGE, d(2025, 5, 1));
    let e = enrolment(310, &mother, d(2026, 10, 1), EnrolmentDetails::pregnancy(d(2026, 7, 1)));
    device.save_enrolment(&e).unwrap();
    let visit = Visit {
        id: uuid::Uuid::from_u128(311),
        enrolment_id: e.id,
        person_id: mother.id,
        household_id: h.id,
        area_code: VILLAGE.into(),
        visit_date: today(),
        data: VisitData::IbuHamil(HamilVisit {
            hb: Some(11.2),
            ..HamilVisit::default()
        }),
        correction_reason: None,
        recorded_by: None,
    };
    let before = device.preview_visit(&visit).unwrap().assessment.results;
    assert!(
        !before.flags.contains(&RiskFlag::Anemia),
        "11.2 is no anaemia by the shipped rules"
    );
    assert_eq!(before.rules_version, "2026.11-1");
    // A visit saved under the shipped rules...
    let earlier = Visit {
        id: uuid::Uuid::from_u128(312),
        visit_date: d(2026, 11, 2),
        ..visit.clone()
    };
    device.record_visit(&earlier).unwrap();

    sync(&mut device).await;
    let versions = || -> (String, String) {
        server
            .db()
            .query_row("SELECT rules_version, tables_version FROM devices", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap()
    };
    assert_eq!(
        versions(),
        ("2026.11-1".into(), pendamping_core::growth::TABLES_VERSION.into()),
        "the server records what the device derived results with"
    );
    let after = device.preview_visit(&visit).unwrap().assessment.results;
    assert!(after.flags.contains(&RiskFlag::Anemia), "{after:?}");
    assert_eq!(after.rules_version, "lebak-2026.12");
    // ...has its results computed again under the district's.
    let stored = device.timeline(mother.id).unwrap();
    let stored = stored.visits.iter().find(|v| v.visit.id == earlier.id).unwrap();
    let results = stored.results.as_ref().unwrap();
    assert!(results.flags.contains(&RiskFlag::Anemia), "{results:?}");
    assert_eq!(results.rules_version, "lebak-2026.12");

    drop(device);
    let mut device = Store::open(&path, options(clock)).unwrap();
    assert_eq!(device.rules().risk.hb_pregnant_below, 11.5, "kept across a restart");
    let saved = device.record_visit(&visit).unwrap();
    assert_eq!(saved.assessment.results.rules_version, "lebak-2026.12");
    // The visit travels as usual; the next sync asks with its version and keeps it.
    assert_eq!(sync(&mut device).await.pushed, 1);
    assert_eq!(device.rules().version, "lebak-2026.12");
    assert_eq!(versions().0, "lebak-2026.12", "and that it now uses the district's");
    server.stop().await;
}

/// A server that takes fewer changes per push than the client sends: the client halves its
/// batch on `too_many_changes` and gets everything through, each change once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_the_server_finds_too_big_is_halved_until_it_fits() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |c| c.max_batch_changes = 7).await;
    let mut device = enrolled_device(&server, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    for n in 0..5u128 {
        let (_, _, _, e) = family_with_child(&mut device, 1000 + n * 100, VILLAGE, d(2025, 5, 1));
        device
            .record_visit(&child_visit(1000 + n * 100 + 50, &e, today(), 9.0, 74.0))
            .unwrap();
    }
    let queued = device.pending_count().unwrap();
    assert!(queued > 20, "{queued}");
    let summary = sync(&mut device).await;
    assert_eq!(summary.pushed, queued, "{summary}");
    assert_eq!(device.pending_count().unwrap(), 0);
    let (ids, rows) = server_change_ids(&server.db());
    assert_eq!((ids.len() as u64, rows as u64), (queued, queued), "each change once");
    server.stop().await;
}

/// A sync that only pulls, ending while the server's writer is busy, is still recorded as
/// the device's last sync (it was skipped: the hub's screen said "belum pernah" of a tablet
/// that had synced minutes before).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_ending_while_the_writer_is_busy_is_still_the_devices_last_sync() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(d(2026, 12, 7));
    let server = TestServer::start(dir.path(), clock.clone(), |_| {}).await;
    let mut device = enrolled_device(&server, clock, Role::Cadre, &[VILLAGE]).await;
    let seen = |db: &rusqlite::Connection| -> Option<i64> {
        db.query_row("SELECT last_seen_at FROM devices WHERE role = 'cadre'", [], |r| {
            r.get(0)
        })
        .unwrap()
    };
    assert_eq!(seen(&server.db()), None);
    let busy = server.state.clone();
    let (held, release) = std::sync::mpsc::channel::<()>();
    let (locked, ready) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        let _writer = busy.storage().write().unwrap();
        locked.send(()).unwrap();
        let _ = release.recv_timeout(std::time::Duration::from_secs(2));
    });
    ready.recv().unwrap();
    sync(&mut device).await;
    drop(held);
    holder.join().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while seen(&server.db()).is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the pull was never recorded as a sync"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_that_leaves_out_what_the_device_recorded_is_refused_and_not_used_up() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    // A tablet that worked offline in one village, given a code for the next village.
    let mut tablet = store_at(today());
    family_with_child(&mut tablet, 1, VILLAGE, d(2025, 5, 1));
    let elsewhere = server.code(Role::Cadre, &[OTHER_VILLAGE]);
    match pendamping_sync::enroll(&mut tablet, &server.url(), &elsewhere, "tablet").await {
        Err(pendamping_sync::SyncError::Refused { status, code, message }) => {
            assert_eq!((status, code), (403, pendamping_protocol::ErrorCode::ForbiddenArea));
            assert!(message.contains(VILLAGE), "names the village left out: {message}");
        }
        other => panic!("refused, not {other:?}"),
    }
    assert_eq!(pendamping_sync::status(&tablet).unwrap().scope, None, "not enrolled");
    let devices: i64 = server
        .db()
        .query_row("SELECT COUNT(*) FROM devices", [], |r| r.get(0))
        .unwrap();
    assert_eq!(devices, 0, "no device registered");
    // The code is still good for a tablet of its own village…
    let mut fresh = store_at(today());
    pendamping_sync::enroll(&mut fresh, &server.url(), &elsewhere, "tablet 2")
        .await
        .unwrap();
    // …and a code that covers the tablet's village enrols it, and its work goes up.
    let right = server.code(Role::Cadre, &[VILLAGE, OTHER_VILLAGE]);
    pendamping_sync::enroll(&mut tablet, &server.url(), &right, "tablet")
        .await
        .unwrap();
    let summary = sync(&mut tablet).await;
    assert_eq!(summary.rejected, 0, "{summary:?}");
    assert_eq!(tablet.pending_count().unwrap(), 0);
}

/// The app's store, as the sync reaches it, with someone (a screen) always waiting for it
/// or never; counts the holds in which the sync merged a pulled page.
struct Screens {
    shared: pendamping_sync::Shared,
    waiting: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    merges: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl pendamping_sync::Access for Screens {
    type Replica = Store;
    fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> T) -> T {
        if std::any::type_name_of_val(&f).contains("take_page") {
            self.merges.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        self.shared.with(f)
    }

    fn waiting(&self) -> Option<std::sync::Arc<std::sync::atomic::AtomicUsize>> {
        Some(self.waiting.clone())
    }
}

/// A pulled page is merged in few holds of the store while no screen waits (each commit
/// rewrites the pages it touched: many small ones made a first sync slow), and a screen
/// that waits is let in after the change being merged, not at the end of the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pulled_page_is_merged_whole_unless_a_screen_waits_for_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let mut cadre = enrolled_device(&server, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    for i in 0..50u128 {
        family_with_child(&mut cadre, 100 + i * 10, VILLAGE, d(2025, 5, 1));
    }
    pendamping_sync::sync(&mut cadre, &fast_options(), &mut |_| {})
        .await
        .unwrap();
    let mut merges = Vec::new();
    for waiting in [0, 1] {
        let plkb = enrolled_device(&server, clock_at(today()), Role::Plkb, &[KECAMATAN]).await;
        let shared = pendamping_sync::Shared::new(plkb);
        let screens = Screens {
            shared: shared.clone(),
            waiting: std::sync::Arc::new(waiting.into()),
            merges: Default::default(),
        };
        let counted = screens.merges.clone();
        let sum = pendamping_sync::sync(screens, &fast_options(), &mut |_| {})
            .await
            .unwrap();
        assert_eq!(sum.pulled, 200);
        assert_eq!(shared.lock().households_in(&at(VILLAGE), 0, 1000).unwrap().len(), 50);
        merges.push(counted.load(std::sync::atomic::Ordering::SeqCst));
    }
    assert!(
        merges[1] >= 200,
        "a screen waiting: one change per hold, {} holds",
        merges[1]
    );
    assert!(
        merges[0] < 200 / 4,
        "nobody waiting: {} holds for 200 changes",
        merges[0]
    );
    server.stop().await;
}
