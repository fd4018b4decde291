//! Above the village: the kabupaten recap on the server over 1,000,000 visits, a PLKB hub
//! relaying 20 cadre devices at once, and the hub's upstream catch-up after a week with no
//! uplink (over an emulated 3G link).
//!   cargo bench -p pendamping-tests --bench hub [recap|relay|catchup]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use pendamping_core::recap::Month;
use pendamping_core::{Entity, TargetKind, area};
use pendamping_protocol::Role;
use pendamping_store::Store;
use pendamping_tests::net::*;
use pendamping_tests::*;
use rand::{Rng, SeedableRng};

const NOV: Month = Month { year: 2026, month: 11 };

mod common;
use common::{demo, median, today};

/// A central server whose log holds a kabupaten's million visits.
fn kabupaten_server() -> PathBuf {
    let villages: Vec<String> = area::villages_under(KABUPATEN)
        .iter()
        .map(|v| v.code.to_string())
        .collect();
    let db = common::server_log("kabupaten-v1", KABUPATEN, &villages, 13_900, 96);
    // The view is built on the first recap; time it once, when the log is new.
    let view = pendamping_server::view::path_for(&db);
    if !view.exists() {
        let config = pendamping_server::Config {
            db: db.clone(),
            ..pendamping_server::Config::default()
        };
        let state = pendamping_server::open(config, clock_at(today())).unwrap();
        let t = Instant::now();
        state.recap(NOV, &at(KABUPATEN)).unwrap();
        println!("server view: built from the log in {:.0} s", t.elapsed().as_secs_f64());
    }
    db
}

fn recap() {
    let db = kabupaten_server();
    let config = pendamping_server::Config {
        db,
        ..pendamping_server::Config::default()
    };
    let view = pendamping_server::view::path_for(&config.db);
    let state = pendamping_server::open(config, clock_at(today())).unwrap();
    let visits: i64 = rusqlite::Connection::open(view)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM visits", [], |r| r.get(0))
        .unwrap();
    for (name, code) in [
        ("kabupaten 36.02 (Lebak)", KABUPATEN),
        ("kecamatan 36.02.01", KECAMATAN),
        ("village 36.02.01.2002", VILLAGE),
    ] {
        let mut times = Vec::new();
        let mut r = None;
        for _ in 0..5 {
            let t = Instant::now();
            r = Some(state.recap(NOV, &at(code)).unwrap());
            times.push(t.elapsed());
        }
        let r = r.unwrap();
        println!(
            "recap {name} over {visits} visits: median {:.0} ms ({} rows, {} visits this month)",
            median(times).as_secs_f64() * 1000.0,
            r.rows.len(),
            r.rows.iter().map(|x| x.visits).sum::<u32>()
        );
    }
}

/// 20 cadre devices, a village each, with a year of history.
async fn cadres(hub: &TestServer, villages: &[String]) -> (Vec<Store>, usize) {
    let mut devices = Vec::new();
    let mut made = 0;
    for (i, v) in villages.iter().enumerate() {
        let mut s = Store::open_in_memory(options(clock_at(today()))).unwrap();
        demo(&mut s, 30, std::slice::from_ref(v), 12, 10 + i as u64);
        made += s.pending_count().unwrap() as usize;
        pendamping_sync::enroll(&mut s, &hub.url(), &hub.code(Role::Cadre, &[v]), v)
            .await
            .unwrap();
        devices.push(s);
    }
    (devices, made)
}

/// Villages of the hub's kecamatan and the next, 20 in all.
fn twenty_villages() -> Vec<String> {
    area::villages_under(KECAMATAN)
        .iter()
        .chain(area::villages_under("360202").iter())
        .take(20)
        .map(|v| v.code.to_string())
        .collect()
}

async fn relay() {
    let dir = tempfile::tempdir().unwrap();
    let centre = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let code = centre.code(Role::Admin, &[KABUPATEN]);
    let hub = TestServer::start_hub(dir.path(), "hub.db", clock_at(today()), &centre.url(), &code).await;
    let (devices, made) = cadres(&hub, &twenty_villages()).await;
    let t = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for mut s in devices {
        tasks.spawn(async move {
            let sum = pendamping_sync::sync(&mut s, &fast_options(), &mut |_| {})
                .await
                .unwrap();
            (sum, Instant::now())
        });
    }
    let mut pushed = 0;
    let mut last = Duration::ZERO;
    while let Some(done) = tasks.join_next().await {
        let (sum, at) = done.unwrap();
        pushed += sum.pushed;
        last = last.max(at - t);
    }
    println!(
        "hub: 20 devices at once pushed {pushed} of {made} changes in {:.2} s ({:.0} changes/s), each then pulled its village",
        last.as_secs_f64(),
        pushed as f64 / last.as_secs_f64()
    );
    let t = Instant::now();
    let r = hub.relay().await.unwrap();
    println!(
        "hub: relayed them to the centre in {:.2} s ({} changes, {} KB up)",
        t.elapsed().as_secs_f64(),
        r.sync.pushed,
        r.sync.bytes_sent / 1024
    );
}

/// A day of visits on a device: each active child weighed and measured, by its age.
fn a_day_of_work(s: &mut Store, village: &str, day: chrono::NaiveDate, rng: &mut impl Rng) -> usize {
    let mut n = 0;
    for id in s.ids(Entity::Enrolment, Some(&at(village))).unwrap() {
        let Some(e) = s.enrolment(id).unwrap() else { continue };
        if e.kind != TargetKind::Anak || e.end_date.is_some() {
            continue;
        }
        let Some(child) = s.person(e.person_id).unwrap() else {
            continue;
        };
        let m = pendamping_core::age::months(child.birth_date, day).max(0) as f64;
        let weight = ((3.3 + 0.45 * m.min(24.0) + 0.17 * (m - 24.0).max(0.0) + rng.random_range(-0.8..0.8)) * 10.0)
            .round()
            / 10.0;
        let length = ((50.0 + 1.9 * m.min(24.0) + 0.7 * (m - 24.0).max(0.0) + rng.random_range(-2.0..2.0)) * 10.0)
            .round()
            / 10.0;
        let mut v = child_visit(0, &e, day, weight, length);
        v.id = s.new_id();
        if s.record_visit(&v).is_ok() {
            n += 1;
        }
    }
    n
}

async fn catchup() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(today());
    let centre = TestServer::start(dir.path(), clock.clone(), |_| {}).await;
    let uplink = FaultProxy::start(centre.addr, Faults::none(), 9).await;
    let code = centre.code(Role::Admin, &[KABUPATEN]);
    let hub = TestServer::start_hub(dir.path(), "hub.db", clock.clone(), &uplink.url(), &code).await;
    let villages = twenty_villages();
    let (mut devices, _) = cadres(&hub, &villages).await;
    for s in devices.iter_mut() {
        pendamping_sync::sync(s, &fast_options(), &mut |_| {}).await.unwrap();
    }
    // Two more cadres of the hub's area, out in villages with a signal, sync straight to
    // the centre: the hub pulls their week down when it reconnects.
    let mut direct = Vec::new();
    for (i, v) in villages.iter().take(2).enumerate() {
        let mut s = enrolled_device(&centre, clock.clone(), Role::Cadre, &[v]).await;
        demo(&mut s, 30, std::slice::from_ref(v), 12, 90 + i as u64);
        pendamping_sync::sync(&mut s, &fast_options(), &mut |_| {})
            .await
            .unwrap();
        direct.push((s, v.clone()));
    }
    hub.relay().await.unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    // A week with no uplink: the devices keep syncing with the hub at the office.
    uplink.set(Faults {
        cut: 1.0,
        cut_within: 1,
        ..Faults::none()
    });
    let (mut week, mut elsewhere) = (0, 0);
    for day in 0..7 {
        let date = today() - chrono::Days::new(6 - day);
        for (s, v) in devices.iter_mut().zip(&villages) {
            week += a_day_of_work(s, v, date, &mut rng);
            pendamping_sync::sync(s, &fast_options(), &mut |_| {}).await.unwrap();
        }
        for (s, v) in direct.iter_mut() {
            elsewhere += a_day_of_work(s, v, date, &mut rng);
            pendamping_sync::sync(s, &fast_options(), &mut |_| {}).await.unwrap();
        }
    }
    let backlog = hub.admin().backlog().unwrap();
    // The uplink comes back, as the office's 3G modem.
    uplink.set(Faults::link(Link::G3));
    let t = Instant::now();
    let r = hub.relay().await.unwrap();
    println!(
        "hub: after a week offline ({week} visits of 20 devices waiting, {} changes; {elsewhere} visits at the centre), caught up over 3G in {:.1} s: {} up, {} down, {} KB up, {} KB down, {} requests",
        backlog.unsent,
        t.elapsed().as_secs_f64(),
        r.sync.pushed,
        r.sync.pulled,
        r.sync.bytes_sent / 1024,
        r.sync.bytes_received / 1024,
        r.sync.requests
    );
    let t = Instant::now();
    let mut confirmed = 0;
    for s in devices.iter_mut() {
        confirmed += pendamping_sync::sync(s, &fast_options(), &mut |_| {})
            .await
            .unwrap()
            .confirmed;
    }
    println!(
        "devices: {confirmed} held changes confirmed by the centre on their next sync ({:.2} s for 20)",
        t.elapsed().as_secs_f64()
    );
}

fn main() {
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let run = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if run("relay") {
        rt.block_on(relay());
    }
    if run("catchup") {
        rt.block_on(catchup());
    }
    if run("recap") {
        recap();
    }
}
