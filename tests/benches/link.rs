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
use pendamping_tests::net::*;
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
        origins: Vec::new(),
        seals: Vec::new(),
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

/// One sync through the proxy, as `pendamping sync` runs it.
struct Measured {
    secs: f64,
    /// Until the push phase ended (the first pull event).
    push_secs: f64,
    up: u64,
    down: u64,
    requests: u64,
    rows: u64,
}

async fn sync_through(store: &mut Store, proxy: &FaultProxy) -> Measured {
    store.set_setting("server", &proxy.url()).unwrap();
    let (up0, down0, _) = proxy.traffic.total();
    let t = Instant::now();
    let mut push_end = None;
    let sum = pendamping_sync::sync(&mut *store, &pendamping_sync::Options::default(), &mut |p| {
        if p.phase == pendamping_sync::Phase::Pull && push_end.is_none() {
            push_end = Some(t.elapsed());
        }
    })
    .await
    .expect("sync");
    let secs = t.elapsed().as_secs_f64();
    let (up1, down1, _) = proxy.traffic.total();
    Measured {
        secs,
        push_secs: push_end.map_or(secs, |d| d.as_secs_f64()),
        up: up1 - up0,
        down: down1 - down0,
        requests: sum.requests,
        rows: sum.pushed + sum.pulled,
    }
}

fn report(what: &str, link: &Link, m: &Measured, secs: f64, bytes: u64) {
    let floor = link.floor(bytes, 2).as_secs_f64();
    println!(
        "  {what:<28} {secs:6.1} s · floor {floor:5.1} s · ratio {:4.2} · {:5.1} B/row on the wire ({} B up, {} B down) · {} requests",
        secs / floor,
        bytes as f64 / m.rows as f64,
        m.up,
        m.down,
        m.requests
    );
}

/// The demo village pushed by its device and pulled by a fresh one, over `link`, then the
/// same over a link that also drops every connection after 16 KB.
async fn village_over(name: &str, link: Link) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    println!(
        "{name} ({} ms RTT, {} kbit/s each way), demo village:",
        link.rtt.as_millis(),
        link.rate_bps / 1000
    );
    let proxy = FaultProxy::start(server.addr, Faults::link(link), 1).await;
    let mut cadre = enrolled_device(&server, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    village(&mut cadre, 400, &[VILLAGE], 1);
    let push = sync_through(&mut cadre, &proxy).await;
    report("push (the push phase)", &link, &push, push.push_secs, push.up);
    report("push (the whole sync)", &link, &push, push.secs, push.up);
    let mut fresh = enrolled_device(&server, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    let pull = sync_through(&mut fresh, &proxy).await;
    report("pull, a fresh device", &link, &pull, pull.secs, pull.down);

    let dropping = FaultProxy::start(
        server.addr,
        Faults {
            cut_every: Some(16 << 10),
            ..Faults::link(link)
        },
        2,
    )
    .await;
    let mut other = enrolled_device(&server, clock_at(today()), Role::Cadre, &[OTHER_VILLAGE]).await;
    village(&mut other, 400, &[OTHER_VILLAGE], 1);
    let cut_push = sync_through(&mut other, &dropping).await;
    let mut fresh = enrolled_device(&server, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    let cut_pull = sync_through(&mut fresh, &dropping).await;
    let per = |m: &Measured| (m.up + m.down) as f64 / m.rows as f64;
    println!(
        "  every connection dropped after 16 KB: push {:.1} s, {:.2}× the bytes of a clean push ({} cuts); pull {:.1} s, {:.2}× a clean pull",
        cut_push.secs,
        per(&cut_push) / per(&push),
        dropping.cuts.load(std::sync::atomic::Ordering::Relaxed),
        cut_pull.secs,
        per(&cut_pull) / per(&pull),
    );
    server.stop().await;
}

/// A PLKB laptop restores its kecamatan (14 villages of demo data) over 3G.
async fn plkb_bootstrap() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let villages: Vec<String> = pendamping_core::area::children(Some(KECAMATAN))
        .into_iter()
        .take(14)
        .map(|a| a.code.to_string())
        .collect();
    let names: Vec<&str> = villages.iter().map(String::as_str).collect();
    // Each village's data comes from its own device, straight to the server.
    for (i, v) in names.iter().enumerate() {
        let mut cadre = enrolled_device(&server, clock_at(today()), Role::Cadre, &[v]).await;
        village(&mut cadre, 400, &[v], i as u64 + 1);
        pendamping_sync::sync(&mut cadre, &pendamping_sync::Options::default(), &mut |_| {})
            .await
            .unwrap();
    }
    let proxy = FaultProxy::start(server.addr, Faults::link(Link::G3), 3).await;
    let mut plkb = enrolled_device(&server, clock_at(today()), Role::Plkb, &[KECAMATAN]).await;
    let m = sync_through(&mut plkb, &proxy).await;
    println!(
        "PLKB bootstrap over 3G: {} villages, {} changes in {:.1} s ({:.1} B/row, {} B down, {} requests; floor {:.1} s)",
        names.len(),
        m.rows,
        m.secs,
        m.down as f64 / m.rows as f64,
        m.down,
        m.requests,
        Link::G3.floor(m.down, 2).as_secs_f64()
    );
    server.stop().await;
}

fn main() {
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let run = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    if run("bytes") {
        bytes();
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if run("3g") {
        rt.block_on(village_over("3G", Link::G3));
    }
    if run("2g") {
        rt.block_on(village_over("2G", Link::G2));
    }
    if run("plkb") {
        rt.block_on(plkb_bootstrap());
    }
    let _ = Duration::ZERO;
}
