//! The cost of encryption at rest: the same store plain and encrypted (SQLCipher), in the
//! same run, for a form save, a batch, the due list and opening; and unlocking with a PIN
//! (Argon2id at the shipped cost).
//!   cargo bench -p pendamping-tests --bench security

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use pendamping_core::area;
use pendamping_store::{DataKey, Options, Store, encrypt_file};
use pendamping_tests::*;
use pendamping_vault::Vault;

fn p(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0
}

fn opts(key: Option<&DataKey>) -> Options {
    Options {
        key: key.cloned(),
        ..options(clock_at(common::today()))
    }
}

/// Form saves, a batch, the due list and a cold open, on one store.
fn measure(label: &str, path: &Path, key: Option<&DataKey>, villages: &[String]) -> [f64; 4] {
    let t = Instant::now();
    let mut store = Store::open(path, opts(key)).unwrap();
    let open_ms = t.elapsed().as_secs_f64() * 1000.0;
    let children: Vec<_> = (0..200u128)
        .map(|i| family_with_child(&mut store, 9_000_000 + i * 10, &villages[0], d(2024, 1, 1)).3)
        .collect();
    let make = |store: &Store, i: u64| common::weekly_visit(store, &children, i);
    let n = 500u64;
    let t = Instant::now();
    for i in 0..n {
        store.record_visit(&make(&store, i)).unwrap();
    }
    let form = t.elapsed().as_secs_f64() * 1000.0 / n as f64;
    let batch: Vec<_> = (0..20_000u64).map(|i| make(&store, 1_000 + i)).collect();
    let t = Instant::now();
    for chunk in batch.chunks(1000) {
        store.record_visits(chunk).unwrap();
    }
    let batched = batch.len() as f64 / t.elapsed().as_secs_f64();
    let mut due = Vec::new();
    for i in 0..300 {
        let t = Instant::now();
        std::hint::black_box(
            store
                .due_list(&at(&villages[i % villages.len()]), common::today())
                .unwrap(),
        );
        due.push(t.elapsed());
    }
    let (p50, p95) = (p(&mut due, 0.5), p(&mut due, 0.95));
    println!(
        "{label:<9} open {open_ms:>6.1} ms · form save {form:>5.2} ms · batch {batched:>7.0} visits/s · due list p50 {p50:>5.2} ms p95 {p95:>5.2} ms"
    );
    [form, 1.0 / batched, p50, p95]
}

fn main() {
    let villages: Vec<String> = area::children(Some("360201"))
        .iter()
        .take(4)
        .map(|a| a.code.to_string())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.db");
    {
        let mut store = Store::open(&plain, opts(None)).unwrap();
        let visits = common::demo(&mut store, 2_000, &villages, 36, 1);
        println!(
            "store: 2,000 households, {visits} visits in {} villages",
            villages.len()
        );
    }
    let encrypted = dir.path().join("encrypted.db");
    std::fs::copy(&plain, &encrypted).unwrap();
    let key = DataKey::random().unwrap();
    let t = Instant::now();
    encrypt_file(&encrypted, &key, || Ok::<(), pendamping_store::StoreError>(())).unwrap();
    println!(
        "encrypting that plain store in place: {:.2} s ({:.0} MB)",
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&encrypted).unwrap().len() as f64 / 1e6
    );
    // Alternating, so that neither one has the warmer machine; the median of four rounds'
    // ratios, as this shared machine slows down now and then for a whole round.
    const ROUNDS: usize = 4;
    let mut ratios: [Vec<f64>; 4] = Default::default();
    for _ in 0..ROUNDS {
        let a = measure("plain", &plain, None, &villages);
        let b = measure("encrypted", &encrypted, Some(&key), &villages);
        for i in 0..4 {
            ratios[i].push(b[i] / a[i]);
        }
    }
    let median = |xs: &mut Vec<f64>| {
        xs.sort_by(f64::total_cmp);
        (xs[ROUNDS / 2 - 1] + xs[ROUNDS / 2]) / 2.0
    };
    let [form, batch, p50, p95] = ratios.each_mut().map(median);
    println!(
        "encrypted / plain, median of {ROUNDS} rounds: form save {form:.2}×, batch {batch:.2}×, due list p50 {p50:.2}×, p95 {p95:.2}×"
    );

    // Unlocking: Argon2id of the PIN at the shipped cost, then the wrap opened.
    let keys = dir.path().join("encrypted.db.keys");
    let (mut vault, member) = Vault::create(&keys, &key, "Bu Sari", "13579024").unwrap();
    let mut took = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        vault.unlock(member, "13579024", 0).unwrap();
        took.push(t.elapsed());
    }
    println!(
        "unlock with the PIN (Argon2id {:?}): median {:.0} ms, max {:.0} ms",
        pendamping_vault::KdfParams::default(),
        p(&mut took.clone(), 0.5),
        p(&mut took, 1.0)
    );
}
