//! The district's dashboard on a kabupaten of about 1,000,000 visits (issue 15: its first
//! page and each list under 1 s). `cargo bench -p pendamping-tests --bench dashboard`.
//! The store is built once under `target/bench-data/kabupaten-v1` (a long first run).

mod common;

use std::time::{Duration, Instant};

use pendamping_core::lists::NameList;
use pendamping_core::recap::Month;
use pendamping_tests::*;

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut out = None;
    let xs = (0..runs)
        .map(|_| {
            let t = Instant::now();
            out = Some(f());
            t.elapsed()
        })
        .collect();
    (common::median(xs), out.expect("at least one run"))
}

fn main() {
    let villages: Vec<String> = pendamping_core::area::villages_under(KABUPATEN)
        .iter()
        .map(|v| v.code.to_string())
        .collect();
    let log = common::server_log("kabupaten-v1", KABUPATEN, &villages, 50_000, 24);
    let config = pendamping_server::Config {
        db: log,
        ..pendamping_server::Config::default()
    };
    let state = pendamping_server::open(config, clock_at(common::today())).unwrap();
    let t = Instant::now();
    state.recap(Month::parse("2026-11").unwrap(), KABUPATEN).unwrap();
    println!(
        "dashboard: the view caught up with the log in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let month = Month::parse("2026-11").unwrap();
    let (took, recap) = time(5, || state.recap(month, KABUPATEN).unwrap());
    let visits: u32 = recap.rows.iter().map(|r| r.visits).sum();
    println!(
        "dashboard: recap of the kabupaten, one month ({visits} visits): {:.0} ms",
        took.as_secs_f64() * 1000.0
    );
    for list in NameList::ALL {
        let (took, rows) = time(5, || state.name_list(list, month, KABUPATEN).unwrap());
        println!(
            "dashboard: list {} of the kabupaten ({} rows): {:.0} ms",
            list.as_str(),
            rows.len(),
            took.as_secs_f64() * 1000.0
        );
    }
}
