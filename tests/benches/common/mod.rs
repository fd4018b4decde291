//! What the benchmarks share: the bench day, demo stores, and central servers whose log
//! holds an area's history, built once through the server's own push path and kept in
//! `target/bench-data`.
#![allow(dead_code)] // each bench uses a part

use std::path::PathBuf;
use std::time::{Duration, Instant};

use pendamping_cli::demo::{DemoOptions, generate};
use pendamping_protocol::{PushRequest, Role, SCHEMA_VERSION, Scope};
use pendamping_server::auth::Device;
use pendamping_store::Store;
use pendamping_tests::*;

pub fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

/// Demo households and their history in `villages`; returns the visits made.
pub fn demo(store: &mut Store, households: usize, villages: &[String], months: u32, seed: u64) -> usize {
    let opts = DemoOptions {
        households,
        villages: villages.to_vec(),
        seed,
        months,
        today: today(),
        chunk: 500,
    };
    generate(&opts, &|_| false, |b| store.import(b).map(|_| ()))
        .expect("demo data")
        .visits
}

pub fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// The store of a central server whose log holds `households` demo households of
/// `villages` with `months` of history, pushed through the server's own push path as
/// the admin of `regency`. Built once under `target/bench-data/<name>`.
pub fn server_log(name: &str, regency: &str, villages: &[String], households: usize, months: u32) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/bench-data")
        .join(name);
    let db = dir.join("central.db");
    if db.exists() {
        return db;
    }
    let building = dir.with_extension("building");
    let _ = std::fs::remove_dir_all(&building);
    std::fs::create_dir_all(&building).unwrap();
    let t = Instant::now();
    let mut store = Store::open(building.join("source.db"), options(clock_at(today()))).unwrap();
    let visits = demo(&mut store, households, villages, months, 1);
    println!(
        "demo-data: {visits} visits in {} villages in {:.0} s",
        villages.len(),
        t.elapsed().as_secs_f64()
    );
    let config = pendamping_server::Config {
        db: building.join("central.db"),
        ..pendamping_server::Config::default()
    };
    let state = pendamping_server::open(config, clock_at(today())).unwrap();
    let admin = Device {
        id: "bench-import".into(),
        scope: Scope::new(Role::Admin, &[regency]).unwrap(),
    };
    let t = Instant::now();
    let mut pushed = 0usize;
    loop {
        let changes = store.outbox(5000).unwrap();
        if changes.is_empty() {
            break;
        }
        let ids: Vec<uuid::Uuid> = changes.iter().map(|c| c.change_id).collect();
        let json = serde_json::to_vec(&PushRequest {
            schema_version: SCHEMA_VERSION,
            seen: 0,
            changes,
            origins: Vec::new(),
            seals: Vec::new(),
        })
        .unwrap();
        let out = state.push_json(&admin, &json).expect("push");
        assert!(out.rejected.is_empty(), "{:?}", out.rejected.first());
        pushed += ids.len();
        store.acknowledge(&ids).unwrap();
    }
    println!(
        "server log: {pushed} changes pushed in {:.0} s ({:.0} /s)",
        t.elapsed().as_secs_f64(),
        pushed as f64 / t.elapsed().as_secs_f64()
    );
    drop(state);
    drop(store);
    std::fs::remove_file(building.join("source.db")).ok();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&building, &dir).unwrap();
    db
}

/// The `i`-th of a stream of child visits spread over `children`, a week apart per child,
/// with weights and lengths that vary (the record benchmarks).
pub fn weekly_visit(store: &Store, children: &[pendamping_core::Enrolment], i: u64) -> pendamping_core::Visit {
    let n = children.len() as u64;
    let e = &children[(i % n) as usize];
    let day = d(2024, 2, 1) + chrono::Days::new((i / n) * 7 % 1000);
    let mut v = child_visit(0, e, day, 8.0 + (i % 30) as f64 / 10.0, 75.0 + (i % 50) as f64 / 10.0);
    v.id = store.new_id();
    v
}
