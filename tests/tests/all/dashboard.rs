//! The dashboard over plain HTTP, as a browser's requests reach it: the session cookie's
//! flags, what a missing or forged session gets, and that pages with names are not cached.
//! (The pages themselves are walked in headless Chromium: tests/e2e/tests/dashboard.rs.)

use pendamping_server::accounts::AccountRole;
use pendamping_tests::net::TestServer;
use pendamping_tests::*;
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn log_in(url: &str, name: &str, password: &str) -> reqwest::Response {
    client()
        .post(format!("{url}/dashboard/login"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("name={name}&password={password}"))
        .send()
        .await
        .unwrap()
}

/// The `name=value` of the session cookie a log-in set.
fn session_of(resp: &reqwest::Response) -> String {
    let cookie = resp.headers()[SET_COOKIE].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

/// A server whose one account is Sari, PLKB of the kecamatan, password "rahasia-sekali".
async fn with_sari(dir: &std::path::Path) -> TestServer {
    let server = TestServer::start(dir, clock_at(d(2026, 11, 23)), |_| {}).await;
    server
        .admin()
        .add_account("sari", AccountRole::Plkb, &[KECAMATAN], "rahasia-sekali", 1)
        .unwrap();
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_an_httponly_strict_cookie_and_nothing_without_one_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let server = with_sari(dir.path()).await;
    let url = server.url();

    // No session: every page and file leads to the log-in, a forged token too.
    for path in [
        "/dashboard",
        "/dashboard/list/stunted/file?format=xlsx",
        "/dashboard/trend.svg",
    ] {
        for cookie in [None, Some(format!("pendamping_sesi={}", "ab".repeat(32)))] {
            let mut req = client().get(format!("{url}{path}"));
            if let Some(c) = &cookie {
                req = req.header(COOKIE, c);
            }
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{path} {cookie:?}");
            // To the log-in, and from it back to the page asked for.
            let back = match path {
                "/dashboard" => "/dashboard/login".to_string(),
                p => format!(
                    "/dashboard/login?then={}",
                    p.replace('/', "%2F").replace('?', "%3F").replace('=', "%3D")
                ),
            };
            assert_eq!(resp.headers()[LOCATION], back.as_str());
        }
    }

    // Only a page of this dashboard is a way back: never another host, the log-in itself.
    use pendamping_server::dashboard::safe_then;
    for bad in [
        "//evil.example/dashboard",
        "https://evil.example/dashboard",
        "/dashboard\\@evil",
        "/dashboard/login",
        "/other",
        "/dashboard/logout",
        "/dashboard/../health",
        "/dashboard/./logout",
        "/dashboard/\u{202e}x",
    ] {
        assert_eq!(safe_then(bad), None, "{bad}");
    }
    assert_eq!(
        safe_then("/dashboard/list/krs?area=3602012002"),
        Some("/dashboard/list/krs?area=3602012002")
    );

    let wrong = log_in(&url, "sari", "rahasia-sekalI").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
    assert!(wrong.text().await.unwrap().contains("Nama akun atau kata sandi salah."));
    assert_eq!(
        log_in(&url, "nobody", "rahasia-sekali").await.status(),
        StatusCode::UNAUTHORIZED
    );

    let ok = log_in(&url, "sari", "rahasia-sekali").await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let cookie = ok.headers()[SET_COOKIE].to_str().unwrap().to_string();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    let session = cookie.split(';').next().unwrap().to_string();
    let get = |path: &str| client().get(format!("{url}{path}")).header(COOKIE, &session).send();

    let page = get("/dashboard").await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(
        page.headers()[CACHE_CONTROL],
        "no-store",
        "a page with names is not cached"
    );
    // A page of names says so above its table; the summary, counts only, does not.
    let names = get("/dashboard/list/stunted").await.unwrap().text().await.unwrap();
    assert!(names.contains("data-personal-data") && names.contains("DATA PRIBADI (UU 27/2022)"));
    assert!(!page.text().await.unwrap().contains("data-personal-data"));
    let file = get("/dashboard/list/stunted/file?format=csv").await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert!(
        file.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("daftar-stunted-360201-2026-11-data-pribadi.csv")
    );
    assert_eq!(file.headers()[CACHE_CONTROL], "no-store");
    let csv = file.bytes().await.unwrap();
    assert!(
        csv.starts_with("\u{feff}Desa/kelurahan;TPK;Nama".as_bytes()),
        "a BOM and Indonesian headers"
    );
    assert_eq!(
        get("/dashboard?area=3602").await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get("/dashboard/list/nothing").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get("/dashboard?area=99").await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );

    // Out: the same cookie no longer opens anything.
    let out = client()
        .post(format!("{url}/dashboard/logout"))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(out.headers()[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(get("/dashboard").await.unwrap().status(), StatusCode::SEE_OTHER);
    server.stop().await;
}

/// A PLKB covering two kecamatans sees both side by side, and either one alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_of_two_kecamatans_sees_both_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(d(2026, 11, 23)), |_| {}).await;
    server
        .admin()
        .add_account("dua", AccountRole::Plkb, &[KECAMATAN, "360202"], "rahasia-sekali", 1)
        .unwrap();
    let url = server.url();
    let ok = log_in(&url, "dua", "rahasia-sekali").await;
    let session = session_of(&ok);
    let get = |path: &str| client().get(format!("{url}{path}")).header(COOKIE, &session).send();
    let page = get("/dashboard").await.unwrap().text().await.unwrap();
    assert!(page.contains("Semua wilayah akun dua"), "{page}");
    for code in [KECAMATAN, "360202"] {
        assert!(page.contains(&format!("data-area=\"{code}\"")), "a row for {code}");
        assert_eq!(
            get(&format!("/dashboard?area={code}")).await.unwrap().status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        get("/dashboard?area=360203").await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_passwords_lock_the_name_at_that_address_for_a_while_and_a_cross_site_form_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = with_sari(dir.path()).await;
    let url = server.url();
    for _ in 0..5 {
        assert_eq!(
            log_in(&url, "sari", "tebak-tebakan").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Locked: even the right password is refused, and the page says for how long.
    let locked = log_in(&url, "sari", "rahasia-sekali").await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().get(SET_COOKIE).is_none());
    assert!(locked.text().await.unwrap().contains("Coba lagi dalam 15 menit"));
    // Only where the guesses came from: Sari at another computer (another loopback address
    // here) logs in; whoever knows her name cannot lock her out from elsewhere.
    let elsewhere = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap()
        .post(format!("{url}/dashboard/login"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("name=sari&password=rahasia-sekali")
        .send()
        .await
        .unwrap();
    assert_eq!(
        elsewhere.status(),
        StatusCode::SEE_OTHER,
        "not locked at another address"
    );
    // Another name is not locked by Sari's tries.
    server
        .admin()
        .add_account("dewi", AccountRole::Plkb, &[KECAMATAN], "rahasia-juga-ya", 1)
        .unwrap();
    assert_eq!(
        log_in(&url, "dewi", "rahasia-juga-ya").await.status(),
        StatusCode::SEE_OTHER
    );
    // A quarter of an hour later the right password works.
    server.clock.advance(15 * 60_000 + 1);
    let ok = log_in(&url, "sari", "rahasia-sekali").await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let session = session_of(&ok);
    let get = |path: &str| client().get(format!("{url}{path}")).header(COOKIE, &session).send();
    // The log-in page while logged in (a bookmark, the back button) goes on to the page.
    for (path, to) in [
        ("/dashboard/login", "/dashboard"),
        (
            "/dashboard/login?then=%2Fdashboard%2Flist%2Fstunted",
            "/dashboard/list/stunted",
        ),
    ] {
        let resp = get(path).await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(resp.headers()[LOCATION], to, "{path}");
    }
    // A page bookmarked when the list was longer: the last page, and it says so.
    let gone = get("/dashboard/list/stunted?page=99").await.unwrap();
    assert_eq!(gone.status(), StatusCode::OK);
    let body = gone.text().await.unwrap();
    assert!(body.contains(r#"data-page-gone="99""#), "{body}");
    assert!(body.contains("Halaman 99 tidak ada"), "{body}");

    // A form on another site posting here (a log-out, a log-in) is refused; the session lives.
    for (path, body) in [
        ("/dashboard/logout", ""),
        ("/dashboard/login", "name=sari&password=rahasia-sekali"),
    ] {
        let resp = client()
            .post(format!("{url}{path}"))
            .header(COOKIE, &session)
            .header("origin", "https://jahat.example")
            .header("sec-fetch-site", "cross-site")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let still = client()
        .get(format!("{url}/dashboard"))
        .header(COOKIE, &session)
        .send()
        .await
        .unwrap();
    assert_eq!(still.status(), StatusCode::OK, "the cross-site log-out did nothing");
    // From the dashboard itself, it works.
    let host = url.trim_start_matches("http://").to_string();
    let out = client()
        .post(format!("{url}/dashboard/logout"))
        .header(COOKIE, &session)
        .header("origin", format!("http://{host}"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);

    // Every try is in the audit log, and the log verifies.
    let conn = server.db();
    let refused: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE action = 'log_in_refused' AND actor = 'sari'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(refused, 6, "five wrong passwords and one try while locked");
    assert!(server.admin().audit_verify().unwrap().broken.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_with_control_characters_is_refused_uncounted_and_audited_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let server = with_sari(dir.path()).await;
    let url = server.url();
    // "sari\n<an address>" must not be sari's key at that address, nor "sa\u{1}ri" sari's.
    for name in ["sari\n127.0.0.1", "sa\u{1}ri", "sari\u{2028}", "sari\u{200b}"] {
        for _ in 0..=pendamping_server::dashboard::session::FREE_TRIES {
            let r = log_in(&url, name, "salah-sekali").await;
            assert_ne!(r.status(), StatusCode::SEE_OTHER);
        }
    }
    let ok = log_in(&url, "sari", "rahasia-sekali").await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER, "sari was never locked");
    // The audit log names what was typed, escaped: no entry reads as sari's.
    let conn = server.db();
    let subjects: Vec<String> = conn
        .prepare("SELECT subject FROM audit WHERE action = 'log_in_refused'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        subjects.len(),
        4 * (pendamping_server::dashboard::session::FREE_TRIES as usize + 1)
    );
    assert!(
        subjects
            .iter()
            .all(|s| s != "sari" && !s.chars().any(pendamping_server::audit::invisible)),
        "{subjects:?}"
    );
    assert!(subjects.iter().any(|s| s == "sari\\u{a}127.0.0.1"), "{subjects:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guesses_sent_at_once_are_counted_before_any_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let server = with_sari(dir.path()).await;
    let url = server.url();
    // 26 guesses at once (each password check takes a while: they are all in flight together).
    let mut tries = Vec::new();
    for i in 0..26 {
        let url = url.clone();
        tries.push(tokio::spawn(async move {
            log_in(&url, "sari", &format!("tebakan-{i}")).await.status()
        }));
    }
    let mut answers = Vec::new();
    for t in tries {
        answers.push(t.await.unwrap());
    }
    // Only five passwords were checked at all (the audit log says which were); the rest were
    // refused as locked before their check, right or wrong.
    let conn = server.db();
    let checked: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE subject = 'sari' AND detail = 'dashboard'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let locked: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE subject = 'sari' AND detail = 'locked out'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(checked, 5, "{answers:?}");
    assert_eq!(locked, 21);
    assert_eq!(
        answers.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count(),
        21
    );
    // The right password, right after: the name is locked, it is not checked either.
    assert_eq!(
        log_in(&url, "sari", "rahasia-sekali").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_says_what_a_browser_may_do_and_cookies_are_secure_under_tls() {
    let dir = tempfile::tempdir().unwrap();
    let server = with_sari(dir.path()).await;
    let url = server.url();
    let page = client().get(format!("{url}/dashboard/login")).send().await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    // Plain HTTP on loopback: the session cookie cannot be Secure (the browser would drop it).
    let plain = log_in(&url, "sari", "rahasia-sekali").await;
    assert!(!plain.headers()[SET_COOKIE].to_str().unwrap().contains("Secure"));
    // Behind a TLS proxy that says so, it is.
    let behind_tls = client()
        .post(format!("{url}/dashboard/login"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-forwarded-proto", "https")
        .body("name=sari&password=rahasia-sekali")
        .send()
        .await
        .unwrap();
    let cookie = behind_tls.headers()[SET_COOKIE].to_str().unwrap();
    assert!(cookie.ends_with("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
}

#[tokio::test]
async fn every_address_under_the_dashboard_answers_a_page_never_json_nor_an_empty_body() {
    let dir = tempfile::tempdir().unwrap();
    let server = with_sari(dir.path()).await;
    let url = server.url();
    let slash = client().get(format!("{url}/dashboard/")).send().await.unwrap();
    assert_eq!(slash.status(), StatusCode::SEE_OTHER);
    assert_eq!(slash.headers()[LOCATION], "/dashboard");
    for (method, path) in [
        (reqwest::Method::GET, "/dashboard/nope"),
        (reqwest::Method::GET, "/dashboard/logout"),
        (reqwest::Method::PUT, "/dashboard"),
        (reqwest::Method::POST, "/dashboard/list/krs"),
    ] {
        let resp = client()
            .request(method.clone(), format!("{url}{path}"))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_client_error(), "{method} {path}: {}", resp.status());
        let kind = resp.headers()[CONTENT_TYPE].to_str().unwrap().to_string();
        let body = resp.text().await.unwrap();
        assert!(kind.starts_with("text/html"), "{method} {path}: {kind}");
        assert!(body.contains("Halaman ini tidak ada"), "{method} {path}: {body}");
    }
    server.stop().await;
}
