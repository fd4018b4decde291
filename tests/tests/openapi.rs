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

#[test]
fn every_error_code_is_documented() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/openapi.yaml")).unwrap();
    let source = include_str!("../../crates/protocol/src/lib.rs");
    let codes: Vec<&str> = source
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub const "))
        .filter(|l| l.contains(": &str = \""))
        .filter_map(|l| l.split('"').nth(1))
        .collect();
    assert!(codes.len() >= 15, "{codes:?}");
    for code in codes {
        assert!(text.contains(code), "error code {code:?} is not in openapi.yaml");
    }
}
