//! Signed changes (issue 16): every device seals what it pushes with its own Ed25519 key,
//! registered at enrolment. The centre and the hub check the seals, so a hub relays a
//! change but can neither alter it nor pass it off as another device's, and a leaked token
//! alone cannot push in its device's name.

use pendamping_core::Change;
use pendamping_protocol::seal::{self, Seal};
use pendamping_protocol::{PushRequest, PushResponse, RejectCode, Role, SCHEMA_VERSION};
use pendamping_store::Store;
use pendamping_tests::net::*;
use pendamping_tests::*;
use pendamping_vault::DeviceKey;
use serde_json::Value;

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

fn centre_ids(server: &TestServer) -> std::collections::BTreeSet<uuid::Uuid> {
    server_change_ids(&server.db()).0
}

/// Alters the first number found in a change's fields (a weight, say): returns whether one was.
fn bump_a_number(v: &mut Value) -> bool {
    match v {
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(0.0) + 1.0;
            *v = serde_json::json!(x);
            true
        }
        Value::Object(m) => m.values_mut().any(bump_a_number),
        Value::Array(a) => a.iter_mut().any(bump_a_number),
        _ => false,
    }
}

fn setting(store: &Store, key: &str) -> String {
    store.setting(key).unwrap().unwrap()
}

async fn push(server: &TestServer, token: &str, changes: &[Change], seals: Vec<Seal>) -> PushResponse {
    let req = PushRequest {
        schema_version: SCHEMA_VERSION,
        seen: 0,
        changes: changes.to_vec(),
        origins: Vec::new(),
        seals,
    };
    server.push(token, &req).await
}

/// A request's JSON answer.
async fn answer<T: serde::de::DeserializeOwned>(req: reqwest::RequestBuilder) -> T {
    req.send().await.unwrap().json().await.unwrap()
}

fn codes(r: &PushResponse) -> Vec<RejectCode> {
    r.rejected.iter().map(|x| x.code).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaked_token_alone_cannot_push_in_its_devices_name() {
    let dir = tempfile::tempdir().unwrap();
    let centre = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let tablet = {
        let mut t = enrolled_device(&centre, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
        a_year_of_visits(&mut t, VILLAGE);
        t
    };
    let registered: Option<Vec<u8>> = centre
        .db()
        .query_row(
            "SELECT public_key FROM devices WHERE id = ?1",
            [setting(&tablet, "device_id")],
            |r| r.get(0),
        )
        .unwrap();
    let key = DeviceKey::from_hex(&setting(&tablet, "signing_key")).unwrap();
    assert_eq!(
        registered.as_deref(),
        Some(&key.public().as_bytes()[..]),
        "registered at enrolment"
    );
    let (token, me) = (setting(&tablet, "token"), setting(&tablet, "device_id"));
    let changes = tablet.outbox(100).unwrap();
    let n = changes.len();

    // The token alone: nothing signed.
    let r = push(&centre, &token, &changes, Vec::new()).await;
    assert_eq!((r.accepted, codes(&r)), (0, vec![RejectCode::Unsigned; n]));
    let r = push(&centre, &token, &changes, vec![Seal::unsigned(n as u32)]).await;
    assert_eq!((r.accepted, codes(&r)), (0, vec![RejectCode::Unsigned; n]));
    // Signed by another key, in this device's name.
    let thief = DeviceKey::generate().unwrap();
    let r = push(&centre, &token, &changes, vec![seal::sign(&thief, &me, &changes)]).await;
    assert_eq!((r.accepted, codes(&r)), (0, vec![RejectCode::BadSignature; n]));
    // The device's own seal, but a value altered after it signed.
    let mut altered = changes.clone();
    let sealed = seal::sign(&key, &me, &altered);
    assert!(
        altered
            .iter_mut()
            .rev()
            .any(|c| c.fields.values_mut().any(bump_a_number))
    );
    let r = push(&centre, &token, &altered, vec![sealed]).await;
    assert_eq!((r.accepted, codes(&r)), (0, vec![RejectCode::BadSignature; n]));
    // Its seal made for another device id.
    let r = push(
        &centre,
        &token,
        &changes,
        vec![seal::sign(&key, "another-device", &changes)],
    )
    .await;
    assert_eq!(r.accepted, 0);
    assert_eq!(centre_ids(&centre).len(), 0, "nothing stored");

    // The device itself, through the sync engine (packed, sealed): all of it.
    let mut tablet = tablet;
    let sum = sync(&mut tablet).await;
    assert_eq!((sum.pushed, sum.rejected), (n as u64, 0));
    assert_eq!(centre_ids(&centre).len(), n);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_enrolled_before_signing_still_pushes_unsigned() {
    let dir = tempfile::tempdir().unwrap();
    let centre = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    // An older version enrols with no key, and keeps what it was given.
    let code = centre.code(Role::Cadre, &[VILLAGE]);
    let http = reqwest::Client::new();
    // A new enrolment without a key is refused, its code left unused...
    let refused = http
        .post(format!("{}/v1/devices/enroll", centre.url()))
        .json(&serde_json::json!({"enrollment_code": code, "device_name": "old tablet"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let why: serde_json::Value = refused.json().await.unwrap();
    assert!(why["message"].as_str().unwrap().contains("public_key"), "{why}");
    // ...so a device of that older version is one enrolled before signing existed: its row
    // has no key.
    let resp: pendamping_protocol::EnrollResponse =
        answer(http.post(format!("{}/v1/devices/enroll", centre.url())).json(
            &serde_json::json!({"enrollment_code": code, "device_name": "old tablet", "public_key": public_key_hex()}),
        ))
        .await;
    centre
        .db()
        .execute(
            "UPDATE devices SET public_key = NULL WHERE id = ?1",
            [resp.device_id.to_string()],
        )
        .unwrap();
    let mut tablet = Store::open_in_memory(options(clock_at(today()))).unwrap();
    for (k, v) in [
        ("server", centre.url()),
        ("device_id", resp.device_id.to_string()),
        ("token", resp.token.clone()),
        ("scope", serde_json::to_string(&resp.scope).unwrap()),
    ] {
        tablet.set_setting(k, &v).unwrap();
    }
    let made = a_year_of_visits(&mut tablet, VILLAGE);
    let sum = sync(&mut tablet).await;
    assert_eq!((sum.pushed, sum.rejected), (made, 0));

    // That version's packed push: its head ends at `origins`.
    #[derive(serde::Serialize)]
    struct OldHead {
        schema_version: u32,
        seen: u64,
        origins: Vec<pendamping_protocol::OriginRun>,
    }
    let more = a_year_of_visits(&mut tablet, VILLAGE);
    let changes = tablet.outbox(100).unwrap();
    let head = OldHead {
        schema_version: SCHEMA_VERSION,
        seen: 0,
        origins: Vec::new(),
    };
    let pushed: PushResponse = answer(
        http.post(format!("{}/v1/sync/push", centre.url()))
            .bearer_auth(&resp.token)
            .header("content-type", pendamping_protocol::wire::MEDIA_TYPE)
            .body(pendamping_protocol::wire::pack(head, &changes)),
    )
    .await;
    assert_eq!((pushed.accepted as u64, pushed.rejected.len()), (more, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_relays_what_it_received_but_cannot_alter_it_or_pass_it_off_as_another_devices() {
    let dir = tempfile::tempdir().unwrap();
    let centre = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let hub = TestServer::start_hub(
        dir.path(),
        "hub.db",
        clock_at(today()),
        &centre.url(),
        &centre.code(Role::Plkb, &[KECAMATAN]),
    )
    .await;
    let mut tablets = Vec::new();
    for name in ["a", "b"] {
        let mut t = Store::open_in_memory(options(clock_at(today()))).unwrap();
        pendamping_sync::enroll(&mut t, &hub.url(), &hub.code(Role::Cadre, &[VILLAGE]), name)
            .await
            .unwrap();
        tablets.push(t);
    }
    let (a_id, b_id) = (setting(&tablets[0], "device_id"), setting(&tablets[1], "device_id"));

    // a syncs twice (two seals), b once; the hub holds all of it.
    let first = a_year_of_visits(&mut tablets[0], VILLAGE);
    // One change the hub refuses (a village outside a's scope): the rest of that seal is
    // relayed as a proved part of it.
    a_year_of_visits(&mut tablets[0], OTHER_VILLAGE);
    let sum = sync(&mut tablets[0]).await;
    assert!(sum.rejected > 0);
    assert_eq!(sum.held, first);
    let first_ids: std::collections::BTreeSet<uuid::Uuid> = {
        let conn = hub.db();
        let mut s = conn.prepare("SELECT change_id FROM changes").unwrap();
        s.query_map([], |r| r.get::<_, Vec<u8>>(0))
            .unwrap()
            .map(|b| uuid::Uuid::from_slice(&b.unwrap()).unwrap())
            .collect()
    };
    let second = a_year_of_visits(&mut tablets[0], VILLAGE);
    assert_eq!(sync(&mut tablets[0]).await.held, second);
    let of_b = a_year_of_visits(&mut tablets[1], VILLAGE);
    assert_eq!(sync(&mut tablets[1]).await.held, of_b);

    // The hub laptop is tampered with: one of a's second batch altered, and b's work
    // relabelled as a's.
    {
        let conn = hub.db();
        let (seq, body): (i64, String) = conn
            .query_row(
                "SELECT seq, body FROM changes WHERE device_id = ?1 ORDER BY seq DESC LIMIT 1",
                [&a_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let mut c: Value = serde_json::from_str(&body).unwrap();
        assert!(bump_a_number(&mut c["fields"]));
        conn.execute("UPDATE changes SET body = ?1 WHERE seq = ?2", (c.to_string(), seq))
            .unwrap();
        let n = conn
            .execute("UPDATE changes SET device_id = ?1 WHERE device_id = ?2", [&a_id, &b_id])
            .unwrap();
        assert_eq!(n as u64, of_b);
    }
    let kept_seals = |hub: &TestServer| -> i64 {
        hub.db()
            .query_row("SELECT COUNT(*) FROM seals WHERE length(kept) > 0", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(kept_seals(&hub), 3, "one per push the hub received");
    let relayed = hub.relay().await.unwrap();
    // Each change of each seal is now confirmed or refused by the centre: nothing of them
    // can go upstream again, and the hub forgets the seals.
    assert_eq!(kept_seals(&hub), 0);
    // a's first seal, all but the refused change, reaches the centre; nothing altered or
    // relabelled does.
    assert_eq!(relayed.sync.pushed, first);
    assert_eq!(relayed.sync.rejected, second + of_b);
    assert_eq!(centre_ids(&centre), first_ids);
    let refused: Vec<String> = {
        let conn = centre.db();
        let mut s = conn.prepare("SELECT code FROM quarantine").unwrap();
        s.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(refused.len() as u64, second + of_b);
    assert!(refused.iter().all(|c| c == "bad_signature"), "{refused:?}");

    // The tablets learn it at the office: the centre's reason reaches the one that made it.
    assert_eq!(sync(&mut tablets[0]).await.confirmed, first);
    let why: Vec<RejectCode> = tablets[0].refused().unwrap().into_iter().map(|r| r.code).collect();
    assert!(
        why.iter().filter(|c| **c == RejectCode::BadSignature).count() as u64 == second,
        "{why:?}"
    );
}
