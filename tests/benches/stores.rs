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

    /// A server on a new store of this kind, its view in `dir`.
    async fn server(self, dir: &Path, cluster: &Cluster) -> TestServer {
        let (db, view) = (self.db(dir, cluster), dir.join(format!("{}.view.db", self.name())));
        TestServer::start(dir, clock_at(today()), move |c| {
            c.db = db;
            c.view = Some(view);
        })
        .await
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

/// A province's log: `SCALE_ROWS` changes (10,000,000 unless set) over the 1,552 villages
/// of Banten, written straight into each store's tables (the push path would take hours on
/// this machine; the pages read only what the push path writes: sequence, area, origin,
/// body), then pages read as a village's tablet, a kecamatan's laptop and a kabupaten's
/// device ask for them. Bodies are 340 bytes of filler: a page hands them on unread.
async fn scale(cluster: &Cluster) {
    let rows: i64 = std::env::var("SCALE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let villages: Vec<String> = pendamping_core::area::villages_under("36")
        .iter()
        .map(|v| v.code.to_string())
        .collect();
    println!(
        "a log of {rows} changes over the {} villages of Banten:",
        villages.len()
    );
    for kind in [Kind::Sqlite, Kind::Postgres] {
        let dir = tempfile::tempdir().unwrap();
        let server = kind.server(dir.path(), cluster).await;
        let t = Instant::now();
        let (db, names) = (server.db.clone(), villages.clone());
        match kind {
            Kind::Sqlite => tokio::task::spawn_blocking(move || fill_sqlite(&db, &names, rows))
                .await
                .unwrap(),
            Kind::Postgres => fill_postgres(cluster, Cluster::name_of(db.to_str().unwrap()), &names, rows),
        }
        println!("  {:<10} written in {:.0} s", kind.name(), t.elapsed().as_secs_f64());
        let state = server.state.clone();
        let lines = tokio::task::spawn_blocking(move || {
            let storage = state.storage();
            let latest = storage.reading(|tx| tx.latest()).unwrap();
            let mut out = Vec::new();
            // A village's tablet (one village), a kecamatan's laptop (its villages' index
            // ranges, the rest counted on a stream's first page), a kabupaten's device (a
            // scan of the log in order): from the start, and from a cursor near the end.
            for (who, role, area) in [
                ("village", Role::Cadre, "3602012002"),
                ("kecamatan", Role::Plkb, KECAMATAN),
                ("kabupaten", Role::Admin, KABUPATEN),
            ] {
                let scope = Scope::new(role, &[area]).unwrap();
                let mut times = Vec::new();
                let mut got = 0;
                for i in 0..100u64 {
                    let reader = Reader {
                        scope: &scope,
                        device_id: "bench",
                        count: i % 4 == 0,
                    };
                    let since = match i % 3 {
                        0 => 0,
                        1 => latest / 2,
                        _ => latest.saturating_sub(200_000),
                    };
                    let t = Instant::now();
                    let page = storage.reading(|tx| tx.page(&reader, since, 500)).unwrap().unwrap();
                    times.push(t.elapsed());
                    got += page.bodies.len();
                }
                assert!(got > 0, "{who}: nothing read");
                out.push(format!(
                    "  {:<10} {who:<9} page of 500: p50 {:.1} ms, p95 {:.1} ms",
                    "",
                    ms(p(&mut times, 0.5)),
                    ms(p(&mut times, 0.95))
                ));
            }
            out
        })
        .await
        .unwrap();
        for l in lines {
            println!("{l}");
        }
        server.stop().await;
    }
}

/// 3,000 clients connected at once, 1,000 of them devices syncing at once (each pushing its
/// visits and pulling its village), the other 2,000 asking `/health` every second on their
/// kept-alive connection until the syncs are done; every answer must be right.
async fn crowd(cluster: &Cluster) {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let villages: Vec<String> = pendamping_core::area::villages_under("36")
        .into_iter()
        .take(1_000)
        .map(|a| a.code.to_string())
        .collect();
    for kind in [Kind::Sqlite, Kind::Postgres] {
        let dir = tempfile::tempdir().unwrap();
        let server = kind.server(dir.path(), cluster).await;
        let t = Instant::now();
        // Four children with three monthly visits each, per village.
        let mut devices = devices(&villages, 4, 3);
        let mut pending = 0;
        for (store, v) in devices.iter_mut().zip(&villages) {
            pending += store.pending_count().unwrap();
            // Past the limit on enrolments from one address.
            server.clock.advance(31_000);
            let code = server.code(Role::Cadre, &[v]);
            pendamping_sync::enroll(&mut *store, &server.url(), &code, "crowd")
                .await
                .unwrap();
        }
        let made = t.elapsed();
        // The 2,000 others: each its own client, so its own connection.
        let done = Arc::new(AtomicBool::new(false));
        let (asked, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let url = server.url();
        let idle: Vec<_> = (0..2_000)
            .map(|_| {
                let (done, asked, failed, url) = (done.clone(), asked.clone(), failed.clone(), url.clone());
                tokio::spawn(async move {
                    let http = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
                    loop {
                        asked.fetch_add(1, Ordering::Relaxed);
                        match http.get(format!("{url}/health")).send().await {
                            Ok(r) if r.status().is_success() => {}
                            _ => {
                                failed.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        if done.load(Ordering::Relaxed) {
                            return;
                        }
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let t = Instant::now();
        let syncs: Vec<_> = devices
            .into_iter()
            .map(|mut store| {
                tokio::spawn(async move {
                    let t = Instant::now();
                    let sum =
                        pendamping_sync::sync(&mut store, &pendamping_sync::Options::default(), &mut |_| {}).await;
                    (sum.map(|s| s.pushed), t.elapsed())
                })
            })
            .collect();
        let (mut times, mut errors, mut pushed) = (Vec::new(), 0, 0);
        for s in syncs {
            let (sum, took) = s.await.unwrap();
            match sum {
                Ok(n) => {
                    pushed += n;
                    times.push(took);
                }
                Err(e) => {
                    eprintln!("a sync failed: {e}");
                    errors += 1;
                }
            }
        }
        let all = t.elapsed();
        done.store(true, Ordering::Relaxed);
        for i in idle {
            i.await.unwrap();
        }
        let (held, rows) = logged_change_ids(&server.db);
        println!(
            "  {:<10} 1,000 devices enrolled in {:.0} s; syncing at once beside 2,000 clients asking /health each \
             second: {:.1} s in all, a sync p50 {:.1} s, p95 {:.1} s; sync errors {errors}, /health {} of {} failed; \
             {pushed} of {pending} changes pushed, stored {} ({rows} rows)",
            kind.name(),
            made.as_secs_f64(),
            all.as_secs_f64(),
            p(&mut times, 0.5).as_secs_f64(),
            p(&mut times, 0.95).as_secs_f64(),
            failed.load(Ordering::Relaxed),
            asked.load(Ordering::Relaxed),
            held.len(),
        );
        assert_eq!((errors, failed.load(Ordering::Relaxed)), (0, 0), "every answer right");
        assert_eq!(
            (pushed as usize, held.len(), rows),
            (pending as usize, pending as usize, pending as usize)
        );
        server.stop().await;
    }
}

/// `rows` changes into a SQLite server store, in transactions of 1,000,000.
fn fill_sqlite(db: &Path, villages: &[String], rows: i64) {
    let mut c = rusqlite::Connection::open(db).unwrap();
    c.execute_batch(
        "PRAGMA cache_size = -1000000; CREATE TEMP TABLE bench_villages (n INTEGER PRIMARY KEY, code TEXT)",
    )
    .unwrap();
    let tx = c.transaction().unwrap();
    for (i, v) in villages.iter().enumerate() {
        tx.execute("INSERT INTO bench_villages VALUES (?1, ?2)", (i as i64, v))
            .unwrap();
    }
    tx.commit().unwrap();
    let n = villages.len() as i64;
    let mut from = 1;
    while from <= rows {
        let to = (from + 999_999).min(rows);
        c.execute(
            "WITH RECURSIVE s(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM s WHERE i < ?2) \
             INSERT INTO changes (seq, change_id, area_code, device_id, received_at, body, upstream) \
             SELECT i, randomblob(16), v.code, 'dev-' || (i % ?3) || '-' || (i % 3), 1700000000000 + i, \
             printf('{\"n\":\"%0330d\"}', i), 2 FROM s JOIN bench_villages v ON v.n = i % ?3",
            (from, to, n),
        )
        .unwrap();
        from = to + 1;
    }
    c.execute_batch("ANALYZE").unwrap();
}

/// `rows` changes into a PostgreSQL server store, in statements of 1,000,000, then
/// vacuumed (a page reads the index alone once its pages are marked visible).
fn fill_postgres(cluster: &Cluster, name: &str, villages: &[String], rows: i64) {
    let list = villages.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(",");
    let made = cluster.psql(
        name,
        &format!(
            "CREATE TABLE bench_villages AS SELECT (o - 1)::int AS n, code FROM unnest(ARRAY[{list}]) \
             WITH ORDINALITY AS t(code, o)"
        ),
    );
    assert!(made.contains("SELECT"), "{made}");
    let n = villages.len();
    let mut from = 1;
    while from <= rows {
        let to = (from + 999_999).min(rows);
        let out = cluster.psql(
            name,
            &format!(
                "INSERT INTO changes (regency, change_id, seq, area_code, device_id, via, upstream, received_at, body) \
                 SELECT left(v.code, 4), md5('c' || i)::uuid, i, v.code, 'dev-' || (i % {n}) || '-' || (i % 3), NULL, 2, \
                 1700000000000 + i, '{{\"n\":\"' || lpad(i::text, 330, '0') || '\"}}' \
                 FROM generate_series({from}::int8, {to}::int8) AS i JOIN bench_villages v ON v.n = i % {n}"
            ),
        );
        assert!(out.contains("INSERT"), "{out}");
        from = to + 1;
    }
    let out = cluster.psql(
        name,
        &format!("SELECT setval('change_seq', {rows}); DROP TABLE bench_villages"),
    );
    assert!(out.contains("DROP TABLE"), "{out}");
    // Alone: VACUUM runs outside a transaction.
    let out = cluster.psql(name, "VACUUM (ANALYZE) changes");
    assert!(out.contains("VACUUM"), "{out}");
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
        if filter.iter().any(|f| f == "crowd") {
            crowd(&cluster).await;
        }
        // Long (about 10 GB written): only when asked by name.
        if filter.iter().any(|f| f == "scale") {
            scale(&cluster).await;
        }
    });
}
