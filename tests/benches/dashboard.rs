//! The district's dashboard on a kabupaten of about 1,000,000 visits (issue 15: its first
//! page and each list under 1 s). `cargo bench -p pendamping-tests --bench dashboard`; the
//! pages are rendered as the server serves them, minus the network.
//! The store is built once under `target/bench-data/kabupaten-v1` (a long first run).

mod common;

use std::time::{Duration, Instant};

use pendamping_core::lists::NameList;
use pendamping_core::recap::Month;
use pendamping_server::dashboard::{self, Place};
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
    state.recap(Month::parse("2026-11").unwrap(), &at(KABUPATEN)).unwrap();
    println!(
        "dashboard: the view caught up with the log in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let month = Month::parse("2026-11").unwrap();
    let (took, recap) = time(5, || state.recap(month, &at(KABUPATEN)).unwrap());
    let visits: u32 = recap.rows.iter().map(|r| r.visits).sum();
    println!(
        "dashboard: recap of the kabupaten, one month ({visits} visits): {:.0} ms",
        took.as_secs_f64() * 1000.0
    );
    let account = pendamping_server::accounts::Account {
        name: "tpps.lebak".into(),
        role: pendamping_server::accounts::AccountRole::District,
        scope: pendamping_protocol::Scope::new(pendamping_protocol::Role::Admin, &[KABUPATEN]).unwrap(),
    };
    let place = Place::Area(pendamping_tests::at(KABUPATEN));
    // The first page of a month nobody has opened yet (its indicators computed), then again
    // (from the view's cache, until a push brings something new).
    let t = Instant::now();
    let page = dashboard::overview(&state, &account, &place, month).unwrap();
    let cold = t.elapsed();
    let (warm, _) = time(5, || dashboard::overview(&state, &account, &place, month).unwrap());
    println!(
        "dashboard: first page of the kabupaten ({} kB): {:.0} ms the first time, {:.1} ms after",
        page.len() / 1024,
        cold.as_secs_f64() * 1000.0,
        warm.as_secs_f64() * 1000.0
    );
    let t = Instant::now();
    dashboard::trend(&state, &place, month).unwrap();
    println!(
        "dashboard: 12-month trend of the kabupaten (3 charts, loaded after the page): {:.0} ms the first time",
        t.elapsed().as_secs_f64() * 1000.0
    );
    for list in NameList::ALL {
        let (took, rows) = time(5, || state.name_list(list, month, &at(KABUPATEN)).unwrap());
        let (page, html) = time(5, || {
            dashboard::list_page(&state, &account, list, &place, month, 1).unwrap()
        });
        println!(
            "dashboard: list {} of the kabupaten ({} rows): {:.0} ms; its page ({} kB): {:.0} ms",
            list.as_str(),
            rows.len(),
            took.as_secs_f64() * 1000.0,
            html.len() / 1024,
            page.as_secs_f64() * 1000.0
        );
    }
}
