//! schema/openapi.yaml describes the server's router: the same routes, and every error
//! code the server can answer with.

use std::collections::BTreeSet;

use serde_yaml_ng::Value;

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/openapi.yaml")).unwrap();
    serde_yaml_ng::from_str(&text).expect("openapi.yaml parses")
}

#[test]
fn the_spec_lists_exactly_the_routes_of_the_router() {
    let spec = spec();
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_mapping().expect("paths") {
        for (method, _) in item.as_mapping().expect("path item") {
            let m = method.as_str().unwrap().to_uppercase();
            if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()) {
                documented.insert((m, path.as_str().unwrap().to_string()));
            }
        }
    }
    let served: BTreeSet<(String, String)> = pendamping_server::routes()
        .into_iter()
        .map(|(m, p)| (m.as_str().to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, served);
}

/// The `enum` of a schema's `code` property, as the spec spells it.
fn documented_codes(schema: &str) -> BTreeSet<String> {
    let codes = &spec()["components"]["schemas"][schema]["properties"]["code"]["enum"];
    let codes = codes
        .as_sequence()
        .unwrap_or_else(|| panic!("{schema}.code has an enum"));
    codes
        .iter()
        .map(|c| c.as_str().expect("a code is a string").to_string())
        .collect()
}

#[test]
fn the_spec_lists_exactly_the_error_and_rejection_codes() {
    use pendamping_protocol::{ErrorCode, RejectCode};
    let errors: BTreeSet<String> = ErrorCode::ALL.iter().map(|c| c.as_str().to_string()).collect();
    assert_eq!(documented_codes("Error"), errors);
    let rejections: BTreeSet<String> = RejectCode::ALL.iter().map(|c| c.as_str().to_string()).collect();
    assert_eq!(documented_codes("Rejection"), rejections);
}

/// What the spec says a request or an answer looks like, checked by an independent JSON
/// Schema validator (OpenAPI 3.1 schemas are JSON Schema 2020-12): the spec's own
/// `$ref`s resolve against the whole document.
struct Spec(serde_json::Value);

impl Spec {
    fn load() -> Spec {
        Spec(serde_json::to_value(spec()).unwrap())
    }

    /// Where `pointer` leads once its `$ref` is followed.
    fn resolve(&self, pointer: &str) -> String {
        let node = self
            .0
            .pointer(pointer)
            .unwrap_or_else(|| panic!("{pointer} is in the spec"));
        match node.get("$ref").and_then(|r| r.as_str()) {
            Some(r) => self.resolve(r.trim_start_matches('#')),
            None => pointer.to_string(),
        }
    }

    fn validator(&self, pointer: &str) -> jsonschema::Validator {
        let mut root = self.0.clone();
        root["$ref"] = serde_json::Value::String(format!("#{pointer}"));
        jsonschema::validator_for(&root).expect("a valid schema")
    }

    fn operation(path: &str, method: &str) -> String {
        format!("/paths/{}/{method}", path.replace('~', "~0").replace('/', "~1"))
    }

    fn request_ok(&self, path: &str, method: &str, body: &serde_json::Value) -> bool {
        let op = Spec::operation(path, method);
        self.validator(&format!("{op}/requestBody/content/application~1json/schema"))
            .is_valid(body)
    }

    /// The answer's status is documented for the operation and its body matches.
    fn check_answer(&self, path: &str, method: &str, status: u16, body: &serde_json::Value) {
        let op = Spec::operation(path, method);
        let response = format!("{op}/responses/{status}");
        assert!(
            self.0.pointer(&response).is_some(),
            "{method} {path} answered {status}, which the spec does not list: {body}"
        );
        let schema = format!("{}/content/application~1json/schema", self.resolve(&response));
        if self.0.pointer(&schema).is_none() {
            return;
        }
        let errors: Vec<String> = self
            .validator(&schema)
            .iter_errors(body)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {path} {status} does not match the spec: {errors:?}\n{body}"
        );
    }
}

/// Requests the spec allows are answered as it says; requests it forbids get a 4xx it lists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_answers_as_the_spec_says_checked_by_an_independent_validator() {
    use pendamping_tests::net::TestServer;
    use pendamping_tests::*;
    use serde_json::{Value, json};
    let spec = Spec::load();
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(d(2026, 11, 23)), |_| {}).await;
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", server.url());
    let send = |req: reqwest::RequestBuilder| async move {
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json::<Value>().await.unwrap_or(Value::Null))
    };

    let enroll = json!({
        "enrollment_code": server.code(pendamping_protocol::Role::Cadre, &[VILLAGE]),
        "device_name": "tablet",
        "public_key": pendamping_tests::net::public_key_hex(),
    });
    assert!(spec.request_ok("/v1/devices/enroll", "post", &enroll));
    let (status, v) = send(http.post(url("/v1/devices/enroll")).json(&enroll)).await;
    spec.check_answer("/v1/devices/enroll", "post", status, &v);
    let token = v["token"].as_str().unwrap().to_string();
    // Pushed unsigned below, to see the server's other refusals.
    server.forget_signing_key(v["device_id"].as_str().unwrap());
    let (status, v) = send(http.post(url("/v1/devices/enroll")).json(&enroll)).await;
    assert_eq!(
        (status, v["code"].as_str()),
        (409, Some("enrollment_code_used")),
        "a used code"
    );
    spec.check_answer("/v1/devices/enroll", "post", status, &v);

    // A device's real changes, and changes the spec allows that the server refuses one by one.
    let mut device = store_at(d(2026, 11, 23));
    family_with_child(&mut device, 100, VILLAGE, d(2025, 5, 1));
    let mut changes = serde_json::to_value(device.outbox(100).unwrap()).unwrap();
    let mut odd = changes[0].clone();
    odd["change_id"] = json!("0195d5a2-0000-7000-8000-00000000aaaa");
    odd["area_code"] = json!("abc");
    let mut unknown = changes[0].clone();
    unknown["change_id"] = json!("0195d5a2-0000-7000-8000-00000000bbbb");
    unknown["fields"]["colour"] = json!("blue");
    changes.as_array_mut().unwrap().extend([odd, unknown]);
    let push = json!({"schema_version": 1, "seen": 0, "changes": changes});
    assert!(
        spec.request_ok("/v1/sync/push", "post", &push),
        "the spec allows this push"
    );
    let (status, v) = send(http.post(url("/v1/sync/push")).bearer_auth(&token).json(&push)).await;
    assert_eq!(status, 200, "{v}");
    spec.check_answer("/v1/sync/push", "post", status, &v);
    let codes: Vec<&str> = v["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["unknown_area", "unknown_field"]);

    // Pushes the spec forbids: each gets a 4xx the spec lists.
    let forbidden = [
        json!({"schema_version": 2, "changes": []}),
        json!({"schema_version": 1, "changes": [{"change_id": "x"}]}),
        json!({"schema_version": 1}),
        json!({"schema_version": 1, "changes": [{"change_id": "0195d5a2-0000-7000-8000-000000000001", "entity": "cat",
            "row_id": "0195d5a2-0000-7000-8000-000000000002", "area_code": "3602012002", "hlc": "soon", "fields": {}}]}),
    ];
    for body in forbidden {
        assert!(
            !spec.request_ok("/v1/sync/push", "post", &body),
            "the spec forbids {body}"
        );
        let (status, v) = send(http.post(url("/v1/sync/push")).bearer_auth(&token).json(&body)).await;
        assert!((400..500).contains(&status), "{body} answered {status}");
        spec.check_answer("/v1/sync/push", "post", status, &v);
    }
    let (status, v) = send(http.post(url("/v1/sync/push")).json(&push)).await;
    spec.check_answer("/v1/sync/push", "post", status, &v);
    assert_eq!(status, 401);

    for path in [
        "/v1/sync/pull?since=0&limit=2",
        "/v1/sync/pull",
        "/v1/sync/pull?limit=0",
        "/v1/sync/pull?since=-1",
    ] {
        let (status, v) = send(http.get(url(path)).bearer_auth(&token)).await;
        spec.check_answer("/v1/sync/pull", "get", status, &v);
    }
    let (status, v) = send(http.get(url("/v1/rules?have=x")).bearer_auth(&token)).await;
    spec.check_answer("/v1/rules", "get", status, &v);
    let (status, v) = send(http.get(url("/health"))).await;
    spec.check_answer("/health", "get", status, &v);
    server.stop().await;
}
