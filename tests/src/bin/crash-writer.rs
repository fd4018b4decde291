//! Records visits into a store file as fast as it can, printing each visit id only after
//! its transaction committed. The crash test kills it with SIGKILL at random moments.

use std::io::Write;

use chrono::Days;
use pendamping_store::Store;
use pendamping_tests::*;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: crash-writer STORE"))?;
    let today = d(2026, 11, 23);
    let mut store = Store::open(&path, options(clock_at(today)))?;
    // The same family every run: saving it again changes nothing.
    let (_, _, _, e) = family_with_child(&mut store, 100, VILLAGE, d(2025, 5, 1));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for n in 0u64.. {
        let date = d(2025, 6, 1) + Days::new(n % 500);
        let mut v = child_visit(0, &e, date, 8.0 + (n % 30) as f64 / 10.0, 70.0 + (n % 50) as f64 / 10.0);
        v.id = store.new_id();
        store.record_visit(&v)?;
        writeln!(out, "{}", v.id)?;
        out.flush()?;
    }
    Ok(())
}
