//! The PLKB hub (docs/src/design/sync.md, relay): devices sync with a hub on the office LAN, the hub with
//! the centre whenever it can. Identity travels unchanged, a change is stored once, and no
//! single laptop's loss loses a confirmed visit.

use std::collections::BTreeSet;

use pendamping_protocol::Role;
use pendamping_store::Store;
use pendamping_tests::net::*;
use pendamping_tests::*;

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

/// Points an enrolled device at another address of the same server (the hub laptop
/// restarted on another port, as a test can only do).
fn move_to(store: &mut Store, url: &str) {
    store.set_setting("server", url).unwrap();
}

/// A hub for the kecamatan on `name` in `dir`, enrolled with `centre` through `via`
/// (the centre's own address, or a proxy in front of it).
async fn kecamatan_hub(
    dir: &std::path::Path,
    name: &str,
    clock: std::sync::Arc<pendamping_core::hlc::ManualTime>,
    centre: &TestServer,
    via: &str,
) -> TestServer {
    TestServer::start_hub(dir, name, clock, via, &centre.code(Role::Plkb, &[KECAMATAN])).await
}

/// The changes the centre holds: (change id, origin device, the hub it came through).
fn centre_log(server: &TestServer) -> Vec<(uuid::Uuid, String, Option<String>)> {
    let conn = server.db();
    let mut stmt = conn
        .prepare("SELECT change_id, device_id, via FROM changes ORDER BY change_id")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            uuid::Uuid::from_slice(&r.get::<_, Vec<u8>>(0)?).unwrap(),
            r.get(1)?,
            r.get(2)?,
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// A fresh kecamatan-wide device that pulls everything from `server`: what it holds.
async fn what_a_fresh_device_pulls(server: &TestServer) -> String {
    let mut fresh = enrolled_device(server, clock_at(today()), Role::Plkb, &[KECAMATAN]).await;
    sync(&mut fresh).await;
    dump(&fresh)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_to_hub_to_centre_holds_exactly_what_device_to_centre_holds() {
    let dir = tempfile::tempdir().unwrap();
    let (d1, d2) = (dir.path().join("direct"), dir.path().join("relayed"));
    std::fs::create_dir_all(&d1).unwrap();
    std::fs::create_dir_all(&d2).unwrap();
    let direct = TestServer::start(&d1, clock_at(today()), |_| {}).await;
    let centre = TestServer::start(&d2, clock_at(today()), |_| {}).await;
    let hub = kecamatan_hub(dir.path(), "hub.db", clock_at(today()), &centre, &centre.url()).await;

    // One tablet's work, copied: one copy syncs through the hub, the other straight to a
    // centre of its own.
    let path = dir.path().join("tablet.db");
    let mut tablet = Store::open(&path, options(clock_at(today()))).unwrap();
    let made = a_year_of_visits(&mut tablet, VILLAGE) + a_year_of_visits(&mut tablet, OTHER_VILLAGE);
    drop(tablet);
    let copy = dir.path().join("copy.db");
    std::fs::copy(&path, &copy).unwrap();
    let open = |p: &std::path::Path| Store::open(p, options(clock_at(today()))).unwrap();
    let (mut via_hub, mut straight) = (open(&path), open(&copy));
    let code = hub.code(Role::Cadre, &[VILLAGE, OTHER_VILLAGE]);
    pendamping_sync::enroll(&mut via_hub, &hub.url(), &code, "tablet")
        .await
        .unwrap();
    let code = direct.code(Role::Cadre, &[VILLAGE, OTHER_VILLAGE]);
    pendamping_sync::enroll(&mut straight, &direct.url(), &code, "tablet")
        .await
        .unwrap();

    let sum = sync(&mut via_hub).await;
    assert_eq!((sum.pushed, sum.held), (made, made));
    assert_eq!(via_hub.held_count().unwrap(), made, "kept until the centre has them");
    assert_eq!(sync(&mut straight).await.pushed, made);
    assert_eq!(straight.held_count().unwrap() + straight.pending_count().unwrap(), 0);

    let relayed = hub.relay().await.expect("hub syncs upstream");
    assert_eq!(relayed.devices_up, 1, "the enrolment made at the hub went up first");
    assert_eq!(relayed.sync.pushed, made);

    // The same changes, each once, with the tablet as origin and the hub as path.
    let (a, b) = (centre_log(&centre), centre_log(&direct));
    let ids = |log: &[(uuid::Uuid, String, Option<String>)]| log.iter().map(|c| c.0).collect::<BTreeSet<_>>();
    assert_eq!(ids(&a), ids(&b));
    assert_eq!(a.len() as u64, made);
    let tablet_id = pendamping_sync::status(&via_hub).unwrap().device_id.unwrap();
    let hub_id = hub
        .db()
        .query_row("SELECT value FROM meta WHERE key = 'upstream.device_id'", [], |r| {
            r.get::<_, String>(0)
        })
        .unwrap();
    assert!(
        a.iter()
            .all(|(_, origin, via)| *origin == tablet_id && via.as_deref() == Some(hub_id.as_str()))
    );
    assert!(b.iter().all(|(_, _, via)| via.is_none()));
    assert_eq!(
        what_a_fresh_device_pulls(&centre).await,
        what_a_fresh_device_pulls(&direct).await
    );

    // On the tablet's next sync the hub hands back the centre's acknowledgement.
    let sum = sync(&mut via_hub).await;
    assert_eq!(sum.confirmed, made);
    assert_eq!(via_hub.held_count().unwrap() + via_hub.pending_count().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_sent_both_ways_is_stored_once_and_the_first_path_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let centre = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let hub = kecamatan_hub(dir.path(), "hub.db", clock_at(today()), &centre, &centre.url()).await;
    // Enrolled at the centre; the hub learns of it from the centre's registry.
    let mut tablet = enrolled_device(&centre, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    assert!(hub.relay().await.unwrap().devices_down >= 1);
    let made = a_year_of_visits(&mut tablet, VILLAGE);

    // At the office: the hub holds them.
    move_to(&mut tablet, &hub.url());
    assert_eq!(sync(&mut tablet).await.held, made);
    // In the village with a signal, before the hub reached the centre: the centre does
    // not know them yet, so the tablet sends them again, straight.
    move_to(&mut tablet, &centre.url());
    let sum = sync(&mut tablet).await;
    assert_eq!((sum.confirmed, sum.pushed, sum.held), (0, made, 0));
    assert_eq!(tablet.held_count().unwrap() + tablet.pending_count().unwrap(), 0);
    // Then the hub relays its copies: duplicates, stored once.
    let relayed = hub.relay().await.unwrap();
    assert_eq!(relayed.sync.pushed, made);
    let log = centre_log(&centre);
    assert_eq!(log.len() as u64, made);
    assert_eq!(server_change_ids(&centre.db()).0.len() as u64, made);
    assert!(
        log.iter().all(|(_, _, via)| via.is_none()),
        "the first path was straight"
    );
    let backlog = hub.admin().backlog().unwrap();
    assert_eq!((backlog.unsent, backlog.held, backlog.confirmed), (0, 0, made));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_cut_off_from_its_uplink_for_days_then_reconnected_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(today());
    let centre = TestServer::start(dir.path(), clock.clone(), |_| {}).await;
    let uplink = FaultProxy::start(centre.addr, Faults::none(), 1).await;
    let hub = kecamatan_hub(dir.path(), "hub.db", clock.clone(), &centre, &uplink.url()).await;
    let codes = [
        hub.code(Role::Cadre, &[VILLAGE]),
        hub.code(Role::Cadre, &[OTHER_VILLAGE]),
    ];
    let mut tablets = Vec::new();
    for (code, village) in codes.iter().zip([VILLAGE, OTHER_VILLAGE]) {
        let mut t = Store::open_in_memory(options(clock.clone())).unwrap();
        pendamping_sync::enroll(&mut t, &hub.url(), code, village)
            .await
            .unwrap();
        tablets.push((t, village));
    }
    // No uplink: every connection to the centre dies at once.
    uplink.set(Faults {
        cut: 1.0,
        cut_within: 1,
        ..Faults::none()
    });
    let mut made = 0u64;
    for _day in 0..5 {
        for (t, village) in tablets.iter_mut() {
            made += a_year_of_visits(t, village);
            let sum = sync(t).await;
            assert_eq!(sum.held, sum.pushed, "the hub holds, it cannot confirm");
        }
        assert!(hub.relay().await.is_err(), "no uplink");
        clock.advance(86_400_000);
    }
    // The tablets still hold every change: nothing rests on the hub alone.
    let held: u64 = tablets.iter().map(|(t, _)| t.held_count().unwrap()).sum();
    assert_eq!(held, made);
    assert_eq!(centre_log(&centre).len(), 0);

    uplink.set(Faults::none());
    let relayed = hub.relay().await.expect("back online");
    assert_eq!(relayed.sync.pushed, made);
    assert_eq!(relayed.devices_up, 2);
    assert_eq!(centre_log(&centre).len() as u64, made);
    for (t, _) in tablets.iter_mut() {
        let before = t.held_count().unwrap();
        assert_eq!(sync(t).await.confirmed, before);
        assert_eq!(t.held_count().unwrap(), 0);
    }
    // Each tablet sees the other village's work only if its scope covers it: not at all.
    let (a, _) = &tablets[0];
    assert_eq!(dump_area(a, OTHER_VILLAGE), "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_whose_store_is_lost_before_it_reached_the_centre_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let centre = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let mut a = enrolled_device(&centre, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    let mut b = enrolled_device(&centre, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    let hub = kecamatan_hub(dir.path(), "hub.db", clock_at(today()), &centre, &centre.url()).await;
    hub.relay().await.unwrap();
    let made_a = a_year_of_visits(&mut a, VILLAGE);
    let made_b = a_year_of_visits(&mut b, VILLAGE);
    for t in [&mut a, &mut b] {
        move_to(t, &hub.url());
        sync(t).await;
    }
    // a has pulled b's work from the hub too.
    sync(&mut a).await;
    assert_eq!(
        dump_area(&a, VILLAGE).lines().count(),
        dump_area(&b, VILLAGE).lines().count()
    );
    // The laptop dies before it ever reached the centre.
    let lost = hub.db.clone();
    hub.stop().await;
    std::fs::remove_file(&lost).unwrap();
    let _ = std::fs::remove_file(lost.with_extension("db-wal"));
    assert_eq!(centre_log(&centre).len(), 0);

    // A new laptop, enrolled again, learns the devices from the centre; the tablets find
    // it does not hold their changes and send them again.
    let hub = kecamatan_hub(dir.path(), "hub2.db", clock_at(today()), &centre, &centre.url()).await;
    hub.relay().await.unwrap();
    for t in [&mut a, &mut b] {
        move_to(t, &hub.url());
        let sum = sync(t).await;
        assert_eq!(sum.confirmed, 0);
        assert!(sum.held > 0);
    }
    hub.relay().await.unwrap();
    assert_eq!(centre_log(&centre).len() as u64, made_a + made_b);
    for t in [&mut a, &mut b] {
        sync(t).await;
        assert_eq!(t.held_count().unwrap() + t.pending_count().unwrap(), 0);
    }
    assert_eq!(dump_area(&a, VILLAGE), dump_area(&b, VILLAGE));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_with_no_uplink_enrols_devices_of_its_kecamatan_and_the_centre_takes_them() {
    let dir = tempfile::tempdir().unwrap();
    let centre = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let uplink = FaultProxy::start(centre.addr, Faults::none(), 2).await;
    let hub = kecamatan_hub(dir.path(), "hub.db", clock_at(today()), &centre, &uplink.url()).await;
    uplink.set(Faults {
        cut: 1.0,
        cut_within: 1,
        ..Faults::none()
    });
    // Within its kecamatan only.
    let elsewhere = pendamping_protocol::Scope::new(Role::Cadre, &["3602022002"]).unwrap();
    let refused = hub.admin().enrollment_code("x", &elsewhere, 0, 3_600_000);
    assert!(matches!(
        refused,
        Err(pendamping_server::ServerError::OutsideHub { .. })
    ));

    let mut tablet = Store::open_in_memory(options(clock_at(today()))).unwrap();
    let resp = pendamping_sync::enroll(&mut tablet, &hub.url(), &hub.code(Role::Cadre, &[VILLAGE]), "tablet")
        .await
        .expect("enrolled at the hub, offline");
    let made = a_year_of_visits(&mut tablet, VILLAGE);
    assert_eq!(sync(&mut tablet).await.held, made);
    assert!(hub.relay().await.is_err());

    uplink.set(Faults::none());
    assert_eq!(hub.relay().await.unwrap().devices_up, 1);
    let known: String = centre
        .db()
        .query_row(
            "SELECT scope FROM devices WHERE id = ?1",
            [resp.device_id.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(known, VILLAGE);
    assert_eq!(centre_log(&centre).len() as u64, made);
    // The same token now works at the centre itself.
    move_to(&mut tablet, &centre.url());
    assert_eq!(sync(&mut tablet).await.confirmed, made);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_hub_relays_and_only_within_each_origin_devices_area() {
    use pendamping_protocol::{OriginRun, PushRequest, SCHEMA_VERSION};
    let dir = tempfile::tempdir().unwrap();
    let centre = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let a = enrolled_device(&centre, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    let a_id = pendamping_sync::status(&a).unwrap().device_id.unwrap();
    let hub = centre.enrol_by_hand(Role::Plkb, &[KECAMATAN], "hub").await;
    let cadre_token = a.setting("token").unwrap().unwrap();
    let mut maker = store_at(today());
    let h_here = realistic_family(&mut maker, VILLAGE, d(2025, 1, 1));
    let h_there = realistic_family(&mut maker, OTHER_VILLAGE, d(2025, 1, 1));
    let changes = maker.outbox(100).unwrap();
    let here: Vec<_> = changes.iter().filter(|c| c.area_code == VILLAGE).cloned().collect();
    let there: Vec<_> = changes
        .iter()
        .filter(|c| c.area_code == OTHER_VILLAGE)
        .cloned()
        .collect();
    assert!(!here.is_empty() && !there.is_empty());
    let _ = (h_here, h_there);
    // What the hub relays of a is sealed by a's own key, as the hub received it from a.
    let a_key = pendamping_vault::DeviceKey::from_hex(&a.setting("signing_key").unwrap().unwrap()).unwrap();
    let push = |token: String, changes: Vec<pendamping_core::Change>, origin: &str| {
        let seals = if origin == a_id {
            vec![pendamping_protocol::seal::sign(&a_key, origin, &changes)]
        } else {
            Vec::new()
        };
        let req = PushRequest {
            schema_version: SCHEMA_VERSION,
            seen: 0,
            origins: vec![OriginRun {
                device: origin.to_string(),
                count: changes.len() as u32,
            }],
            changes,
            seals,
        };
        let centre = &centre;
        async move { centre.push(&token, &req).await }
    };
    // A cadre's token cannot speak for another device.
    // Every change is refused, each as a bad origin: a batch dropped without a word would
    // have no rejections at all.
    let bad_origin = |r: &pendamping_protocol::PushResponse, sent: usize| {
        assert_eq!(r.accepted, 0, "{r:?}");
        assert_eq!(r.rejected.len(), sent, "every change refused, by name: {r:?}");
        assert!(
            r.rejected
                .iter()
                .all(|x| x.code == pendamping_protocol::RejectCode::BadOrigin),
            "{r:?}"
        );
    };
    let r = push(cadre_token, here.clone(), "0193a0a0-0000-7000-8000-000000000001").await;
    bad_origin(&r, here.len());
    // A hub cannot put a change in a village its origin device does not cover, nor name a
    // device the centre does not know.
    let sent = there.len();
    let r = push(hub.token.clone(), there, &a_id).await;
    bad_origin(&r, sent);
    let r = push(hub.token.clone(), here.clone(), "0193a0a0-0000-7000-8000-000000000001").await;
    bad_origin(&r, here.len());
    // Within it, the change is stored as the origin's, through the hub.
    let r = push(hub.token.clone(), here.clone(), &a_id).await;
    assert_eq!((r.accepted, r.rejected.len()), (here.len(), 0));
    let log = centre_log(&centre);
    assert!(
        log.iter()
            .all(|(_, o, via)| *o == a_id && via.as_deref() == Some(&hub.device_id.to_string()[..]))
    );
    // A cadre cannot read the registry.
    let status = reqwest::Client::new()
        .get(format!("{}/v1/hub/devices", centre.url()))
        .bearer_auth(a.setting("token").unwrap().unwrap())
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_centre_refuses_of_a_relayed_change_reaches_the_device_that_made_it() {
    let dir = tempfile::tempdir().unwrap();
    let centre = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    // The office laptop and the tablet both believe it is three days later.
    let ahead = clock_at(today() + chrono::Days::new(3));
    let hub = kecamatan_hub(dir.path(), "hub.db", ahead.clone(), &centre, &centre.url()).await;
    let mut tablet = Store::open_in_memory(options(ahead.clone())).unwrap();
    pendamping_sync::enroll(&mut tablet, &hub.url(), &hub.code(Role::Cadre, &[VILLAGE]), "tablet")
        .await
        .unwrap();
    let made = a_year_of_visits(&mut tablet, VILLAGE);
    assert_eq!(sync(&mut tablet).await.held, made);
    let relayed = hub.relay().await.unwrap();
    assert_eq!((relayed.sync.pushed, relayed.sync.rejected), (0, made));
    assert_eq!(hub.admin().backlog().unwrap().refused, made);

    let sum = sync(&mut tablet).await;
    assert_eq!((sum.rejected, sum.confirmed), (made, 0));
    assert_eq!(tablet.held_count().unwrap(), 0);
    let refused = tablet.refused().unwrap();
    assert_eq!(refused.len() as u64, made);
    assert!(
        refused
            .iter()
            .all(|r| r.code == pendamping_protocol::RejectCode::ClockSkew)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relayed_edit_is_checked_against_the_scope_of_the_device_that_made_it() {
    use pendamping_protocol::{OriginRun, PushRequest, SCHEMA_VERSION};
    let dir = tempfile::tempdir().unwrap();
    let centre = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let a = enrolled_device(&centre, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    let a_id = pendamping_sync::status(&a).unwrap().device_id.unwrap();
    let mut b = enrolled_device(&centre, clock_at(today()), Role::Cadre, &[OTHER_VILLAGE]).await;
    let theirs = household(7, OTHER_VILLAGE, "Budi Santoso");
    b.save_household(&theirs).unwrap();
    sync(&mut b).await;
    let hub = centre.enrol_by_hand(Role::Plkb, &[KECAMATAN], "hub").await;

    // Cadre a's tablet, through the hub (which lacks the row), edits a row of b's village
    // and moves it into a's: the hub's kecamatan covers both, a's scope only one.
    let maker = store_at(today());
    let mut change = pendamping_core::Change {
        change_id: maker.new_id(),
        entity: pendamping_core::Entity::Household,
        row_id: theirs.id,
        area_code: VILLAGE.into(),
        hlc: pendamping_core::Hlc {
            millis: millis_at(today()) + 60_000,
            counter: 0,
            node: 5,
        },
        fields: Default::default(),
    };
    change.fields.insert("area_code".into(), serde_json::json!(VILLAGE));
    change.fields.insert("head_name".into(), serde_json::json!("Diambil"));
    let a_key = pendamping_vault::DeviceKey::from_hex(&a.setting("signing_key").unwrap().unwrap()).unwrap();
    let req = PushRequest {
        schema_version: SCHEMA_VERSION,
        seen: 0,
        origins: vec![OriginRun {
            device: a_id.clone(),
            count: 1,
        }],
        seals: vec![pendamping_protocol::seal::sign(
            &a_key,
            &a_id,
            std::slice::from_ref(&change),
        )],
        changes: vec![change],
    };
    let r = centre.push(&hub.token, &req).await;
    assert_eq!(r.accepted, 0, "{r:?}");
    assert_eq!(r.rejected.len(), 1);
    assert_eq!(r.rejected[0].code, pendamping_protocol::RejectCode::ForbiddenArea);
    let still: String = centre
        .db()
        .query_row(
            "SELECT area_code FROM records WHERE entity = 'household' AND id = ?1",
            [theirs.id.as_bytes()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(still, OTHER_VILLAGE, "the row stayed where it was");
}
