//! Benchmark of the real app binary (run under a display):
//!   xvfb-run -a cargo run --release -p pendamping-e2e --bin app-bench
//! with the app built as shipped: `npm --prefix ui run build &&
//! cargo build --release -p pendamping-desktop --features tauri/custom-protocol` and
//! `PENDAMPING_APP=target/release/pendamping-desktop`.
//!
//! Prints: cold start to the first screen (WebDriver session included, so an upper bound),
//! resident memory after start (the app process, and with its WebKit processes), opening
//! the household list of a 2,000-family village, and opening a child's growth chart, on
//! a store of about 50,000 persons made by demo-data.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use pendamping_cli::demo::{DemoOptions, generate};
use pendamping_e2e::App;
use pendamping_store::{Options, Store};
use serde_json::json;

const VILLAGES: [&str; 7] = [
    "3602012002",
    "3602012003",
    "3602012004",
    "3602012005",
    "3602012006",
    "3602012009",
    "3602012013",
];
/// 2,000 families a village, about 50,000 persons.
const HOUSEHOLDS: usize = 14_000;
const RUNS: usize = 5;

/// The store is made once and copied for each run (each run opens it cold).
fn make_store(path: &Path) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut s = Store::open(&tmp, Options::default())?;
    let opts = DemoOptions {
        households: HOUSEHOLDS,
        villages: VILLAGES.iter().map(|v| v.to_string()).collect(),
        seed: 7,
        months: 24,
        today: s.today(),
        chunk: 500,
    };
    let started = Instant::now();
    let counts = generate(&opts, &|_| false, |batch| s.import(batch).map(|_| ()))
        .map_err(|e| anyhow::anyhow!("demo data: {e:?}"))?;
    s.set_preference("villages", &VILLAGES.join(","))?;
    s.set_preference("current_village", VILLAGES[0])?;
    s.set_preference("mode", "offline")?;
    drop(s);
    std::fs::rename(&tmp, path)?;
    eprintln!(
        "store: {} households, {} persons, {} visits ({:.0} s)",
        counts.households,
        counts.persons,
        counts.visits,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Kilobytes resident of the app (the process whose data dir is ours) and of its children.
fn rss_kb(data_dir: &Path) -> Result<(u64, u64)> {
    let mut app = None;
    let mut procs = Vec::new();
    for entry in std::fs::read_dir("/proc")? {
        let Ok(pid) = entry?.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        };
        let (ppid, rss) = (field("PPid:").unwrap_or(0) as u32, field("VmRSS:").unwrap_or(0));
        let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        let ours = env
            .split(|b| *b == 0)
            .any(|kv| kv == format!("PENDAMPING_DATA_DIR={}", data_dir.display()).as_bytes());
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
        if ours && exe.ends_with("pendamping-desktop") {
            app = Some((pid, rss));
        }
        procs.push((pid, ppid, rss));
    }
    let (pid, rss) = app.context("the app process was not found")?;
    let children: u64 = procs.iter().filter(|p| p.1 == pid).map(|p| p.2).sum();
    Ok((rss, rss + children))
}

/// Clicks `click` and returns the milliseconds until `count` elements match `css` and a
/// frame has been drawn.
const TIMED_CLICK: &str = "const [click, css, count, done] = arguments;
    const t0 = performance.now();
    document.querySelector(click).click();
    const poll = () => {
      if (document.querySelectorAll(css).length >= count) requestAnimationFrame(() => done(performance.now() - t0));
      else if (performance.now() - t0 > 20000) done(-1);
      else requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);";

/// Milliseconds one command takes as the UI calls it (IPC, the Rust side, JSON both ways).
const TIMED_INVOKE: &str = "const [cmd, args, done] = arguments;
    const t0 = performance.now();
    window.__TAURI_INTERNALS__.invoke(cmd, args).then(() => done(performance.now() - t0), () => done(-1));";

async fn timed_invoke(app: &App, cmd: &str, args: serde_json::Value) -> Result<f64> {
    let ms = app
        .client
        .execute_async(TIMED_INVOKE, vec![json!(cmd), args])
        .await?
        .as_f64()
        .unwrap_or(-1.0);
    if ms < 0.0 {
        bail!("{cmd} failed");
    }
    Ok(ms)
}

async fn timed_click(app: &App, click: &str, css: &str, count: usize) -> Result<f64> {
    let ms = app
        .client
        .execute_async(TIMED_CLICK, vec![json!(click), json!(css), json!(count)])
        .await?
        .as_f64()
        .unwrap_or(-1.0);
    if ms < 0.0 {
        bail!("{css} never reached {count}");
    }
    Ok(ms)
}

fn summary(name: &str, mut v: Vec<f64>, unit: &str) {
    v.sort_by(f64::total_cmp);
    let p = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<44} median {:>8.1} {unit}  p95 {:>8.1} {unit}  max {:>8.1} {unit}  (n={})",
        p(0.5),
        p(0.95),
        v[v.len() - 1],
        v.len()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/app-bench");
    std::fs::create_dir_all(&base)?;
    let store = base.join("bench.db");
    make_store(&store)?;
    let s = Store::open(&store, Options::default())?;
    let households = s.households_in(&pendamping_tests::at(VILLAGES[0]), 0, 5_000)?.len();
    let (child, name, points): (String, String, i64) = s.connection().query_row(
        "SELECT v.person_id, p.name, COUNT(*) c FROM visits v JOIN persons p ON p.id = v.person_id \
         WHERE v.kind = 'anak' AND v.area_code = ?1 GROUP BY v.person_id ORDER BY c DESC LIMIT 1",
        [VILLAGES[0]],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let points = points as usize;
    let persons: i64 = s
        .connection()
        .query_row("SELECT COUNT(*) FROM persons", [], |r| r.get(0))?;
    drop(s);
    // The device's store as the app keeps it: encrypted, its key wrapped by the member's
    // PIN. Each start below is a member typing the PIN into a device that holds it.
    let sealed = base.join("sealed");
    let _ = std::fs::remove_dir_all(&sealed);
    std::fs::create_dir_all(&sealed)?;
    std::fs::copy(&store, sealed.join("pendamping.db"))?;
    pendamping_app::door::Door::new(&sealed.join("pendamping.db"))
        .create(pendamping_e2e::MEMBER, pendamping_e2e::PIN, pendamping_e2e::PIN)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("app: {}", pendamping_e2e::app_binary().display());
    println!(
        "store: {persons} persons; village {} has {households} households",
        VILLAGES[0]
    );

    let (mut start, mut rss, mut rss_all, mut list, mut chart) = (vec![], vec![], vec![], vec![], vec![]);
    let (mut list_cmd, mut chart_cmd) = (vec![], vec![]);
    for run in 0..RUNS {
        let dir = tempfile::tempdir()?;
        for file in ["pendamping.db", "pendamping.db.keys"] {
            std::fs::copy(sealed.join(file), dir.path().join(file))?;
        }
        let t0 = Instant::now();
        let app = App::start_in(dir).await?;
        app.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(fantoccini::Locator::Css("[data-screen=home] .counts"))
            .await?;
        start.push(t0.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (own, all) = rss_kb(app.data.path())?;
        rss.push(own as f64 / 1024.0);
        rss_all.push(all as f64 / 1024.0);
        for _ in 0..3 {
            list_cmd.push(timed_invoke(&app, "households", json!({"offset": 0, "limit": 2000})).await?);
            chart_cmd.push(timed_invoke(&app, "timeline", json!({"personId": child})).await?);
            chart_cmd.push(
                timed_invoke(
                    &app,
                    "growth_chart",
                    json!({"personId": child, "kind": "length_for_age"}),
                )
                .await?,
            );
            // Open: all families loaded (the list's height holds every row) and the first
            // screenful drawn; rows further down are drawn as they scroll into view.
            let rows = format!("[data-list=households][data-rows='{households}'] > li");
            list.push(timed_click(&app, "button[data-tab=families]", &rows, 10).await?);
            app.click("button[data-tab=home]").await?;
            app.find("[data-screen=home] .counts").await?;
        }
        app.click("button[data-tab=families]").await?;
        app.type_in("input[name=search]", &name).await?;
        let person = format!("button[data-person='{child}']");
        app.find(&person).await?;
        chart.push(timed_click(&app, &person, "svg[data-chart] circle.point", points).await?);
        for kind in ["weight_for_age", "weight_for_length", "length_for_age"] {
            let tab = format!("button[data-chart-tab={kind}]");
            let svg = format!("svg[data-chart={kind}] circle.point");
            chart.push(timed_click(&app, &tab, &svg, 1).await?);
        }
        if run == 0 {
            app.screenshot("bench-household-list").await.ok();
        }
        app.close().await?;
        eprintln!("run {} done", run + 1);
    }
    summary("cold start to the first screen", start, "ms");
    summary("resident memory, app process", rss, "MB");
    summary("resident memory, app + WebKit processes", rss_all, "MB");
    summary(&format!("household list ({households} families)"), list, "ms");
    summary(&format!("growth chart ({points} points)"), chart, "ms");
    summary("  of which: households command (IPC + query)", list_cmd, "ms");
    summary("  of which: timeline, growth_chart commands", chart_cmd, "ms");
    Ok(())
}
