//! Sync through an emulated link (userspace: a fixed delay and one rate per direction,
//! shared by every connection, as one radio is; `netem` is not in this kernel), on the
//! demo village (`demo-data --households 400`, 24 months), and the bytes per row of each
//! wire encoding.
//!   cargo bench -p pendamping-tests --bench link [bytes|3g|2g|drop|plkb]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use pendamping_cli::demo::{DemoOptions, generate};
use pendamping_core::Change;
use pendamping_core::ids::{IdMaker, v7_parts};
use pendamping_protocol::codec::{self, Encoding};
use pendamping_protocol::{PushRequest, Role, SCHEMA_VERSION, wire};
use pendamping_store::Store;
use pendamping_tests::*;
use rand::{Rng, SeedableRng};

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

/// The demo village as `pendamping demo-data --households N --village V` makes it.
fn village(store: &mut Store, households: usize, villages: &[&str], seed: u64) {
    let opts = DemoOptions {
        households,
        villages: villages.iter().map(|v| v.to_string()).collect(),
        seed,
        months: 24,
        today: today(),
        chunk: 200,
    };
    generate(&opts, &|_| false, |batch| store.import(batch).map(|_| ())).expect("demo data");
}

/// The outbox as if each row had been written when it was made, on the device that made
/// it (the salt of its row id), not in one burst by `demo-data`: stamps and change ids
/// spread over 24 months. What a replacement tablet pulls looks like this.
fn as_in_the_field(changes: &[Change]) -> Vec<Change> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let mut devices: HashMap<u64, IdMaker> = HashMap::new();
    let mut out: Vec<Change> = changes
        .iter()
        .map(|c| {
            let mut c = c.clone();
            let (made, _, salt) = v7_parts(c.row_id).unwrap_or_default();
            c.hlc.millis = made + rng.random_range(0..50);
            c.hlc.counter = 0;
            c.hlc.node = salt;
            c
        })
        .collect();
    out.sort_by_key(|c| c.hlc);
    for c in &mut out {
        c.change_id = devices
            .entry(c.hlc.node)
            .or_insert_with(|| IdMaker::new(c.hlc.node))
            .next(c.hlc.millis);
    }
    out
}

fn json_body(changes: &[Change]) -> Vec<u8> {
    serde_json::to_vec(&PushRequest {
        schema_version: SCHEMA_VERSION,
        seen: 0,
        changes: changes.to_vec(),
    })
    .unwrap()
}

fn zstd(level: i32, data: &[u8]) -> usize {
    zstd::bulk::compress(data, level).unwrap().len()
}

/// Bytes per row of each encoding, batched as `per` changes a request.
fn bytes_per_row(label: &str, changes: &[Change]) {
    let n = changes.len() as f64;
    for per in [changes.len(), 1000, 250] {
        let mut json = 0;
        let mut packed = [0usize; 3];
        for chunk in changes.chunks(per) {
            json += codec::encode(Encoding::Zstd, &json_body(chunk)).len();
            let p = wire::pack(0u64, chunk);
            for (i, level) in [3, 9, 19].into_iter().enumerate() {
                packed[i] += zstd(level, &p);
            }
        }
        println!(
            "  {label}, {per:>5} a batch: JSON+zstd3 {:5.1} B/row · packed+zstd3 {:5.1} · zstd9 {:5.1} · zstd19 {:5.1}",
            json as f64 / n,
            packed[0] as f64 / n,
            packed[1] as f64 / n,
            packed[2] as f64 / n
        );
    }
}

fn bytes() {
    let mut store = store_at(today());
    let t = Instant::now();
    village(&mut store, 400, &[VILLAGE], 1);
    let changes = store.outbox(1 << 30).unwrap();
    println!(
        "demo village: {} changes ({} visits), made in {:.1} s",
        changes.len(),
        changes
            .iter()
            .filter(|c| c.entity == pendamping_core::Entity::Visit)
            .count(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let packed = wire::pack(0u64, &changes);
    let pack_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let (_, back): (u64, Vec<Change>) = wire::unpack(&packed).unwrap();
    let unpack_ms = t.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(back, changes);
    println!("  pack {pack_ms:.0} ms, unpack {unpack_ms:.0} ms for the whole village");
    bytes_per_row("as demo-data writes it", &changes);
    bytes_per_row("as in the field", &as_in_the_field(&changes));
}

fn main() {
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let run = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    if run("bytes") {
        bytes();
    }
    let _ = (Duration::ZERO, Role::Cadre);
}
