//! The app end to end, in its real window: what a cadre does on the first day.
//! Run under a display: `xvfb-run -a cargo test -p pendamping-e2e -- --test-threads=1`.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use chrono::{Local, Months};
use pendamping_core::hlc::ManualTime;
use pendamping_e2e::App;
use pendamping_protocol::Role;
use pendamping_tests::VILLAGE;
use pendamping_tests::net::{TestServer, server_change_ids};
use serde_json::json;

/// Every scenario gets four minutes at most: a hung window must not hang CI (the longest
/// takes about 30 s here; a slower, loaded CI machine needs room).
async fn bounded(f: impl std::future::Future<Output = Result<()>>) {
    tokio::time::timeout(Duration::from_secs(240), f)
        .await
        .expect("the scenario took over four minutes")
        .expect("the scenario failed");
}

async fn first_run_offline(app: &App) -> Result<()> {
    app.find("[data-screen=first-run]").await?;
    app.screenshot("01-first-run").await?;
    app.type_in("input[name=village-query]", "36.02.01.2002").await?;
    app.click(&format!("button[data-village='{VILLAGE}']")).await?;
    app.click("button[name=work-offline]").await?;
    app.find("[data-screen=home]").await?;
    Ok(())
}

/// On the first screen: picks `village` and enrols with `server` using `code`.
async fn enrol_window(app: &App, village: &str, server: &str, code: &str) -> Result<()> {
    app.find("[data-screen=first-run]").await?;
    app.type_in("input[name=village-query]", village).await?;
    app.click(&format!("button[data-village='{village}']")).await?;
    app.type_in("input[name=server]", server).await?;
    app.type_in("input[name=code]", code).await?;
    app.click("button[name=enrol]").await?;
    app.find("[data-screen=home]").await?;
    Ok(())
}

/// Registers a household with a mother and a girl born `months` ago, and enrols the girl.
async fn register_family_with_child(app: &App, months: u32) -> Result<()> {
    app.click("button[data-tab=families]").await?;
    app.click("button[name=register-family]").await?;
    app.type_in("input[name=head_name]", "Ahmad Hidayat").await?;
    app.type_in("input[name=rt]", "3").await?;
    app.type_in("input[name=rw]", "1").await?;
    app.set("select[name=water_source]", "sumur_tak_terlindung").await?;
    app.screenshot("03-household-form").await?;
    app.click("button[name=save]").await?;

    // The head of a new household is its first member: the card opens with the head's form.
    app.find("[data-form=person] input[name=name]").await?;
    let name = app
        .js("return document.querySelector('[data-form=person] input[name=name]').value")
        .await?;
    ensure!(name == json!("Ahmad Hidayat"), "the head's name is filled in: {name}");
    app.type_in("[data-form=person] input[name=nik]", "3602010101900001")
        .await?;
    app.type_in("[data-form=person] input[name=birth_date]", "01/01/1990")
        .await?;
    app.click("button[name=save-person]").await?;
    app.find("[data-member='Ahmad Hidayat']").await?;

    app.click("button[name=add-member]").await?;
    app.type_in("[data-form=person] input[name=name]", "Siti Aminah")
        .await?;
    app.type_in("[data-form=person] input[name=nik]", "3602015204960001")
        .await?;
    // Dates are typed the Indonesian way, whatever the OS locale.
    app.type_in("[data-form=person] input[name=birth_date]", "12/04/1996")
        .await?;
    app.set("[data-form=person] select[name=relationship]", "istri").await?;
    app.click("button[name=save-person]").await?;
    app.find("[data-member='Siti Aminah']").await?;

    let birth = today_there() - Months::new(months);
    app.click("button[name=add-member]").await?;
    app.type_in("[data-form=person] input[name=name]", "Putri Lestari")
        .await?;
    app.click("[data-form=person] input[name=no_nik]").await?;
    app.type_in(
        "[data-form=person] input[name=birth_date]",
        &birth.format("%d/%m/%Y").to_string(),
    )
    .await?;
    app.click("button[name=save-person]").await?;
    app.find("[data-member='Putri Lestari']").await?;

    app.click("button[data-enrol='Putri Lestari']").await?;
    app.find("[data-form=enrol] button[data-kind=anak]").await?;
    app.click("button[name=save-enrolment]").await?;
    app.find("[data-member='Putri Lestari'] button[data-visit=anak]")
        .await?;
    app.screenshot("04-family-card").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_child_is_flagged_stunted_and_drawn_below_the_line() {
    bounded(async {
        let app = App::start().await?;
        first_run_offline(&app).await?;
        app.screenshot("02-beranda-empty").await?;
        register_family_with_child(&app, 18).await?;
        ensure!(app.text("[data-krs]").await?.contains("Sumber air minum tidak layak"));

        app.click("[data-member='Putri Lestari'] button[data-visit=anak]")
            .await?;
        app.type_in("input[name=weight_kg]", "9").await?;
        app.type_in("input[name=lenhei_cm]", "74,0").await?;
        app.set("select[name=measure]", "lying").await?;
        // The preview shows the flag and the z-score's label before anything is saved.
        app.find("[data-results] [data-flag=stunted]").await?;
        app.wait_text("[data-results] [data-indicator=length_for_age]", "pendek")
            .await?;
        app.find("[data-results] [data-next-due]").await?;
        app.screenshot("05-visit-form-stunted").await?;
        app.click("button[name=save-visit]").await?;

        // The timeline and the chart: the point lies below −2 SD.
        app.find("[data-screen=person] .timeline [data-flag=stunted]").await?;
        app.find("svg[data-chart=length_for_age] circle.point.low").await?;
        app.find("svg[data-chart=length_for_age] path[data-sd='-2']").await?;
        app.screenshot("06-person-growth-chart").await?;

        app.click("button[data-tab=home]").await?;
        app.wait_text("[data-screen=home]", "Putri Lestari").await?;
        app.find("[data-screen=home] [data-flag=stunted]").await?;
        app.screenshot("07-beranda").await?;

        app.click("button[data-tab=families]").await?;
        app.find("[data-list=households][data-rows='1'] [data-household]")
            .await?;
        app.screenshot("08-keluarga").await?;
        app.type_in("input[name=search]", "siti").await?;
        app.wait_text("[data-list=persons]", "360201********01").await?;
        app.screenshot("08b-keluarga-search").await?;

        app.click("button[data-tab=recap]").await?;
        app.find("tr[data-group=baduta]").await?;
        app.click("button[name=export]").await?;
        let shown = app.wait_text("[data-exported]", ".csv").await?;
        let csv = std::fs::read_dir(&app.exports)?
            .next()
            .expect("an exported file")?
            .path();
        ensure!(shown.contains(&csv.file_name().unwrap().to_string_lossy().to_string()));
        let text = std::fs::read_to_string(&csv)?;
        ensure!(text.starts_with("\u{feff}Bulan;Kode desa;"), "{text}");
        let baduta = pendamping_core::catalogue::Labelled::label(
            pendamping_core::recap::TargetGroup::Baduta,
            pendamping_core::catalogue::Lang::Id,
        );
        ensure!(text.lines().any(|l| l.contains(&format!(";{baduta};1;"))), "{text}");
        app.screenshot("09-rekap").await?;

        // The list with names behind the stunted count, saved as XLSX and read back.
        app.click("[data-name-lists] summary").await?;
        app.wait_text("[data-personal-data]", "DATA PRIBADI").await?;
        app.click("[data-list=stunted] button[name=export-list-xlsx]").await?;
        let shown = app.wait_text("[data-exported]", ".xlsx").await?;
        ensure!(
            shown.contains("daftar-stunted-3602012002-") && shown.contains("data-pribadi"),
            "{shown}"
        );
        let xlsx = std::fs::read_dir(&app.exports)?
            .filter_map(|e| Some(e.ok()?.path()))
            .find(|p| p.extension().is_some_and(|x| x == "xlsx"))
            .context("the list's workbook")?;
        let rows = pendamping_tests::xlsx_rows(&xlsx)?;
        ensure!(rows.len() == 2, "a header and the one stunted child: {rows:?}");
        let col = |h: &str| rows[0].iter().position(|x| x == h).context(h.to_string());
        ensure!(rows[1][col("Nama")?] == "Putri Lestari", "{rows:?}");
        let z: f64 = rows[1][col("TB/U (z)")?].parse()?;
        ensure!(z < -2.0, "below −2 SD: {z}");
        let tab = pendamping_tests::xlsx_tab(&xlsx, Some(pendamping_report::sheet::PERSONAL_TAB))?;
        ensure!(
            tab[0][0].starts_with("DATA PRIBADI"),
            "the workbook says it holds personal data: {tab:?}"
        );
        app.screenshot("09b-rekap-daftar-nama").await?;
        app.close().await
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_impossible_weight_is_refused_in_indonesian_naming_the_field() {
    bounded(async {
        let app = App::start().await?;
        first_run_offline(&app).await?;
        register_family_with_child(&app, 10).await?;
        app.click("[data-member='Putri Lestari'] button[data-visit=anak]")
            .await?;
        app.type_in("input[name=weight_kg]", "95").await?;
        let msg = app
            .wait_text("[data-field=weight_kg] .msg.error", "Berat badan")
            .await?;
        ensure!(msg.contains("95") && msg.contains("di luar batas"), "{msg}");
        let save = app.find("button[name=save-visit]").await?;
        ensure!(save.attr("disabled").await?.is_some(), "saving is blocked");
        app.type_in("input[name=weight_kg]", "8,x").await?;
        app.wait_text("[data-field=weight_kg] .msg.error", "bukan angka")
            .await?;
        app.screenshot("10-visit-form-out-of-range").await?;
        app.type_in("input[name=weight_kg]", "8,2").await?;
        app.wait_text("[data-results]", "BB/U").await?;
        // The results on screen may still be an earlier value's: wait for the fixed value's
        // preview to lift the block (a loaded CI machine lost this race once).
        app.find("button[name=save-visit]:not([disabled])")
            .await
            .context("a fixed value can be saved")?;

        // A tablet held upright (800×1280): one column, the results below the fields (above
        // Simpan), so nothing above a field grows while the cadre types.
        app.client.set_window_size(800, 1280).await?;
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let v = app
                .js(
                    "const r = document.querySelector('[data-results]').getBoundingClientRect();
                     const f = document.querySelector('[data-form=visit]').getBoundingClientRect();
                     return [window.innerWidth, f.bottom <= r.top + 1, f.width > window.innerWidth * 0.8];",
                )
                .await?;
            if v[1] == json!(true) && v[2] == json!(true) {
                break;
            }
            ensure!(
                std::time::Instant::now() < deadline,
                "no one-column layout at 800 px: {v}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        app.screenshot("13-visit-form-portrait").await?;
        app.close().await
    })
    .await
}

/// Every command that takes arguments, with their Rust names (the window sends them in
/// camelCase): a malformed value of any of them is an `AppError` naming it, never the IPC
/// layer's text ("invalid args `visit` for command …").
const COMMANDS: &[(&str, &[&str])] = &[
    ("first_member", &["name", "pin", "pin_again"]),
    ("unlock", &["member", "pin"]),
    ("recover", &["member", "code", "pin", "pin_again"]),
    ("add_member", &["name", "pin", "pin_again"]),
    ("change_pin", &["old_pin", "pin", "pin_again"]),
    ("households", &["offset", "limit"]),
    ("search_persons", &["query"]),
    ("family", &["id"]),
    ("save_household", &["household"]),
    ("check_person", &["person"]),
    ("save_person", &["person"]),
    ("remove_household", &["id"]),
    ("enrol", &["person_id", "start", "details"]),
    ("end_enrolment", &["id", "date", "reason"]),
    ("start_enrolment_earlier", &["id", "date"]),
    ("record_delivery", &["hamil_id", "delivery"]),
    ("exit_reasons", &["kind"]),
    ("caseload", &["kind"]),
    ("hub_start", &["form"]),
    ("hub_new_code", &["user_name", "villages"]),
    ("hub_recovery_code", &["device_id"]),
    ("recap", &["month"]),
    ("export_recap", &["month", "format", "lang"]),
    ("export_list", &["list", "month", "format", "lang"]),
    ("find_villages", &["query"]),
    ("villages_of_district", &["code"]),
    ("work_offline", &["villages"]),
    ("choose_villages", &["villages"]),
    ("set_current_village", &["code"]),
    ("set_tpk", &["name"]),
    ("enroll", &["server", "code", "device_name", "villages"]),
    ("server_authority", &["server"]),
    ("trust_server", &["server", "fingerprint"]),
    ("dismiss_conflict", &["id"]),
    ("new_visit", &["enrolment_id", "date"]),
    ("preview_visit", &["visit"]),
    ("save_visit", &["visit"]),
    ("timeline", &["person_id"]),
    ("growth_chart", &["person_id", "kind"]),
    ("edit_visit", &["visit_id"]),
    ("correct_visit", &["visit", "reason"]),
    ("void_visit", &["visit_id", "reason"]),
];

/// Today in the test village's own zone (WIB), as the app counts it: from 17:00 UTC this
/// machine's clock is still on yesterday.
fn today_there() -> chrono::NaiveDate {
    let hours = pendamping_core::area::Zone::of_area(VILLAGE).map_or(7, |z| z.utc_offset_hours());
    (chrono::Utc::now() + chrono::Duration::hours(i64::from(hours))).date_naive()
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_answers_a_malformed_argument_with_an_error_naming_it() {
    bounded(async {
        let app = App::start().await?;
        first_run_offline(&app).await?;
        let mut refused = 0;
        for (cmd, args) in COMMANDS {
            // Left out, null, and of the wrong shape: a list where a value is, an object
            // where a list is, a number too large for any field.
            for bad in [None, Some(json!(null)), Some(json!([1, "x"])), Some(json!({"x": {"y": []}})), Some(json!(1e300))] {
                let sent: serde_json::Map<String, serde_json::Value> = match &bad {
                    None => serde_json::Map::new(),
                    Some(v) => args.iter().map(|a| (camel(a), v.clone())).collect(),
                };
                let answer = app
                    .client
                    .execute_async(
                        "const [cmd, args, done] = arguments;
                         window.__TAURI_INTERNALS__.invoke(cmd, args).then((r) => done({ok: r}), (e) => done({err: e}));",
                        vec![json!(cmd), json!(sent)],
                    )
                    .await?;
                let Some(err) = answer.get("err") else {
                    // Only an optional argument may be left out or null (new_visit's date).
                    continue;
                };
                ensure!(err.is_object(), "{cmd} {bad:?}: a bare rejection {err}");
                let (code, field) = (err["code"].as_str().unwrap_or(""), err["field"].as_str().unwrap_or(""));
                // An object sent for a record is read into it: the field it lacks is named.
                let inside = bad.as_ref().is_some_and(|b| b.is_object()) && !field.is_empty();
                let named = args.iter().any(|a| field == *a || field.starts_with(&format!("{a}[")));
                ensure!(code == "invalid" && (named || inside), "{cmd} {bad:?}: {err}");
                let message = err["message"].as_str().unwrap_or("");
                let english = err["message_en"].as_str().unwrap_or("");
                ensure!(!english.is_empty() && english != message, "{cmd} {bad:?}: said in English too: {err}");
                for raw in ["invalid type", "invalid args", "expected", "missing", "for command"] {
                    ensure!(!message.contains(raw), "{cmd} {bad:?}: raw text {message:?}");
                    ensure!(!english.contains(raw), "{cmd} {bad:?}: raw text {english:?}");
                }
                refused += 1;
            }
        }
        ensure!(refused > COMMANDS.len() * 3, "most malformed calls were refused: {refused}");
        app.close().await
    })
    .await
}

/// No raw message from the window's plumbing ever reaches a cadre.
async fn no_plumbing(app: &App) -> Result<()> {
    let text = app.js("return document.body.innerText").await?;
    let text = text.as_str().unwrap_or_default();
    for raw in ["invalid args", "invalid type", "expected a", "for command"] {
        ensure!(!text.contains(raw), "{raw:?} on screen: {text}");
    }
    Ok(())
}

/// Backspace, as a finger empties a field key by key.
const BACKSPACE: &str = "\u{E003}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cadre_clears_and_mistypes_dates_and_is_told_under_the_field_never_stopped() {
    bounded(async {
        let app = App::start().await?;
        app.client.set_window_size(360, 800).await?;
        first_run_offline(&app).await?;
        register_family_with_child(&app, 10).await?;
        app.click("[data-member='Putri Lestari'] button[data-visit=anak]")
            .await?;
        app.type_in("input[name=weight_kg]", "8,2").await?;

        // The visit date emptied key by key: named under its field, saving waits.
        let field = app.find("input[name=visit_date]").await?;
        field.clear().await?;
        field.send_keys(&format!("7{BACKSPACE}")).await?;
        app.wait_text("[data-field=visit_date] .msg.error", "Tanggal kunjungan kosong atau tidak valid")
            .await?;
        app.find("button[name=save-visit][disabled]").await?;
        no_plumbing(&app).await?;
        // A day that does not exist, then the short year cadres write.
        app.type_in("input[name=visit_date]", "31/11/2026").await?;
        app.wait_text("[data-field=visit_date] .msg.error", "tidak valid").await?;
        let today = today_there();
        app.type_in("input[name=visit_date]", &today.format("%-d/%-m/%y").to_string())
            .await?;
        app.find("button[name=save-visit]:not([disabled])").await?;
        // The message goes once the date is right (when the hands are still).
        wait_count(&app, "[data-field=visit_date] .msg.error", 0).await?;

        // A dose ticked, its date cleared: the dose is named, nothing reaches Rust as null.
        let due = app
            .js("const d = document.querySelector('[data-dose][data-status=due], [data-dose][data-status=overdue]'); return d && d.dataset.dose")
            .await?;
        let dose = due.as_str().context("a dose due or overdue at 10 months")?.to_string();
        app.click(&format!("input[name=dose-{dose}]")).await?;
        app.click(&format!("button[name=dose-today-{dose}], input[name=dose-date-{dose}]"))
            .await?;
        let date = app.find(&format!("input[name=dose-date-{dose}]")).await?;
        date.clear().await?;
        date.send_keys(&format!("1{BACKSPACE}")).await?;
        app.wait_text("[data-field=immunisations] > .msg.error", "Tanggal pemberian").await?;
        app.find("button[name=save-visit][disabled]").await?;
        no_plumbing(&app).await?;
        app.screenshot("11-dose-date-cleared-360").await?;
        app.type_in(&format!("input[name=dose-date-{dose}]"), &today.format("%d/%m/%Y").to_string())
            .await?;
        child_visit(&app, "8,2", "70,0").await?;
        no_plumbing(&app).await?;

        // And in English, the same under the field.
        app.click("button[name=language]").await?;
        app.click("[data-screen=person] button[data-visit=anak]").await?;
        let field = app.find("input[name=visit_date]").await?;
        field.clear().await?;
        field.send_keys(&format!("7{BACKSPACE}")).await?;
        app.wait_text("[data-field=visit_date] .msg.error", "Visit date is empty or not a valid date")
            .await?;
        no_plumbing(&app).await?;
        app.screenshot("11b-visit-date-empty-en-360").await?;
        app.close().await
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enrolled_tablet_syncs_its_family_to_the_server() {
    bounded(async {
        let dir = tempfile::tempdir()?;
        let now = Local::now().timestamp_millis() as u64;
        let server = TestServer::start(dir.path(), Arc::new(ManualTime::new(now)), |_| {}).await;
        let code = server.code(Role::Cadre, &[VILLAGE]);

        let app = App::start().await?;
        app.find("[data-screen=first-run]").await?;
        app.type_in("input[name=village-query]", "3602012002").await?;
        app.click(&format!("button[data-village='{VILLAGE}']")).await?;
        app.type_in("input[name=server]", &server.url()).await?;
        app.type_in("input[name=code]", "WRONG-CODE").await?;
        app.click("button[name=enrol]").await?;
        app.wait_text("[data-error]", "Kode pendaftaran").await?;
        app.type_in("input[name=code]", &code).await?;
        app.screenshot("11-first-run-enrol").await?;
        app.click("button[name=enrol]").await?;
        app.find("[data-screen=home]").await?;

        app.click("button[data-tab=families]").await?;
        app.click("button[name=register-family]").await?;
        app.type_in("input[name=head_name]", "Budi Santoso").await?;
        app.click("button[name=save]").await?;
        app.find("[data-form=person]").await?;
        let list = app.invoke("households", json!({"offset": 0, "limit": 10})).await?;
        // An empty id would match every row of the log below.
        let id = list[0]["id"].as_str().context("the household's id")?.to_string();

        app.click("button[data-tab=sync]").await?;
        app.click("button[name=sync-now]").await?;
        app.wait_count("[data-pending-count]", 0).await?;
        let last = app.text("[data-last-sync]").await?;
        ensure!(!last.contains("belum"), "a last sync time is shown: {last}");
        app.find("[data-sync-state=idle]").await?;
        app.screenshot("12-sinkronisasi").await?;
        let (on_server, _) = server_change_ids(&server.db());
        let with_id: i64 = server.db().query_row(
            "SELECT COUNT(*) FROM changes WHERE body LIKE '%' || ?1 || '%'",
            [&id],
            |r| r.get(0),
        )?;
        ensure!(on_server.len() == 1 && with_id == 1, "the household is on the server");
        app.close().await?;
        server.stop().await;
        Ok(())
    })
    .await
}

/// A tablet that began without a server (*Bekerja tanpa server*) enrols later, from
/// Sinkronisasi, and what it recorded offline reaches the server. A wrong code is refused
/// under the form and nothing is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_tablet_enrols_later_and_sends_what_it_recorded() {
    bounded(async {
        let dir = tempfile::tempdir()?;
        let now = Local::now().timestamp_millis() as u64;
        let server = TestServer::start(dir.path(), Arc::new(ManualTime::new(now)), |_| {}).await;
        let app = App::start().await?;
        first_run_offline(&app).await?;
        app.click("button[data-tab=families]").await?;
        app.click("button[name=register-family]").await?;
        app.type_in("input[name=head_name]", "Yayah Rukmini").await?;
        app.click("button[name=save]").await?;
        app.find("[data-form=person]").await?;

        app.click("button[data-tab=sync]").await?;
        app.wait_count("[data-pending-count]", 1).await?;
        app.find("[data-enrol]").await?;
        app.type_in("[data-enrol] input[name=server]", &server.url()).await?;
        app.type_in("[data-enrol] input[name=code]", "WRONG-CODE-1").await?;
        app.click("[data-enrol] button[name=enrol]").await?;
        app.wait_text("[data-error]", "Kode pendaftaran").await?;
        app.wait_count("[data-pending-count]", 1).await?;
        app.screenshot("28-enrol-later-refused").await?;

        let code = server.code(Role::Cadre, &[VILLAGE]);
        app.type_in("[data-enrol] input[name=code]", &code).await?;
        app.click("[data-enrol] button[name=enrol]").await?;
        app.wait_count("[data-pending-count]", 0).await?;
        ensure!(
            app.js("return !document.querySelector('[data-enrol]')").await? == json!(true),
            "the form is gone once enrolled"
        );
        let team = app.text("[data-team]").await?;
        ensure!(
            !team.contains("daftarkan perangkat"),
            "a forgotten PIN can be recovered now: {team}"
        );
        app.screenshot("28b-enrolled-later").await?;
        let with_head: i64 = server.db().query_row(
            "SELECT COUNT(*) FROM changes WHERE body LIKE '%Yayah Rukmini%'",
            [],
            |r| r.get(0),
        )?;
        ensure!(with_head == 1, "what it recorded offline reached the server");
        app.close().await?;
        server.stop().await;
        Ok(())
    })
    .await
}

/// A tablet that worked offline is given a code for another village: refused, unused, in
/// the screen's language. Enrolled with the right one, what the server then refuses (its
/// clock says the tablet's records come from days ahead) is listed by name with why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_for_another_village_is_refused_unused_and_refusals_are_named_in_english() {
    bounded(async {
        let dir = tempfile::tempdir()?;
        let three_days_ago = (Local::now().timestamp_millis() - 3 * 86_400_000) as u64;
        let server = TestServer::start(dir.path(), Arc::new(ManualTime::new(three_days_ago)), |_| {}).await;
        let app = App::start().await?;
        app.client.set_window_size(360, 800).await?;
        first_run_offline(&app).await?;
        app.click("button[data-tab=families]").await?;
        app.click("button[name=register-family]").await?;
        app.type_in("input[name=head_name]", "Yayah Rukmini").await?;
        app.click("button[name=save]").await?;
        app.find("[data-form=person]").await?;

        app.click("button[name=language]").await?;
        app.click("button[data-tab=sync]").await?;
        let elsewhere = server.code(Role::Cadre, &[pendamping_tests::OTHER_VILLAGE]);
        app.type_in("[data-enrol] input[name=server]", &server.url()).await?;
        app.type_in("[data-enrol] input[name=code]", &elsewhere).await?;
        app.click("[data-enrol] button[name=enrol]").await?;
        app.wait_text(
            "[data-error-field=code]",
            "leaves out the village whose records this device holds (Cilangkahan)",
        )
        .await?;
        all_english(&app, "enrol refused").await?;
        app.screenshot("29-enrol-elsewhere-refused-english-360").await?;
        let used: i64 = server.db().query_row(
            "SELECT COUNT(*) FROM enrollment_codes WHERE used_at IS NOT NULL",
            [],
            |r| r.get(0),
        )?;
        ensure!(used == 0, "the code is not used up");

        let code = server.code(Role::Cadre, &[VILLAGE]);
        app.type_in("[data-enrol] input[name=code]", &code).await?;
        app.click("[data-enrol] button[name=enrol]").await?;
        app.wait_text("[data-refused=clock_skew]", "Yayah Rukmini").await?;
        app.wait_text("[data-refused=clock_skew]", "the device's clock is wrong")
            .await?;
        ensure!(
            count(&app, "[data-refused] button").await? == 0,
            "nothing to correct on a screen for a wrong clock"
        );
        all_english(&app, "sync refusing").await?;
        fits(&app, "sync refusing").await?;
        no_plumbing(&app).await?;
        app.screenshot("29b-refused-english-360").await?;
        app.close().await?;
        server.stop().await;
        Ok(())
    })
    .await
}

/// At the PLKB office: a tablet enrolled at the hub syncs with no internet; the Sinkronisasi
/// screen says the hub holds its changes for the centre, and once the hub has reached the
/// centre the tablet's next sync clears them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_at_the_plkb_office_is_told_the_hub_holds_its_work_until_the_centre_has_it() {
    bounded(async {
        let dir = tempfile::tempdir()?;
        let now = Local::now().timestamp_millis() as u64;
        let centre = TestServer::start(dir.path(), Arc::new(ManualTime::new(now)), |_| {}).await;
        let code = centre.code(Role::Plkb, &[pendamping_tests::KECAMATAN]);
        let hub = TestServer::start_hub(
            dir.path(),
            "hub.db",
            Arc::new(ManualTime::new(now)),
            &centre.url(),
            &code,
        )
        .await;
        let code = hub.code(Role::Cadre, &[VILLAGE]);

        let app = App::start().await?;
        enrol_window(&app, VILLAGE, &hub.url(), &code).await?;
        app.click("button[data-tab=families]").await?;
        app.click("button[name=register-family]").await?;
        app.type_in("input[name=head_name]", "Asep Sunandar").await?;
        app.click("button[name=save]").await?;
        app.find("[data-form=person]").await?;

        app.click("button[data-tab=sync]").await?;
        app.click("button[name=sync-now]").await?;
        app.wait_text("[data-held-count]", "sudah di hub PLKB").await?;
        app.wait_count("[data-pending-count]", 0).await?;
        app.screenshot("21-held-by-hub").await?;
        ensure!(
            server_change_ids(&centre.db()).0.is_empty(),
            "the centre has nothing yet"
        );

        hub.relay().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let (at_hub, at_centre) = (server_change_ids(&hub.db()).0, server_change_ids(&centre.db()).0);
        ensure!(
            !at_hub.is_empty() && at_hub == at_centre,
            "what the hub held reached the centre"
        );
        app.click("button[name=sync-now]").await?;
        for _ in 0..100 {
            if count(&app, "[data-held-count]").await? == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        ensure!(
            count(&app, "[data-held-count]").await? == 0,
            "the centre's confirmation cleared the count"
        );
        app.screenshot("22-confirmed-by-centre").await?;
        app.close().await?;
        hub.stop().await;
        centre.stop().await;
        Ok(())
    })
    .await
}

/// The fingerprint the window offers the cadre to compare is the hub's.
async fn offers_fingerprint(app: &App, hub: &str) -> Result<()> {
    let shown = app.text("[data-authority] [data-fingerprint]").await?;
    ensure!(shown.trim() == hub, "the window shows {shown}, the hub {hub}");
    Ok(())
}

/// A cadre's tablet meets a hub's own certificate for the first time: the window shows its
/// fingerprint to compare with the hub's screen; "Berbeda" stops, "Sama persis" trusts it and
/// the enrolment goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cadre_compares_the_hubs_fingerprint_before_her_tablet_trusts_it() {
    bounded(async {
        let dir = tempfile::tempdir()?;
        let now = Local::now().timestamp_millis() as u64;
        let clock = Arc::new(ManualTime::new(now));
        let (hub, tls) =
            pendamping_tests::net::hub_tls_server(dir.path(), "plkb.db", "127.0.0.1:0".parse()?, clock.clone()).await;
        let url = format!("https://127.0.0.1:{}", hub.addr.port());
        let code = pendamping_tests::net::enrollment_code(&dir.path().join("plkb.db"), Role::Cadre, &[VILLAGE], now);

        let app = App::start().await?;
        app.find("[data-screen=first-run]").await?;
        app.type_in("input[name=village-query]", VILLAGE).await?;
        app.click(&format!("button[data-village='{VILLAGE}']")).await?;
        app.type_in("input[name=server]", &url).await?;
        app.type_in("input[name=code]", &code).await?;
        app.click("button[name=enrol]").await?;
        offers_fingerprint(&app, &tls.fingerprint).await?;
        app.screenshot("34-hub-fingerprint").await?;
        app.click("button[name=distrust-hub]").await?;
        app.find("[data-distrusted]").await?;
        ensure!(count(&app, "[data-screen=home]").await? == 0, "not enrolled");
        app.click("button[name=enrol]").await?;
        app.click("button[name=trust-hub]").await?;
        app.find("[data-screen=home]").await?;
        app.screenshot("35-enrolled-at-the-hub").await?;

        // The office laptop is replaced: the hub has a new authority at the same address.
        // The tablet's sync is refused, and Sinkronisasi offers the comparison again.
        let addr = hub.addr;
        hub.stop().await?;
        for made in [
            pendamping_server::hub_tls::AUTHORITY,
            pendamping_server::hub_tls::AUTHORITY_KEY,
        ] {
            std::fs::remove_file(dir.path().join(made))?;
        }
        let (hub, renewed) = pendamping_tests::net::hub_tls_server(dir.path(), "plkb.db", addr, clock).await;
        ensure!(renewed.fingerprint != tls.fingerprint, "a new authority");
        app.click("button[data-tab=sync]").await?;
        app.click("button[name=sync-now]").await?;
        offers_fingerprint(&app, &renewed.fingerprint).await?;
        app.screenshot("36-sinkronisasi-hub-renewed").await?;
        app.click("button[name=trust-hub]").await?;
        // Synced again: the badge back to idle, the refusal gone.
        app.find("[data-sync-state=idle]").await?;
        wait_count(&app, "[data-error=untrusted_server]", 0).await?;
        app.close().await?;
        hub.stop().await?;
        Ok(())
    })
    .await
}

/// The PLKB office laptop becomes the kecamatan's hub from the app: it enrols with the
/// centre, shows the address for the tablets, makes a tablet's code, shows the tablet's
/// work arriving and reaching the centre. Then the PLKB enters a village's paper forms on
/// the same laptop, synced through its own hub, and is warned at capture of a NIK the
/// tablet registered in the other village.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plkb_laptop_runs_the_hub_from_the_app_and_its_tablets_work_reaches_the_centre() {
    bounded(async {
        use pendamping_tests::{KECAMATAN, OTHER_VILLAGE};
        let dir = tempfile::tempdir()?;
        let now = Local::now().timestamp_millis() as u64;
        let centre = TestServer::start(dir.path(), Arc::new(ManualTime::new(now)), |_| {}).await;
        let plkb = centre.code(Role::Plkb, &[KECAMATAN]);
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();

        let app = App::start().await?;
        app.find("[data-screen=first-run]").await?;
        app.click("button[name=open-hub]").await?;
        app.type_in("input[name=hub-upstream]", &centre.url()).await?;
        app.type_in("input[name=hub-code]", "ABCD-EFGH-JKMN").await?;
        app.type_in("input[name=hub-port]", &port.to_string()).await?;
        app.click("button[name=hub-start]").await?;
        app.wait_text("[data-error]", "Kode pendaftaran salah").await?;
        app.type_in("input[name=hub-code]", &plkb).await?;
        app.screenshot("23-hub-setup").await?;
        app.click("button[name=hub-start]").await?;
        app.wait_text("[data-hub-running]", "Malingping").await?;
        // Its store is encrypted under the laptop's key: the screen says when it runs again.
        app.wait_text("[data-hub-restart]", "masuk dengan PIN").await?;

        // A code for the tablet of the village's cadre, made on the hub screen.
        app.type_in("input[name=hub-user]", "Bu Sari").await?;
        app.click(&format!("button[data-village='{VILLAGE}']")).await?;
        app.click("button[name=hub-new-code]").await?;
        let code = app.text("[data-made-code] [data-code]").await?;
        app.screenshot("24-hub-running").await?;

        // The tablet, on the office Wi-Fi: enrols at the hub and syncs a family.
        let mut tablet =
            pendamping_store::Store::open_in_memory(pendamping_tests::options(Arc::new(ManualTime::new(now))))?;
        // The hub speaks TLS under its own authority: its screen shows the fingerprint the
        // tablet shows its cadre; matched, the tablet trusts it.
        let addresses = app.text("[data-hub-address]").await?;
        ensure!(addresses.starts_with("https://"), "the tablets' address is https: {addresses}");
        let hub_url = format!("https://127.0.0.1:{port}");
        let shown = app.text("[data-hub-fingerprint]").await?;
        app.js("document.querySelector('[data-hub-fingerprint]').scrollIntoView({ block: 'center' })")
            .await?;
        app.screenshot("24b-hub-fingerprint").await?;
        let seen = pendamping_app::authority::inspect(&hub_url).await?;
        ensure!(shown.trim() == seen.fingerprint, "the screen's {shown}, the tablet's {}", seen.fingerprint);
        pendamping_sync::trust(&hub_url, &pendamping_sync::authority(&hub_url).await?)?;
        pendamping_sync::enroll(&mut tablet, &hub_url, code.trim(), "tablet Sari").await?;
        let family =
            pendamping_tests::realistic_family(&mut tablet, VILLAGE, today_there() - Months::new(8));
        let child = tablet.person(family.person_id)?.context("the child")?;
        let mut mother = tablet
            .person(child.mother_id.context("a mother")?)?
            .context("the mother")?;
        let nik = "3602015204960001";
        mother.nik = Some(nik.into());
        tablet.save_person(&mother)?;
        let made = tablet.pending_count()?;
        pendamping_sync::sync(&mut tablet, &pendamping_tests::net::fast_options(), &mut |_| {}).await?;
        app.wait_text("[data-hub-devices]", "tablet Sari").await?;
        // The hub holds the tablet's work: unsent, or already on its way up (the hub also
        // relays on its own every 30 s, which a slow machine may reach first).
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let counts = app
                .js("return [...document.querySelectorAll('[data-backlog] strong')].map(e => e.textContent.replace(/\\D/g, ''))")
                .await?;
            let held: u64 = counts
                .as_array()
                .context("the backlog's counts")?
                .iter()
                .filter_map(|c| c.as_str()?.parse::<u64>().ok())
                .sum();
            if held == made {
                break;
            }
            ensure!(std::time::Instant::now() < deadline, "the hub shows {counts}, not {made} changes");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        app.screenshot("25-hub-tablet-synced").await?;

        app.click("button[name=hub-relay]").await?;
        app.wait_count("[data-backlog=confirmed] strong", made).await?;
        app.wait_count("[data-backlog=unsent] strong", 0).await?;
        let at_centre: i64 = centre.db().query_row(
            "SELECT COUNT(*) FROM changes WHERE body LIKE '%' || ?1 || '%' AND via IS NOT NULL",
            [family.id.to_string()],
            |r| r.get(0),
        )?;
        ensure!(
            at_centre == 1,
            "the tablet's enrolment reached the centre through the hub"
        );
        app.screenshot("26-hub-at-centre").await?;

        // The PLKB enters the other village's paper forms here, through the laptop's own hub
        // (the tablet's village, still picked, is tapped off).
        app.type_in("input[name=hub-user]", "PLKB Malingping").await?;
        app.click(&format!("button[data-village='{VILLAGE}']")).await?;
        app.click(&format!("button[data-village='{OTHER_VILLAGE}']")).await?;
        app.click("button[name=hub-new-code]").await?;
        // The tablet's code stays on screen until the new one replaces it: wait for that
        // (reading at once sometimes took the used code: "Kode pendaftaran sudah dipakai").
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let own = loop {
            let shown = app.text("[data-made-code] [data-code]").await?;
            if shown.trim() != code.trim() {
                break shown;
            }
            ensure!(std::time::Instant::now() < deadline, "no new code made");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        app.click("button[name=close-hub]").await?;
        enrol_window(&app, OTHER_VILLAGE, &hub_url, own.trim()).await?;
        app.click("button[data-tab=sync]").await?;
        app.click("button[name=sync-now]").await?;
        app.find("[data-sync-state=idle]").await?;
        app.click("button[data-tab=families]").await?;
        app.click("button[name=register-family]").await?;
        app.type_in("input[name=head_name]", "Dede Kurnia").await?;
        app.click("button[name=save]").await?;
        app.type_in("[data-form=person] input[name=nik]", nik).await?;
        app.type_in("[data-form=person] input[name=birth_date]", "12/04/1996")
            .await?;
        app.wait_text("[data-problem=nik_elsewhere]", "mungkin sudah terdaftar di desa lain")
            .await?;
        app.js("document.querySelector('[data-problem=nik_elsewhere]').scrollIntoView({block: 'center'})")
            .await?;
        app.screenshot("27-nik-elsewhere").await?;

        // Back on the hub screen, from Sinkronisasi: still running.
        app.click("button[data-tab=sync]").await?;
        app.click("button[name=open-hub]").await?;
        app.wait_text("[data-hub-running]", "Malingping").await?;
        // A cadre of this hub forgot her PIN: the PLKB makes her tablet a recovery code.
        app.click("[data-hub-devices] button[name=recovery-code]").await?;
        let code = app.text("[data-recovery-code] strong").await?;
        ensure!(code.len() == 14 && code.split('-').count() == 3, "a recovery code: {code}");
        app.js("document.querySelector('[data-recovery-code]').scrollIntoView({block: 'center'})")
            .await?;
        app.screenshot("26b-hub-recovery-code").await?;

        // The laptop is switched off and on: the hub's store opens with a member's key only,
        // so at the door nothing serves; once the PLKB is in, the hub runs again by itself.
        let app = app.restart().await?;
        app.find("[data-screen=door]").await?;
        // The old window's process may take a moment to end and free its port (a loaded CI
        // machine): once it has, the port stays shut while nobody is in.
        let serving = || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        while serving() {
            ensure!(std::time::Instant::now() < deadline, "the hub serves before anyone is in");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        ensure!(!serving(), "the hub serves before anyone is in");
        app.enter(pendamping_e2e::MEMBER, pendamping_e2e::PIN).await?;
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while pendamping_app::authority::inspect(&hub_url).await.is_err() {
            ensure!(std::time::Instant::now() < deadline, "the hub did not run again after the log-in");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        app.click("button[data-tab=sync]").await?;
        app.click("button[name=open-hub]").await?;
        app.wait_text("[data-hub-running]", "Malingping").await?;
        // The laptop's own device syncs through its hub: connected again, not left offline
        // (its first try came before the hub was up; the hub's start asks for another, which
        // on a loaded machine may wait for a back-off of its own).
        app.find_within("[data-sync-state=idle]", Duration::from_secs(40)).await?;
        app.screenshot("26c-hub-after-restart").await?;
        app.close().await?;
        centre.stop().await;
        Ok(())
    })
    .await
}

/// The PLKB's own enrolment covers the kecamatan: after a sync its Rekap has a row per
/// village, each with what that village's tablet recorded this month.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plkb_enrolment_sees_its_kecamatan_with_a_row_per_village_in_the_rekap() {
    bounded(async {
        use pendamping_tests::{KECAMATAN, OTHER_VILLAGE};
        let dir = tempfile::tempdir()?;
        let now = Local::now().timestamp_millis() as u64;
        let clock = || Arc::new(ManualTime::new(now));
        let centre = TestServer::start(dir.path(), clock(), |_| {}).await;
        let today = today_there();
        // Two cadres' tablets: a family each, the child weighed today.
        for (village, weight) in [(VILLAGE, 7.9), (OTHER_VILLAGE, 8.4)] {
            let mut tablet = pendamping_tests::net::enrolled_device(&centre, clock(), Role::Cadre, &[village]).await;
            let e = pendamping_tests::realistic_family(&mut tablet, village, today - Months::new(8));
            let mut v = pendamping_tests::child_visit(0, &e, today, weight, 68.5);
            v.id = tablet.new_id();
            tablet.record_visit(&v)?;
            pendamping_tests::net::sync(&mut tablet).await;
        }

        let app = App::start().await?;
        enrol_window(&app, VILLAGE, &centre.url(), &centre.code(Role::Plkb, &[KECAMATAN])).await?;
        app.click("button[data-tab=sync]").await?;
        app.click("button[name=sync-now]").await?;
        app.find("[data-sync-state=idle]").await?;
        app.click("button[data-tab=recap]").await?;
        for village in [VILLAGE, OTHER_VILLAGE] {
            let row = app.text(&format!("[data-areas] tr[data-area='{village}']")).await?;
            ensure!(
                row.contains("Cilangkahan") || row.contains(&village[6..]),
                "the row names its village: {row}"
            );
        }
        // The numbers are the centre's, computed by the same function.
        let month = today.format("%Y-%m").to_string();
        let at_centre = centre.state.recap(
            pendamping_core::recap::Month::parse(&month).context("month")?,
            &pendamping_tests::at(KECAMATAN),
        )?;
        let shown = app.invoke("recap", json!({ "month": month })).await?;
        ensure!(
            shown["distinct"]["persons_visited"] == json!(at_centre.distinct_total.persons_visited)
                && at_centre.distinct_total.persons_visited == 2,
            "the window's kecamatan recap equals the centre's: {shown} vs {at_centre:?}"
        );
        app.js("document.querySelector('[data-areas]').scrollIntoView({block: 'center'})")
            .await?;
        app.screenshot("28-rekap-plkb-per-village").await?;
        app.close().await?;
        centre.stop().await;
        Ok(())
    })
    .await
}

/// A replacement tablet gets its village back over a slow link: the Sinkronisasi screen
/// shows how far it is, what is left and about how long, and ends with the village on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replacement_tablet_restores_its_village_over_a_slow_link_and_is_told_what_is_left() {
    bounded(async {
        use pendamping_tests::net::{FaultProxy, Faults, Link};
        let dir = tempfile::tempdir()?;
        let now = Local::now().timestamp_millis() as u64;
        let server = TestServer::start(dir.path(), Arc::new(ManualTime::new(now)), |_| {}).await;
        // The village as the old tablet left it on the server.
        let mut old =
            pendamping_tests::net::enrolled_device(&server, Arc::new(ManualTime::new(now)), Role::Cadre, &[VILLAGE])
                .await;
        let opts = pendamping_cli::demo::DemoOptions {
            households: 60,
            villages: vec![VILLAGE.into()],
            seed: 4,
            months: 12,
            today: today_there(),
            chunk: 60,
        };
        pendamping_cli::demo::generate(&opts, &|_| false, |b| old.import(b).map(|_| ()))?;
        let rows = old.pending_count()?;
        pendamping_sync::sync(&mut old, &pendamping_sync::Options::default(), &mut |_| {}).await?;
        // 32 kbit/s, 600 ms: a poor 2G signal, so the pull takes several seconds.
        let slow = Link {
            rtt: Duration::from_millis(600),
            rate_bps: 32_000,
        };
        let proxy = FaultProxy::start(server.addr, Faults::link(slow), 5).await;

        let app = App::start().await?;
        enrol_window(&app, VILLAGE, &proxy.url(), &server.code(Role::Cadre, &[VILLAGE])).await?;
        app.click("button[data-tab=sync]").await?;
        let left = app.wait_text("[data-progress-left]", "kira-kira").await?;
        ensure!(left.starts_with("sisa "), "what is left, then about how long: {left}");
        let done = app.text("[data-progress-text]").await?;
        ensure!(
            done.starts_with('↓') && done.contains(" / "),
            "pulled so far of the total: {done}"
        );
        app.screenshot("19-sync-progress-slow-link").await?;
        // The whole village arrives.
        for _ in 0..120 {
            if app.find("[data-sync-state=idle]").await.is_ok()
                && app
                    .invoke("households", json!({"offset": 0, "limit": 100}))
                    .await?
                    .as_array()
                    .map_or(0, Vec::len)
                    == 60
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let households = app.invoke("households", json!({"offset": 0, "limit": 100})).await?;
        ensure!(
            households.as_array().map_or(0, Vec::len) == 60,
            "the village is back ({rows} changes)"
        );
        app.screenshot("20-sync-done-slow-link").await?;
        app.close().await?;
        server.stop().await;
        Ok(())
    })
    .await
}

/// The Indonesian phrases of the UI's words and of Rust's catalogue (generated into
/// api/words.ts) that differ from their English twin: in English, none may be on screen.
fn indonesian_phrases() -> Vec<String> {
    let ui = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src");
    let words = std::fs::read_to_string(ui.join("lib/i18n.svelte.ts")).expect("the UI's words");
    let catalogue = std::fs::read_to_string(ui.join("api/words.ts")).expect("the catalogue");
    let mut out = Vec::new();
    // The UI's pairs are written ['indonesian', 'english']; the catalogue's
    // ["indonesian", "english"] and { id: "indonesian", en: "english", … }.
    for (text, open, between, close) in [
        (&words, "['", "', '", "']"),
        (&catalogue, "[\"", "\", \"", "\"]"),
        (&catalogue, "id: \"", "\", en: \"", "\""),
    ] {
        let mut rest = text.as_str();
        while let Some(at) = rest.find(open) {
            rest = &rest[at + open.len()..];
            let Some(end) = rest.find(between) else { break };
            let id = &rest[..end];
            let Some(shut) = rest[end + between.len()..].find(close) else {
                break;
            };
            let en = &rest[end + between.len()..end + between.len() + shut];
            if id != en && id.chars().count() >= 5 && !en.contains(id) && !id.contains('\'') && !id.contains('\n') {
                out.push(id.replace("\\'", "'"));
            }
            rest = &rest[end + between.len() + shut..];
        }
    }
    out
}

/// Fails on any Indonesian word of the catalogue on the English screen.
async fn all_english(app: &App, screen: &str) -> Result<()> {
    let body = app.js("return document.body.innerText").await?;
    let body = body.as_str().unwrap_or_default();
    let found: Vec<String> = indonesian_phrases()
        .into_iter()
        .filter(|p| body.contains(p.as_str()))
        .collect();
    ensure!(
        found.is_empty(),
        "Indonesian on the English {screen} screen: {found:?}\n{body}"
    );
    Ok(())
}

/// No horizontal overflow: nothing wider than the window.
async fn fits(app: &App, screen: &str) -> Result<()> {
    let v = app
        .js("return [document.documentElement.scrollWidth, window.innerWidth]")
        .await?;
    let (scroll, width) = (v[0].as_i64().unwrap_or(0), v[1].as_i64().unwrap_or(0));
    ensure!(
        scroll <= width + 1,
        "{screen}: page {scroll} px wide in a {width} px window"
    );
    // Nor a tile's words cut inside it ("Postpartum mother" ran out of its tile at 360 px).
    let cut = app
        .js("return [...document.querySelectorAll('.count')].filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.innerText)")
        .await?;
    ensure!(cut == json!([]), "{screen}: tiles whose words are cut: {cut}");
    // The header takes two rows at most: the brand and village, then sync, language, lock.
    let rows = app
        .js(
            "const c = [...document.querySelectorAll('header.top > *')].map(e => e.getBoundingClientRect()) \
             .filter(r => r.width > 0).map(r => (r.top + r.bottom) / 2).sort((a, b) => a - b); \
             return c.filter((y, i) => i === 0 || y - c[i - 1] > 16).length",
        )
        .await?;
    ensure!(
        rows.as_i64().is_some_and(|r| r <= 2),
        "{screen}: the header takes {rows} rows"
    );
    Ok(())
}

/// Every screen of the cadre's day, screenshotted, in the language and width on screen.
async fn tour(app: &App, tag: &str, english: bool, narrow: bool) -> Result<()> {
    let check = |screen: &'static str| async move {
        app.screenshot(&format!("tour-{tag}-{screen}")).await?;
        if english {
            all_english(app, screen).await?;
        }
        if narrow {
            fits(app, screen).await?;
        }
        Ok::<(), anyhow::Error>(())
    };
    // (what to tap, what shows the screen is there, the screenshot's name)
    let steps = [
        ("button[data-tab=home]", "[data-screen=home] .counts", "beranda"),
        ("button[data-tab=families]", "[data-household]", "keluarga"),
        ("[data-household]", "[data-member='Putri Lestari']", "family-card"),
        ("[data-member='Putri Lestari'] button.row", "svg[data-chart]", "person"),
        (
            "[data-screen=person] button[data-visit=anak]",
            "[data-results] [data-missing]",
            "visit-form",
        ),
        ("button[data-tab=sync]", "[data-screen=sync]", "sinkronisasi"),
        (
            "button[name=open-hub]",
            "[data-hub=off] input[name=hub-upstream]",
            "hub",
        ),
        ("button[data-tab=recap]", "tr[data-group=baduta]", "rekap"),
        (
            "[data-name-lists] summary",
            "[data-list=overdue] button[name=export-list-csv]",
            "rekap-daftar-nama",
        ),
    ];
    for (tap, shown, screen) in steps {
        app.click(tap).await?;
        app.find(shown).await?;
        check(screen).await?;
    }
    Ok(())
}

async fn count(app: &App, css: &str) -> Result<i64> {
    Ok(app
        .js(&format!("return document.querySelectorAll({css:?}).length"))
        .await?
        .as_i64()
        .unwrap_or(-1))
}

async fn wait_count(app: &App, css: &str, want: i64) -> Result<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let n = count(app, css).await?;
        if n == want {
            return Ok(());
        }
        ensure!(std::time::Instant::now() < deadline, "{css}: {n}, not {want}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn child_visit(app: &App, weight: &str, length: &str) -> Result<()> {
    app.type_in("input[name=weight_kg]", weight).await?;
    app.type_in("input[name=lenhei_cm]", length).await?;
    app.set("select[name=measure]", "lying").await?;
    app.find("button[name=save-visit]:not([disabled])").await?;
    app.click("button[name=save-visit]").await?;
    app.find("[data-screen=person] .timeline").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cadre_reading_english_is_answered_in_english_from_the_door_on() {
    bounded(async {
        let app = App::launch_in(tempfile::tempdir()?).await?;
        app.client.set_window_size(360, 800).await?;
        // The door offers the language before anyone is in.
        app.find("[data-screen=door] button[name=first-member]").await?;
        app.click("[data-screen=door] button[name=language]").await?;
        app.wait_text("[data-screen=door] h2", "The first TPK member").await?;
        all_english(&app, "door").await?;
        fits(&app, "door").await?;
        // Two PINs that differ: refused in English, naming the field.
        app.type_in("input[name=member-name]", pendamping_e2e::MEMBER).await?;
        app.type_in("input[name=pin]", pendamping_e2e::PIN).await?;
        app.type_in("input[name=pin-again]", "13579924").await?;
        app.click("button[name=first-member]").await?;
        app.wait_text("[data-error-field=pin_again]", "The two PINs differ")
            .await?;
        all_english(&app, "door refusing").await?;
        app.screenshot("40-door-english-360").await?;
        app.enter(pendamping_e2e::MEMBER, pendamping_e2e::PIN).await?;

        // The first run, then a family saved without its head's name.
        app.wait_text("[data-screen=first-run] h1", "Welcome").await?;
        all_english(&app, "first run").await?;
        fits(&app, "first run").await?;
        app.screenshot("41-first-run-english-360").await?;
        first_run_offline(&app).await?;
        app.click("button[data-tab=families]").await?;
        app.click("button[name=register-family]").await?;
        app.type_in("input[name=welfare_decile]", "2,5").await?;
        app.click("button[name=save]").await?;
        app.wait_text("[data-field=welfare_decile] .msg.error", "whole number")
            .await?;
        app.wait_text("[data-error=fields]", "Fix the fields marked in red")
            .await?;
        // Fixed: its message goes at once, before the next save.
        app.type_in("input[name=welfare_decile]", "3").await?;
        wait_count(&app, "[data-field=welfare_decile] .msg", 0).await?;
        app.click("button[name=save]").await?;
        app.find("[data-field=head_name] .msg.error").await?;
        all_english(&app, "household form refusing").await?;
        fits(&app, "household form refusing").await?;
        no_plumbing(&app).await?;
        app.screenshot("42-household-refused-english-360").await?;
        app.close().await
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cadres_day_in_every_detail_in_both_languages_and_at_360_px() {
    bounded(async {
        let app = App::start().await?;
        app.client.set_window_size(1280, 800).await?;
        first_run_offline(&app).await?;
        register_family_with_child(&app, 18).await?;

        // At 18 months the form asks about complementary food, not exclusive breastfeeding;
        // an empty form says what is missing instead of "no risk factors".
        app.click("[data-member='Putri Lestari'] button[data-visit=anak]")
            .await?;
        app.find("[data-field=mpasi]").await?;
        ensure!(count(&app, "[data-field=exclusive_bf]").await? == 0, "no ASI eksklusif at 18 months");
        app.wait_text("[data-results] [data-missing]", "Berat badan").await?;
        ensure!(count(&app, "[data-no-flags]").await? == 0, "no 'no risk' on an empty form");
        // Typed values are not thrown away without asking.
        app.type_in("input[name=weight_kg]", "9").await?;
        app.click("button[name=cancel-visit]").await?;
        app.find("[data-confirm=discard]").await?;
        app.screenshot("14-discard-prompt").await?;
        app.click("button[name=keep-editing]").await?;
        // Immunisation is a checklist by the national schedule: MR 1 is overdue at 18 months.
        // A late dose is not dated today without a question: saving waits for its date.
        app.find("[data-dose=mr1][data-status=overdue]").await?;
        app.click("input[name=dose-mr1]").await?;
        app.wait_text("[data-field=immunisations] > .msg.error", "Tanggal pemberian").await?;
        app.find("[data-dose=mr1] [data-ask-date]").await?;
        app.click("button[name=dose-today-mr1]").await?;
        child_visit(&app, "9", "74,0").await?;

        // A second visit on the same day is warned about, then drawn as a second point.
        app.click("[data-screen=person] button[data-visit=anak]").await?;
        app.find("[data-dose=mr1][data-status=given]").await?;
        app.js("document.querySelector('[data-list=immunisations]').scrollIntoView({block: 'start'})")
            .await?;
        app.screenshot("15a-immunisation-checklist").await?;
        app.type_in("input[name=weight_kg]", "9,1").await?;
        // Another field's warning waits until the finger moves on (nothing shifts under it).
        app.click("input[name=lenhei_cm]").await?;
        app.find("[data-field=visit_date] [data-problem=same_day_visit]").await?;
        child_visit(&app, "9,1", "74,2").await?;
        wait_count(&app, "svg[data-chart=length_for_age] circle.point", 2).await?;
        ensure!(count(&app, "[data-fault]").await? == 0, "no fault on screen");
        app.screenshot("15-two-visits-one-day").await?;

        // One is corrected with a reason, the other voided with one.
        app.click("[data-correct]").await?;
        app.find("input[name=correction_reason]").await?;
        app.type_in("input[name=weight_kg]", "9,3").await?;
        app.type_in("input[name=correction_reason]", "salah baca timbangan").await?;
        app.find("button[name=save-visit]:not([disabled])").await?;
        app.click("button[name=save-visit]").await?;
        // Back on the person's page (a refusal would have kept the form, and said why).
        app.find("[data-screen=person] [data-visit-id]").await?;
        app.wait_content("[data-corrected]", "salah baca timbangan").await?;
        let corrected = app
            .js("return document.querySelector('[data-corrected]').closest('li').dataset.visitId")
            .await?;
        let other = app
            .js(&format!(
                "return [...document.querySelectorAll('[data-visit-id]')].map((l) => l.dataset.visitId).find((id) => id !== {corrected})"
            ))
            .await?;
        let other = other.as_str().context("the other visit's id")?.to_string();
        app.click(&format!("button[data-void='{other}']")).await?;
        app.type_in("input[name=void_reason]", "tercatat dua kali").await?;
        app.click("button[name=confirm-void]").await?;
        app.wait_content("[data-voided]", "tercatat dua kali").await?;
        wait_count(&app, "svg[data-chart=length_for_age] circle.point", 1).await?;
        app.screenshot("16-timeline-corrected-voided").await?;
        app.click("button[data-tab=recap]").await?;
        app.find("tr[data-group=baduta]").await?;
        let visits = app.text("tr[data-group=baduta] td:nth-of-type(5)").await?;
        ensure!(visits == "1", "the recap counts the one visit left: {visits}");

        // A pregnant woman with Hb 10,2 and 145/95: urgent advice first, then anaemia's.
        let households = app.invoke("households", json!({"offset": 0, "limit": 10})).await?;
        let hh = households[0]["id"].as_str().context("the household's id")?.to_string();
        let family = app.invoke("family", json!({ "id": hh })).await?;
        let siti = family["members"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["person"]["name"] == "Siti Aminah"))
            .and_then(|m| m["person"]["id"].as_str())
            .context("Siti Aminah's id")?
            .to_string();
        // Enrolled through the screen, as a cadre does: HPHT 20 weeks ago.
        let today = today_there();
        let hpht = today - chrono::Days::new(20 * 7);
        app.click("button[data-tab=families]").await?;
        app.click("[data-household]").await?;
        app.click("button[data-enrol='Siti Aminah']").await?;
        app.click("[data-form=enrol] button[data-kind=ibu_hamil]").await?;
        app.type_in("[data-form=enrol] input[name=hpht]", &hpht.format("%d/%m/%Y").to_string())
            .await?;
        app.click("button[name=save-enrolment]").await?;
        app.find("[data-member='Siti Aminah'] button[data-visit=ibu_hamil]").await?;
        let delivered = today - chrono::Days::new(300);
        app.invoke(
            "enrol",
            json!({"personId": siti, "start": delivered, "details": {"kind": "nifas", "delivery_date": delivered}}),
        )
        .await?;
        app.click("button[data-tab=families]").await?;
        app.click("[data-household]").await?;
        // The postpartum enrolment ended by itself on day 42: no form is offered for it.
        app.find("[data-member='Siti Aminah'] button[data-visit=ibu_hamil]").await?;
        ensure!(
            count(&app, "[data-member='Siti Aminah'] button[data-visit=nifas]").await? == 0,
            "no postpartum form 300 days after delivery"
        );
        app.screenshot("17-family-card-nifas-ended").await?;
        app.click("[data-member='Siti Aminah'] button[data-visit=ibu_hamil]").await?;
        app.type_in("input[name=hb]", "10,2").await?;
        app.type_in("input[name=systolic]", "145").await?;
        app.type_in("input[name=diastolic]", "95").await?;
        app.wait_text("[data-results] .advice", "Rujuk segera (risiko preeklamsia)").await?;
        app.wait_text("[data-results] .advice", "Minum TTD setiap hari").await?;
        let first = app
            .js("return document.querySelector('[data-results] .flag-advice').dataset.urgency")
            .await?;
        ensure!(first == json!("urgent"), "the most urgent advice first: {first}");
        app.screenshot("18-visit-form-advice").await?;
        // An ANC contact added is saved as it shows, without a second tap.
        app.click("button[name=add-anc]").await?;
        app.set("select[name=anc_provider_0]", "puskesmas").await?;
        app.find("button[name=save-visit]:not([disabled])").await?;
        app.click("button[name=save-visit]").await?;
        // The timeline keeps what the form said: the pressure and the urgent referral.
        app.wait_text("[data-screen=person] .timeline", "TD 145/95 mmHg").await?;
        app.wait_text("[data-screen=person] .timeline .advice", "Rujuk segera").await?;
        let tl = app.invoke("timeline", json!({ "personId": siti })).await?;
        let anc = &tl["visits"][0]["visit"]["data"]["anc"];
        ensure!(
            anc == &json!([{"date": today, "provider": "puskesmas"}]),
            "the ANC row on screen was saved: {anc}"
        );
        app.screenshot("18b-timeline-anc-advice").await?;

        // Every screen, in Indonesian and English, at 1280×800 and 360×800.
        tour(&app, "id-1280", false, false).await?;
        app.click("button[name=language]").await?;
        app.find("button[data-tab=home]").await?;
        tour(&app, "en-1280", true, false).await?;
        app.client.set_window_size(360, 800).await?;
        tour(&app, "en-360", true, true).await?;
        app.click("button[name=language]").await?;
        tour(&app, "id-360", false, true).await?;
        app.close().await
    })
    .await
}

/// Three members share the TPK's tablet: each has their own PIN, the store on disk shows no
/// name or NIK, what each records carries their name, a wrong PIN is refused, and a
/// forgotten PIN is recovered through the server with a code from the admin — with every
/// visit still there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_shared_by_two_members_locks_and_a_forgotten_pin_is_recovered_through_the_server() {
    bounded(async {
        let dir = tempfile::tempdir()?;
        let now = Local::now().timestamp_millis() as u64;
        let server = TestServer::start(dir.path(), Arc::new(ManualTime::new(now)), |_| {}).await;
        let code = server.code(Role::Cadre, &[VILLAGE]);

        // The first member sets the PIN that locks the data; two different PINs are refused.
        let app = App::launch_in(tempfile::tempdir()?).await?;
        app.find("[data-screen=door] button[name=first-member]").await?;
        app.type_in("input[name=member-name]", pendamping_e2e::MEMBER).await?;
        app.type_in("input[name=pin]", pendamping_e2e::PIN).await?;
        app.type_in("input[name=pin-again]", "13579924").await?;
        app.click("button[name=first-member]").await?;
        app.find("[data-error-field=pin_again]").await?;
        app.screenshot("30-door-first-member").await?;
        app.enter(pendamping_e2e::MEMBER, pendamping_e2e::PIN).await?;
        enrol_window(&app, VILLAGE, &server.url(), &code).await?;
        register_family_with_child(&app, 10).await?;
        app.click("[data-member='Putri Lestari'] button[data-visit=anak]")
            .await?;
        child_visit(&app, "8,2", "70,0").await?;
        app.wait_text("[data-recorded-by]", "Bu Sari").await?;

        // A second member of the team gets their own PIN.
        app.click("button[data-tab=sync]").await?;
        app.click("button[name=add-team-member]").await?;
        app.type_in("input[name=new-member-name]", "Dewi Lestari").await?;
        app.type_in("input[name=pin]", "24680224").await?;
        app.type_in("input[name=pin-again]", "24680224").await?;
        app.click("button[name=save-member]").await?;
        app.find("[data-team-member='Dewi Lestari']").await?;
        app.find("[data-recoverable=true]").await?;
        app.screenshot("31-sinkronisasi-team").await?;

        // Locked, nothing of the families is on screen (the screen behind the door is hidden,
        // kept for the member who comes back); a wrong PIN is refused.
        app.click("button[name=lock]").await?;
        app.find("[data-screen=door] button[data-login='Dewi Lestari']").await?;
        let shown = app.js("return document.body.innerText").await?;
        let shown = shown.as_str().unwrap_or_default();
        ensure!(
            !shown.contains("Putri Lestari") && !shown.contains("Siti Aminah"),
            "nothing behind the door: {shown}"
        );
        ensure!(
            app.js("return [...document.querySelectorAll('[data-screen]:not([data-screen=door])')].every((e) => e.getClientRects().length === 0)")
                .await?
                == json!(true),
            "no screen drawn behind the door"
        );
        app.click("button[data-login='Dewi Lestari']").await?;
        app.type_in("input[name=pin]", "00000024").await?;
        app.click("button[name=unlock]").await?;
        app.wait_text("[data-error=wrong_pin]", "PIN salah").await?;
        app.screenshot("32-door-wrong-pin").await?;
        app.enter("Dewi Lestari", "24680224").await?;

        // Dewi records the next visit: the timeline says who recorded which.
        app.click("button[data-tab=families]").await?;
        app.click("[data-household]").await?;
        app.click("[data-member='Putri Lestari'] button[data-visit=anak]")
            .await?;
        app.type_in("input[name=weight_kg]", "8,3").await?;
        app.click("input[name=lenhei_cm]").await?;
        app.find("[data-field=visit_date] [data-problem=same_day_visit]")
            .await?;
        // Locked mid-form (she turned to the mother; the idle lock does the same): her PIN
        // brings the form back as she left it.
        app.click("button[name=lock]").await?;
        app.enter("Dewi Lestari", "24680224").await?;
        let kept = app
            .js("return document.querySelector('input[name=weight_kg]').value")
            .await?;
        ensure!(kept == json!("8,3"), "the half-typed visit is kept: {kept}");
        child_visit(&app, "8,3", "70,2").await?;
        app.wait_text("[data-screen=person] .timeline", "Dewi Lestari").await?;
        let authors = app
            .js("return [...document.querySelectorAll('[data-recorded-by]')].map((e) => e.dataset.recordedBy).sort()")
            .await?;
        ensure!(
            authors == json!(["Bu Sari", "Dewi Lestari"]),
            "each visit names who recorded it: {authors}"
        );

        // The store on disk: no name, no NIK, not even SQLite's header.
        let mut file = std::fs::read(app.data.path().join("pendamping.db"))?;
        file.extend(std::fs::read(app.data.path().join("pendamping.db-wal")).unwrap_or_default());
        for plain in ["Putri Lestari", "Siti Aminah", "3602015204960001", "SQLite format 3"] {
            ensure!(
                !file.windows(plain.len()).any(|w| w == plain.as_bytes()),
                "{plain} readable in the store file"
            );
        }

        // Bu Sari forgot her PIN: the admin checks who she is and issues a recovery code.
        app.click("button[name=lock]").await?;
        app.click("button[data-login='Bu Sari']").await?;
        app.click("button[name=forgot-pin]").await?;
        let device = app.text("[data-device-id]").await?;
        app.type_in("input[name=recovery-code]", "AAAA-BBBB-CCCC").await?;
        app.type_in("input[name=pin]", "86420024").await?;
        app.type_in("input[name=pin-again]", "86420024").await?;
        app.click("button[name=recover]").await?;
        app.wait_text("[data-error=recovery_refused]", "Kode pemulihan ditolak")
            .await?;
        let recovery = server.admin().recovery_code(device.trim(), "admin", now as i64)?;
        app.type_in("input[name=recovery-code]", &recovery).await?;
        app.type_in("input[name=pin]", "86420024").await?;
        app.type_in("input[name=pin-again]", "86420024").await?;
        app.screenshot("33-door-recovery").await?;
        app.click("button[name=recover]").await?;
        app.find("[data-screen=home]").await?;
        // Everything is still there, and the new PIN is hers now; the old one is not.
        app.click("button[data-tab=families]").await?;
        app.click("[data-household]").await?;
        app.click("[data-member='Putri Lestari'] button.row").await?;
        wait_count(&app, "[data-recorded-by]", 2).await?;
        app.click("button[name=lock]").await?;
        app.click("button[data-login='Bu Sari']").await?;
        app.type_in("input[name=pin]", pendamping_e2e::PIN).await?;
        app.click("button[name=unlock]").await?;
        app.find("[data-error=wrong_pin]").await?;
        app.enter(pendamping_e2e::MEMBER, "86420024").await?;
        app.close().await?;
        server.stop().await;
        Ok(())
    })
    .await
}
