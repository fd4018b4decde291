//! The cost of signed changes (issue 16): sealing a batch on the device, opening it at the
//! hub or the centre, a hub proving part of it, and the bytes a seal adds to a packed push.
//!   cargo bench -p pendamping-tests --bench signing

mod common;

use std::time::{Duration, Instant};

use pendamping_core::area;
use pendamping_protocol::{PushHead, SCHEMA_VERSION, codec, seal, wire};
use pendamping_store::Store;
use pendamping_tests::*;
use pendamping_vault::DeviceKey;

fn median(mut t: Vec<Duration>) -> f64 {
    t.sort();
    t[t.len() / 2].as_secs_f64() * 1000.0
}

fn timed(runs: usize, mut f: impl FnMut()) -> f64 {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let villages: Vec<String> = area::children(Some("360201"))
        .iter()
        .take(2)
        .map(|a| a.code.to_string())
        .collect();
    let mut store = Store::open_in_memory(options(clock_at(common::today()))).unwrap();
    common::demo(&mut store, 150, &villages, 24, 1);
    let key = DeviceKey::generate().unwrap();
    let public = key.public();
    for n in [100usize, 1_000] {
        let changes = store.outbox(n).unwrap();
        assert_eq!(changes.len(), n, "the demo store holds enough changes");
        let sealed = seal::sign(&key, "device", &changes);
        let sign_ms = timed(21, || {
            std::hint::black_box(seal::sign(&key, "device", &changes));
        });
        let open_ms = timed(21, || {
            std::hint::black_box(seal::open(&sealed, "device", &public, &changes).unwrap());
        });
        let (kept, _) = seal::open(&sealed, "device", &public, &changes).unwrap();
        // A hub relaying part of it: the first half (its upstream batch ended there), or
        // every other change (the rest refused at the hub: the worst case for the proof).
        let first: Vec<u32> = (0..n as u32 / 2).collect();
        let alternate: Vec<u32> = (0..n as u32).step_by(2).collect();
        let prove_ms = timed(21, || {
            std::hint::black_box(kept.prove(&alternate).unwrap());
        });
        let size = |seals: Vec<seal::Seal>, changes: &[pendamping_core::Change]| {
            let head = PushHead {
                schema_version: SCHEMA_VERSION,
                seen: 0,
                origins: Vec::new(),
                seals,
            };
            codec::encode(codec::Encoding::Zstd, &wire::pack(head, changes)).len()
        };
        let part = |which: &[u32]| {
            let changes: Vec<_> = which.iter().map(|i| changes[*i as usize].clone()).collect();
            let (bare, proved) = (
                size(Vec::new(), &changes),
                size(vec![kept.prove(which).unwrap()], &changes),
            );
            format!("{bare} → {proved} bytes (+{})", proved - bare)
        };
        let (bare, signed) = (size(Vec::new(), &changes), size(vec![sealed.clone()], &changes));
        println!(
            "{n:>5} changes: seal {sign_ms:.2} ms, open {open_ms:.2} ms, a hub's proof of every other {prove_ms:.3} ms; \
             packed+zstd push {bare} → {signed} bytes (+{}); relayed, the first half {}, every other {}",
            signed - bare,
            part(&first),
            part(&alternate)
        );
    }
}
