//! What a server or hub hands a device is checked like data from anywhere else: a rules
//! file with a threshold that is not a number, thresholds the wrong way round or an older
//! version is refused and the device keeps its rules (and its sync goes on); a pull page
//! with a change of an impossible shape is refused whole, before any of it touches the
//! store. The upstream here is a stand-in that serves whatever the test tells it to.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::routing::get;
use pendamping_core::rules::SHIPPED;
use pendamping_protocol::{PullResponse, RulesResponse, Scope};
use pendamping_tests::net::fast_options;
use pendamping_tests::*;
use serde_json::Value;

/// What the stand-in serves: one pull page, and a rules file.
#[derive(Clone, Default)]
struct Serving {
    page: Arc<Mutex<Value>>,
    rules: Arc<Mutex<(String, String)>>,
}

async fn upstream(serving: Serving) -> String {
    let (page, rules) = (serving.page.clone(), serving.rules.clone());
    let app = axum::Router::new()
        .route(
            "/v1/sync/pull",
            get(move || async move { Json(page.lock().unwrap().clone()) }),
        )
        .route(
            "/v1/rules",
            get(move || async move {
                let (version, toml) = rules.lock().unwrap().clone();
                Json(RulesResponse {
                    version,
                    toml: Some(toml),
                })
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn page(changes: Vec<pendamping_core::Change>, rules: &str) -> Value {
    serde_json::to_value(PullResponse {
        changes,
        next: 7,
        more: false,
        remaining: Some(0),
        rules: Some(rules.into()),
        store: "stand-in".into(),
        origins: Vec::new(),
        digest: None,
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_checks_the_rules_and_pages_its_upstream_hands_it() {
    let serving = Serving::default();
    let url = upstream(serving.clone()).await;
    let mut device = store_at(d(2026, 11, 23));
    let scope = Scope::new(pendamping_protocol::Role::Cadre, &[VILLAGE]).unwrap();
    for (k, v) in [
        (pendamping_sync::keys::SERVER, url.as_str()),
        (pendamping_sync::keys::TOKEN, "a-token"),
        (pendamping_sync::keys::DEVICE_ID, "0193a0a0-0000-7000-8000-000000000001"),
    ] {
        device.set_setting(k, v).unwrap();
    }
    device
        .set_setting(pendamping_sync::keys::SCOPE, &serde_json::to_string(&scope).unwrap())
        .unwrap();
    let held = device.rules().clone();
    let mut maker = store_at(d(2026, 11, 23));
    maker.save_household(&household(1, VILLAGE, "Ahmad")).unwrap();
    let good = maker.outbox(10).unwrap();

    // Rules that are not rules: each refused, the device's kept, its sync not stopped.
    let bad_rules = [
        (
            "2026.12-1",
            SHIPPED.replacen("hb_pregnant_below = 11.0", "hb_pregnant_below = nan", 1),
        ),
        (
            "2026.12-2",
            SHIPPED.replacen("muac_sam_below = 11.5", "muac_sam_below = 13.5", 1),
        ),
        (
            "2025.1-1",
            SHIPPED.replacen("version = \"2026.11-1\"", "version = \"2025.1-1\"", 1),
        ),
    ];
    for (version, toml) in bad_rules {
        let toml = toml.replacen("version = \"2026.11-1\"", &format!("version = \"{version}\""), 1);
        *serving.rules.lock().unwrap() = (version.into(), toml);
        *serving.page.lock().unwrap() = page(good.clone(), version);
        pendamping_sync::sync(&mut device, &fast_options(), &mut |_| {})
            .await
            .unwrap_or_else(|e| panic!("{version}: the sync goes on: {e}"));
        assert_eq!(device.rules(), &held, "{version}: the rules held are kept");
    }
    assert_eq!(device.households_in(&at(VILLAGE), 0, 10).unwrap().len(), 1);

    // A page with a change nested past what the log's door lets in: refused whole.
    let mut other = store_at(d(2026, 11, 23));
    other.save_household(&household(2, VILLAGE, "Budi")).unwrap();
    let mut changes = other.outbox(10).unwrap();
    let deep = (0..40).fold(serde_json::json!(1), |v, _| Value::Array(vec![v]));
    changes[0].fields.insert("address".into(), deep);
    let cursor = device.pull_cursor().unwrap();
    *serving.page.lock().unwrap() = page(changes, &held.version);
    let refused = pendamping_sync::sync(&mut device, &fast_options(), &mut |_| {}).await;
    assert!(
        matches!(refused, Err(pendamping_sync::SyncError::BadAnswer(_))),
        "{refused:?}"
    );
    assert_eq!(
        device.households_in(&at(VILLAGE), 0, 10).unwrap().len(),
        1,
        "nothing of it applied"
    );
    assert_eq!(device.pull_cursor().unwrap(), cursor, "the cursor did not move");

    // A good file, a later version: taken.
    let later = SHIPPED.replacen("version = \"2026.11-1\"", "version = \"2026.12-9\"", 1);
    *serving.rules.lock().unwrap() = ("2026.12-9".into(), later);
    *serving.page.lock().unwrap() = page(good, "2026.12-9");
    pendamping_sync::sync(&mut device, &fast_options(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(device.rules().version, "2026.12-9");
}
