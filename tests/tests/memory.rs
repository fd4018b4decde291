//! What a body may cost the server is bounded by the bytes it actually brings: a hostile
//! 8 KB body costs about what an honest push of the same size does, whatever counts it
//! states or however densely it packs its cells; and unpacking N bytes never allocates
//! more than a fixed multiple of N. Peak allocation is measured by the process's own
//! allocator (this test binary's global allocator), so the figures are exact, not RSS.

use std::io::Write;
use std::sync::Arc;

use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc, PeakMemAllocTrait};
use pendamping_core::hlc::ManualTime;
use pendamping_core::{Change, Entity, Hlc, TimeSource};
use pendamping_protocol::{PushHead, Role, SCHEMA_VERSION, wire};
use pendamping_tests::net::*;
use pendamping_tests::*;
use reqwest::StatusCode;
use serde_json::Value;

#[global_allocator]
static GLOBAL: &PeakMemAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

const MIB: usize = 1 << 20;

/// The peak is the whole process's: the tests of this file take turns, or one's
/// allocations count in the other's figure.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

/// `count` changes of one person row each, every one with `fields` null fields: columns of
/// one byte a cell, the densest a packed batch gets.
fn dense(clock: &ManualTime, count: usize, fields: usize) -> Vec<Change> {
    let names: std::collections::BTreeMap<String, Value> =
        (0..fields).map(|i| (format!("f{i}"), Value::Null)).collect();
    // Ids as a device makes them (one salt, rising): they pack and compress to little.
    let mut ids = pendamping_core::ids::IdMaker::new(0xabcdef);
    let ms = clock.now_millis();
    (0..count)
        .map(|i| Change {
            change_id: ids.next(ms),
            entity: Entity::Person,
            row_id: ids.next(ms),
            area_code: VILLAGE.into(),
            hlc: Hlc {
                millis: clock.now_millis(),
                counter: i as u32,
                node: 1,
            },
            fields: names.clone(),
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// The peak of what the process allocated while `f` ran, above what it held before.
async fn peak_during<T>(f: impl std::future::Future<Output = T>) -> (T, usize) {
    GLOBAL.reset_peak_memory();
    let out = f.await;
    (out, GLOBAL.get_peak_memory())
}

async fn post(url: &str, token: &str, body: Vec<u8>, encoding: &str) -> StatusCode {
    reqwest::Client::new()
        .post(format!("{url}/v1/sync/push"))
        .bearer_auth(token)
        .header("content-type", wire::MEDIA_TYPE)
        .header("content-encoding", encoding)
        .body(body)
        .send()
        .await
        .expect("the server answers")
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_8_kb_body_costs_what_an_honest_one_does() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<ManualTime> = clock_at(today());
    let server = TestServer::start(dir.path(), clock.clone(), |_| {}).await;
    let mut tablet = enrolled_device(&server, clock.clone(), Role::Cadre, &[VILLAGE]).await;
    let token = tablet.setting(pendamping_sync::keys::TOKEN).unwrap().unwrap();
    for _ in 0..64 {
        a_year_of_visits(&mut tablet, VILLAGE);
    }
    // An honest push of about 8 KB on the wire: a tablet's visits, packed and compressed.
    let outbox = tablet.outbox(10_000).unwrap();
    let honest = |n: usize| {
        let head = PushHead {
            schema_version: SCHEMA_VERSION,
            seen: 0,
            origins: Vec::new(),
            seals: sealed_by(&tablet, &outbox[..n]),
        };
        zstd::bulk::compress(&wire::pack(head, &outbox[..n]), 3).unwrap()
    };
    let mut n = outbox.len();
    while honest(n).len() > 8 << 10 {
        n = n * 49 / 50;
    }
    let body = honest(n);
    let honest_wire = body.len();
    let (status, honest_peak) = peak_during(post(&server.url(), &token, body, "zstd")).await;
    assert_eq!(status, StatusCode::OK);

    // Hostile bodies of about the same size: dense cells (2,000 rows of 60 null fields), a batch
    // that states a huge count of groups, and a gzip bomb of zeros.
    let head = PushHead {
        schema_version: SCHEMA_VERSION,
        seen: 0,
        origins: Vec::new(),
        seals: Vec::new(),
    };
    let dense_body = gzip(&wire::pack(&head, &dense(&clock, 2000, 60)));
    let mut lying = wire::pack(&head, &[]);
    // The batch ends with its count of groups (0): state 2^62 groups instead.
    lying.pop();
    lying.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f]);
    let bomb = gzip(&vec![0u8; 64 * MIB]);
    let mut report = vec![format!(
        "honest: {n} changes, {honest_wire} B on the wire, peak {} KiB",
        honest_peak >> 10
    )];
    for (what, body, encoding) in [
        ("dense cells", dense_body, "gzip"),
        ("a lying count", gzip(&lying), "gzip"),
        ("a gzip bomb", bomb, "gzip"),
    ] {
        let wire_len = body.len();
        assert!(wire_len <= 72 << 10, "{what}: {wire_len} B");
        let (status, peak) = peak_during(post(&server.url(), &token, body, encoding)).await;
        assert!(status.is_client_error(), "{what}: {status}");
        report.push(format!("{what}: {wire_len} B, {status}, peak {} KiB", peak >> 10));
        assert!(
            peak <= honest_peak + 4 * MIB,
            "{what}: peak {} KiB against {} KiB for an honest push of {honest_wire} B",
            peak >> 10,
            honest_peak >> 10
        );
    }
    println!("{}", report.join("\n"));
    let alive = reqwest::get(format!("{}/health", server.url())).await.unwrap();
    assert_eq!(alive.status(), StatusCode::OK);
    server.stop().await;
}

/// The packed body's bytes with the varint at `at` replaced by a huge count.
fn lie_at(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(&[0xff, 0xff, 0xff, 0x7f]);
    out.extend_from_slice(&bytes[(at + 1).min(bytes.len())..]);
    out
}

#[test]
fn unpacking_n_bytes_allocates_a_fixed_multiple_of_n_at_most() {
    let _turn = ONE_AT_A_TIME.blocking_lock();
    const MULTIPLE: usize = 2 * wire::BYTES_PER_WIRE_BYTE;
    let clock = clock_at(today());
    let head = PushHead {
        schema_version: SCHEMA_VERSION,
        seen: 0,
        origins: Vec::new(),
        seals: Vec::new(),
    };
    let mut worst = 0.0f64;
    let mut store = store_at(today());
    for _ in 0..20 {
        a_year_of_visits(&mut store, VILLAGE);
    }
    let honest = store.outbox(10_000).unwrap();
    let mut bodies: Vec<Vec<u8>> = vec![wire::pack(&head, &honest)];
    for (count, fields) in [(1, 1), (10, 200), (5000, 1), (5000, 60), (200, 2000)] {
        bodies.push(wire::pack(&head, &dense(&clock, count, fields)));
    }
    // Lying counts anywhere in a real body, long strings, and a deep JSON value.
    let base = wire::pack(&head, &dense(&clock, 50, 5));
    for at in (4..base.len()).step_by(7) {
        bodies.push(lie_at(&base, at));
    }
    let mut long = dense(&clock, 20, 1);
    for c in &mut long {
        c.fields.insert("name".into(), Value::String("é".repeat(100_000)));
    }
    bodies.push(wire::pack(&head, &long));
    for body in &bodies {
        let n = body.len();
        GLOBAL.reset_peak_memory();
        let out = PushHead::unpack_within(body, wire::Bounds::for_wire(n, wire::MAX_CHANGES));
        let peak = GLOBAL.get_peak_memory();
        drop(out);
        worst = worst.max(peak as f64 / n as f64);
        assert!(
            peak <= MULTIPLE * n + 4 * MIB,
            "{n} bytes took {peak} B to unpack (over {MULTIPLE}× + 4 MiB)"
        );
    }
    // Honest bodies fit their bounds: a tablet's real batch always unpacks.
    let packed = wire::pack(&head, &honest);
    let zstd = zstd::bulk::compress(&packed, 3).unwrap();
    GLOBAL.reset_peak_memory();
    let unbounded = PushHead::unpack_within(
        &packed,
        wire::Bounds {
            changes: wire::MAX_CHANGES,
            bytes: usize::MAX,
        },
    );
    let built = GLOBAL.get_peak_memory();
    drop(unbounded);
    println!(
        "honest unbounded: {} changes, {} B packed, {} B zstd, {built} B built",
        honest.len(),
        packed.len(),
        zstd.len()
    );
    let (_, back) = PushHead::unpack_within(&packed, wire::Bounds::for_wire(zstd.len(), wire::MAX_CHANGES))
        .expect("an honest batch unpacks within the bounds of its compressed size");
    assert_eq!(back.len(), honest.len());
    println!(
        "honest: {} changes, {} B packed, {} B zstd, {} B built ({:.0} per wire byte); worst hostile {worst:.0} B per byte",
        honest.len(),
        packed.len(),
        zstd.len(),
        built,
        built as f64 / zstd.len() as f64
    );
}
