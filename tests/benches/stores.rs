//! The server's two stores in one run, on the same data: embedded SQLite (a district) and
//! PostgreSQL (a province, the country) on a durable throwaway cluster (fsync on, as in
//! production). Prints figures for the closing note and docs/src/benchmarks.md.
//!   cargo bench -p pendamping-tests --bench stores [ingest|log|kabupaten|scale|crowd]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pendamping_core::area::AreaCode;
use pendamping_core::recap::Month;
use pendamping_protocol::{PushRequest, Role, SCHEMA_VERSION, Scope};
use pendamping_server::storage::Reader;
use pendamping_store::Store;
use pendamping_tests::net::*;
use pendamping_tests::pg::{Cluster, Durability};
use pendamping_tests::*;

mod common;
use common::today;

/// Where the database's time went (with `PG_EXTRA_OPTS='-c shared_preload_libraries=pg_stat_statements'`).
const PROFILE: &str = "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT calls, round(total_exec_time) AS ms, \
                       round(mean_exec_time::numeric, 3) AS mean, left(query, 90) FROM pg_stat_statements \
                       ORDER BY total_exec_time DESC LIMIT 14";

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn p(samples: &mut [Duration], q: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * q).round() as usize]
}

/// Where a run's server keeps its store: a file in `dir`, or a new database of `cluster`.
#[derive(Clone, Copy)]
enum Kind {
    Sqlite,
    Postgres,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Sqlite => "SQLite",
            Kind::Postgres => "PostgreSQL",
        }
    }

    fn db(self, dir: &Path, cluster: &Cluster) -> PathBuf {
        match self {
            Kind::Sqlite => dir.join("central.db"),
            Kind::Postgres => PathBuf::from(cluster.database()),
        }
    }
}

/// One device per village: its store with `children` children and `months` visits each.
fn devices(villages: &[String], children: usize, months: u32) -> Vec<Store> {
    villages
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut store = Store::open_in_memory(options(clock_at(today()))).unwrap();
            let birth = d(2025, 1, 10);
            let es: Vec<_> = (0..children).map(|_| realistic_family(&mut store, v, birth)).collect();
            let mut visits = Vec::new();
            for (j, e) in es.iter().enumerate() {
                visits.extend(monthly_visits(&store, e, birth, months, (i * 1000 + j) as u64));
            }
            store.record_visits(&visits).unwrap();
            store
        })
        .collect()
}

/// Pushes every device's outbox to a fresh server on `kind`, with `concurrent` devices
/// pushing at once (each its batches one after another); changes/s over HTTP.
async fn ingest_run(kind: Kind, cluster: &Cluster, stores: &mut [Store], concurrent: usize, batch: usize) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let db = kind.db(dir.path(), cluster);
    let view = dir.path().join("bench.view.db");
    let server = TestServer::start(dir.path(), clock_at(today()), move |c| {
        c.db = db;
        c.view = Some(view);
        c.connections = 24;
        c.readers = 8;
    })
    .await;
    // Enrolled and sealed before the clock starts: a device's signing key is its
    // enrolment's.
    let mut jobs = Vec::new();
    let mut total = 0;
    for (i, store) in stores.iter_mut().enumerate() {
        let area = store.setting("bench.area").unwrap().unwrap();
        let code = server.code(Role::Cadre, &[&area]);
        // Past the limit on enrolments from one address (20 in 10 minutes): the server's
        // clock moves on 31 s per enrolment.
        server.clock.advance(31_000);
        if let Err(e) = pendamping_sync::enroll(&mut *store, &server.url(), &code, "bench").await {
            panic!("{} run, device {i}: {e}", kind.name());
        }
        let token = store.setting(pendamping_sync::keys::TOKEN).unwrap().unwrap();
        let changes = store.outbox(1_000_000).unwrap();
        total += changes.len();
        let bodies: Vec<Vec<u8>> = changes
            .chunks(batch)
            .map(|chunk| {
                serde_json::to_vec(&PushRequest {
                    schema_version: SCHEMA_VERSION,
                    seen: 0,
                    seals: sealed_by(store, chunk),
                    changes: chunk.to_vec(),
                    origins: Vec::new(),
                })
                .unwrap()
            })
            .collect();
        jobs.push((token, bodies));
    }
    let url = server.url();
    let http = reqwest::Client::new();
    let queue = Arc::new(std::sync::Mutex::new(jobs));
    let t = Instant::now();
    let workers: Vec<_> = (0..concurrent)
        .map(|_| {
            let (queue, http, url) = (queue.clone(), http.clone(), url.clone());
            tokio::spawn(async move {
                loop {
                    let Some((token, bodies)) = queue.lock().unwrap().pop() else {
                        return;
                    };
                    for body in bodies {
                        let r = http
                            .post(format!("{url}/v1/sync/push"))
                            .bearer_auth(&token)
                            .header("content-type", "application/json")
                            .body(body)
                            .send()
                            .await
                            .unwrap();
                        assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    let took = t.elapsed();
    // With PG_EXTRA_OPTS='-c shared_preload_libraries=pg_stat_statements': where the
    // database's time went.
    if let (Kind::Postgres, Ok(_)) = (kind, std::env::var("PG_EXTRA_OPTS")) {
        let name = server
            .db
            .to_str()
            .unwrap()
            .split('/')
            .nth(3)
            .unwrap()
            .split('?')
            .next()
            .unwrap();
        println!(
            "{}",
            cluster.psql(
                name,
                "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT calls, round(total_exec_time) AS ms, \
                 round(mean_exec_time::numeric, 3) AS mean, left(query, 90) FROM pg_stat_statements \
                 ORDER BY total_exec_time DESC LIMIT 14"
            )
        );
    }
    let (held, rows) = logged_change_ids(&server.db);
    assert_eq!((held.len(), rows), (total, total), "every change stored once");
    server.stop().await;
    total as f64 / took.as_secs_f64()
}

async fn ingest(cluster: &Cluster) {
    // 64 devices in 64 villages of Lebak, 30 children each with 6 monthly visits:
    // 64 × 300 = 19,200 changes (60 % visits), batches of 250.
    let villages: Vec<String> = pendamping_core::area::villages_under(KABUPATEN)
        .into_iter()
        .take(64)
        .map(|a| a.code.to_string())
        .collect();
    let mut stores = devices(&villages, 30, 6);
    for (s, v) in stores.iter_mut().zip(&villages) {
        s.set_setting("bench.area", v).unwrap();
    }
    println!("ingest over HTTP on loopback, 19,200 signed changes from 64 devices, batches of 250, fsync'd commits:");
    for concurrent in [1, 8, 64] {
        let mut line = format!("  {concurrent:>2} devices at once:");
        // Alternating, twice each: the machine is shared and noisy.
        let mut rates: [Vec<f64>; 2] = Default::default();
        for _ in 0..2 {
            for (i, kind) in [Kind::Sqlite, Kind::Postgres].into_iter().enumerate() {
                // Pushed by hand, so each store's outbox stays whole for the next run.
                let _ = std::process::Command::new("sync").status();
                rates[i].push(ingest_run(kind, cluster, &mut stores, concurrent, 250).await);
            }
        }
        for (i, kind) in [Kind::Sqlite, Kind::Postgres].into_iter().enumerate() {
            let r: Vec<String> = rates[i].iter().map(|r| format!("{r:.0}")).collect();
            line.push_str(&format!(" {} {} /s;", kind.name(), r.join(", ")));
        }
        println!("{line}");
    }
}

/// An area's log built by the server's own push path, moved to PostgreSQL with
/// `migrate-store`; then the same questions asked of both: pulls, a fresh device of the
/// area catching up, the area's recap (equal in both).
async fn log(cluster: &Cluster, what: Area) {
    let (area, role) = (what.area, what.role);
    let villages: Vec<String> = pendamping_core::area::villages_under(area)
        .iter()
        .map(|v| v.code.to_string())
        .collect();
    let source = common::server_log(what.name, KABUPATEN, &villages, what.households, 24);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("central.db");
    std::fs::copy(&source, &file).unwrap();
    let url = cluster.database();
    let t = Instant::now();
    let mut report = Vec::new();
    let (from, to) = (file.clone(), url.clone());
    tokio::task::spawn_blocking(move || pendamping_cli::migrate::migrate_store_keyed(&from, None, &to, &mut report))
        .await
        .unwrap()
        .unwrap();
    let (_, changes) = logged_change_ids(&file);
    println!(
        "{}: migrate-store of its log ({changes} changes, every table): {:.1} s, counts and checksum equal",
        what.name,
        t.elapsed().as_secs_f64()
    );
    let mut recaps = Vec::new();
    for (kind, db) in [(Kind::Sqlite, file.clone()), (Kind::Postgres, PathBuf::from(&url))] {
        let view = dir.path().join(format!("{}.view.db", kind.name()));
        let server = TestServer::start(dir.path(), clock_at(today()), move |c| {
            c.db = db;
            c.view = Some(view);
        })
        .await;
        // Pages of one village's cursor, as a tablet asks them: from the start, and from
        // a cursor near the end.
        let state = server.state.clone();
        let village = villages[3].clone();
        let samples = tokio::task::spawn_blocking(move || {
            let storage = state.storage();
            let scope = Scope::new(Role::Cadre, &[&village]).unwrap();
            let reader = Reader {
                scope: &scope,
                device_id: "bench",
                count: true,
            };
            let latest = storage.reading(|tx| tx.latest()).unwrap();
            let mut times = Vec::new();
            for i in 0..200u64 {
                let since = if i % 2 == 0 { 0 } else { latest.saturating_sub(2_000) };
                let t = Instant::now();
                let page = storage.reading(|tx| tx.page(&reader, since, 500)).unwrap().unwrap();
                times.push(t.elapsed());
                assert!(since > 0 || !page.bodies.is_empty());
            }
            times
        })
        .await
        .unwrap();
        let mut samples = samples;
        // A fresh laptop of the area catching up every row of its villages over HTTP.
        let code = server.code(role, &[area]);
        let mut laptop = Store::open(
            dir.path().join(format!("{}-laptop.db", kind.name())),
            options(clock_at(today())),
        )
        .unwrap();
        pendamping_sync::enroll(&mut laptop, &server.url(), &code, "laptop")
            .await
            .unwrap();
        let t = Instant::now();
        let sum = pendamping_sync::sync(&mut laptop, &pendamping_sync::Options::default(), &mut |_| {})
            .await
            .unwrap();
        let catch_up = t.elapsed();
        if let (Kind::Postgres, Ok(_)) = (kind, std::env::var("PG_EXTRA_OPTS")) {
            let name = url.split('/').nth(3).unwrap().split('?').next().unwrap();
            println!("{}", cluster.psql(name, PROFILE));
        }
        // The view built from the log, then the area's recap.
        let state = server.state.clone();
        let (built, recap, numbers) = tokio::task::spawn_blocking(move || {
            let area = AreaCode::parse(area).unwrap();
            let t = Instant::now();
            let numbers = state.recap(Month::of(today()), &area).unwrap();
            let built = t.elapsed();
            let mut times = Vec::new();
            for _ in 0..5 {
                let t = Instant::now();
                state.recap(Month::of(today()), &area).unwrap();
                times.push(t.elapsed());
            }
            (built, common::median(times), numbers)
        })
        .await
        .unwrap();
        recaps.push(numbers);
        println!(
            "  {:<10} village page of 500: p50 {:.1} ms, p95 {:.1} ms; fresh laptop catch-up of {} rows: {:.1} s; \
             view built from the log {:.1} s; the area's recap median {:.0} ms",
            kind.name(),
            ms(p(&mut samples, 0.5)),
            ms(p(&mut samples, 0.95)),
            sum.pulled,
            catch_up.as_secs_f64(),
            built.as_secs_f64(),
            ms(recap),
        );
        server.stop().await;
    }
    assert_eq!(recaps[0], recaps[1], "the same recap from both stores");
}

/// An area whose log a run builds (once, under target/bench-data) and asks of.
struct Area {
    name: &'static str,
    area: &'static str,
    households: usize,
    /// Who catches the area up on a fresh laptop.
    role: Role,
}

/// 14 villages, two years: 161,753 changes.
const KECAMATAN_LOG: Area = Area {
    name: "kecamatan-v1",
    area: KECAMATAN,
    households: 6_000,
    role: Role::Plkb,
};

/// 345 villages, two years: about 1,300,000 changes (the dashboard bench's store).
const KABUPATEN_LOG: Area = Area {
    name: "kabupaten-v1",
    area: KABUPATEN,
    households: 50_000,
    role: Role::Admin,
};

fn main() {
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let wants = |name: &str| filter.is_empty() || filter.iter().any(|f| f == name);
    let cluster = Cluster::start(Durability::Durable);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        if wants("ingest") {
            ingest(&cluster).await;
        }
        if wants("log") {
            log(&cluster, KECAMATAN_LOG).await;
        }
        // Long (the store's first build takes about 15 minutes): only when asked by name.
        if filter.iter().any(|f| f == "kabupaten") {
            log(&cluster, KABUPATEN_LOG).await;
        }
    });
}
