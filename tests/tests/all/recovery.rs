//! A forgotten PIN, recovered through the server, with nothing unsynced lost; and the
//! server's refusals of codes that are not this device's, used, or for a revoked device.

use std::sync::Arc;

use pendamping_app::door::{Door, Opened};
use pendamping_core::hlc::ManualTime;
use pendamping_protocol::Role;
use pendamping_store::{Options, Store};
use pendamping_tests::net::TestServer;
use pendamping_tests::*;

const PIN: &str = "13579024";

fn opts() -> Options {
    options(clock_at(d(2026, 12, 1)))
}

/// A device store made at the door, enrolled, with its key sealed for recovery: its door,
/// the member, the device id at the server.
async fn enrolled(dir: &std::path::Path, server: &TestServer, name: &str) -> (Door, Opened, String) {
    let door = Door::new(&dir.join("pendamping.db"));
    let opened = door.create(name, PIN, PIN).expect("first member");
    let mut store = door.open_store(&opened, opts()).expect("store");
    let code = server.code(Role::Cadre, &[VILLAGE]);
    let resp = pendamping_sync::enroll(&mut store, &server.url(), &code, "tablet")
        .await
        .expect("enrolled");
    let to = resp.recovery_key.expect("the server gives its recovery key");
    door.set_recovery(&opened, resp.device_id, &server.url(), to)
        .expect("sealed");
    (door, opened, resp.device_id.to_string())
}

fn issue(server: &TestServer, device: &str) -> String {
    server
        .admin()
        .recovery_code(device, "admin", millis_at(d(2026, 12, 1)) as i64)
        .expect("code")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgotten_pin_is_recovered_through_the_server_and_nothing_unsynced_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let now = millis_at(d(2026, 12, 1));
    let server = TestServer::start(dir.path(), Arc::new(ManualTime::new(now)), |_| {}).await;
    let tablet = dir.path().join("tablet");
    std::fs::create_dir_all(&tablet).unwrap();
    let (door, opened, device) = enrolled(&tablet, &server, "Bu Sari").await;
    // Work recorded offline: not yet at the server.
    let (pending, before) = {
        let mut store = door.open_store(&opened, opts()).unwrap();
        family_with_child(&mut store, 1, VILLAGE, d(2025, 6, 1));
        (store.pending_count().unwrap(), dump(&store))
    };
    assert!(pending >= 4, "household, two persons, an enrolment: {pending}");
    let member = opened.member;
    drop(opened);

    // Ten wrong PINs (waiting out each delay) erase her wrap: the PIN no longer opens it.
    let mut at = now as i64;
    let erased = loop {
        match door.unlock(member, "00000024", at) {
            Err(e) if e.code == "wrong_pin" => at += 3_600_000,
            Err(e) => break e,
            Ok(_) => panic!("a wrong PIN opened the store"),
        }
    };
    assert_eq!(erased.code, "pin_erased");
    assert_eq!(door.unlock(member, PIN, at + 3_600_000).unwrap_err().code, "pin_erased");

    // A made-up code, then one for another device, are refused alike.
    let refused = door
        .recover(member, "AAAA-BBBB-CCCC", "86420024", "86420024")
        .await
        .unwrap_err();
    assert_eq!(
        (refused.code.as_str(), refused.field.as_deref()),
        ("recovery_refused", Some("code"))
    );
    let other_dir = dir.path().join("other");
    std::fs::create_dir_all(&other_dir).unwrap();
    let (_, _, other) = enrolled(&other_dir, &server, "Bu Ani").await;
    let theirs = issue(&server, &other);
    assert_eq!(
        door.recover(member, &theirs, "86420024", "86420024")
            .await
            .unwrap_err()
            .code,
        "recovery_refused"
    );

    // The admin's code for this device: her key back, a new PIN, every row as it was.
    let code = issue(&server, &device);
    let again = door
        .recover(member, &code, "86420024", "86420024")
        .await
        .expect("recovered");
    let store = door.open_store(&again, opts()).unwrap();
    assert_eq!(
        store.pending_count().unwrap(),
        pending,
        "the unsynced changes are all there"
    );
    assert_eq!(dump(&store), before);
    drop(store);
    drop(again);
    assert!(
        door.unlock(member, "86420024", at + 7_200_000).is_ok(),
        "the new PIN opens it"
    );
    // The code was used: another try with it (a new reply key) is refused.
    assert_eq!(
        door.recover(member, &code, "11111124", "11111124")
            .await
            .unwrap_err()
            .code,
        "recovery_refused"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_device_gets_no_recovery_code_and_its_pending_code_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let now = millis_at(d(2026, 12, 1));
    let server = TestServer::start(dir.path(), Arc::new(ManualTime::new(now)), |_| {}).await;
    let (door, opened, device) = enrolled(dir.path(), &server, "Bu Sari").await;
    let code = issue(&server, &device);
    // Reported stolen: revoked before the code is used.
    server.admin().revoke(&device, now as i64).unwrap();
    assert_eq!(
        door.recover(opened.member, &code, "86420024", "86420024")
            .await
            .unwrap_err()
            .code,
        "recovery_refused"
    );
    assert!(server.admin().recovery_code(&device, "admin", now as i64).is_err());
    // Before enrolment there is no recovery at all, and the screen says so.
    let fresh = tempfile::tempdir().unwrap();
    let unenrolled = Door::new(&fresh.path().join("pendamping.db"));
    let o = unenrolled.create("Bu Ani", PIN, PIN).unwrap();
    assert!(!unenrolled.view(0, Some(o.member)).unwrap().recoverable);
    assert_eq!(
        unenrolled
            .recover(o.member, "AAAA-BBBB-CCCC", "86420024", "86420024")
            .await
            .unwrap_err()
            .code,
        "no_recovery"
    );
    server.stop().await;
}

#[test]
fn two_members_open_the_same_store_and_each_visit_names_who_recorded_it() {
    let dir = tempfile::tempdir().unwrap();
    let door = Door::new(&dir.path().join("pendamping.db"));
    let sari = door.create("Bu Sari", PIN, PIN).unwrap();
    let dewi = door.add_member(&sari, "Dewi Lestari", "24680224", "24680224").unwrap();
    let e = {
        let mut store = door.open_store(&sari, opts()).unwrap();
        store.set_author(Some(sari.name.clone()));
        let (_, _, _, e) = family_with_child(&mut store, 1, VILLAGE, d(2025, 6, 1));
        store
            .record_visit(&child_visit(10, &e, d(2026, 11, 2), 8.0, 70.0))
            .unwrap();
        e
    };
    let dewi = door.unlock(dewi.id, "24680224", 0).unwrap();
    let mut store = door.open_store(&dewi, opts()).unwrap();
    store.set_author(Some(dewi.name.clone()));
    store
        .record_visit(&child_visit(11, &e, d(2026, 12, 1), 8.2, 70.5))
        .unwrap();
    let authors: Vec<Option<String>> = store
        .timeline(e.person_id)
        .unwrap()
        .visits
        .into_iter()
        .map(|r| r.visit.recorded_by)
        .collect();
    assert_eq!(authors.len(), 2);
    assert!(authors.contains(&Some("Bu Sari".into())) && authors.contains(&Some("Dewi Lestari".into())));
    // A correction keeps who recorded the visit first.
    let first = store
        .timeline(e.person_id)
        .unwrap()
        .visits
        .into_iter()
        .find(|r| r.visit.visit_date == d(2026, 11, 2))
        .unwrap();
    store.correct_visit(&first.visit, "salah baca timbangan").unwrap();
    let kept = store
        .timeline(e.person_id)
        .unwrap()
        .visits
        .into_iter()
        .find(|r| r.visit.id == first.visit.id)
        .unwrap();
    assert_eq!(kept.visit.recorded_by.as_deref(), Some("Bu Sari"));
    // A store opened with its key is still not readable as a plain file.
    drop(store);
    assert!(Store::open(dir.path().join("pendamping.db"), Options::default()).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolment_and_recovery_guesses_from_one_address_are_rate_limited() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(d(2026, 12, 1));
    let server = TestServer::start(dir.path(), clock.clone(), |_| {}).await;
    let http = reqwest::Client::new();
    let post =
        |path: &'static str, body: serde_json::Value| http.post(format!("{}{path}", server.url())).json(&body).send();
    let key = pendamping_tests::net::public_key_hex();
    let guess = serde_json::json!({"enrollment_code": "AAAA-BBBB-CCCC", "device_name": "tablet", "public_key": key});
    let (most, secs) = pendamping_server::limits::Class::Enrol.limit();
    for _ in 0..most {
        assert_eq!(post("/v1/devices/enroll", guess.clone()).await.unwrap().status(), 401);
    }
    let limited = post("/v1/devices/enroll", guess.clone()).await.unwrap();
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], secs.to_string().as_str());
    let body: serde_json::Value = limited.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    // Even a right code waits out the window; then it enrols.
    let code = server.code(Role::Cadre, &[VILLAGE]);
    let right = serde_json::json!({"enrollment_code": code, "device_name": "tablet", "public_key": key});
    assert_eq!(post("/v1/devices/enroll", right.clone()).await.unwrap().status(), 429);
    clock.advance(secs as u64 * 1000);
    assert_eq!(post("/v1/devices/enroll", right).await.unwrap().status(), 200);

    // Recovery guesses, likewise: malformed or not, each counts.
    let (most, _) = pendamping_server::limits::Class::Recover.limit();
    for _ in 0..most {
        assert!(
            post("/v1/devices/recover", serde_json::json!({}))
                .await
                .unwrap()
                .status()
                .is_client_error()
        );
    }
    assert_eq!(
        post("/v1/devices/recover", serde_json::json!({}))
            .await
            .unwrap()
            .status(),
        429
    );
    server.stop().await;
}

#[test]
fn a_refused_first_member_leaves_an_earlier_plain_store_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pendamping.db");
    let before = {
        let mut s = Store::open(&path, opts()).unwrap();
        family_with_child(&mut s, 1, VILLAGE, d(2025, 6, 1));
        dump(&s)
    };
    let door = Door::new(&path);
    assert_eq!(
        door.view(0, None).unwrap().state,
        pendamping_app::door::DoorState::Plain
    );
    for (name, pin, again, field) in [
        ("  ", PIN, PIN, "name"),
        ("Bu Sari", "12345", "12345", "pin"),
        ("Bu Sari", PIN, "13579924", "pin_again"),
    ] {
        let e = door.create(name, pin, again).unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field), "{e:?}");
    }
    assert!(pendamping_store::is_plain(&path).unwrap(), "still the plain store");
    assert!(!dir.path().join("pendamping.db.keys").exists());
    assert_eq!(dump(&Store::open(&path, opts()).unwrap()), before);
    // Then a right one encrypts it, with everything kept.
    let sari = door.create("Bu Sari", PIN, PIN).unwrap();
    assert!(!pendamping_store::is_plain(&path).unwrap());
    assert_eq!(dump(&door.open_store(&sari, opts()).unwrap()), before);
}
