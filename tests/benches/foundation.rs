//! Foundation benchmarks: prints figures for the closing note.
//!   cargo bench -p pendamping-tests --bench foundation
//! The 50,000-person store is made once by demo-data and kept under target/bench-data/.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Days;
use pendamping_cli::{anthro, demo};
use pendamping_core::area;
use pendamping_core::assess::{self, VisitContext};
use pendamping_core::recap::Month;
use pendamping_core::risk::PersonFacts;
use pendamping_core::{Rules, Sex};
use pendamping_store::Store;
use pendamping_tests::*;
use rand::{Rng, SeedableRng};

const TODAY: (i32, u32, u32) = (2026, 11, 23);

fn today() -> chrono::NaiveDate {
    d(TODAY.0, TODAY.1, TODAY.2)
}

fn p(samples: &mut [Duration], q: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * q).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn record_visits() {
    // Pure pipeline: validate + risks + z-scores, no I/O.
    let mut store = store_at(today());
    let (_, _, child, e) = family_with_child(&mut store, 100, VILLAGE, d(2025, 5, 1));
    let rules = Rules::default();
    let n = 200_000;
    let t = Instant::now();
    for i in 0..n {
        let v = child_visit(
            0,
            &e,
            d(2025, 6, 1) + Days::new(i % 500),
            8.0 + (i % 30) as f64 / 10.0,
            70.0 + (i % 50) as f64 / 10.0,
        );
        let ctx = VisitContext {
            person: PersonFacts {
                sex: child.sex,
                birth_date: child.birth_date,
                children: None,
            },
            enrolment: &e,
            today: today(),
        };
        std::hint::black_box(assess::assess(v.visit_date, &v.data, &ctx, &rules));
    }
    let pure = n as f64 / t.elapsed().as_secs_f64();

    // Through the store into a file (WAL, synchronous=FULL): batches of 1,000 per transaction,
    // and one transaction (one fsync) per visit as a form save does it. Visits go to 500
    // children, each with a realistic history length.
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("b.db"), options(clock_at(today()))).unwrap();
    let children: Vec<_> = (0..500u128)
        .map(|i| family_with_child(&mut store, 1000 + i * 10, VILLAGE, d(2024, 1, 1)).3)
        .collect();
    let make = |store: &Store, i: u64| common::weekly_visit(store, &children, i);
    let n = 50_000u64;
    let batch: Vec<_> = (0..n).map(|i| make(&store, i)).collect();
    let t = Instant::now();
    for chunk in batch.chunks(1000) {
        store.record_visits(chunk).unwrap();
    }
    let batched = n as f64 / t.elapsed().as_secs_f64();
    let n = 1_000u64;
    let t = Instant::now();
    for i in 0..n {
        store.record_visit(&make(&store, i)).unwrap();
    }
    let single = n as f64 / t.elapsed().as_secs_f64();
    println!("record visit (validate + risks + z-scores, no I/O): {pure:>9.0} /s");
    println!("record visit (+ insert + outbox, 1,000 per transaction): {batched:>9.0} /s");
    println!("record visit (+ insert + outbox, own fsync'd transaction each): {single:>9.0} /s");
}

fn big_store() -> (PathBuf, Vec<String>) {
    let villages: Vec<String> = area::children(Some("360201"))
        .iter()
        .map(|a| a.code.to_string())
        .collect();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big-v1.db");
    if !path.exists() {
        let tmp = dir.join("big-building.db");
        let _ = std::fs::remove_file(&tmp);
        let mut store = Store::open(&tmp, options(clock_at(today()))).unwrap();
        let opts = demo::DemoOptions {
            households: 13_900,
            villages: villages.clone(),
            seed: 1,
            months: 96,
            today: today(),
            chunk: 500,
        };
        let t = Instant::now();
        let counts = demo::generate(&opts, &|_| false, |b| store.import(b).map(|_| ())).unwrap();
        println!(
            "demo-data: {} households, {} persons, {} enrolments, {} visits in {:.0} s ({:.0} visits/s)",
            counts.households,
            counts.persons,
            counts.enrolments,
            counts.visits,
            t.elapsed().as_secs_f64(),
            counts.visits as f64 / t.elapsed().as_secs_f64()
        );
        drop(store);
        std::fs::rename(&tmp, &path).unwrap();
        let _ = std::fs::remove_file(dir.join("big-building.db-wal"));
        let _ = std::fs::remove_file(dir.join("big-building.db-shm"));
    }
    (path, villages)
}

fn queries() {
    let (path, villages) = big_store();
    let store = Store::open(&path, options(clock_at(today()))).unwrap();
    let count = |sql: &str| -> i64 { store.connection().query_row(sql, [], |r| r.get(0)).unwrap() };
    println!(
        "store: {} persons, {} visits, {} villages, {:.0} MB",
        count("SELECT COUNT(*) FROM persons"),
        count("SELECT COUNT(*) FROM visits"),
        villages.len(),
        std::fs::metadata(&path).unwrap().len() as f64 / 1e6
    );
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let mut due = Vec::new();
    let mut due_len = 0;
    for i in 0..300 {
        let v = &villages[i % villages.len()];
        let t = Instant::now();
        due_len += store.due_list(&at(v), today()).unwrap().len();
        due.push(t.elapsed());
    }
    println!(
        "due list of a village ({} due on average): p50 {:.2} ms, p95 {:.2} ms",
        due_len / 300,
        ms(p(&mut due, 0.5)),
        ms(p(&mut due, 0.95))
    );
    let prefixes = [
        "si", "sit", "dew", "nur", "ahm", "ra", "put", "eka", "yu", "hen", "siti am", "de", "a", "rizki s", "ratna",
    ];
    let mut search = Vec::new();
    let mut hits = 0;
    for i in 0..600 {
        let q = prefixes[rng.random_range(0..prefixes.len())];
        let scope = if i % 2 == 0 {
            villages[i % villages.len()].as_str()
        } else {
            "360201"
        };
        let t = Instant::now();
        hits += store.search_persons(q, Some(&at(scope)), 50).unwrap().len();
        search.push(t.elapsed());
    }
    println!(
        "name-prefix search, 50 results (village or kecamatan, {} hits avg): p50 {:.2} ms, p95 {:.2} ms",
        hits / 600,
        ms(p(&mut search, 0.5)),
        ms(p(&mut search, 0.95))
    );
    let mut recap = Vec::new();
    for m in [(2026, 11), (2026, 10), (2025, 6), (2024, 1)] {
        let t = Instant::now();
        let r = store.recap(Month { year: m.0, month: m.1 }, &at("360201")).unwrap();
        recap.push(t.elapsed());
        std::hint::black_box(r);
    }
    println!(
        "recap of the kecamatan (4 months): max {:.0} ms",
        ms(*recap.iter().max().unwrap())
    );
}

/// Recording into the 1,000,000-visit store: a device after years of work. A copy of the
/// store takes the visits, so the kept one stays as built.
fn record_big() {
    let (path, _) = big_store();
    let copy = path.with_file_name("big-record.db");
    std::fs::copy(&path, &copy).unwrap();
    let mut store = Store::open(&copy, options(clock_at(today()))).unwrap();
    let ids: Vec<String> = {
        let mut stmt = store
            .connection()
            .prepare(
                "SELECT id FROM enrolments WHERE kind = 'anak' AND deleted = 0 AND end_date IS NULL \
                 AND active_until >= ?1 AND start_date <= ?2 ORDER BY id LIMIT 500",
            )
            .unwrap();
        stmt.query_map([today().to_string(), (today() - Days::new(60)).to_string()], |r| {
            r.get(0)
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
    };
    let children: Vec<_> = ids
        .iter()
        .map(|id| store.enrolment(id.parse().unwrap()).unwrap().unwrap())
        .collect();
    let n = 10_000u64;
    let batch: Vec<_> = (0..n)
        .map(|i| {
            let e = &children[(i % children.len() as u64) as usize];
            let mut v = child_visit(0, e, today() - Days::new(i % 60), 9.0, 78.0);
            v.id = store.new_id();
            v
        })
        .collect();
    let t = Instant::now();
    for chunk in batch.chunks(1000) {
        store.record_visits(chunk).unwrap();
    }
    let rate = n as f64 / t.elapsed().as_secs_f64();
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
    }
    println!(
        "record visit into the 1,000,000-visit store (1,000 per transaction, {} children): {rate:>9.0} /s",
        children.len()
    );
}

fn anthro_rows() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(2);
    let mut csv = String::from("id,sex,age_days,weight,lenhei,measure,headc,armc,oedema\n");
    for i in 0..100_000 {
        let age = rng.random_range(0..1826);
        let sex = if rng.random_bool(0.5) { Sex::Male } else { Sex::Female };
        let len = 50.0 + age as f64 * 0.035 + rng.random_range(-4.0..4.0);
        let w = 3.3 + age as f64 * 0.0075 + rng.random_range(-1.0..1.0);
        let m = if age < 731 { "l" } else { "h" };
        csv.push_str(&format!(
            "{i},{},{age},{w:.1},{len:.1},{m},{:.1},{:.1},n\n",
            if sex == Sex::Male { 1 } else { 2 },
            34.0 + age as f64 * 0.008,
            13.0 + rng.random_range(0.0..3.0)
        ));
    }
    let t = Instant::now();
    let mut out = Vec::with_capacity(csv.len() * 2);
    let s = anthro::run(csv.as_bytes(), &mut out).unwrap();
    println!(
        "anthro: {} rows in {:.0} ms ({} bad)",
        s.rows,
        ms(t.elapsed()),
        s.bad.len()
    );
}

/// A province's view: `demo-data` over Banten's 1,552 villages, about 10,000,000 visits in
/// two years (`PROVINCE_HOUSEHOLDS`, 485,000 unless set), built once under
/// target/bench-data/ (the centre's view is a store of this shape, fed from the log); then
/// the province's and a kabupaten's recap, and their indicators by child area, which are
/// what the dashboard's first page reads.
fn province() {
    let villages: Vec<String> = area::villages_under("36").iter().map(|a| a.code.to_string()).collect();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("province-v1.db");
    if !path.exists() {
        let tmp = dir.join("province-building.db");
        let _ = std::fs::remove_file(&tmp);
        let mut store = Store::open(&tmp, options(clock_at(today()))).unwrap();
        let households = std::env::var("PROVINCE_HOUSEHOLDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(485_000);
        let t = Instant::now();
        let visits = common::demo(&mut store, households, &villages, 24, 1);
        println!(
            "demo-data: {households} households, {visits} visits in {} villages in {:.0} s",
            villages.len(),
            t.elapsed().as_secs_f64()
        );
        drop(store);
        std::fs::rename(&tmp, &path).unwrap();
        let _ = std::fs::remove_file(dir.join("province-building.db-wal"));
        let _ = std::fs::remove_file(dir.join("province-building.db-shm"));
    }
    let store = Store::open(&path, options(clock_at(today()))).unwrap();
    let visits: i64 = store
        .connection()
        .query_row("SELECT COUNT(*) FROM visits", [], |r| r.get(0))
        .unwrap();
    println!("province store: {visits} visits in {} villages", villages.len());
    let month = Month::of(today());
    for (code, key_len) in [("36", 4), ("3602", 6)] {
        let area = area::AreaCode::parse(code).unwrap();
        let timed = |f: &dyn Fn()| {
            let t = Instant::now();
            f();
            let first = t.elapsed();
            let mut times: Vec<Duration> = (0..3)
                .map(|_| {
                    let t = Instant::now();
                    f();
                    t.elapsed()
                })
                .collect();
            times.sort();
            (first, times[1])
        };
        let (first, median) = timed(&|| drop(store.recap_as_of(month, &area, today()).unwrap()));
        let (ifirst, imedian) = timed(&|| drop(store.indicators_as_of(month, &area, key_len, today()).unwrap()));
        println!(
            "  {code}: recap {:.0} ms the first time, median {:.0} ms; indicators by child area {:.0} ms / {:.0} ms",
            first.as_secs_f64() * 1e3,
            median.as_secs_f64() * 1e3,
            ifirst.as_secs_f64() * 1e3,
            imedian.as_secs_f64() * 1e3,
        );
    }
}

fn main() {
    // `cargo bench` passes --bench; filters name a part: record, queries, anthro, scale.
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let run = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    if run("anthro") {
        anthro_rows();
    }
    if run("record") {
        record_visits();
    }
    if run("queries") {
        queries();
    }
    if run("scale") {
        record_big();
    }
    // Long (its store's first build takes about an hour and 28 GB of disk): only when asked by name.
    if filter.iter().any(|f| f == "province") {
        province();
    }
}
