//! Sync benchmarks: prints figures for the closing note.
//!   cargo bench -p pendamping-tests --bench sync [push|ingest|devices|stall|catchup]

use std::sync::Arc;
use std::time::{Duration, Instant};

use pendamping_core::hlc::ManualTime;
use pendamping_protocol::codec::{self, Encoding};
use pendamping_protocol::{PushRequest, Role, SCHEMA_VERSION};
use pendamping_store::Store;
use pendamping_tests::net::*;
use pendamping_tests::*;

mod common;
use common::today;

fn p(samples: &mut [Duration], q: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * q).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A device store holding `children` enrolled children; families already synced.
fn device_with_children(
    clock: Arc<ManualTime>,
    area: &str,
    children: usize,
) -> (Store, Vec<pendamping_core::Enrolment>) {
    let mut store = Store::open_in_memory(options(clock)).unwrap();
    let birth = d(2025, 1, 10);
    let es = (0..children)
        .map(|_| realistic_family(&mut store, area, birth))
        .collect();
    (store, es)
}

fn opts() -> pendamping_sync::Options {
    pendamping_sync::Options::default()
}

async fn push_10k() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let clock = clock_at(today());
    let code = server.code(Role::Cadre, &[VILLAGE]);
    let (mut store, es) = device_with_children(clock.clone(), VILLAGE, 1000);
    pendamping_sync::enroll(&mut store, &server.url(), &code, "bench")
        .await
        .unwrap();
    pendamping_sync::sync(&mut store, &opts(), &mut |_| {}).await.unwrap();
    let birth = d(2025, 1, 10);
    let mut visits = Vec::new();
    for (i, e) in es.iter().enumerate() {
        visits.extend(monthly_visits(&store, e, birth, 10, i as u64));
    }
    store.record_visits(&visits).unwrap();
    let batch = store.outbox(20_000).unwrap();
    assert_eq!(batch.len(), 10_000);
    let t = Instant::now();
    let sum = pendamping_sync::sync(&mut store, &opts(), &mut |_| {}).await.unwrap();
    let took = t.elapsed();
    assert_eq!(sum.pushed, 10_000);
    // The same changes, encoded every way, batched as the client batches them.
    let json = serde_json::to_vec(&PushRequest {
        schema_version: SCHEMA_VERSION,
        seen: 0,
        changes: batch,
        origins: Vec::new(),
        seals: Vec::new(),
    })
    .unwrap();
    let per = |n: usize| n as f64 / 10_000.0;
    let gz = codec::encode(Encoding::Gzip, &json).len();
    let zs = codec::encode(Encoding::Zstd, &json).len();
    println!("push 10,000 visits on loopback: {:.0} ms", ms(took));
    println!(
        "  bytes per visit: sent {:.1} (zstd, as pushed, request bodies), JSON {:.1}, gzip {:.1}, zstd {:.1}",
        sum.bytes_sent as f64 / 10_000.0,
        per(json.len()),
        per(gz),
        per(zs)
    );
    server.stop().await;
}

async fn ingest() {
    // Five devices in five villages, 5,600 changes each (1,600 family rows, 4,000 visits),
    // pushed as batches of at most 5,000.
    let villages = ["3602012002", "3602012003", "3602012004", "3602012005", "3602012006"];
    let mut devices: Pushes = Vec::new();
    for (i, v) in villages.into_iter().enumerate() {
        let (mut store, es) = device_with_children(clock_at(today()), v, 400);
        let birth = d(2025, 1, 10);
        let mut visits = Vec::new();
        for (j, e) in es.iter().enumerate() {
            visits.extend(monthly_visits(&store, e, birth, 10, (i * 1000 + j) as u64));
        }
        store.record_visits(&visits).unwrap();
        let all: Vec<String> = store
            .outbox_json(100_000)
            .unwrap()
            .into_iter()
            .map(|(_, b)| b)
            .collect();
        let bodies: Vec<Vec<u8>> = all
            .chunks(5000)
            .map(|chunk| {
                format!(
                    "{{\"schema_version\":{SCHEMA_VERSION},\"changes\":[{}]}}",
                    chunk.join(",")
                )
                .into_bytes()
            })
            .collect();
        devices.push((store, v, bodies));
    }
    let total: usize = devices.iter().map(|(s, ..)| s.pending_count().unwrap() as usize).sum();
    // The door's scan for a key given twice (`shape::unique_keys`, every JSON push) against
    // parsing the same bodies as JSON values, the least any reader of them does.
    let bodies: Vec<&str> = devices
        .iter()
        .flat_map(|(_, _, b)| b.iter().map(|b| std::str::from_utf8(b).unwrap()))
        .collect();
    let mb = bodies.iter().map(|b| b.len()).sum::<usize>() as f64 / 1e6;
    let (mut scan, mut parse) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let t = Instant::now();
        for b in &bodies {
            pendamping_core::shape::unique_keys(b).unwrap();
        }
        scan.push(t.elapsed());
        let t = Instant::now();
        for b in &bodies {
            serde_json::from_str::<serde_json::Value>(b).unwrap();
        }
        parse.push(t.elapsed());
    }
    let (scan, parse) = (p(&mut scan, 0.5), p(&mut parse, 0.5));
    println!(
        "the door's scan for keys given twice: {:.1} ms over {mb:.1} MB of JSON pushes, {:.0} % of parsing \
         them as JSON values ({:.1} ms), median of 5",
        ms(scan),
        100.0 * scan.as_secs_f64() / parse.as_secs_f64(),
        ms(parse)
    );
    // Alternate the two measurements on fresh servers: the first runs of a process pay
    // for warming the allocator and the page cache.
    let mut core = Vec::new();
    let mut http = Vec::new();
    // Each run starts with the disk quiet: the previous run's writes flushed.
    let settle = || {
        let _ = std::process::Command::new("sync").status();
    };
    for _ in 0..3 {
        settle();
        http.push(ingest_http(&mut devices).await);
        settle();
        core.push(ingest_core(&mut devices).await);
    }
    let rate = |t: &Duration| total as f64 / t.as_secs_f64();
    println!(
        "server ingest, {total} changes (71 % visits) in batches of ≤ 5,000, fsync'd commits:\n  \
         push handler without HTTP (parse, check, merge, store): {:.0} changes/s (runs: {})\n  \
         over HTTP on loopback, plain JSON bodies, one push after another: {:.0} changes/s (runs: {})",
        rate(&p(&mut core, 0.5)),
        core.iter()
            .map(|t| format!("{:.0}", rate(t)))
            .collect::<Vec<_>>()
            .join(", "),
        rate(&p(&mut http, 0.5)),
        http.iter()
            .map(|t| format!("{:.0}", rate(t)))
            .collect::<Vec<_>>()
            .join(", "),
    );
}

type Pushes = Vec<(Store, &'static str, Vec<Vec<u8>>)>;

/// Enrols every device with a fresh server; returns each one's token.
async fn enrol_all(server: &TestServer, devices: &mut Pushes) -> Vec<String> {
    let mut tokens = Vec::new();
    for (store, v, _) in devices.iter_mut() {
        let code = server.code(Role::Cadre, &[v]);
        pendamping_sync::enroll(&mut *store, &server.url(), &code, "bench")
            .await
            .unwrap();
        // The bodies are the outbox's JSON, unsealed: what ingest costs, not signing (the
        // signing bench measures that).
        server.forget_signing_key(&store.setting("device_id").unwrap().unwrap());
        tokens.push(store.setting("token").unwrap().unwrap());
    }
    tokens
}

async fn ingest_core(devices: &mut Pushes) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let tokens = enrol_all(&server, devices).await;
    let mut jobs = Vec::new();
    for (token, (_, _, bodies)) in tokens.iter().zip(devices.iter()) {
        let device = server
            .admin()
            .authenticate(token, millis_at(today()) as i64)
            .unwrap()
            .unwrap();
        jobs.push((device, bodies.clone()));
    }
    let state = server.state.clone();
    let took = tokio::task::spawn_blocking(move || {
        let t = Instant::now();
        for (device, bodies) in &jobs {
            for body in bodies {
                assert!(state.push_json(device, body).unwrap().rejected.is_empty());
            }
        }
        t.elapsed()
    })
    .await
    .unwrap();
    server.stop().await;
    took
}

async fn ingest_http(devices: &mut Pushes) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let tokens = enrol_all(&server, devices).await;
    let mut encoded = Vec::new();
    for (token, (_, _, bodies)) in tokens.iter().zip(devices.iter()) {
        for body in bodies {
            // Plain: generated visits repeat themselves, and their JSON grows past the 32
            // times its size a compressed body may decode to (`codec::MAX_EXPANSION`).
            encoded.push((token.clone(), codec::encode(Encoding::Identity, body)));
        }
    }
    let http = reqwest::Client::new();
    let t = Instant::now();
    for (token, body) in encoded {
        let r = http
            .post(format!("{}/v1/sync/push", server.url()))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    }
    let took = t.elapsed();
    server.stop().await;
    took
}

async fn devices_200() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |c| c.readers = 8).await;
    // One device per village of Kabupaten Lebak, 500 changes each (100 family rows, 400 visits).
    let villages: Vec<String> = pendamping_core::area::villages_under("3602")
        .into_iter()
        .take(200)
        .map(|a| a.code.to_string())
        .collect();
    assert_eq!(villages.len(), 200);
    let t = Instant::now();
    let mut devices = Vec::new();
    for (i, v) in villages.iter().enumerate() {
        let clock = clock_at(today());
        let (mut store, es) = device_with_children(clock, v, 25);
        let birth = d(2025, 1, 10);
        let mut visits = Vec::new();
        for (j, e) in es.iter().enumerate() {
            visits.extend(monthly_visits(&store, e, birth, 16, (i * 100 + j) as u64));
        }
        store.record_visits(&visits).unwrap();
        assert_eq!(store.pending_count().unwrap(), 500);
        let code = server.code(Role::Cadre, &[v]);
        pendamping_sync::enroll(&mut store, &server.url(), &code, "bench")
            .await
            .unwrap();
        devices.push(store);
    }
    eprintln!("  (200 device stores made in {:.1} s)", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let tasks: Vec<_> = devices
        .into_iter()
        .map(|mut store| {
            tokio::spawn(async move {
                let t = Instant::now();
                let sum = pendamping_sync::sync(&mut store, &opts(), &mut |_| {}).await;
                (sum, t.elapsed())
            })
        })
        .collect();
    let mut times = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (sum, took) = task.await.unwrap();
        match sum {
            Ok(s) if s.pushed == 500 => times.push(took),
            Ok(s) => panic!("a device pushed {} of 500", s.pushed),
            Err(e) => {
                eprintln!("sync failed: {e}");
                errors += 1;
            }
        }
    }
    let total = t.elapsed();
    let (held, _) = server_change_ids(&server.db());
    println!(
        "200 devices syncing at once, 500 changes each: {:.2} s in all, p50 {:.0} ms, p95 {:.0} ms per sync, {errors} errors, server holds {}",
        total.as_secs_f64(),
        ms(p(&mut times, 0.5)),
        ms(p(&mut times, 0.95)),
        held.len()
    );
    assert_eq!(errors, 0);
    server.stop().await;
}

/// The window while a PLKB laptop's first sync of its kecamatan is applied: the screens'
/// commands (Beranda, the family list, a save) each wait for the store the sync takes a
/// step at a time. The longest wait is the longest the cadre sees the window stall.
async fn stall() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let villages: Vec<String> = pendamping_core::area::villages_under(KECAMATAN)
        .iter()
        .map(|v| v.code.to_string())
        .collect();
    // ~150,000 rows: the kecamatan's families, people, enrolments and two years of visits.
    let log = common::server_log("kecamatan-v1", KABUPATEN, &villages, 6_000, 24);
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&log, dir.path().join("central.db")).unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let code = server.code(Role::Plkb, &[KECAMATAN]);
    let clock = clock_at(today());
    let mut laptop = Store::open(dir.path().join("laptop.db"), options(clock)).unwrap();
    pendamping_sync::enroll(&mut laptop, &server.url(), &code, "laptop PLKB")
        .await
        .unwrap();
    // The window shows the kecamatan's first village, as the app does after enrolment.
    pendamping_app::setup::choose_villages(&mut laptop, &villages).unwrap();
    let shared = pendamping_sync::Shared::new(laptop);
    let done = Arc::new(AtomicBool::new(false));
    let window = {
        let (shared, done) = (shared.clone(), done.clone());
        std::thread::spawn(move || {
            let mut waits = Vec::new();
            let mut n = 0u128;
            // Until the sync ends, then as many again with the store to themselves.
            let mut after = None;
            while after.is_none_or(|a| n < a) {
                if after.is_none() && done.load(Ordering::Relaxed) {
                    after = Some(2 * n);
                }
                let t = Instant::now();
                {
                    let mut s = shared.lock();
                    match n % 3 {
                        0 => drop(pendamping_app::home::home(&s, &at(VILLAGE), today()).unwrap()),
                        1 => drop(pendamping_app::families::households(&s, 0, 50).unwrap()),
                        _ => drop(
                            s.save_household(&household(9_000_000 + n, VILLAGE, "Siti Aminah"))
                                .unwrap(),
                        ),
                    }
                }
                waits.push(t.elapsed());
                n += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            waits
        })
    };
    let t = Instant::now();
    let holds = Arc::new(Mutex::new(Vec::new()));
    let timed = Timed(shared.clone(), holds.clone());
    let sum = pendamping_sync::sync(timed, &opts(), &mut |_| {}).await.unwrap();
    let took = t.elapsed();
    done.store(true, Ordering::Relaxed);
    let mut waits = window.join().unwrap();
    let mut alone = waits.split_off(waits.len() / 2);
    println!(
        "stall: first sync of {} villages, {} changes pulled in {:.1} s; {} commands meanwhile: \
         median {:.1} ms, p99 {:.1} ms, longest {:.1} ms (target < 100 ms); the same commands \
         after it: median {:.1} ms, longest {:.1} ms",
        villages.len(),
        sum.pulled,
        took.as_secs_f64(),
        waits.len(),
        ms(p(&mut waits, 0.5)),
        ms(p(&mut waits, 0.99)),
        ms(p(&mut waits, 1.0)),
        ms(p(&mut alone, 0.5)),
        ms(p(&mut alone, 1.0)),
    );
    let mut holds = holds.lock().unwrap().clone();
    holds.sort_by_key(|h| std::cmp::Reverse(h.0));
    let over = holds.iter().filter(|h| h.0 > Duration::from_millis(100)).count();
    println!(
        "  holds of the store by the sync: {}, of which {over} over 100 ms",
        holds.len()
    );
    for (d, what) in holds.iter().take(4) {
        println!("  a longest hold of the store by the sync: {:.1} ms in {what}", ms(*d));
    }
    server.stop().await;
}

type Holds = std::sync::Arc<std::sync::Mutex<Vec<(Duration, &'static str)>>>;

/// The app's shared store, timing how long the sync holds it each time, and where.
struct Timed(pendamping_sync::Shared, Holds);

impl pendamping_sync::Access for Timed {
    type Replica = Store;
    fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> T) -> T {
        let what = std::any::type_name_of_val(&f);
        let holds = self.1.clone();
        self.0.with(|s| {
            let t = Instant::now();
            let out = f(s);
            holds.lock().unwrap().push((t.elapsed(), what));
            out
        })
    }

    fn waiting(&self) -> Option<Arc<std::sync::atomic::AtomicUsize>> {
        self.0.waiting()
    }
}

/// A fresh laptop of a kecamatan (PLKB) catching up the area's whole log from a district
/// server on SQLite, over loopback: the device's apply rate, which bounds every catch-up.
/// `CATCHUP=kabupaten` takes the kabupaten's log (about 1,300,000 rows) with an admin.
async fn catch_up() {
    let (name, area, households, role) = match std::env::var("CATCHUP").as_deref() {
        Ok("kabupaten") => ("kabupaten-v1", KABUPATEN, 50_000, Role::Admin),
        _ => ("kecamatan-v1", KECAMATAN, 6_000, Role::Plkb),
    };
    let villages: Vec<String> = pendamping_core::area::villages_under(area)
        .iter()
        .map(|v| v.code.to_string())
        .collect();
    let source = common::server_log(name, KABUPATEN, &villages, households, 24);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    std::fs::copy(&source, &db).unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), move |c| c.db = db).await;
    let code = server.code(role, &[area]);
    // Encrypted, as every laptop's store is (8 KB pages, each sealed).
    let key = pendamping_vault::DataKey::random().unwrap();
    let mut laptop = Store::open(
        dir.path().join("laptop.db"),
        pendamping_store::Options {
            key: Some(key),
            ..options(clock_at(today()))
        },
    )
    .unwrap();
    pendamping_sync::enroll(&mut laptop, &server.url(), &code, "laptop")
        .await
        .unwrap();
    let t = Instant::now();
    let sum = pendamping_sync::sync(&mut laptop, &opts(), &mut |_| {}).await.unwrap();
    let took = t.elapsed();
    println!(
        "fresh {name} laptop catch-up: {} rows in {:.1} s ({:.0} rows/s)",
        sum.pulled,
        took.as_secs_f64(),
        sum.pulled as f64 / took.as_secs_f64()
    );
    server.stop().await;
}

fn main() {
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let run = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if run("push") {
        rt.block_on(push_10k());
    }
    if run("ingest") {
        rt.block_on(ingest());
    }
    if run("devices") {
        rt.block_on(devices_200());
    }
    if run("stall") {
        rt.block_on(stall());
    }
    if run("catchup") {
        rt.block_on(catch_up());
    }
}
