//! 10,000 generated hostile requests over every route of `schema/openapi.yaml` and every
//! page of the dashboard: hostile methods, paths, query strings, headers, encodings and
//! bodies (deep, huge, odd unicode, keys given twice), with no token, a garbage one, a
//! revoked one, a valid one, and a dashboard session. None may get a 5xx or break the connection, and the server's data
//! must be as it was afterwards. Seeded: a failure names the request that found it.

use std::io::Write;

use pendamping_protocol::Role;
use pendamping_tests::net::TestServer;
use pendamping_tests::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

const REQUESTS: usize = 10_000;

/// Every (method, path) the spec lists, with `{…}` parameters filled with junk later.
fn routes() -> Vec<(String, String)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/openapi.yaml");
    let spec: serde_yaml_ng::Value = serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_mapping().expect("paths") {
        for (method, _) in item.as_mapping().expect("methods") {
            let m = method.as_str().unwrap().to_uppercase();
            if ["GET", "POST", "PUT", "DELETE", "PATCH"].contains(&m.as_str()) {
                out.push((m, path.as_str().unwrap().to_string()));
            }
        }
    }
    assert!(out.len() >= 10, "the spec's routes: {out:?}");
    // The dashboard's pages and files are not in the spec: the server's own table of them.
    let pages = pendamping_server::dashboard::paths();
    assert!(pages.len() >= 10, "the dashboard's routes: {pages:?}");
    out.extend(pages.into_iter().map(|(m, p)| (m.to_string(), p.to_string())));
    out
}

/// A query string of the parameters the routes read (and some they do not), each with a
/// value from the edges: huge, negative, odd unicode, repeated, percent-encoded junk.
fn hostile_query(rng: &mut StdRng) -> String {
    let names = [
        "since", "limit", "store", "have", "month", "area", "page", "chart", "format", "list", "x",
    ];
    let values = [
        "-1".to_string(),
        u64::MAX.to_string(),
        "9".repeat(400),
        "2026-13".into(),
        "0000-00".into(),
        "36.02.01.2002".into(),
        "3602%0A".into(),
        "%F0%9F%98%80%E2%80%AE%00".into(),
        "e%CC%81".repeat(500),
        "%ED%A0%80".into(),
        "xlsx".into(),
        "pdf".into(),
        "".into(),
        "%".into(),
    ];
    let n = rng.random_range(1..6);
    let pairs: Vec<String> = (0..n)
        .map(|_| {
            format!(
                "{}={}",
                names[rng.random_range(0..names.len())],
                values[rng.random_range(0..values.len())]
            )
        })
        .collect();
    format!("?{}", pairs.join("&"))
}

/// Everything the server holds that a request could change: the log, the merged records,
/// devices and their tokens, codes, accounts, quarantine aside.
fn holdings(server: &TestServer) -> String {
    let conn = server.db();
    let q = |sql: &str| -> String { conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap_or_default() };
    [
        q("SELECT COUNT(*) || ':' || COALESCE(MAX(seq), 0) FROM changes"),
        q("SELECT COALESCE(group_concat(state, '|'), '') FROM records"),
        q("SELECT COALESCE(group_concat(id || hex(token_hash) || COALESCE(revoked_at, ''), '|'), '') FROM devices"),
        q("SELECT COALESCE(group_concat(hex(code_hash) || COALESCE(used_at, ''), '|'), '') FROM enrollment_codes"),
        q("SELECT COALESCE(group_concat(hex(code_hash) || COALESCE(used_at, ''), '|'), '') FROM recovery_codes"),
        q("SELECT COALESCE(group_concat(name || hash, '|'), '') FROM accounts"),
    ]
    .join("\n")
}

/// A JSON value of any shape, sometimes deep or huge.
fn junk_json(rng: &mut StdRng, depth: u32) -> Value {
    match rng.random_range(0..9) {
        0 => Value::Null,
        1 => json!(rng.random::<bool>()),
        2 => json!(rng.random::<i64>()),
        3 => json!(f64::MAX * if rng.random() { 1.0 } else { -1.0 }),
        4 => json!(
            ["x", "é", "e\u{301}", "\u{10FFFF}", "\u{202e}", "\u{0}", "𝔸"][rng.random_range(0..7)]
                .repeat(rng.random_range(0..20_000))
        ),
        5 => json!("\u{0}\u{202e}'; DROP TABLE changes; --"),
        6 if depth < 6 => Value::Array((0..rng.random_range(0..5)).map(|_| junk_json(rng, depth + 1)).collect()),
        7 if depth < 6 => {
            let keys = [
                "schema_version",
                "changes",
                "seen",
                "origins",
                "enrollment_code",
                "device_name",
                "ids",
                "device_id",
                "recovery_code",
                "sealed",
                "reply_to",
                "fields",
                "hlc",
                "entity",
                "area_code",
            ];
            Value::Object(
                (0..rng.random_range(0..6))
                    .map(|_| {
                        (
                            keys[rng.random_range(0..keys.len())].to_string(),
                            junk_json(rng, depth + 1),
                        )
                    })
                    .collect(),
            )
        }
        _ => json!(rng.random_range(-3i64..5)),
    }
}

/// A body no server may take as a valid request: junk bytes, JSON of the wrong shape, a
/// valid request cut short, or nesting far too deep.
fn hostile_body(rng: &mut StdRng, valid: &[u8]) -> Vec<u8> {
    match rng.random_range(0..8) {
        // JSON text no `Value` can hold: a lone surrogate, a key given twice.
        6 => br#"{"schema_version":1,"device_name":"\ud800","changes":[],"changes":[{}]}"#.to_vec(),
        7 => br#"{"name":"sari","name":"\udfff","password":"x"}"#.to_vec(),
        0 => (0..rng.random_range(0..512)).map(|_| rng.random::<u8>()).collect(),
        1 => serde_json::to_vec(&junk_json(rng, 0)).unwrap(),
        2 => valid[..rng.random_range(0..valid.len())].to_vec(),
        3 => {
            let n = rng.random_range(100..20_000);
            format!("{}{}", "[".repeat(n), "]".repeat(n)).into_bytes()
        }
        4 => Vec::new(),
        _ => {
            // The valid request with one required field of the wrong type.
            let mut v: Value = serde_json::from_slice(valid).unwrap();
            v["schema_version"] = json!("satu");
            serde_json::to_vec(&v).unwrap()
        }
    }
}

fn encode(rng: &mut StdRng, body: Vec<u8>) -> (Vec<u8>, Option<&'static str>) {
    match rng.random_range(0..6) {
        0 => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&body).unwrap();
            (gz.finish().unwrap(), Some("gzip"))
        }
        1 => (zstd::encode_all(&body[..], 1).unwrap(), Some("zstd")),
        // Says compressed, is not.
        2 => (body, Some(if rng.random() { "gzip" } else { "zstd" })),
        3 => (
            body,
            Some(["br", "deflate", "identity, gzip", "x-junk", ""][rng.random_range(0..5)]),
        ),
        _ => (body, None),
    }
}

/// A dashboard session of the admin account: the `Cookie` header's value.
async fn log_in(http: &reqwest::Client, url: &str) -> String {
    let resp = http
        .post(format!("{url}/dashboard/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=admin&password=rahasia-sekali")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::SEE_OTHER, "the admin logs in");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_generated_hostile_requests_get_no_5xx_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(d(2026, 11, 23));
    let server = TestServer::start(dir.path(), clock.clone(), |_| {}).await;
    let url = server.url();
    // A new connection per request: a kept-alive one the server closed after an early
    // answer would fail the next request as "incomplete" with no fault of the server, and
    // hide a real one.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    // A good device with data on the server, a revoked one, and an admin account.
    let mut tablet = net::enrolled_device(&server, clock.clone(), Role::Cadre, &[VILLAGE]).await;
    family_with_child(&mut tablet, 1, VILLAGE, d(2025, 6, 1));
    net::sync(&mut tablet).await;
    let token = tablet.setting(pendamping_sync::keys::TOKEN).unwrap().unwrap();
    let revoked = net::enrolled_device(&server, clock.clone(), Role::Cadre, &[VILLAGE]).await;
    let revoked_token = revoked.setting(pendamping_sync::keys::TOKEN).unwrap().unwrap();
    let revoked_id = revoked.setting(pendamping_sync::keys::DEVICE_ID).unwrap().unwrap();
    server.admin().revoke(&revoked_id, 0).unwrap();
    server
        .admin()
        .add_account(
            "admin",
            pendamping_server::accounts::AccountRole::Admin,
            &["3602"],
            "rahasia-sekali",
            1,
        )
        .unwrap();
    let valid = serde_json::to_vec(&json!({
        "schema_version": pendamping_protocol::SCHEMA_VERSION,
        "seen": 0,
        "changes": [],
        "enrollment_code": "ABCD-EFGH-JKMN",
        "device_name": "tablet",
        "ids": [uuid::Uuid::now_v7()],
    }))
    .unwrap();
    let before = holdings(&server);

    let mut session = String::new();
    let routes = routes();
    let mut rng = StdRng::seed_from_u64(16);
    let mut by_status = std::collections::BTreeMap::<u16, usize>::new();
    for n in 0..REQUESTS {
        // The address's rate limits open again every 200 requests: most requests reach the
        // parsers, some reach the limits.
        if n % 200 == 0 {
            clock.advance(10 * 60_000);
            session = log_in(&http, &url).await;
        }
        let (method, path) = &routes[rng.random_range(0..routes.len())];
        let path = path.replace(
            "{list}",
            ["stunted", "../../etc/passwd", "%00", "x".repeat(300).as_str()][rng.random_range(0..4)],
        );
        let mut path = path.replace("{code}", ["id", "en", "xx", "%00", "../"][rng.random_range(0..5)]);
        match rng.random_range(0..6) {
            0 | 1 | 3 => path.push_str(&hostile_query(&mut rng)),
            2 => path.push_str("/%2e%2e/%2e%2e"),
            _ => {}
        }
        let method = if rng.random_range(0..8) == 0 {
            ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"][rng.random_range(0..5)].to_string()
        } else {
            method.clone()
        };
        let body = hostile_body(&mut rng, &valid);
        let (body, enc) = encode(&mut rng, body);
        let mut req = http.request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{url}{path}"),
        );
        match rng.random_range(0..5) {
            0 => {}
            1 => req = req.bearer_auth(&token),
            2 => req = req.bearer_auth(&revoked_token),
            3 => {
                req = req.header(
                    "authorization",
                    ["Bearer ", "Basic YWRtaW46YWRtaW4=", "Bearer \u{7f}", "bearer x y z"][rng.random_range(0..4)]
                        .replace('\u{7f}', "%7f"),
                )
            }
            4 => {
                req = req.header(
                    "cookie",
                    format!("pendamping_sesi={}", "ab".repeat(rng.random_range(0..64))),
                )
            }
            // A dashboard session of the district's admin: the pages' own parsers are reached.
            _ => req = req.header("cookie", &session),
        }
        if let Some(e) = enc {
            req = req.header("content-encoding", e);
        }
        let media = [
            "application/json",
            "application/x-pendamping-batch",
            "text/html",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ];
        req = req.header("content-type", media[rng.random_range(0..media.len())]);
        if rng.random_range(0..10) == 0 {
            req = req
                .header("accept-encoding", "zstd, gzip;q=0, *;q=2")
                .header("x-pendamping-rules", "\u{fffd}".repeat(2).replace('\u{fffd}', "?"));
        }
        let resp = match req.body(body).send().await {
            Ok(r) => r,
            // The server answered (and closed) before reading all of a body it did not
            // want: the client's write fails. A server that died mid-request would give
            // an incomplete answer instead, which fails here.
            Err(e) if format!("{e:?}").contains("BodyWrite") => {
                *by_status.entry(0).or_default() += 1;
                continue;
            }
            Err(e) => panic!("request {n} ({method} {path}): no answer: {e:?}"),
        };
        let status = resp.status();
        assert!(
            !status.is_server_error(),
            "request {n} ({method} {path}, {enc:?}): {status}"
        );
        *by_status.entry(status.as_u16()).or_default() += 1;
    }
    assert_eq!(
        holdings(&server),
        before,
        "10,000 hostile requests changed the server's data"
    );
    // The good device still syncs once the address's window of refused tokens is over
    // (thousands of bad tokens came from this one address): the server is well after it all.
    assert!(by_status.contains_key(&429), "the refused tokens were rate limited");
    clock.advance(10 * 60_000);
    family_with_child(&mut tablet, 100, VILLAGE, d(2025, 7, 1));
    assert!(net::sync(&mut tablet).await.pushed >= 4);
    let answered: Vec<String> = by_status
        .iter()
        .map(|(s, n)| {
            if *s == 0 {
                format!("closed before the body was read: {n}")
            } else {
                format!("{s}: {n}")
            }
        })
        .collect();
    println!("{REQUESTS} hostile requests answered {}", answered.join(", "));
    assert!(by_status.keys().all(|s| *s == 0 || (200..500).contains(s)));
    server.stop().await;
}
