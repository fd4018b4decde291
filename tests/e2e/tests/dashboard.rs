//! The district's dashboard in headless Chromium, as the PLKB officer and the kabupaten's
//! TPPS use it: log in, drill from the kabupaten to a village, open each list, download the
//! XLSX and read it back; refused where the account may not look; the same at a hub whose
//! uplink is down. Screenshots go to `target/e2e-screenshots/dashboard-*.png`.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use chrono::Local;
use pendamping_core::catalogue::{Labelled, Lang};
use pendamping_core::hlc::ManualTime;
use pendamping_core::indicators::{Indicator, Indicators, total};
use pendamping_core::lists::NameList;
use pendamping_core::recap::Month;
use pendamping_e2e::browser::Browser;
use pendamping_protocol::Role;
use pendamping_report::sheet::Format;
use pendamping_server::accounts::AccountRole;
use pendamping_server::dashboard::Place;
use pendamping_tests::net::{TestServer, enrolled_device};
use pendamping_tests::{KABUPATEN, KECAMATAN, OTHER_VILLAGE, VILLAGE, xlsx_rows};

/// A village of another kecamatan (Panggarangan) of the same kabupaten.
const FAR_VILLAGE: &str = "3602022002";
const PASSWORD: &str = "rahasia-sekali";

async fn bounded(f: impl std::future::Future<Output = Result<()>>) {
    tokio::time::timeout(Duration::from_secs(180), f)
        .await
        .expect("the scenario took over three minutes")
        .expect("the scenario failed");
}

/// Today in `area`'s own zone, as the server dates a file (WIB while this machine's clock,
/// in UTC, may still be on yesterday).
fn today_in(area: &str) -> chrono::NaiveDate {
    let hours = pendamping_core::area::Zone::of_area(area).map_or(7, |z| z.utc_offset_hours());
    (chrono::Utc::now() + chrono::Duration::hours(i64::from(hours))).date_naive()
}

fn now_ms() -> u64 {
    Local::now().timestamp_millis() as u64
}

/// A year of demo families in `villages`, pushed to `server` by a device that may.
async fn families(server: &TestServer, villages: &[&str], households: usize) -> Result<()> {
    let role = if villages.iter().all(|v| v.starts_with(KECAMATAN)) {
        Role::Plkb
    } else {
        Role::Admin
    };
    let scope = if role == Role::Plkb { KECAMATAN } else { KABUPATEN };
    let mut device = enrolled_device(server, Arc::new(ManualTime::new(now_ms())), role, &[scope]).await;
    let opts = pendamping_cli::demo::DemoOptions {
        households,
        villages: villages.iter().map(|v| v.to_string()).collect(),
        seed: 15,
        months: 12,
        today: Local::now().date_naive(),
        chunk: 50,
    };
    pendamping_cli::demo::generate(&opts, &|_| false, |b| device.import(b).map(|_| ()))?;
    pendamping_tests::net::sync(&mut device).await;
    Ok(())
}

/// Last month: the one the monthly meeting discusses, complete.
fn last_month() -> Month {
    Month::of(Local::now().date_naive()).back(1)
}

fn key(i: Indicator) -> String {
    serde_json::to_value(i).unwrap().as_str().unwrap().to_string()
}

async fn log_in(b: &Browser, url: &str, name: &str, password: &str) -> Result<()> {
    b.goto(&format!("{url}/dashboard")).await?;
    b.type_in("#name", name).await?;
    b.type_in("#password", password).await?;
    b.click("button[name=login]").await
}

/// The numbers a page's cards show, by indicator.
async fn cards(b: &Browser) -> Result<Vec<(Indicator, u32)>> {
    let mut out = Vec::new();
    for i in Indicator::ALL {
        let n = b
            .find(&format!("section.cards [data-indicator={}] .n", key(i)))
            .await?
            .attr("data-n")
            .await?
            .context("data-n")?;
        out.push((i, n.parse()?));
    }
    Ok(out)
}

fn expected(ind: &Indicators) -> Vec<(Indicator, u32)> {
    Indicator::ALL.iter().map(|i| (*i, ind.get(*i))).collect()
}

/// The page has no horizontal scroll at its width (tables scroll in their own box).
async fn fits(b: &Browser, what: &str) -> Result<()> {
    let w = b
        .js("return [document.documentElement.scrollWidth, window.innerWidth]")
        .await?;
    ensure!(w[0].as_i64() <= w[1].as_i64(), "{what} is wider than the screen: {w}");
    Ok(())
}

/// The page printed to PDF (A4 landscape, as its stylesheet asks): every column header of
/// every table is on the paper, not cut at the page's edge.
async fn on_paper(b: &Browser, what: &str) -> Result<()> {
    let heads: Vec<String> = serde_json::from_value(
        b.js("return [...document.querySelectorAll('main table:not(details table) thead th')].map(h => h.textContent.trim()).filter(t => t)")
            .await?,
    )?;
    let empty = b.js("return !!document.querySelector('[data-empty]')").await? == serde_json::json!(true);
    ensure!(!heads.is_empty() || empty, "{what}: a table to print");
    let pdf = b
        .client
        .print(
            fantoccini::wd::PrintConfiguration::builder()
                .orientation(fantoccini::wd::PrintOrientation::Landscape)
                .size(fantoccini::wd::PrintSize::A4)
                .margins(fantoccini::wd::PrintMargins {
                    top: 1.0,
                    bottom: 1.0,
                    left: 1.0,
                    right: 1.0,
                })
                .build()
                .map_err(|e| anyhow::anyhow!("print settings: {e:?}"))?,
        )
        .await?;
    let dir = pendamping_e2e::shots_dir();
    let file = dir.join(format!("dashboard-print-{what}.pdf"));
    std::fs::write(&file, &pdf)?;
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .context("pdftotext (poppler-utils) reads the printed page")?;
    ensure!(out.status.success(), "pdftotext failed on {}", file.display());
    // Word by word: a header the table wraps over two lines ("Umur saat diukur / (bulan)")
    // is read around its neighbours; a column cut at the page's edge loses every word.
    let text = String::from_utf8_lossy(&out.stdout);
    let on_paper: std::collections::HashSet<&str> = text.split_whitespace().collect();
    for h in &heads {
        ensure!(
            h.split_whitespace().all(|w| on_paper.contains(w)),
            "{what}: the column {h:?} is not on the paper ({})",
            file.display()
        );
    }
    Ok(())
}

/// axe-core (the project's own copy, ui/node_modules) finds no serious or critical
/// violation on the page.
async fn accessible(b: &Browser, what: &str) -> Result<()> {
    let axe = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/node_modules/axe-core/axe.min.js");
    let source = std::fs::read_to_string(&axe).with_context(|| format!("{} (npm ci in ui/)", axe.display()))?;
    b.client.execute(&source, vec![]).await?;
    let found = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations
               .filter(v => v.impact === 'serious' || v.impact === 'critical')
               .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))));",
            vec![],
        )
        .await?;
    let found: Vec<String> = serde_json::from_value(found)?;
    ensure!(found.is_empty(), "{what}: axe-core finds {found:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tpps_logs_in_drills_from_kabupaten_to_village_and_reads_every_list_back() {
    bounded(async {
        let dir = tempfile::tempdir()?;
        let server = TestServer::start(dir.path(), Arc::new(ManualTime::new(now_ms())), |_| {}).await;
        // Enough families for a list longer than a page (the KRS list).
        families(&server, &[VILLAGE, OTHER_VILLAGE, FAR_VILLAGE], 450).await?;
        server.admin().add_account("tpps.lebak",
            AccountRole::District,
            &[KABUPATEN],
            PASSWORD,
            1,
        )?;
        let url = server.url();
        let month = last_month();
        let b = Browser::start(1280, 1000).await?;

        // A wrong password is refused, saying so.
        b.goto(&format!("{url}/dashboard")).await?;
        b.find("section.login").await?;
        b.screenshot("dashboard-01-login").await?;
        log_in(&b, &url, "tpps.lebak", "bukan-kata-sandinya").await?;
        b.wait_text("[data-error]", "Nama akun atau kata sandi salah.").await?;
        b.screenshot("dashboard-02-wrong-password").await?;
        log_in(&b, &url, "tpps.lebak", PASSWORD).await?;
        b.wait_text("h1", "Kabupaten Lebak").await?;

        // Last month, chosen the way a person does.
        b.set("#month", &month.to_string()).await?;
        b.click("form.month button").await?;
        let name = pendamping_core::problem::month_id(month.year, month.month);
        b.wait_text("h1", &name).await?;
        let kab = Place::Area(pendamping_tests::at(KABUPATEN));
        let rows = pendamping_server::dashboard::rows(&server.state, &kab, month)?;
        let shown = cards(&b).await?;
        ensure!(
            shown == expected(&total(&rows)),
            "the kabupaten's cards are the server's: {shown:?}"
        );
        ensure!(
            total(&rows).get(Indicator::Stunted) > 0,
            "the demo has stunted children"
        );
        b.screenshot("dashboard-03-kabupaten").await?;
        // At 1280 px the village table shows all its columns without scrolling sideways.
        let widths = b
            .js("const s = document.querySelector('[data-drill]').closest('.scroll'); return [s.scrollWidth, s.clientWidth]")
            .await?;
        ensure!(widths[0].as_i64() <= widths[1].as_i64(), "every indicator column at 1280 px: {widths}");
        on_paper(&b, "kabupaten").await?;
        accessible(&b, "the kabupaten's page").await?;

        // Down to the kecamatan: its page's totals are its row on the kabupaten's.
        let row = rows.get(KECAMATAN).cloned().unwrap_or_default();
        b.click(&format!("tr[data-area='{KECAMATAN}'] th a")).await?;
        b.wait_text("h1", "Kecamatan Malingping").await?;
        ensure!(
            cards(&b).await? == expected(&row),
            "the kecamatan adds up as on the kabupaten's row"
        );
        b.find(&format!("[data-crumb='{KABUPATEN}']")).await?;
        b.screenshot("dashboard-04-kecamatan").await?;

        // And to a village.
        b.click(&format!("tr[data-area='{VILLAGE}'] th a")).await?;
        b.wait_text("h1", "Desa Cilangkahan").await?;
        let village =
            pendamping_server::dashboard::rows(&server.state, &Place::Area(pendamping_tests::at(VILLAGE)), month)?;
        ensure!(cards(&b).await? == expected(&total(&village)));
        b.screenshot("dashboard-05-village").await?;

        // Each list of the kabupaten: as long as its number, and its XLSX reads back the same.
        b.goto(&format!("{url}/dashboard?area={KABUPATEN}&month={month}"))
            .await?;
        let mut second_pages = 0;
        let mut lengths = Vec::new();
        for list in NameList::ALL {
            b.click(&format!("li[data-list={}] a.go", list.as_str())).await?;
            let count: usize = b
                .find("[data-count]")
                .await?
                .attr("data-count")
                .await?
                .context("count")?
                .parse()?;
            let at_server = server.state.name_list(list, month, &pendamping_tests::at(KABUPATEN))?;
            lengths.push((list.as_str(), count));
            ensure!(
                count == at_server.len(),
                "{}: {count} rows shown, {} at the server",
                list.as_str(),
                at_server.len()
            );
            let behind = match list {
                NameList::Stunted => Some(Indicator::Stunted),
                NameList::KekAnaemia => Some(Indicator::KekAnaemia),
                NameList::Krs => Some(Indicator::KrsFamilies),
                NameList::CatinUnscreened => Some(Indicator::CatinUnscreened),
                NameList::Overdue | NameList::PregnantAtRisk => None,
            };
            if let Some(i) = behind {
                ensure!(
                    count as u32 == total(&rows).get(i),
                    "{}: the list explains its number",
                    list.as_str()
                );
            }
            b.screenshot(&format!("dashboard-06-list-{}", list.as_str())).await?;
            b.click("a[data-file=xlsx]").await?;
            let file = b
                .downloaded(&pendamping_report::lists::file_name(
                    list,
                    KABUPATEN,
                    (month, today_in(KABUPATEN)),
                    Format::Xlsx,
                ))
                .await?;
            let sheet = xlsx_rows(&file)?;
            let notice = pendamping_tests::xlsx_tab(&file, Some(pendamping_report::sheet::PERSONAL_TAB))?;
            ensure!(
                notice[0][0] == b.text("[data-personal-data]").await?.trim(),
                "the page and its file say the same: {notice:?}"
            );
            ensure!(
                sheet.len() == count + 1,
                "{}: a header and {count} rows, not {}",
                list.as_str(),
                sheet.len()
            );
            let names = b
                .js("return [...document.querySelectorAll('table.names tbody tr')].map(r => r.cells[0].innerText)")
                .await?;
            let names: Vec<String> = serde_json::from_value(names)?;
            let in_file: Vec<String> = sheet[1..].iter().take(names.len()).map(|r| r[2].clone()).collect();
            ensure!(names == in_file, "{}: the file's names are the page's (the page shows them first)", list.as_str());
            // A long list's second page: the file's next rows, in the same order.
            if count > pendamping_server::dashboard::LIST_PAGE {
                b.click("nav.pages a[rel=next]").await?;
                b.find("[data-page='2']").await?;
                let second = b
                    .js("return [...document.querySelectorAll('table.names tbody tr')].map(r => r.cells[0].innerText)")
                    .await?;
                let second: Vec<String> = serde_json::from_value(second)?;
                let page = pendamping_server::dashboard::LIST_PAGE;
                let in_file: Vec<String> = sheet[1 + page..].iter().take(page).map(|r| r[2].clone()).collect();
                ensure!(
                    second == in_file && !second.is_empty(),
                    "{}: page 2 holds the file's rows {}–{}",
                    list.as_str(),
                    page + 1,
                    page + second.len()
                );
                second_pages += 1;
                b.screenshot(&format!("dashboard-06-list-{}-page-2", list.as_str())).await?;
                accessible(&b, &format!("page 2 of the {} list", list.as_str())).await?;
            }
            on_paper(&b, &format!("list-{}", list.as_str())).await?;
            accessible(&b, &format!("the {} list", list.as_str())).await?;
            b.goto(&format!("{url}/dashboard?area={KABUPATEN}&month={month}"))
                .await?;
        }

        ensure!(second_pages > 0, "a list long enough for a second page was read: {lengths:?}");

        // The recap, as the meeting's spreadsheet: its visits are the server's.
        b.click("a[data-recap=xlsx]").await?;
        let file = b
            .downloaded(&pendamping_report::recap::file_name(KABUPATEN, month, Format::Xlsx))
            .await?;
        let sheet = xlsx_rows(&file)?;
        let col = sheet[0]
            .iter()
            .position(|h| h == "Jumlah kunjungan")
            .context("a visits column")?;
        let visits: u32 = sheet[1..].iter().filter_map(|r| r[col].parse::<u32>().ok()).sum();
        let recap = server.state.recap(month, &pendamping_tests::at(KABUPATEN))?;
        ensure!(visits == recap.rows.iter().map(|r| r.visits).sum::<u32>() && visits > 0);

        // The trends draw, and on a phone-sized screen nothing runs off the side.
        b.js("document.querySelector('.trends').scrollIntoView()").await?;
        // Ready when every chart has loaded (they load lazily once scrolled to).
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let drawn = b
                .js("return [...document.querySelectorAll('img.trend')].every(i => i.complete && i.naturalWidth > 0)")
                .await?;
            if drawn == serde_json::json!(true) {
                break;
            }
            ensure!(std::time::Instant::now() < deadline, "every trend chart loaded");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // The values of each chart as a table under it, the running month starred if shown.
        let tables = b.js("return document.querySelectorAll('details[data-values] tbody tr').length").await?;
        ensure!(tables == serde_json::json!(36), "12 months of values under each of the 3 charts: {tables}");
        b.screenshot("dashboard-07-trends").await?;
        b.client.set_window_size(360, 800).await?;
        b.goto(&format!("{url}/dashboard?area={KECAMATAN}&month={month}"))
            .await?;
        fits(&b, "the kecamatan's page at 360 px").await?;
        b.screenshot("dashboard-08-kecamatan-360px").await?;

        // In English, chosen with the switch in the header: every indicator, list and
        // heading in the catalogue's English, none of its Indonesian, and the files too.
        b.client.set_window_size(1280, 1000).await?;
        b.click("a[data-lang=en]").await?;
        b.wait_text("h1", &Lang::En.month(month)).await?;
        ensure!(b.js("return document.documentElement.lang").await? == serde_json::json!("en"));
        let text: String = serde_json::from_value(b.js("return document.body.innerText").await?)?;
        for i in Indicator::ALL {
            ensure!(text.contains(i.label(Lang::En)), "{:?} in English: {text}", i);
            let id = i.label(Lang::Id);
            ensure!(
                id == i.label(Lang::En) || !text.contains(id),
                "{id:?} left in Indonesian"
            );
        }
        for l in NameList::ALL {
            ensure!(text.contains(l.label(Lang::En)) && !text.contains(l.label(Lang::Id)));
        }
        for id in [
            "Daftar nama",
            "Tren 12 bulan",
            "Unduh rekap",
            "Ketuk nama",
            "Keluar",
            " dari ",
        ] {
            ensure!(!text.contains(id), "{id:?} left in Indonesian: {text}");
        }
        b.screenshot("dashboard-11-english-kecamatan").await?;
        b.click("li[data-list=krs] a.go").await?;
        b.find("[data-count]").await?;
        let heads: Vec<String> = serde_json::from_value(
            b.js("return [...document.querySelectorAll('table.names th')].map(h => h.innerText)")
                .await?,
        )?;
        let want = pendamping_report::lists::headers(NameList::Krs, Lang::En);
        // The page shows the name first; the file keeps the sheet's order.
        let name = pendamping_report::lists::NAME_COLUMN;
        let mut shown = vec![want[name]];
        shown.extend(want.iter().enumerate().filter(|(i, _)| *i != name).map(|(_, h)| *h));
        ensure!(heads == shown, "the list's columns in English: {heads:?}");
        b.screenshot("dashboard-12-english-list").await?;
        b.click("a[data-file=xlsx]").await?;
        let file = b
            .downloaded(&pendamping_report::lists::file_name(
                NameList::Krs,
                KECAMATAN,
                (month, today_in(KECAMATAN)),
                Format::Xlsx,
            ))
            .await?;
        ensure!(xlsx_rows(&file)?[0] == want, "the file's columns in English");
        // And back: the choice is kept until changed.
        b.click("a[data-lang=id]").await?;
        b.wait_text("h1", NameList::Krs.label(Lang::Id)).await?;
        b.close().await?;
        server.stop().await;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plkb_account_sees_only_its_kecamatan_and_a_disabled_account_is_logged_out() {
    bounded(async {
        let dir = tempfile::tempdir()?;
        let server = TestServer::start(dir.path(), Arc::new(ManualTime::new(now_ms())), |_| {}).await;
        families(&server, &[VILLAGE, OTHER_VILLAGE, FAR_VILLAGE], 60).await?;
        server
            .admin()
            .add_account("plkb.malingping", AccountRole::Plkb, &[KECAMATAN], PASSWORD, 1)?;
        let url = server.url();
        let b = Browser::start(1280, 1000).await?;
        log_in(&b, &url, "plkb.malingping", PASSWORD).await?;
        b.wait_text("h1", "Kecamatan Malingping").await?;
        ensure!(
            b.find(&format!("[data-crumb='{KABUPATEN}']")).await.is_err(),
            "no way up to the kabupaten"
        );
        for (area, what) in [(KABUPATEN, "Kabupaten Lebak"), ("360202", "Kecamatan Panggarangan")] {
            b.goto(&format!("{url}/dashboard?area={area}")).await?;
            let body = b.body().await?;
            ensure!(
                body.contains(&format!("{what} (")) && body.contains("di luar wilayah akun plkb.malingping"),
                "{area} is refused: {body}"
            );
        }
        // A refusal keeps the page's header: who is logged in, and Keluar.
        b.find("header.top [data-account='plkb.malingping']").await?;
        b.find("header.top button[name=logout]").await?;
        b.screenshot("dashboard-09-outside-the-area").await?;
        // An address with no page, and a file format not offered: said in words, under the
        // header, never a JSON body nor a deserialiser's message.
        b.goto(&format!("{url}/dashboard/nope")).await?;
        let body = b.body().await?;
        ensure!(body.contains("Halaman ini tidak ada") && !body.contains('{'), "{body}");
        b.find("header.top button[name=logout]").await?;
        b.goto(&format!("{url}/dashboard/list/stunted/file?format=pdf")).await?;
        let body = b.body().await?;
        ensure!(
            body.contains("Format \"pdf\" tidak tersedia: pilih CSV atau XLSX."),
            "{body}"
        );
        ensure!(
            !body.contains("variant") && !body.contains("Failed to deserialize"),
            "{body}"
        );
        b.goto(&format!("{url}/dashboard?month=2099-01")).await?;
        ensure!(
            b.body().await?.contains("Januari 2099 belum tiba"),
            "a month not come is refused"
        );
        b.goto(&format!("{url}/dashboard?month=1999-01")).await?;
        ensure!(
            b.body().await?.contains("Belum ada data di Januari 1999"),
            "a month before the data is refused"
        );
        accessible(&b, "a refusal").await?;
        // Neither the list nor its file of a village elsewhere.
        let status = b
            .client
            .execute_async(
                "const [u, done] = arguments; fetch(u).then(r => done(r.status));",
                vec![serde_json::json!(format!(
                    "{url}/dashboard/list/stunted/file?area={FAR_VILLAGE}&format=xlsx"
                ))],
            )
            .await?;
        ensure!(status == serde_json::json!(403), "the file is refused: {status}");
        b.goto(&format!("{url}/dashboard?month=2026-13")).await?;
        ensure!(
            b.body().await?.contains("tulislah tahun-bulan"),
            "a bad month says how to write one"
        );

        // Logged out, a link to a list leads to the log-in, then to that list, not the first
        // page; a wrong password keeps the name typed and the way to the list.
        b.click("header.top button[name=logout]").await?;
        b.find("section.login").await?;
        let link = format!("/dashboard/list/krs?area={VILLAGE}");
        b.goto(&format!("{url}{link}")).await?;
        b.find("section.login").await?;
        b.type_in("#name", "plkb.malingping").await?;
        b.type_in("#password", "bukan-kata-sandinya").await?;
        b.click("button[name=login]").await?;
        b.wait_text("[data-error]", "Nama akun atau kata sandi salah.").await?;
        let kept = b.js("return document.querySelector('#name').value").await?;
        ensure!(kept == serde_json::json!("plkb.malingping"), "the name stays: {kept}");
        accessible(&b, "the log-in page").await?;
        b.type_in("#password", PASSWORD).await?;
        b.click("button[name=login]").await?;
        b.wait_text("h1", NameList::Krs.label(Lang::Id)).await?;
        let here = b.js("return location.pathname + location.search").await?;
        ensure!(here == serde_json::json!(link), "back at the link: {here}");

        // Disabled by the admin: the next page is the log-in, and the right password is told
        // the account is disabled (a wrong one is still just wrong).
        server.admin().disable_account("plkb.malingping", now_ms() as i64)?;
        b.goto(&format!("{url}/dashboard")).await?;
        b.find("section.login").await?;
        log_in(&b, &url, "plkb.malingping", "bukan-kata-sandinya").await?;
        b.wait_text("[data-error]", "Nama akun atau kata sandi salah.").await?;
        log_in(&b, &url, "plkb.malingping", PASSWORD).await?;
        b.wait_text("[data-error]", "Akun ini sudah dinonaktifkan oleh admin")
            .await?;
        b.close().await?;
        server.stop().await;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plkb_reads_the_dashboard_at_the_hub_with_no_uplink() {
    bounded(async {
        let dir = tempfile::tempdir()?;
        let (centre, hub) = TestServer::centre_and_hub(dir.path(), Local::now().date_naive()).await;
        families(&hub, &[VILLAGE, OTHER_VILLAGE], 60).await?;
        // The office's internet is down.
        centre.stop().await;
        hub.admin()
            .add_account("plkb.malingping", AccountRole::Plkb, &[KECAMATAN], PASSWORD, 1)?;
        let b = Browser::start(1280, 1000).await?;
        log_in(&b, &hub.url(), "plkb.malingping", PASSWORD).await?;
        b.wait_text("h1", "Kecamatan Malingping").await?;
        let month = Month::of(Local::now().date_naive());
        let rows =
            pendamping_server::dashboard::rows(&hub.state, &Place::Area(pendamping_tests::at(KECAMATAN)), month)?;
        ensure!(cards(&b).await? == expected(&total(&rows)));
        ensure!(
            total(&rows).get(Indicator::KrsFamilies) > 0,
            "the hub holds the kecamatan"
        );
        b.wait_text("footer", "Hub PLKB").await?;
        b.click("li[data-list=overdue] a.go").await?;
        b.find("[data-count]").await?;
        b.screenshot("dashboard-10-hub-overdue").await?;
        b.close().await?;
        hub.stop().await;
        Ok(())
    })
    .await
}
