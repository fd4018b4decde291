//! Malformed and hostile requests get the right 4xx and a clear code, never a panic, and
//! leave the server's data as it was (apart from quarantined changes).

use std::io::Write;
use std::sync::Arc;

use pendamping_core::hlc::ManualTime;
use pendamping_core::{Change, Entity, Hlc};
use pendamping_protocol::{ErrorBody, PushRequest, PushResponse, Role, SCHEMA_VERSION};
use pendamping_tests::net::*;
use pendamping_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn send(
        &self,
        path: &str,
        token: Option<&str>,
        body: Vec<u8>,
        encoding: Option<&str>,
    ) -> (StatusCode, Value) {
        self.try_send(path, token, body, encoding)
            .await
            .expect("the server answers")
    }

    /// `send`, with a link that failed under the request returned, not a panic.
    async fn try_send(
        &self,
        path: &str,
        token: Option<&str>,
        body: Vec<u8>,
        encoding: Option<&str>,
    ) -> reqwest::Result<(StatusCode, Value)> {
        let mut req = self.http.post(format!("{}{path}", self.base)).body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(e) = encoding {
            req = req.header("content-encoding", e);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let bytes = resp.bytes().await?;
        Ok((status, serde_json::from_slice(&bytes).unwrap_or(Value::Null)))
    }

    /// The server's Prometheus text.
    async fn metrics(&self) -> String {
        let resp = self.http.get(format!("{}/metrics", self.base)).send().await.unwrap();
        resp.text().await.unwrap()
    }

    /// How many pushes the server has answered with `status`, by its own metrics.
    async fn pushes_answered(&self, status: u16) -> u64 {
        let text = self.metrics().await;
        let needle = format!("route=\"/v1/sync/push\",status=\"{status}\"");
        text.lines()
            .filter(|l| l.contains(&needle) && l.starts_with("pendamping_http_requests_total"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    }

    async fn push(&self, token: &str, changes: &[Change]) -> (StatusCode, Value) {
        let body = serde_json::to_vec(&PushRequest {
            schema_version: SCHEMA_VERSION,
            seen: 0,
            changes: changes.to_vec(),
            origins: Vec::new(),
            seals: Vec::new(),
        })
        .unwrap();
        self.send("/v1/sync/push", Some(token), body, None).await
    }

    async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("the server answers");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

fn code_of(v: &Value) -> String {
    // The code as it is on the wire; the body must also read as our error body.
    match serde_json::from_value::<ErrorBody>(v.clone()) {
        Ok(_) => v["code"].as_str().unwrap_or_default().to_string(),
        Err(_) => format!("not an error body: {v}"),
    }
}

/// What the server holds, besides quarantine: the change log and the merged records.
fn holdings(server: &TestServer) -> (i64, String) {
    let conn = server.db();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM changes", [], |r| r.get(0))
        .unwrap();
    let state: String = conn
        .query_row("SELECT COALESCE(group_concat(state, '|'), '') FROM records", [], |r| {
            r.get(0)
        })
        .unwrap();
    (n, state)
}

/// A household change as a device would send it.
fn household_change(clock: &ManualTime, area: &str, n: u128) -> Change {
    let h = household(n, area, "Ahmad Hidayat");
    let fields = pendamping_core::change::to_fields(&h);
    Change {
        change_id: Uuid::now_v7(),
        entity: Entity::Household,
        row_id: h.id,
        area_code: area.into(),
        hlc: Hlc {
            millis: pendamping_core::TimeSource::now_millis(clock),
            counter: n as u32,
            node: 42,
        },
        fields,
    }
}

async fn enrol(api: &Api, server: &TestServer) -> String {
    let code = server.code(Role::Cadre, &[VILLAGE]);
    let (status, v) = api
        .send(
            "/v1/devices/enroll",
            None,
            serde_json::to_vec(
                &json!({"enrollment_code": code, "device_name": "tablet", "public_key": public_key_hex()}),
            )
            .unwrap(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // It pushes hand-made changes unsigned, to meet the server's other refusals.
    server.forget_signing_key(v["device_id"].as_str().unwrap());
    v["token"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_get_clear_4xx_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<ManualTime> = clock_at(today());
    let server = TestServer::start(dir.path(), clock.clone(), |c| c.max_batch_changes = 50).await;
    let api = Api {
        http: reqwest::Client::new(),
        base: server.url(),
    };
    let token = enrol(&api, &server).await;

    // A good batch lands; replaying it adds nothing.
    let good: Vec<Change> = (0..3)
        .map(|i| household_change(&clock, VILLAGE, 1000 + i * 10))
        .collect();
    let (status, v) = api.push(&token, &good).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let first: PushResponse = serde_json::from_value(v).unwrap();
    assert_eq!((first.accepted, first.duplicates), (3, 0));
    let before = holdings(&server);
    let (_, v) = api.push(&token, &good).await;
    let replay: PushResponse = serde_json::from_value(v).unwrap();
    assert_eq!(
        (replay.accepted, replay.duplicates),
        (3, 3),
        "a replayed batch is acknowledged, not re-applied"
    );
    assert_eq!(holdings(&server), before);

    // Whole-request faults: the right status and code, and nothing stored.
    let valid_body = serde_json::to_vec(&PushRequest {
        schema_version: SCHEMA_VERSION,
        seen: 0,
        changes: vec![household_change(&clock, VILLAGE, 2000)],
        origins: Vec::new(),
        seals: Vec::new(),
    })
    .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&valid_body).unwrap();
    let gz = gz.finish().unwrap();
    // (what, token, body, content encoding, status, code)
    type Case<'a> = (&'a str, Option<&'a str>, Vec<u8>, Option<&'a str>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        ("truncated gzip", Some(&token), gz[..gz.len() / 2].to_vec(), Some("gzip"), StatusCode::BAD_REQUEST, "bad_encoding"),
        ("zstd that is not", Some(&token), b"not zstd at all".to_vec(), Some("zstd"), StatusCode::BAD_REQUEST, "bad_encoding"),
        ("unknown encoding", Some(&token), valid_body.clone(), Some("br"), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_encoding"),
        ("wrong types", Some(&token), br#"{"schema_version":"one","changes":{}}"#.to_vec(), None, StatusCode::BAD_REQUEST, "malformed"),
        ("not JSON", Some(&token), b"\xff\xfe<html>".to_vec(), None, StatusCode::BAD_REQUEST, "malformed"),
        ("a change with a bad HLC", Some(&token), br#"{"schema_version":1,"changes":[{"change_id":"0195d5a2-0000-7000-8000-000000000001","entity":"household","row_id":"0195d5a2-0000-7000-8000-000000000002","area_code":"3602012002","hlc":"tomorrow","fields":{}}]}"#.to_vec(), None, StatusCode::BAD_REQUEST, "malformed"),
        ("50 MB body", Some(&token), vec![b' '; 50 << 20], None, StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        ("no token", None, valid_body.clone(), None, StatusCode::UNAUTHORIZED, "unauthorized"),
        ("wrong token", Some("0123456789abcdef"), valid_body.clone(), None, StatusCode::UNAUTHORIZED, "unauthorized"),
        ("schema from the future", Some(&token), br#"{"schema_version":99,"changes":[{"id":"a change of version 99"}]}"#.to_vec(), None, StatusCode::CONFLICT, "schema_version"),
    ];
    for (what, tok, body, enc, status, code) in cases {
        let oversized = body.len() > 8 << 20;
        let refused_before = api.pushes_answered(413).await;
        let (got, v) = match api.try_send("/v1/sync/push", tok, body, enc).await {
            Ok(answer) => answer,
            // The server stops reading at its limit, answers 413 and closes; a client still
            // writing may see the link reset before the answer. The server's own count of
            // 413s says what it answered.
            Err(e) if oversized => {
                assert!(e.is_request(), "{what}: {e}");
                assert_eq!(
                    api.pushes_answered(413).await,
                    refused_before + 1,
                    "{what}: answered 413"
                );
                assert_eq!(holdings(&server), before, "{what}: nothing stored");
                continue;
            }
            Err(e) => panic!("{what}: the server answers: {e}"),
        };
        assert_eq!((got, code_of(&v).as_str()), (status, code), "{what}: {v}");
        assert!(
            !v["message"].as_str().unwrap_or("").is_empty(),
            "{what}: a message for people"
        );
        assert_eq!(holdings(&server), before, "{what}: nothing stored");
    }
    // A gzip bomb: 64 MB of zeros in a small body.
    let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    bomb.write_all(&vec![0u8; 64 << 20]).unwrap();
    let (got, v) = api
        .send("/v1/sync/push", Some(&token), bomb.finish().unwrap(), Some("gzip"))
        .await;
    assert_eq!(
        (got, code_of(&v).as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
    );
    // Too many changes in one batch.
    let many: Vec<Change> = (0..51)
        .map(|i| household_change(&clock, VILLAGE, 5000 + i * 10))
        .collect();
    let (got, v) = api.push(&token, &many).await;
    assert_eq!(
        (got, code_of(&v).as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "too_many_changes")
    );
    assert_eq!(holdings(&server), before);

    // Per-change faults: refused one by one with the field, quarantined, and the good
    // change in the same batch still lands.
    let mut outside = household_change(&clock, OTHER_VILLAGE, 3000);
    outside.fields.insert("area_code".into(), json!(OTHER_VILLAGE));
    let mut future = household_change(&clock, VILLAGE, 3010);
    future.hlc.millis += 365 * 86_400_000;
    let mut unknown_field = household_change(&clock, VILLAGE, 3020);
    unknown_field.fields.insert("is_admin".into(), json!(true));
    let mut bad_value = household_change(&clock, VILLAGE, 3030);
    bad_value.fields.insert("floor_area_m2".into(), json!(-5));
    let mut wrong_type = household_change(&clock, VILLAGE, 3040);
    wrong_type.fields.insert("welfare_decile".into(), json!("kaya"));
    let mut no_such_village = household_change(&clock, "3602019999", 3050);
    no_such_village.fields.insert("area_code".into(), json!("3602019999"));
    // Moving a row of this village into another one the device may not touch.
    let mut hijack = good[0].clone();
    hijack.change_id = Uuid::now_v7();
    hijack.hlc.millis += 1;
    hijack.area_code = OTHER_VILLAGE.into();
    hijack.fields = [("area_code".to_string(), json!(OTHER_VILLAGE))].into();
    let fine = household_change(&clock, VILLAGE, 3060);
    let batch = vec![
        outside,
        future,
        unknown_field,
        bad_value,
        wrong_type,
        no_such_village,
        hijack,
        fine.clone(),
    ];
    let (status, v) = api.push(&token, &batch).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let r: PushResponse = serde_json::from_value(v).unwrap();
    assert_eq!(r.accepted, 1, "{r:?}");
    let got: Vec<(String, Option<String>)> = r
        .rejected
        .iter()
        .map(|x| (x.code.as_str().to_string(), x.field.clone()))
        .collect();
    let want = [
        ("forbidden_area", Some("area_code")),
        ("clock_skew", Some("hlc")),
        ("unknown_field", Some("is_admin")),
        ("invalid", Some("floor_area_m2")),
        ("invalid", Some("welfare_decile")),
        ("unknown_area", Some("area_code")),
        ("forbidden_area", Some("area_code")),
    ];
    let want: Vec<(String, Option<String>)> = want
        .iter()
        .map(|(c, f)| (c.to_string(), f.map(str::to_string)))
        .collect();
    assert_eq!(got, want);
    let conn = server.db();
    let quarantined: i64 = conn
        .query_row("SELECT COUNT(*) FROM quarantine", [], |r| r.get(0))
        .unwrap();
    assert_eq!(quarantined, 7);
    let (n, _) = holdings(&server);
    assert_eq!(n, before.0 + 1, "only the good change was stored");
    let still_here: String = conn
        .query_row(
            "SELECT area_code FROM records WHERE entity = 'household' AND id = ?1",
            [good[0].row_id.as_bytes()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(still_here, VILLAGE, "the hijack did not move the row");
    let before = holdings(&server);

    // Pulls: a cursor the server never gave asks for a re-snapshot; bad parameters are 400.
    let (s, v) = api.get("/v1/sync/pull?since=999999", Some(&token)).await;
    assert_eq!(
        (s, code_of(&v).as_str()),
        (StatusCode::PRECONDITION_FAILED, "resnapshot")
    );
    let (s, v) = api.get("/v1/sync/pull?since=-1", Some(&token)).await;
    assert_eq!((s, code_of(&v).as_str()), (StatusCode::BAD_REQUEST, "malformed"));
    let (s, v) = api.get("/v1/sync/pull?limit=0", Some(&token)).await;
    assert_eq!((s, code_of(&v).as_str()), (StatusCode::BAD_REQUEST, "malformed"));
    let (s, v) = api.get("/v1/nothing-here", Some(&token)).await;
    assert_eq!((s, code_of(&v).as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let (s, v) = api.get("/v1/sync/pull?since=1&store=another-store", Some(&token)).await;
    assert_eq!(
        (s, code_of(&v).as_str()),
        (StatusCode::PRECONDITION_FAILED, "resnapshot")
    );

    // The relay routes: a cadre is not a hub, and bodies are checked.
    let (s, v) = api.get("/v1/hub/devices", Some(&token)).await;
    assert_eq!((s, code_of(&v).as_str()), (StatusCode::FORBIDDEN, "forbidden"));
    let (s, _) = api
        .send("/v1/hub/devices", Some(&token), br#"{"devices": []}"#.to_vec(), None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for bad in [
        &b"{"[..],
        br#"{"change_ids": ["nope"]}"#,
        br#"{"change_ids": [], "x": 1}"#,
    ] {
        let (s, v) = api.send("/v1/sync/confirm", Some(&token), bad.to_vec(), None).await;
        assert_eq!((s, code_of(&v).as_str()), (StatusCode::BAD_REQUEST, "malformed"));
    }
    let many = serde_json::to_vec(&serde_json::json!({"change_ids": vec![uuid::Uuid::nil(); 5001]})).unwrap();
    let (s, _) = api.send("/v1/sync/confirm", Some(&token), many, None).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    // Another device's change is "unknown" to this one: one device learns nothing of another's.
    let stored: Vec<u8> = server
        .db()
        .query_row("SELECT change_id FROM changes LIMIT 1", [], |r| r.get(0))
        .unwrap();
    let stored = uuid::Uuid::from_slice(&stored).unwrap();
    let ask = serde_json::to_vec(&serde_json::json!({"change_ids": [stored]})).unwrap();
    let (s, v) = api.send("/v1/sync/confirm", Some(&token), ask.clone(), None).await;
    assert_eq!((s, v["confirmed"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)));
    let other = enrol(&api, &server).await;
    let (s, v) = api.send("/v1/sync/confirm", Some(&other), ask, None).await;
    assert_eq!((s, v["confirmed"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)));
    assert_eq!(v["unknown"].as_array().map(Vec::len), Some(1));
    // Recaps: a month and an area that parse, within the caller's scope.
    for (path, want) in [
        ("/v1/recap?month=2026-13&area=3602012002", StatusCode::BAD_REQUEST),
        ("/v1/recap?month=2026-11&area=9999", StatusCode::BAD_REQUEST),
        ("/v1/recap?month=2026-11", StatusCode::BAD_REQUEST),
        ("/v1/recap?month=2026-11&area=3602", StatusCode::FORBIDDEN),
        ("/v1/recap?month=2026-11&area=36.02.01.2002", StatusCode::OK),
    ] {
        assert_eq!(api.get(path, Some(&token)).await.0, want, "{path}");
    }
    assert_eq!(api.get("/v1/nik-digest", None).await.0, StatusCode::UNAUTHORIZED);

    // Enrollment codes: once only, and not after they expire.
    let code = server.code(Role::Cadre, &[VILLAGE]);
    let enroll = |code: &str| {
        serde_json::to_vec(&json!({"enrollment_code": code, "device_name": "hp", "public_key": public_key_hex()}))
            .unwrap()
    };
    assert_eq!(
        api.send("/v1/devices/enroll", None, enroll(&code), None).await.0,
        StatusCode::OK
    );
    let (s, v) = api.send("/v1/devices/enroll", None, enroll(&code), None).await;
    assert_eq!(
        (s, code_of(&v).as_str()),
        (StatusCode::CONFLICT, "enrollment_code_used")
    );
    let (s, v) = api
        .send("/v1/devices/enroll", None, enroll("AAAA-BBBB-CCCC"), None)
        .await;
    assert_eq!(
        (s, code_of(&v).as_str()),
        (StatusCode::UNAUTHORIZED, "bad_enrollment_code")
    );
    let (s, v) = api
        .send("/v1/devices/enroll", None, br#"{"enrollment_code": 5}"#.to_vec(), None)
        .await;
    assert_eq!((s, code_of(&v).as_str()), (StatusCode::BAD_REQUEST, "malformed"));
    let late = server.code(Role::Cadre, &[VILLAGE]);
    clock.advance(2 * 3_600_000);
    let (s, v) = api.send("/v1/devices/enroll", None, enroll(&late), None).await;
    assert_eq!(
        (s, code_of(&v).as_str()),
        (StatusCode::UNAUTHORIZED, "enrollment_code_expired")
    );

    // Tokens: expired after their lifetime, refused at once when revoked.
    clock.advance(366 * 86_400_000);
    let (s, v) = api.push(&token, &[household_change(&clock, VILLAGE, 4000)]).await;
    assert_eq!((s, code_of(&v).as_str()), (StatusCode::UNAUTHORIZED, "token_expired"));
    clock.set(millis_at(today()));
    let device: String = conn
        .query_row("SELECT id FROM devices ORDER BY enrolled_at LIMIT 1", [], |r| r.get(0))
        .unwrap();
    server.admin().revoke(&device, 1).unwrap();
    let (s, v) = api.push(&token, &[household_change(&clock, VILLAGE, 4010)]).await;
    assert_eq!((s, code_of(&v).as_str()), (StatusCode::UNAUTHORIZED, "revoked"));
    let (s, v) = api.get("/v1/sync/pull", Some(&token)).await;
    assert_eq!((s, code_of(&v).as_str()), (StatusCode::UNAUTHORIZED, "revoked"));
    assert_eq!(holdings(&server), before, "nothing changed by any of it");

    // The server is still well, and counted all of it.
    let (s, v) = api.get("/health", None).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("ok")));
    let metrics = api.metrics().await;
    assert!(
        metrics.contains("pendamping_changes_rejected_total{code=\"forbidden_area\"} 2"),
        "{metrics}"
    );
    assert!(metrics.contains("route=\"/v1/sync/push\",status=\"413\""));
    server.stop().await;
}
