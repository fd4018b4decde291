//! The central server on PostgreSQL, end to end: two server processes on one database,
//! tablets of two villages and a PLKB hub syncing through either at random over links that
//! cut, the same batch reaching both at once, and one process killed in the middle of a
//! push. The cluster is a throwaway one (`pendamping_tests::pg`); the test fails, never
//! skips, when it cannot start.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use pendamping_core::area::AreaCode;
use pendamping_core::hlc::{ManualTime, TimeSource};
use pendamping_core::lists::NameList;
use pendamping_core::recap::Month;
use pendamping_protocol::Role;
use pendamping_server::AppState;
use pendamping_store::Store;
use pendamping_tests::net::*;
use pendamping_tests::pg::Cluster;
use pendamping_tests::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

/// A third village of the test kecamatan, whose tablet syncs through the hub.
const HUB_VILLAGE: &str = "3602012004";

fn note_outbox(store: &Store, seen: &mut BTreeSet<Uuid>) {
    seen.extend(store.outbox(usize::MAX >> 1).unwrap().iter().map(|c| c.change_id));
}

/// A cadre's bit of work: a family with a child weighed today, or a child weighed again.
fn work(store: &mut Store, clock: &ManualTime, area: &str, n: &mut u128, rng: &mut StdRng) {
    clock.advance(rng.random_range(1_000..60_000));
    *n += 10;
    let (_, _, _, e) = family_with_child(store, *n, area, d(2025, 3, 1));
    // Some children measured short, some severely (the recap counts both).
    let length = [72.0, 66.0, 62.0][rng.random_range(0..3)];
    store
        .record_visit(&child_visit(*n + 5, &e, today(), rng.random_range(7.5..10.0), length))
        .unwrap();
}

/// A server process on the PostgreSQL store at `url`, with its own view in `dir`.
async fn process(dir: &Path, url: &str, name: &str) -> TestServer {
    let (url, view) = (url.to_string(), dir.join(format!("{name}.view.db")));
    TestServer::start(dir, clock_at(today()), move |c| {
        c.db = PathBuf::from(url);
        c.view = Some(view);
        c.connections = 6;
    })
    .await
}

/// What a dashboard shows of `area` this month, from one process.
async fn numbers(state: &AppState, area: &str) -> (pendamping_core::recap::Recap, Vec<Vec<pendamping_store::ListRow>>) {
    let (state, area) = (state.clone(), AreaCode::parse(area).unwrap());
    tokio::task::spawn_blocking(move || {
        let month = Month::of(today());
        let recap = state.recap(month, &area).unwrap();
        let lists = NameList::ALL
            .iter()
            .map(|l| state.name_list(*l, month, &area).unwrap())
            .collect();
        (recap, lists)
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_on_one_postgres_serve_every_tablet_and_hub_as_one() {
    let url = Cluster::shared().database();
    let dir = tempfile::tempdir().unwrap();
    let a = process(dir.path(), &url, "a").await;
    let b = process(dir.path(), &url, "b").await;
    let cutting = Faults {
        cut: 0.6,
        cut_within: 1_500,
        max_delay: Duration::from_millis(1),
        ..Faults::none()
    };
    let proxies = [
        FaultProxy::start(a.addr, cutting.clone(), 3).await,
        FaultProxy::start(b.addr, cutting.clone(), 4).await,
    ];
    // A hub for the kecamatan, enrolled (and syncing upstream) through the second process.
    let hub_code = a.code(Role::Plkb, &[KECAMATAN]);
    let hub = TestServer::start_hub(dir.path(), "hub.db", clock_at(today()), &b.url(), &hub_code).await;

    let mut tablets = Vec::new();
    for (i, area) in [VILLAGE, OTHER_VILLAGE, HUB_VILLAGE].iter().enumerate() {
        let clock = clock_at(today());
        let server = if i == 1 { &b } else { &a };
        let store = enrolled_device(server, clock.clone(), Role::Cadre, &[area]).await;
        tablets.push((store, clock, *area, (i as u128 + 1) * 1_000_000));
    }
    tablets[2].0.set_setting("server", &hub.url()).unwrap();
    let mut opts = fast_options();
    opts.batch_changes = 8;
    opts.pull_limit = 9;
    opts.retry.attempts = 1;
    let mut created = BTreeSet::new();
    let mut rng = StdRng::seed_from_u64(21);
    for round in 0..90 {
        let pick = rng.random_range(0..3);
        let (store, clock, area, n) = &mut tablets[pick];
        for _ in 0..rng.random_range(0..4) {
            work(store, clock, area, n, &mut rng);
        }
        note_outbox(store, &mut created);
        if pick < 2 {
            // Either process, at random, through a link that cuts.
            store
                .set_setting("server", &proxies[rng.random_range(0..2)].url())
                .unwrap();
        }
        let _ = pendamping_sync::sync(store, &opts, &mut |_| {}).await;
        if round % 10 == 0 {
            let _ = hub.relay().await;
        }
    }
    let cuts: u64 = proxies
        .iter()
        .map(|p| p.cuts.load(std::sync::atomic::Ordering::Relaxed))
        .sum();
    assert!(cuts > 10, "the links really broke ({cuts} cuts)");

    // The links heal; everything reaches the store.
    for p in &proxies {
        p.set(Faults::none());
    }
    for _ in 0..2 {
        for (store, ..) in tablets.iter_mut() {
            pendamping_sync::sync(store, &fast_options(), &mut |_| {})
                .await
                .unwrap();
        }
        hub.relay().await.unwrap();
    }
    let (held, rows) = logged_change_ids(Path::new(&url));
    assert_eq!(rows, held.len(), "no change stored twice");
    assert_eq!(held, created, "every change, nothing else");

    // The regency's office pulls through either process: the exact union, once.
    let mut regency = enrolled_device(&b, clock_at(today()), Role::Admin, &[KABUPATEN]).await;
    for (i, p) in proxies.iter().enumerate() {
        regency.set_setting("server", &p.url()).unwrap();
        let got = pendamping_sync::sync(&mut regency, &fast_options(), &mut |_| {})
            .await
            .unwrap();
        if i == 1 {
            assert_eq!(got.pulled, 0, "the second process has nothing the first did not give");
        }
    }
    for (store, _, area, _) in &tablets {
        assert!(!dump_area(store, area).is_empty());
        assert_eq!(dump_area(&regency, area), dump_area(store, area), "{area}");
    }

    // Both processes' recaps and lists are the same, and the regency device's own recap
    // over the rows it pulled says the same.
    for area in [KABUPATEN, KECAMATAN, VILLAGE] {
        let (from_a, from_b) = (numbers(&a.state, area).await, numbers(&b.state, area).await);
        assert_eq!(from_a, from_b, "{area}: the two processes agree");
        let own = regency
            .recap_as_of(Month::of(today()), &AreaCode::parse(area).unwrap(), today())
            .unwrap();
        assert_eq!(from_a.0, own, "{area}: the server's recap is the device's");
        assert!(from_a.0.rows.iter().any(|r| r.visited > 0), "{area}: counted something");
    }

    // The same batch reaching both processes at the same moment is stored once.
    let clock = clock_at(today());
    let mut twin = enrolled_device(&a, clock.clone(), Role::Cadre, &[VILLAGE]).await;
    let mut n = 9_000_000;
    for _ in 0..20 {
        work(&mut twin, &clock, VILLAGE, &mut n, &mut rng);
    }
    let changes = twin.outbox(1_000).unwrap();
    let token = twin.setting(pendamping_sync::keys::TOKEN).unwrap().unwrap();
    let request = pendamping_protocol::PushRequest {
        schema_version: pendamping_protocol::SCHEMA_VERSION,
        seen: 0,
        seals: sealed_by(&twin, &changes),
        changes: changes.clone(),
        origins: Vec::new(),
    };
    let (to_a, to_b) = tokio::join!(a.push(&token, &request), b.push(&token, &request));
    assert!(
        to_a.rejected.is_empty() && to_b.rejected.is_empty(),
        "{to_a:?} {to_b:?}"
    );
    let (held, rows) = logged_change_ids(Path::new(&url));
    assert_eq!(rows, held.len(), "the batch stored once");
    assert!(changes.iter().all(|c| held.contains(&c.change_id)));

    hub.stop().await;
    a.stop().await;
    b.stop().await;
}

fn start_server(url: &str, view: &Path) -> (ServerProcess, String) {
    ServerProcess::start(env!("CARGO_BIN_EXE_test-server"), std::ffi::OsStr::new(url), Some(view))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_process_killed_mid_push_loses_nothing_acknowledged_and_the_other_goes_on() {
    let url = Cluster::shared().database();
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualTime::new(pendamping_store::SystemTime.now_millis()));
    let (first, first_url) = start_server(&url, &dir.path().join("first.view.db"));
    let (_second, second_url) = start_server(&url, &dir.path().join("second.view.db"));
    let code = enrollment_code(Path::new(&url), Role::Cadre, &[VILLAGE], clock.now_millis());
    let mut store = Store::open_in_memory(options(clock.clone())).unwrap();
    pendamping_sync::enroll(&mut store, &first_url, &code, "tablet")
        .await
        .unwrap();
    let mut rng = StdRng::seed_from_u64(8);
    let mut n = 0u128;
    for _ in 0..120 {
        work(&mut store, &clock, VILLAGE, &mut n, &mut rng);
    }
    let mut created = BTreeSet::new();
    note_outbox(&store, &mut created);
    let first_view = dir.path().join("first.view.db");
    let (kills, _first) = sync_through_kills(
        &mut store,
        &created,
        Path::new(&url),
        (5, 20..120),
        &mut rng,
        first,
        || start_server(&url, &first_view),
    )
    .await;
    assert!(kills >= 1, "a process was killed mid-push");
    // The other process, which ran all along, takes the rest.
    store.set_setting("server", &second_url).unwrap();
    pendamping_sync::sync(&mut store, &fast_options(), &mut |_| {})
        .await
        .unwrap();
    let (held, rows) = logged_change_ids(Path::new(&url));
    assert_eq!(held, created);
    assert_eq!(rows, created.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_district_moves_to_postgres_whole_and_its_tablets_sync_on() {
    let dir = tempfile::tempdir().unwrap();
    let district = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let mut tablets = Vec::new();
    let mut rng = StdRng::seed_from_u64(5);
    for (i, area) in [VILLAGE, OTHER_VILLAGE].iter().enumerate() {
        let clock = clock_at(today());
        let mut store = enrolled_device(&district, clock.clone(), Role::Cadre, &[area]).await;
        let mut n = (i as u128 + 1) * 1_000_000;
        for _ in 0..25 {
            work(&mut store, &clock, area, &mut n, &mut rng);
        }
        sync(&mut store).await;
        tablets.push(store);
    }
    // Something refused, kept in quarantine: it moves too.
    let token = tablets[0].setting(pendamping_sync::keys::TOKEN).unwrap().unwrap();
    let mut bad = tablets[0].outbox(1).unwrap();
    assert!(bad.is_empty());
    bad.push(pendamping_core::Change {
        change_id: Uuid::new_v4(),
        entity: pendamping_core::Entity::Household,
        row_id: Uuid::new_v4(),
        area_code: VILLAGE.into(),
        hlc: pendamping_core::Hlc {
            millis: clock_at(today()).now_millis(),
            counter: 0,
            node: 1,
        },
        fields: [("welfare_decile".to_string(), serde_json::json!(99))]
            .into_iter()
            .collect(),
    });
    let refused = district
        .push(
            &token,
            &pendamping_protocol::PushRequest {
                schema_version: pendamping_protocol::SCHEMA_VERSION,
                seen: 0,
                seals: sealed_by(&tablets[0], &bad),
                changes: bad,
                origins: Vec::new(),
            },
        )
        .await;
    assert_eq!(refused.rejected.len(), 1);
    let before = (
        numbers(&district.state, KABUPATEN).await,
        logged_change_ids(&district.db),
    );

    let url = Cluster::shared().database();
    // Not while the district's server still serves it: what it took after the copy would be
    // lost.
    let (from, to) = (district.db.clone(), url.clone());
    let live = tokio::task::spawn_blocking(move || {
        pendamping_cli::migrate::migrate_store_keyed(&from, None, &to, &mut Vec::new())
    })
    .await
    .unwrap();
    let why = format!("{:#}", live.unwrap_err());
    assert!(why.contains("stop it first"), "{why}");
    let db = district.db.clone();
    district.stop().await;
    // Stopped, its store copied as an operator would (the stopped server's state may live on
    // in this test process a while, still holding the store).
    let copy = dir.path().join("moved.db");
    for suffix in ["", "-wal"] {
        let mut from = db.clone().into_os_string();
        from.push(suffix);
        let mut to = copy.clone().into_os_string();
        to.push(suffix);
        if std::path::Path::new(&from).exists() {
            std::fs::copy(&from, &to).unwrap();
        }
    }
    let (from, to) = (copy.clone(), url.clone());
    let report = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        pendamping_cli::migrate::migrate_store_keyed(&from, None, &to, &mut out)
            .map(|()| String::from_utf8(out).unwrap())
    })
    .await
    .unwrap()
    .unwrap();
    assert!(report.contains("log audit utuh"), "{report}");
    assert!(report.contains("quarantine                    1 baris"), "{report}");

    // The same log, the same numbers, from a PostgreSQL server process.
    let central = process(dir.path(), &url, "central").await;
    assert_eq!(logged_change_ids(Path::new(&url)), before.1);
    assert_eq!(numbers(&central.state, KABUPATEN).await, before.0);
    // The tablets sync on where they were: the same store, their cursors still good.
    for t in tablets.iter_mut() {
        t.set_setting("server", &central.url()).unwrap();
        let got = sync(t).await;
        assert_eq!(got.pulled, 0, "nothing new, and no snapshot again");
    }
    // A move goes into an empty database only.
    let (from, to) = (copy.clone(), url.clone());
    let again = tokio::task::spawn_blocking(move || {
        pendamping_cli::migrate::migrate_store_keyed(&from, None, &to, &mut Vec::new())
    })
    .await
    .unwrap();
    let why = format!("{:#}", again.unwrap_err());
    assert!(why.contains("not empty"), "{why}");
    // An engineer's recap from the command line equals the server's, and leaves no view of
    // the district's names behind in the working directory (it builds one of its own in a
    // private directory, removed after).
    let config = pendamping_server::Config {
        db: PathBuf::from(&url),
        db_key: Some(pendamping_store::DataKey::random().unwrap()),
        ..Default::default()
    };
    let area = AreaCode::parse(KABUPATEN).unwrap();
    let recap = tokio::task::spawn_blocking(move || {
        let opened = pendamping_cli::net::open_state_from(config).unwrap();
        opened.recap(Month::of(today()), &area).unwrap()
    })
    .await
    .unwrap();
    // The command's day is the machine's, the server's the test's: the day counted to aside,
    // the same numbers.
    let mut recap = recap;
    recap.as_of = before.0.0.as_of;
    assert_eq!(recap, before.0.0);
    assert!(
        !Path::new("pendamping.view.db").exists(),
        "a view left in {:?}",
        std::env::current_dir()
    );
    // A read of a database that holds no store is refused, and makes none there.
    let empty = Cluster::shared().database();
    let db = PathBuf::from(&empty);
    let refused =
        tokio::task::spawn_blocking(move || pendamping_cli::net::open_db(&db).err().map(|e| format!("{e:#}")))
            .await
            .unwrap()
            .expect("refused");
    assert!(refused.contains("tidak ada penyimpanan server"), "{refused}");
    let tables = Cluster::shared().psql(
        Cluster::name_of(&empty),
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
    );
    assert!(tables.contains(" 0\n"), "{tables}");
    central.stop().await;
}

/// A province on PostgreSQL relays to the country exactly as a PLKB hub relays to its
/// district: its tablets' changes reach the country once, what the country holds of the
/// province's area comes down, and both count the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_province_on_postgres_relays_to_the_country_as_a_hub_does() {
    let dir = tempfile::tempdir().unwrap();
    let country = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let code = country.code(Role::Admin, &[KABUPATEN]);
    let url = Cluster::shared().database();
    let (up, db, view) = (country.url(), PathBuf::from(&url), dir.path().join("province.view.db"));
    let province = TestServer::start(dir.path(), clock_at(today()), move |c| {
        c.db = db;
        c.view = Some(view);
        c.upstream = Some(up);
        c.connections = 6;
    })
    .await;
    pendamping_server::hub::enroll(&province.state, &country.url(), &code, "provinsi")
        .await
        .unwrap();
    // One village's tablet enrolled at the province, another's still at the country.
    let mut rng = StdRng::seed_from_u64(13);
    let mut created = BTreeSet::new();
    let mut tablets = Vec::new();
    for (i, (server, area)) in [(&province, VILLAGE), (&country, OTHER_VILLAGE)]
        .into_iter()
        .enumerate()
    {
        let clock = clock_at(today());
        let mut store = enrolled_device(server, clock.clone(), Role::Cadre, &[area]).await;
        let mut n = (i as u128 + 1) * 1_000_000;
        for _ in 0..12 {
            work(&mut store, &clock, area, &mut n, &mut rng);
        }
        note_outbox(&store, &mut created);
        sync(&mut store).await;
        tablets.push(store);
    }
    for _ in 0..2 {
        province.relay().await.unwrap();
    }
    let (at_country, rows) = logged_change_ids(&country.db);
    assert_eq!(
        (&at_country, rows),
        (&created, created.len()),
        "every change at the country, once"
    );
    let (at_province, rows) = logged_change_ids(Path::new(&url));
    assert_eq!(
        (&at_province, rows),
        (&created, created.len()),
        "the province holds its whole area"
    );
    assert_eq!(
        numbers(&province.state, KABUPATEN).await,
        numbers(&country.state, KABUPATEN).await,
        "the same recap and lists at both levels"
    );
    // Nothing held back: a second relay sends and takes nothing.
    let again = province.relay().await.unwrap();
    assert_eq!((again.sync.pushed, again.sync.pulled), (0, 0));
    province.stop().await;
    country.stop().await;
}

/// A browser that does not follow redirects (what a log-in answers is the test).
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn log_in(url: &str, password: &str) -> reqwest::Response {
    browser()
        .post(format!("{url}/dashboard/login"))
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("name=sari&password={password}"))
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dashboard_session_and_a_lock_out_hold_in_every_process() {
    use reqwest::StatusCode;
    use reqwest::header::{COOKIE, SET_COOKIE};
    let url = Cluster::shared().database();
    let dir = tempfile::tempdir().unwrap();
    let a = process(dir.path(), &url, "a").await;
    let b = process(dir.path(), &url, "b").await;
    let db = PathBuf::from(&url);
    std::thread::spawn(move || {
        pendamping_server::Admin::at(&db, None)
            .unwrap()
            .add_account(
                "sari",
                pendamping_server::accounts::AccountRole::Plkb,
                &[KECAMATAN],
                "rahasia-sekali",
                1,
            )
            .unwrap();
    })
    .join()
    .unwrap();
    // Logged in through one process, known by the other (a load balancer sends the next
    // request wherever it likes); logged out through that one, gone from the first.
    let ok = log_in(&a.url(), "rahasia-sekali").await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let session = ok.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = |s: &TestServer| {
        browser()
            .get(format!("{}/dashboard", s.url()))
            .header(COOKIE, &session)
            .send()
    };
    assert_eq!(page(&b).await.unwrap().status(), StatusCode::OK);
    let out = browser()
        .post(format!("{}/dashboard/logout", b.url()))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        page(&a).await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "logged out everywhere"
    );
    // Wrong passwords spread over both processes count as one row: the name locks at the
    // fifth, and the right password is then refused through either.
    for i in 0..pendamping_server::dashboard::session::FREE_TRIES {
        let via = if i % 2 == 0 { &a } else { &b };
        let wrong = log_in(&via.url(), "salah").await;
        assert_ne!(wrong.status(), StatusCode::SEE_OTHER);
    }
    for s in [&a, &b] {
        let locked = log_in(&s.url(), "rahasia-sekali").await;
        assert_ne!(locked.status(), StatusCode::SEE_OTHER, "locked through {}", s.url());
        assert!(locked.text().await.unwrap().contains("15"), "says for how long");
    }
    // An engineer ends the lock-out (`pendamping server user unlock`): at once, through
    // either process.
    let (db, now) = (PathBuf::from(&url), a.clock.now_millis() as i64);
    let was = std::thread::spawn(move || {
        pendamping_server::Admin::at(&db, None)
            .unwrap()
            .unlock_account("Sari", now)
            .unwrap()
    })
    .join()
    .unwrap();
    assert!(was.locked && was.known, "it was locked");
    assert_eq!(log_in(&b.url(), "rahasia-sekali").await.status(), StatusCode::SEE_OTHER);
    // A load balancer asks /health: a process whose database is gone says so (503), and is
    // well again when the database is back.
    let health = |s: &TestServer| reqwest::get(format!("{}/health", s.url()));
    assert_eq!(health(&a).await.unwrap().status(), StatusCode::OK);
    let tablet = enrolled_device(&a, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    let token = tablet.setting(pendamping_sync::keys::TOKEN).unwrap().unwrap();
    let name = Cluster::name_of(&url);
    let cut = format!(
        "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    );
    Cluster::shared().psql("postgres", &cut);
    let down = health(&a).await.unwrap();
    assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(down.text().await.unwrap().contains("\"unavailable\""));
    // A device's request is told the same (503, `unavailable`: try again later), not that
    // the server failed.
    let pull = reqwest::Client::new()
        .get(format!("{}/v1/sync/pull?since=0", a.url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(pull.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(pull.text().await.unwrap().contains("\"code\":\"unavailable\""));
    Cluster::shared().psql("postgres", &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
    assert_eq!(health(&a).await.unwrap().status(), StatusCode::OK, "back");
    a.stop().await;
    b.stop().await;
}
