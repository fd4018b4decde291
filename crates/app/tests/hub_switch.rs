//! The PLKB hub switch as the app's Hub screen drives it: enrol with the centre, serve a
//! tablet over the LAN address, make its code, forward its work to the centre, stop, and
//! start again with the app.

use std::time::Duration;

use pendamping_app::hub::{Hub, HubScreen, HubStart};
use pendamping_protocol::Role;
use pendamping_store::DataKey;
use pendamping_tests::net::*;
use pendamping_tests::*;

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn form(upstream: &str, code: Option<&str>, port: u16) -> HubStart {
    HubStart {
        upstream: upstream.to_string(),
        code: code.map(str::to_string),
        name: "Hub PLKB Malingping".into(),
        port,
    }
}

/// Waits until the hub's screen satisfies `done` (the upstream sync runs in the background).
async fn until(hub: &Hub, done: impl Fn(&HubScreen) -> bool) -> HubScreen {
    for _ in 0..100 {
        let s = hub.screen().await.unwrap();
        if done(&s) {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the hub never got there: {:?}", hub.screen().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_laptop_becomes_the_hub_serves_a_tablet_and_forwards_its_work_to_the_centre() {
    let dir = tempfile::tempdir().unwrap();
    let centre = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let laptop = dir.path().join("laptop");
    std::fs::create_dir_all(&laptop).unwrap();
    let hub = Hub::with_time(&laptop, clock_at(today()));
    let port = free_port();

    let off = hub.screen().await.unwrap();
    assert!(!off.running && !off.enrolled, "{off:?}");
    // The hub's store is encrypted under a key derived from the laptop's: none before a
    // member is in.
    let plkb = centre.code(Role::Plkb, &[KECAMATAN]);
    let e = hub.start(form(&centre.url(), Some(&plkb), port)).await.unwrap_err();
    assert_eq!(e.code, "locked", "{e:?}");
    let laptop_key = DataKey::random().unwrap();
    hub.unlock(&laptop_key);

    // What the PLKB can get wrong is named by field, and nothing starts.
    let e = hub
        .start(form("pendamping.lebakkab.go.id", Some("X"), port))
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("upstream"));
    let e = hub.start(form(&centre.url(), None, port)).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("code"), "the first start needs the PLKB code");
    let e = hub
        .start(form(&centre.url(), Some("ABCD-EFGH-JKMN"), port))
        .await
        .unwrap_err();
    assert_eq!(e.code, "bad_enrollment_code", "{e:?}");
    let cadre_code = centre.code(Role::Cadre, &[VILLAGE]);
    let e = hub
        .start(form(&centre.url(), Some(&cadre_code), port))
        .await
        .unwrap_err();
    assert_eq!(e.code, "forbidden", "a cadre's code cannot make a hub: {e:?}");
    assert!(!hub.screen().await.unwrap().running);

    let on = hub.start(form(&centre.url(), Some(&plkb), port)).await.unwrap();
    assert!(on.running && on.enrolled, "{on:?}");
    assert_eq!(
        on.scope,
        vec![pendamping_core::area::AreaCode::parse(KECAMATAN).unwrap()]
    );
    assert!(on.scope_titles[0].contains("Malingping"), "{:?}", on.scope_titles);
    assert!(
        on.addresses
            .iter()
            .all(|a| a.starts_with("https://") && a.ends_with(&format!(":{port}")) && !a.contains("127.0.0.1")),
        "{:?}",
        on.addresses
    );
    // TLS under the hub's own authority: what a tablet shows its cadre is what the screen shows.
    let hub_url = format!("https://127.0.0.1:{port}");
    let seen = pendamping_app::authority::inspect(&hub_url).await.unwrap();
    assert_eq!(on.fingerprint.as_deref(), Some(seen.fingerprint.as_str()));

    // A code for a cadre: only within the kecamatan, and it works at once over the LAN.
    let e = hub.new_code("Bu Sari", &["3602022001".to_string()]).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("villages"), "{e:?}");
    assert_eq!(
        hub.new_code(" ", &[VILLAGE.to_string()]).unwrap_err().field.as_deref(),
        Some("user")
    );
    let code = hub.new_code("Bu Sari", &[VILLAGE.to_string()]).unwrap();
    let mut tablet = pendamping_store::Store::open_in_memory(options(clock_at(today()))).unwrap();
    pendamping_sync::enroll(&mut tablet, &hub_url, &code.code, "tablet Sari")
        .await
        .expect("the tablet enrols at the hub");
    let family = realistic_family(&mut tablet, VILLAGE, d(2025, 10, 1));
    let made = tablet.pending_count().unwrap();
    let sum = sync(&mut tablet).await;
    assert_eq!(sum.held, made, "the hub holds the tablet's work for the centre: {sum}");

    // The hub shows the tablet, and forwards its work; the centre then holds it as the tablet's.
    let s = until(&hub, |s| s.devices.iter().any(|d| d.name == "tablet Sari")).await;
    assert!(
        s.devices
            .iter()
            .any(|d| d.user_name == "Bu Sari" && d.role == Role::Cadre)
    );
    // Sari forgot her PIN: the PLKB gives her tablet a recovery code from the hub, whose
    // key her tablet sealed its data key to.
    let sari = s.devices.iter().find(|d| d.name == "tablet Sari").unwrap();
    let recovery = hub.recovery_code(&sari.id, "PLKB Malingping").unwrap();
    assert!(
        recovery.code.len() == 14 && recovery.code.split('-').count() == 3,
        "{recovery:?}"
    );
    assert!(
        chrono::DateTime::parse_from_rfc3339(&recovery.expires_at).is_ok(),
        "{recovery:?}"
    );
    assert_eq!(
        hub.recovery_code("no-such-tablet", "PLKB").unwrap_err().code,
        "not_found"
    );
    hub.relay_now().await;
    let s = until(&hub, |s| s.confirmed >= made && s.unsent == 0 && s.held == 0).await;
    assert!(s.last_upstream.is_some() && s.upstream_error.is_none(), "{s:?}");
    let at_centre: i64 = centre
        .db()
        .query_row(
            "SELECT COUNT(*) FROM changes WHERE body LIKE '%' || ?1 || '%'",
            [family.id.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(at_centre, 1, "the enrolment reached the centre once");
    sync(&mut tablet).await;
    assert_eq!(
        tablet.held_count().unwrap(),
        0,
        "confirmed by the centre, the tablet lets go"
    );
    // A thief with the laptop's disk reads no family from the hub's store or its view.
    let kk = tablet
        .connection()
        .query_row("SELECT kk_number FROM households", [], |r| r.get::<_, String>(0))
        .unwrap();
    for file in ["plkb.db", "plkb.view.db"] {
        let path = laptop.join(file);
        assert!(!pendamping_store::is_plain(&path).unwrap(), "{file} is plain");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend(std::fs::read(laptop.join(format!("{file}-wal"))).unwrap_or_default());
        for secret in ["Siti Aminah", kk.as_str()] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} readable in {file}"
            );
        }
    }

    // Stopped, it stays stopped; started again it needs no code; the app's next start resumes it.
    let off = hub.stop().await.unwrap();
    assert!(!off.running && off.enrolled);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "nothing listens once stopped"
    );
    let again = Hub::with_time(&laptop, clock_at(today()));
    again.unlock(&laptop_key);
    again.resume().await;
    assert!(
        !again.screen().await.unwrap().running,
        "a stopped hub does not start with the app"
    );
    let on = again.start(form(&centre.url(), None, port)).await.unwrap();
    assert!(on.running && on.confirmed >= made);
    drop(again.stop().await);

    let third = Hub::with_time(&laptop, clock_at(today()));
    third.unlock(&laptop_key);
    third.start(form(&centre.url(), None, port)).await.unwrap();
    drop(third); // the app closed with the hub on
    // At the app's next start the hub waits for a member: its store opens with their key only.
    let fourth = Hub::with_time(&laptop, clock_at(today()));
    fourth.resume().await;
    assert_eq!(fourth.screen().await.unwrap_err().code, "locked");
    fourth.unlock(&DataKey::random().unwrap());
    assert!(fourth.screen().await.is_err(), "another laptop's key opens nothing");
    fourth.unlock(&laptop_key);
    assert!(!fourth.screen().await.unwrap().running);
    // The port is free once the dropped hub has closed its connections.
    for _ in 0..50 {
        fourth.resume().await;
        if fourth.screen().await.unwrap().running {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        fourth.screen().await.unwrap().running,
        "a hub left on starts again with the app"
    );
}
