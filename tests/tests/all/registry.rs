//! The device registry a hub and the centre exchange: what a hub hands up passes the
//! checks of an enrolment at the centre (a scope of its role's level, codes from the
//! Kemendagri list, within the hub's own scope), each device taken or refused is in the
//! audit log, one bad row never stops the registry's answer, and a revocation made at a
//! hub reaches the centre and wins everywhere.

use pendamping_core::area::AreaCode;
use pendamping_protocol::{HubDevice, HubDevices, Refused, Role, Scope};
use pendamping_tests::net::*;
use pendamping_tests::*;
use reqwest::StatusCode;

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

fn device(n: u8, role: Role, codes: &[&str]) -> HubDevice {
    HubDevice {
        id: format!("0193a0a0-0000-7000-8000-0000000000{n:02}"),
        name: format!("tablet {n}"),
        user_name: "kader".into(),
        // As a hub could send it: codes of the right form, whatever their level or existence.
        scope: Scope {
            role,
            areas: codes
                .iter()
                .map(|c| AreaCode::parse(c).expect("a code of a level's length"))
                .collect(),
        },
        token_hash: format!("{n:02}").repeat(32),
        enrolled_at: 0,
        expires_at: i64::MAX / 2,
        revoked_at: None,
        // Every device since signing registers the key it signs with.
        public_key: Some(pendamping_vault::DeviceKey::generate().unwrap().public()),
    }
}

fn audited(server: &TestServer, action: &str) -> Vec<String> {
    let conn = server.db();
    let mut stmt = conn
        .prepare("SELECT subject FROM audit WHERE action = ?1 ORDER BY seq")
        .unwrap();
    stmt.query_map([action], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_hands_up_only_well_formed_devices_and_each_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let centre = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let http = reqwest::Client::new();
    let hub = centre.enrol_by_hand(Role::Plkb, &[KECAMATAN], "hub").await;
    let good = device(1, Role::Cadre, &[VILLAGE]);
    let handed = vec![
        good.clone(),
        device(2, Role::Cadre, &[KECAMATAN]),
        device(3, Role::Cadre, &["3602019999"]),
        device(4, Role::Cadre, &["3602022002"]),
        device(5, Role::Admin, &[KABUPATEN]),
        HubDevice {
            token_hash: "not hex".into(),
            ..device(6, Role::Cadre, &[VILLAGE])
        },
        HubDevice {
            id: "not a uuid".into(),
            ..device(7, Role::Cadre, &[VILLAGE])
        },
        // A new device with no key would push unsigned: a hub cannot mint one.
        HubDevice {
            public_key: None,
            ..device(8, Role::Cadre, &[VILLAGE])
        },
    ];
    let resp = http
        .post(format!("{}/v1/hub/devices", centre.url()))
        .bearer_auth(&hub.token)
        .json(&HubDevices {
            devices: handed.clone(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let refused: Refused = resp.json().await.unwrap();
    let expected: Vec<String> = handed[1..].iter().map(|d| d.id.clone()).collect();
    assert_eq!(refused.refused, expected);
    assert_eq!(audited(&centre, "hub_device_taken"), vec![good.id.clone()]);
    assert_eq!(audited(&centre, "hub_device_refused"), expected);

    // A row an earlier version let in with a scope no reader takes: the registry's answer
    // leaves it out and answers every hub.
    centre
        .db()
        .execute(
            "INSERT INTO devices (id, name, user_name, role, scope, token_hash, enrolled_at, expires_at, home) \
             VALUES ('0193a0a0-0000-7000-8000-0000000000ff', 'old', 'x', 'cadre', '360201', x'ff', 0, 0, 'here')",
            [],
        )
        .unwrap();
    let listed = http
        .get(format!("{}/v1/hub/devices", centre.url()))
        .bearer_auth(&hub.token)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    let listed: HubDevices = listed.json().await.unwrap();
    let ids: Vec<&str> = listed.devices.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, vec![good.id.as_str()]);
    centre.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_made_at_a_hub_reaches_the_centre_and_survives_the_next_sync() {
    let dir = tempfile::tempdir().unwrap();
    let (centre, hub) = TestServer::centre_and_hub(dir.path(), today()).await;
    let mut tablet = enrolled_device(&hub, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    let id = pendamping_sync::status(&tablet).unwrap().device_id.unwrap();
    sync(&mut tablet).await;
    hub.relay().await.expect("the hub hands the tablet up");
    let revoked_at = |server: &TestServer| -> Option<i64> {
        server
            .db()
            .query_row("SELECT revoked_at FROM devices WHERE id = ?1", [&id], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(revoked_at(&centre), None);

    // The PLKB revokes a lost tablet at the hub.
    hub.admin().revoke(&id, 1_000).unwrap();
    for round in 0..3 {
        hub.relay().await.expect("an upstream sync");
        assert!(revoked_at(&hub).is_some(), "round {round}: still revoked at the hub");
        assert!(revoked_at(&centre).is_some(), "round {round}: revoked at the centre");
    }
    assert_eq!(audited(&centre, "revoked"), vec![id.clone()]);
    // Neither the hub nor the centre takes the tablet's token any more.
    let err = pendamping_sync::sync(&mut tablet, &fast_options(), &mut |_| {}).await;
    assert!(err.is_err(), "the hub refuses a revoked tablet");
    let token = tablet.setting(pendamping_sync::keys::TOKEN).unwrap().unwrap();
    let at_centre = reqwest::Client::new()
        .get(format!("{}/v1/sync/pull", centre.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(at_centre.status(), StatusCode::UNAUTHORIZED);
    hub.stop().await;
    centre.stop().await;
}
