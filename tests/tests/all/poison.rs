//! One enrolled tablet cannot crash the server with a small push, nor poison what everyone
//! else reads: a field path or a value that nests too deep is refused (the whole packed
//! batch when its structure lies, one change at the log's door otherwise), and a row of the
//! log that no reader can read (let in by an earlier version) is set aside with its reason
//! while every other area's recap, pull and dashboard figures still answer.

use std::sync::Arc;

use pendamping_core::hlc::ManualTime;
use pendamping_core::{Change, Entity, Hlc, TimeSource};
use pendamping_protocol::{PushHead, PushRequest, Role, SCHEMA_VERSION, wire};
use pendamping_tests::net::*;
use pendamping_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

/// A village of another kecamatan of the same regency, and that kecamatan.
const FAR_VILLAGE: &str = "3602022002";
const FAR_KECAMATAN: &str = "360202";

fn change(clock: &ManualTime, entity: Entity, area: &str, fields: Vec<(&str, Value)>) -> Change {
    Change {
        change_id: Uuid::now_v7(),
        entity,
        row_id: Uuid::now_v7(),
        area_code: area.into(),
        hlc: Hlc {
            millis: clock.now_millis(),
            counter: 0,
            node: 42,
        },
        fields: fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    }
}

fn household_change(clock: &ManualTime, area: &str, n: u128) -> Change {
    let h = household(n, area, "Siti Aminah");
    let mut c = change(clock, Entity::Household, area, Vec::new());
    c.row_id = h.id;
    c.fields = pendamping_core::change::to_fields(&h);
    c
}

/// A JSON array nested `depth` deep (a few hundred at most: dropping it recurses).
fn nested(depth: usize) -> Value {
    (0..depth).fold(json!(1), |inner, _| Value::Array(vec![inner]))
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn post(&self, path: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("the server answers");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn push_packed(&self, store: &pendamping_store::Store, changes: &[Change]) -> (StatusCode, Value) {
        let head = PushHead {
            schema_version: SCHEMA_VERSION,
            seen: 0,
            origins: Vec::new(),
            seals: sealed_by(store, changes),
        };
        self.post("/v1/sync/push", wire::MEDIA_TYPE, wire::pack(head, changes))
            .await
    }

    async fn push_json(&self, store: &pendamping_store::Store, changes: &[Change]) -> (StatusCode, Value) {
        let req = PushRequest {
            schema_version: SCHEMA_VERSION,
            seen: 0,
            changes: changes.to_vec(),
            origins: Vec::new(),
            seals: sealed_by(store, changes),
        };
        self.post("/v1/sync/push", "application/json", serde_json::to_vec(&req).unwrap())
            .await
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("the server answers");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

async fn client_for(server: &TestServer, store: &pendamping_store::Store) -> Client {
    Client {
        http: reqwest::Client::new(),
        base: server.url(),
        token: store.setting(pendamping_sync::keys::TOKEN).unwrap().expect("a token"),
    }
}

async fn healthy(base: &str) -> bool {
    reqwest::get(format!("{base}/health"))
        .await
        .is_ok_and(|r| r.status() == StatusCode::OK)
}

/// A change of the tablet's village written straight into the log, as an earlier version's
/// door let it in.
fn logged_by_an_earlier_version(server: &TestServer, change_id: Uuid, body: &str) {
    server
        .db()
        .execute(
            "INSERT INTO changes (change_id, area_code, device_id, upstream, received_at, body) \
             VALUES (?1, ?2, 'an-old-version', 2, 0, ?3)",
            (change_id.as_bytes(), VILLAGE, body),
        )
        .unwrap();
}

fn logged(server: &TestServer) -> i64 {
    server
        .db()
        .query_row("SELECT COUNT(*) FROM changes", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_path_or_value_nested_too_deep_is_refused_and_the_server_stays_up() {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<ManualTime> = clock_at(today());
    let server = TestServer::start(dir.path(), clock.clone(), |_| {}).await;
    let tablet = enrolled_device(&server, clock.clone(), Role::Cadre, &[VILLAGE]).await;
    let api = client_for(&server, &tablet).await;

    // A path of 100,000 parts in a packed push: a few hundred bytes that, once built and
    // written, used to overflow the stack and abort the process.
    let deep_path = format!("name{}", ".a".repeat(100_000));
    let bomb = change(&clock, Entity::Person, VILLAGE, vec![(&deep_path, json!(1))]);
    let (status, v) = api.push_packed(&tablet, &[bomb]).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed")),
        "{v}"
    );
    assert!(healthy(&server.url()).await, "the server is still up");

    // A partial row (validation waits for the whole row) whose value nests past what a JSON
    // reader takes once under its path: refused with the batch, not logged.
    let poison = change(&clock, Entity::Person, VILLAGE, vec![("name.a.b.c.d.e.f", nested(124))]);
    let (status, v) = api.push_packed(&tablet, &[poison]).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed")),
        "{v}"
    );

    // The same through JSON, within what the request's parser takes: refused at the log's
    // door with its reason, quarantined, and the good change beside it lands.
    let before = logged(&server);
    let deep_json = change(&clock, Entity::Person, VILLAGE, vec![("name", nested(40))]);
    let long_text = change(
        &clock,
        Entity::Household,
        VILLAGE,
        vec![("address", json!("x".repeat(100_000)))],
    );
    let fine = household_change(&clock, VILLAGE, 7);
    let (status, v) = api
        .push_json(&tablet, &[deep_json.clone(), long_text.clone(), fine.clone()])
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let r: pendamping_protocol::PushResponse = serde_json::from_value(v).unwrap();
    assert_eq!(r.accepted, 1, "{r:?}");
    let refused: Vec<(Uuid, &str)> = r.rejected.iter().map(|x| (x.change_id, x.code.as_str())).collect();
    assert_eq!(
        refused,
        vec![(deep_json.change_id, "invalid"), (long_text.change_id, "invalid")]
    );
    assert!(r.rejected[0].message.contains("bersarang"), "{}", r.rejected[0].message);
    assert!(r.rejected[1].message.contains("byte"), "{}", r.rejected[1].message);
    assert_eq!(logged(&server), before + 1, "only the good change was logged");
    let listed = server.admin().not_used(100).unwrap();
    assert_eq!(
        listed.iter().filter(|n| n.place == "quarantine").count(),
        2,
        "{listed:?}"
    );

    // Text no reader can read (a lone surrogate), or a change of two million empty arrays:
    // refused at the door, never acknowledged and then lost.
    let hlc = Hlc {
        millis: clock.now_millis(),
        counter: 0,
        node: 42,
    };
    let raw = |n: u128, field: &str| {
        format!(
            r#"{{"change_id":"{}","entity":"household","row_id":"{}","area_code":"{VILLAGE}","hlc":"{hlc}","fields":{{{field}}}}}"#,
            Uuid::from_u128(0x0193a0a0_0000_7000_8000_000000000000 + n),
            Uuid::from_u128(0x0193a0a0_0000_7000_9000_000000000000 + n),
        )
    };
    let many = format!("\"rt\":[{}]", vec!["[]"; 100_000].join(","));
    let body = format!(
        r#"{{"schema_version":1,"changes":[{},{}]}}"#,
        raw(1, r#""head_name":"\ud800x""#),
        raw(2, &many)
    );
    let (status, v) = api.post("/v1/sync/push", "application/json", body.into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let r: pendamping_protocol::PushResponse = serde_json::from_value(v).unwrap();
    assert_eq!(r.accepted, 0, "{r:?}");
    assert_eq!(
        r.rejected.iter().map(|x| x.code.as_str()).collect::<Vec<_>>(),
        vec!["invalid", "invalid"]
    );

    // What the log holds reads back everywhere: a recap answers.
    let (status, _) = api.get(&format!("/v1/recap?month=2026-11&area={VILLAGE}")).await;
    assert_eq!(status, StatusCode::OK);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_no_reader_can_read_is_set_aside_and_everyone_else_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<ManualTime> = clock_at(today());
    let server = TestServer::start(dir.path(), clock.clone(), |_| {}).await;
    let mut tablet = enrolled_device(&server, clock.clone(), Role::Cadre, &[VILLAGE]).await;
    let mut far = enrolled_device(&server, clock.clone(), Role::Cadre, &[FAR_VILLAGE]).await;
    let mut district = enrolled_device(&server, clock.clone(), Role::Admin, &[KABUPATEN]).await;
    for n in 0..3 {
        tablet.save_household(&household(100 + n, VILLAGE, "Ahmad")).unwrap();
        far.save_household(&household(200 + n, FAR_VILLAGE, "Budi")).unwrap();
    }
    sync(&mut tablet).await;
    sync(&mut far).await;

    // A row an earlier version let into the log that no JSON reader takes (nested 200
    // deep), in the tablet's village, then a good one after it.
    let poison_id = Uuid::now_v7();
    let poison = format!(
        r#"{{"change_id":"{poison_id}","entity":"person","row_id":"{}","area_code":"{VILLAGE}","hlc":"{}","fields":{{"name":{}}}}}"#,
        Uuid::now_v7(),
        Hlc {
            millis: clock.now_millis(),
            counter: 0,
            node: 9
        },
        serde_json::to_string(&nested(200)).unwrap()
    );
    logged_by_an_earlier_version(&server, poison_id, &poison);
    tablet.save_household(&household(103, VILLAGE, "Ahmad")).unwrap();
    sync(&mut tablet).await;

    let mut server = server;
    for round in 0..2 {
        if round == 1 {
            // It survives a restart: the log is append-only, the row is still passed over.
            server.stop().await;
            server = TestServer::start(dir.path(), clock.clone(), |_| {}).await;
        }
        let api = client_for(&server, &district).await;
        let far_api = client_for(&server, &far).await;
        // Every area's recap answers, the poisoned village's too, with what reads.
        for (who, area) in [
            (&api, FAR_KECAMATAN),
            (&far_api, FAR_VILLAGE),
            (&api, KABUPATEN),
            (&api, VILLAGE),
        ] {
            let (status, v) = who.get(&format!("/v1/recap?month=2026-11&area={area}")).await;
            assert_eq!(status, StatusCode::OK, "round {round}, recap of {area}: {v}");
        }
        let month = pendamping_core::recap::Month::parse("2026-11").unwrap();
        let kabupaten = pendamping_core::area::AreaCode::parse(KABUPATEN).unwrap();
        let figures = server.state.indicators(month, &kabupaten, 6);
        assert!(figures.is_ok(), "the dashboard's figures: {:?}", figures.err());
        let (status, _) = far_api.get("/v1/nik-digest").await;
        assert_eq!(status, StatusCode::OK, "the NIK digest");
        // A device that pulls JSON gets the rest, as valid JSON.
        let (status, v) = api.get("/v1/sync/pull?since=0&limit=5000").await;
        assert_eq!(status, StatusCode::OK);
        let ids: Vec<&str> = v["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["change_id"].as_str())
            .collect();
        assert!(!ids.contains(&poison_id.to_string().as_str()));
        assert_eq!(ids.len() as i64, logged(&server) - 1);
    }
    // Devices of the village and of the district pull everything but that row.
    let mut second = enrolled_device(&server, clock.clone(), Role::Cadre, &[VILLAGE]).await;
    sync(&mut second).await;
    let village = pendamping_core::area::AreaCode::parse(VILLAGE).unwrap();
    let far_village = pendamping_core::area::AreaCode::parse(FAR_VILLAGE).unwrap();
    assert_eq!(second.households_in(&village, 0, 100).unwrap().len(), 4);
    // The restarted server listens on another port.
    district
        .set_setting(pendamping_sync::keys::SERVER, &server.url())
        .unwrap();
    sync(&mut district).await;
    assert_eq!(district.households_in(&village, 0, 100).unwrap().len(), 4);
    assert_eq!(district.households_in(&far_village, 0, 100).unwrap().len(), 3);

    // Listed for the engineer with its reason, and counted once.
    let listed = server.admin().not_used(100).unwrap();
    let aside: Vec<_> = listed.iter().filter(|n| n.place == "set aside").collect();
    assert_eq!(aside.len(), 1, "{listed:?}");
    assert_eq!(aside[0].change_id, poison_id.to_string());
    assert!(aside[0].message.contains("bersarang"), "{}", aside[0].message);
    let metrics = reqwest::get(format!("{}/metrics", server.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.lines().any(|l| l == "pendamping_log_set_aside 1"), "{metrics}");
    server.stop().await;
}

/// What an outside attack pushed from one enrolled tablet: rows whose fields are JSON of the
/// right shape but not what their record reads (an enrolment of kind "baduta", a visit with
/// no kind, a decile of "abc"), sent before the rest of their row so no whole record is
/// there to check. They once reached the view and made every recap, dashboard page and NIK
/// digest answer 500 for good. Each is refused at the door naming its field, by both ways
/// of pushing; the same changes found in a log (an earlier version's) are set aside by the
/// view with their reason; and an honest edit that travelled ahead of its row still goes in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_its_record_cannot_read_is_refused_and_every_recap_still_answers() {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<ManualTime> = clock_at(today());
    let server = TestServer::start(dir.path(), clock.clone(), |_| {}).await;
    let mut tablet = enrolled_device(&server, clock.clone(), Role::Cadre, &[VILLAGE]).await;
    let mut district = enrolled_device(&server, clock.clone(), Role::Admin, &[KABUPATEN]).await;
    for n in 0..3 {
        tablet.save_household(&household(300 + n, VILLAGE, "Ahmad")).unwrap();
    }
    sync(&mut tablet).await;
    let api = client_for(&server, &tablet).await;

    // (entity, fields, the field the refusal names)
    let hostile = || {
        [
            (Entity::Enrolment, json!({"kind": "baduta"}), "kind"),
            (Entity::Visit, json!({"data": {}}), "data.kind"),
            (
                Entity::Visit,
                json!({"data": {"kind": "anak", "weight_kg": "berat"}}),
                "data",
            ),
            (Entity::Household, json!({"welfare_decile": "abc"}), "welfare_decile"),
            (Entity::Household, json!({"rt": ["001"]}), "rt"),
            (Entity::Person, json!({"sex": 5}), "sex"),
            (Entity::Person, json!({"birth_date": "notadate"}), "birth_date"),
            (Entity::Person, json!({"nik": 3602011234560001u64}), "nik"),
            (
                Entity::Visit,
                json!({"deleted": true, "visit_date": "2026-02-30"}),
                "visit_date",
            ),
            (Entity::Household, json!({"deleted": "ya"}), "deleted"),
        ]
        .map(|(e, fields, field)| {
            let Value::Object(map) = fields else { unreachable!() };
            let c = change(
                &clock,
                e,
                VILLAGE,
                map.into_iter()
                    .collect::<Vec<_>>()
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.clone()))
                    .collect(),
            );
            (c, field)
        })
    };
    for packed in [false, true] {
        let batch = hostile();
        let changes: Vec<Change> = batch.iter().map(|(c, _)| c.clone()).collect();
        let before = logged(&server);
        let (status, v) = if packed {
            api.push_packed(&tablet, &changes).await
        } else {
            api.push_json(&tablet, &changes).await
        };
        assert_eq!(status, StatusCode::OK, "packed {packed}: {v}");
        let rejected = v["rejected"].as_array().expect("rejections");
        for (c, field) in &batch {
            let r = rejected
                .iter()
                .find(|r| r["change_id"] == c.change_id.to_string())
                .unwrap_or_else(|| panic!("packed {packed}: {:?} was taken: {v}", c.fields));
            assert_eq!(
                (r["code"].as_str(), r["field"].as_str()),
                (Some("invalid"), Some(*field)),
                "{r}"
            );
        }
        assert_eq!(logged(&server), before, "nothing of it is logged");
    }

    // An edit that arrived before the change that makes its row, every field of the right
    // type: taken, as ever.
    let ahead = change(
        &clock,
        Entity::Household,
        VILLAGE,
        vec![("rt", json!("002")), ("welfare_decile", json!(2))],
    );
    let (status, v) = api.push_json(&tablet, std::slice::from_ref(&ahead)).await;
    assert_eq!(
        (status, v["rejected"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(0)),
        "{v}"
    );

    // The same changes in the log, as an earlier version let them in: the view refuses them
    // and sets each aside, naming the field.
    let old = hostile();
    for (c, _) in &old {
        logged_by_an_earlier_version(&server, c.change_id, &serde_json::to_string(c).unwrap());
    }
    tablet.save_household(&household(303, VILLAGE, "Ahmad")).unwrap();
    sync(&mut tablet).await;

    let mut server = server;
    for round in 0..2 {
        if round == 1 {
            server.stop().await;
            server = TestServer::start(dir.path(), clock.clone(), |_| {}).await;
        }
        let admin = client_for(&server, &district).await;
        for area in [VILLAGE, &VILLAGE[..6], FAR_KECAMATAN, KABUPATEN] {
            let (status, v) = admin.get(&format!("/v1/recap?month=2026-11&area={area}")).await;
            assert_eq!(status, StatusCode::OK, "round {round}, recap of {area}: {v}");
        }
        let month = pendamping_core::recap::Month::parse("2026-11").unwrap();
        let figures = server.state.indicators(month, &at(KABUPATEN), 6);
        assert!(figures.is_ok(), "the dashboard's figures: {:?}", figures.err());
        let cadre = client_for(&server, &tablet).await;
        let (status, _) = cadre.get("/v1/nik-digest").await;
        assert_eq!(status, StatusCode::OK, "the NIK digest");
    }
    let listed = server.admin().not_used(100).unwrap();
    for (c, field) in &old {
        let aside = listed
            .iter()
            .find(|n| n.place == "set aside" && n.change_id == c.change_id.to_string())
            .unwrap_or_else(|| panic!("{:?} is set aside: {listed:?}", c.fields));
        assert!(aside.message.starts_with(&format!("{field}: ")), "{}", aside.message);
    }

    // The district's tablet pulls it all: the good rows land, the bad ones are refused by
    // its own store, and its lists and recap read.
    district
        .set_setting(pendamping_sync::keys::SERVER, &server.url())
        .unwrap();
    sync(&mut district).await;
    // Four families; the edit that came ahead of its row is listed once the row is whole.
    assert_eq!(district.households_in(&at(VILLAGE), 0, 100).unwrap().len(), 4);
    let month = pendamping_core::recap::Month::parse("2026-11").unwrap();
    assert!(district.recap(month, &at(KABUPATEN)).is_ok());
    server.stop().await;
}

/// A change whose JSON names one key twice (`head_name`, then `head_name` again, or spelt
/// `\u0068ead_name`): a map keeps the last, another reader may keep the first, and what the
/// device saw and sealed is then not what the district reads. The request is refused at the
/// door, saying why, and nothing of it is logged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_twice_in_one_change_is_refused_at_the_door() {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<ManualTime> = clock_at(today());
    let server = TestServer::start(dir.path(), clock.clone(), |_| {}).await;
    let tablet = enrolled_device(&server, clock.clone(), Role::Cadre, &[VILLAGE]).await;
    // A device of before signing, so that the seal is not what refuses it.
    server.db().execute("UPDATE devices SET public_key = NULL", []).unwrap();
    let api = client_for(&server, &tablet).await;
    for twice in [
        r#""head_name":"Siti","head_name":"=1+1""#,
        r#""head_name":"Siti","\u0068ead_name":"=1+1""#,
    ] {
        let c = household_change(&clock, VILLAGE, 700);
        let req = PushRequest {
            schema_version: SCHEMA_VERSION,
            seen: 0,
            changes: vec![c.clone()],
            origins: Vec::new(),
            seals: Vec::new(),
        };
        let body = serde_json::to_string(&req).unwrap();
        let head = r#""head_name":"Siti Aminah""#;
        assert!(body.contains(head), "{body}");
        let body = body.replace(head, twice);
        let before = logged(&server);
        let (status, v) = api.post("/v1/sync/push", "application/json", body.into_bytes()).await;
        assert_eq!(
            (status, v["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("malformed")),
            "{twice}: {v}"
        );
        assert!(v["message"].as_str().unwrap().contains("dua kali"), "{v}");
        assert_eq!(logged(&server), before);
    }
    server.stop().await;
}

/// Found by an outside attack: a person of whom only the sex and birth date have arrived,
/// then a whole, valid child enrolment and visit of that person. Each change is valid on
/// its own (a row's fields may come in any order), but working out the visit's results read
/// the half-arrived person as a whole record and failed: every recap, the NIK digest and the
/// dashboard answered 500 for every area, and no other tablet of the village could finish a
/// sync. A row that is not whole yet is one that has not arrived: its dependants wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_arrived_person_with_a_whole_enrolment_and_visit_stops_no_reader() {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<ManualTime> = clock_at(today());
    let server = TestServer::start(dir.path(), clock.clone(), |_| {}).await;
    let mut tablet = enrolled_device(&server, clock.clone(), Role::Cadre, &[VILLAGE]).await;
    let mut neighbour = enrolled_device(&server, clock.clone(), Role::Cadre, &[VILLAGE]).await;
    let district = enrolled_device(&server, clock.clone(), Role::Admin, &[KABUPATEN]).await;
    let h = household(900, VILLAGE, "Ahmad");
    tablet.save_household(&h).unwrap();
    sync(&mut tablet).await;

    let api = client_for(&server, &tablet).await;
    let half = change(
        &clock,
        Entity::Person,
        VILLAGE,
        vec![("sex", json!("L")), ("birth_date", json!("2026-06-01"))],
    );
    let mut person = person(
        901,
        &h,
        "Bayi",
        pendamping_core::Sex::Male,
        d(2026, 6, 1),
        pendamping_core::Relationship::Anak,
    );
    person.id = half.row_id;
    let e = enrolment(902, &person, d(2026, 11, 1), child_details());
    let v = child_visit(903, &e, d(2026, 11, 15), 5.5, 62.3);
    let whole = |entity: Entity, id: Uuid, fields| {
        let mut c = change(&clock, entity, VILLAGE, Vec::new());
        (c.row_id, c.fields) = (id, fields);
        c
    };
    let changes = [
        half,
        whole(Entity::Enrolment, e.id, pendamping_core::change::to_fields(&e)),
        whole(Entity::Visit, v.id, pendamping_core::change::to_fields(&v)),
    ];
    for c in &changes {
        let (status, answer) = api.push_json(&tablet, std::slice::from_ref(c)).await;
        let refused = answer["rejected"].as_array().map(Vec::len);
        assert_eq!((status, refused), (StatusCode::OK, Some(0)), "{answer}");
    }

    let admin = client_for(&server, &district).await;
    for area in [VILLAGE, "3602012003", &VILLAGE[..6], KABUPATEN] {
        let (status, v) = admin.get(&format!("/v1/recap?month=2026-11&area={area}")).await;
        assert_eq!(status, StatusCode::OK, "recap of {area}: {v}");
    }
    let (status, _) = api.get("/v1/nik-digest").await;
    assert_eq!(status, StatusCode::OK, "the NIK digest");
    let month = pendamping_core::recap::Month::parse("2026-11").unwrap();
    assert!(server.state.indicators(month, &at(KABUPATEN), 6).is_ok());
    // Another tablet of the village syncs to the end, and so does the one that sent it.
    let pulled = sync(&mut neighbour).await;
    assert!(pulled.pulled >= 4, "{pulled:?}");
    sync(&mut tablet).await;
    assert!(neighbour.recap(month, &at(VILLAGE)).is_ok());

    // The rest of the person arrives: the child is whole, counted, and the visit assessed.
    let rest = whole(Entity::Person, person.id, pendamping_core::change::to_fields(&person));
    let (status, answer) = api.push_json(&tablet, std::slice::from_ref(&rest)).await;
    let refused = answer["rejected"].as_array().map(Vec::len);
    assert_eq!((status, refused), (StatusCode::OK, Some(0)), "{answer}");
    sync(&mut neighbour).await;
    assert!(
        neighbour.person(person.id).unwrap().is_some(),
        "the person reads once whole"
    );
    let figures = neighbour.indicators(month, &at(VILLAGE), 10).unwrap();
    let children = figures[VILLAGE].get(pendamping_core::indicators::Indicator::ChildrenVisited);
    assert_eq!(children, 1, "the child is counted as visited");
    server.stop().await;
}

/// A row not whole yet (an edit ahead of the change that made it) is checked in the fields
/// it holds that read no other: a household's welfare decile of 99 or a latitude of 999 would
/// otherwise wait for a whole row that may never come, and reach every device of the village
/// (an outside walk pushed them and broke the village's exports).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_household_with_a_value_out_of_its_range_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<ManualTime> = clock_at(today());
    let server = TestServer::start(dir.path(), clock.clone(), |_| {}).await;
    let tablet = enrolled_device(&server, clock.clone(), Role::Cadre, &[VILLAGE]).await;
    let api = client_for(&server, &tablet).await;
    let bad = [
        ("welfare_decile", json!(99)),
        ("floor_area_m2", json!(-5.0)),
        ("latitude", json!(999.0)),
        ("kk_number", json!("123")),
        ("rt", json!("abc")),
    ];
    let changes: Vec<Change> = bad
        .iter()
        .map(|(f, v)| {
            change(
                &clock,
                Entity::Household,
                VILLAGE,
                vec![("area_code", json!(VILLAGE)), (f, v.clone())],
            )
        })
        .collect();
    let fine = change(
        &clock,
        Entity::Household,
        VILLAGE,
        vec![("area_code", json!(VILLAGE)), ("welfare_decile", json!(3))],
    );
    let before = logged(&server);
    let mut all = changes.clone();
    all.push(fine.clone());
    let (status, v) = api.push_json(&tablet, &all).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let r: pendamping_protocol::PushResponse = serde_json::from_value(v).unwrap();
    let refused: Vec<(Uuid, Option<&str>)> = r.rejected.iter().map(|x| (x.change_id, x.field.as_deref())).collect();
    let expected: Vec<(Uuid, Option<&str>)> = changes
        .iter()
        .zip(bad)
        .map(|(c, (f, _))| (c.change_id, Some(f)))
        .collect();
    assert_eq!(refused, expected, "{r:?}");
    assert_eq!(r.accepted, 1, "the partial row whose values are fine is kept");
    assert_eq!(logged(&server), before + 1);
    server.stop().await;
}
