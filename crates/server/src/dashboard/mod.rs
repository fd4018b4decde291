//! The district's dashboard (issue 15): pages for PLKB officers and the kabupaten's TPPS,
//! served by the centre and by a hub alike, from their own assets (no CDN, no script), so
//! it works at an office with no internet. Every number is the server's own functions'
//! (`AppState::indicators`, `recap`, `name_list`), the same the recap API answers with;
//! a page only lays them out. An account sees only the areas of its scope.

mod chart;
mod pages;
pub mod session;
pub mod words;

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Form, Router};
use pendamping_core::area;
use pendamping_core::area::AreaCode;
use pendamping_core::indicators::Indicators;
use pendamping_core::lists::NameList;
use pendamping_core::recap::Month;
use pendamping_report::sheet::{Format, Sheet};
use serde::Deserialize;
use std::collections::BTreeMap;

use crate::accounts::{self, Account};
use crate::audit::Action;
use crate::error::ServerError;
use crate::state::AppState;

pub use pages::Trend;

/// Where the pages live.
pub const HOME: &str = "/dashboard";
const LOGIN: &str = "/dashboard/login";
/// Rows of a list per page: a tablet scrolls them; the file holds all.
pub const LIST_PAGE: usize = 200;

/// Why a page is not shown, as the page that says so.
#[derive(Debug)]
pub enum Refusal {
    /// No live session: to the log-in page, and after it back to `then` (the page asked).
    LogIn {
        then: Option<String>,
    },
    /// A wrong name or password (401); the form keeps the name typed and where to go.
    Credentials {
        name: String,
        then: Option<String>,
    },
    /// The right password of a disabled account (403).
    Disabled {
        name: String,
    },
    /// Too many wrong passwords for this name: locked until then (429).
    LockedOut {
        minutes: i64,
        name: String,
    },
    /// A refusal on a page a logged-in account asked for: shown under its header (the
    /// account, *Keluar*), not on a bare page.
    Seen {
        account: Box<Account>,
        refusal: Box<Refusal>,
    },
    /// A form posted from another site (403).
    CrossSite,
    /// Too many log-ins from this address (429).
    TooMany,
    BadRequest(String),
    /// An area outside the account's scope (403).
    Forbidden(String),
    NotFound,
    Internal,
}

impl From<ServerError> for Refusal {
    fn from(e: ServerError) -> Refusal {
        tracing::error!(error = %e, "a dashboard page failed");
        Refusal::Internal
    }
}

impl From<pendamping_report::sheet::ExportError> for Refusal {
    fn from(e: pendamping_report::sheet::ExportError) -> Refusal {
        tracing::error!(error = %e, "a dashboard file could not be written");
        Refusal::Internal
    }
}

impl Refusal {
    /// This refusal, shown to `account` under its header.
    pub fn seen_by(self, account: &Account) -> Refusal {
        match self {
            Refusal::Seen { .. } | Refusal::LogIn { .. } => self,
            other => Refusal::Seen {
                account: Box::new(account.clone()),
                refusal: Box::new(other),
            },
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let login = |status: StatusCode, error: &str, name: &str, then: Option<&str>| {
            (status, Html(pages::login(Some(error), name, then).into_string())).into_response()
        };
        let mut account = None;
        let refusal = match self {
            Refusal::Seen { account: a, refusal } => {
                account = Some(*a);
                *refusal
            }
            other => other,
        };
        let (status, text) = match refusal {
            Refusal::LogIn { then } => {
                let to = match then {
                    Some(then) => format!(
                        "{LOGIN}?{}",
                        serde_urlencoded::to_string([("then", then)]).unwrap_or_default()
                    ),
                    None => LOGIN.to_string(),
                };
                return Redirect::to(&to).into_response();
            }
            Refusal::Credentials { name, then } => {
                return login(
                    StatusCode::UNAUTHORIZED,
                    words::say(words::WRONG_LOGIN),
                    &name,
                    then.as_deref(),
                );
            }
            Refusal::Disabled { name } => {
                return login(StatusCode::FORBIDDEN, words::say(words::ACCOUNT_DISABLED), &name, None);
            }
            Refusal::LockedOut { minutes, name } => {
                return login(StatusCode::TOO_MANY_REQUESTS, &pages::locked_out(minutes), &name, None);
            }
            Refusal::Seen { .. } => (
                StatusCode::INTERNAL_SERVER_ERROR,
                words::say(words::SERVER_FAILED).to_string(),
            ),
            Refusal::TooMany => (StatusCode::TOO_MANY_REQUESTS, words::say(words::TOO_MANY).to_string()),
            Refusal::CrossSite => (StatusCode::FORBIDDEN, words::say(words::CROSS_SITE).to_string()),
            Refusal::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            Refusal::Forbidden(m) => (StatusCode::FORBIDDEN, m),
            Refusal::NotFound => (StatusCode::NOT_FOUND, words::say(words::NO_PAGE).to_string()),
            Refusal::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                words::say(words::SERVER_FAILED).to_string(),
            ),
        };
        (
            status,
            Html(pages::refusal(status, &text, account.as_ref()).into_string()),
        )
            .into_response()
    }
}

/// Where a link opened while logged out leads after logging in: a page of this dashboard
/// only (its path and query, never another host, nor the log-in and log-out themselves).
pub fn safe_then(then: &str) -> Option<&str> {
    let ok = then.starts_with(HOME)
        && then != HOME
        && !then.starts_with("//")
        && !then.contains('\\')
        && then.chars().all(|c| c.is_ascii_graphic())
        && !then.split(['/', '?']).any(|seg| seg == "." || seg == "..")
        && !then.starts_with(LOGIN)
        && !then.starts_with("/dashboard/logout")
        && !then.starts_with("/dashboard/assets")
        && !then.starts_with("/dashboard/lang")
        && then.len() <= 2000;
    ok.then_some(then)
}

/// The account of a live session, read again from the database: disabling an account ends
/// its sessions at once.
pub struct Viewer(pub Account);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refusal> {
        let asked = || Refusal::LogIn {
            then: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .and_then(safe_then)
                .map(str::to_string),
        };
        let token = session::token(&parts.headers).ok_or_else(asked)?;
        let now = state.now_ms();
        // One read: the session and its account as it is now.
        let account = state
            .read(move |c| match session::find(c, &token, now)? {
                Some(name) => accounts::active(c, &name),
                None => Ok(None),
            })
            .await
            .map_err(|_| Refusal::Internal)?;
        account.map(Viewer).ok_or_else(asked)
    }
}

/// What a page request asks for, checked: the viewer, the place and month (see `resolve`)
/// and the rest of its query.
pub struct Asked {
    pub account: Account,
    pub place: Place,
    pub month: Month,
    pub params: Params,
}

impl FromRequestParts<AppState> for Asked {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refusal> {
        let Viewer(account) = Viewer::from_request_parts(parts, state).await?;
        let params =
            params(Query::<Params>::from_request_parts(parts, state).await).map_err(|r| r.seen_by(&account))?;
        // Off the async threads: the month's check reads the store (its first record).
        let (place, month) = {
            let (who, asked) = (account.clone(), params.clone());
            blocking(state, move |s| resolve(s, &who, &asked))
                .await
                .map_err(|r| r.seen_by(&account))?
        };
        Ok(Asked {
            account,
            place,
            month,
            params,
        })
    }
}

/// Where a page looks: one area, or all of an account's several areas side by side.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    Area(AreaCode),
    Scope(Vec<AreaCode>),
}

impl Place {
    /// The (area, key length) pairs whose indicators make the page's rows.
    fn parts(&self) -> Vec<(AreaCode, usize)> {
        match self {
            Place::Area(code) => {
                let child = code.level().child().unwrap_or(code.level()).code_len();
                vec![(code.clone(), child)]
            }
            Place::Scope(areas) => areas.iter().map(|a| (a.clone(), a.level().code_len())).collect(),
        }
    }

    /// The areas of the page's table, in order.
    pub fn children(&self) -> Vec<String> {
        match self {
            Place::Area(code) => area::children(Some(code.as_str()))
                .into_iter()
                .map(|a| a.code.to_string())
                .collect(),
            Place::Scope(areas) => areas.iter().map(ToString::to_string).collect(),
        }
    }

    pub fn area(&self) -> Option<&str> {
        match self {
            Place::Area(code) => Some(code.as_str()),
            Place::Scope(_) => None,
        }
    }

    /// The months a page offers: from the server's first record (an area without targets in
    /// a month the others have is an area of zeros, not a month without data) to the
    /// current one, newest first.
    fn months(&self, state: &AppState) -> Result<Vec<Month>, ServerError> {
        Ok(Month::shown_months(state.first_month()?, self.today(state), 24))
    }

    /// Today in the place's own time zone (all of an account's areas: its first's).
    fn today(&self, state: &AppState) -> chrono::NaiveDate {
        match self {
            Place::Area(code) => state.today_in(code.as_str()),
            Place::Scope(areas) => state.today_in(areas[0].as_str()),
        }
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct Params {
    pub area: Option<String>,
    pub month: Option<String>,
    /// Read with `Params::format`, `chart`, `page`: a wrong one is named in words, never
    /// a deserialiser's message.
    pub format: Option<String>,
    pub chart: Option<String>,
    pub page: Option<String>,
}

fn params(p: Result<Query<Params>, QueryRejection>) -> Result<Params, Refusal> {
    p.map(|Query(p)| p).map_err(|e| {
        tracing::debug!(why = %e.body_text(), "a dashboard address that cannot be read");
        Refusal::BadRequest(words::say(words::BAD_ADDRESS).to_string())
    })
}

impl Params {
    /// One value of the query read as `T`, or a refusal that names the value in words.
    fn read<T>(
        raw: &Option<String>,
        parse: impl Fn(&str) -> Option<T>,
        why: pendamping_core::catalogue::Words,
    ) -> Result<Option<T>, Refusal> {
        match raw.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => parse(v)
                .map(Some)
                .ok_or_else(|| Refusal::BadRequest(words::fill(why, &[("value", &format!("{v:?}"))]))),
        }
    }
    pub fn format(&self) -> Result<Option<Format>, Refusal> {
        Self::read(
            &self.format,
            |v| serde_json::from_value(serde_json::Value::String(v.to_lowercase())).ok(),
            words::BAD_FORMAT,
        )
    }
    pub fn chart(&self) -> Result<Option<Trend>, Refusal> {
        Self::read(
            &self.chart,
            |v| Trend::ALL.into_iter().find(|t| t.key() == v),
            words::BAD_CHART,
        )
    }
    pub fn page(&self) -> Result<Option<usize>, Refusal> {
        Self::read(
            &self.page,
            |v| v.parse::<usize>().ok().filter(|n| *n >= 1),
            words::BAD_PAGE,
        )
    }
}

/// The place and month a request asks for, checked against the account's scope: a
/// missing area is the account's own, a missing month the current one there.
pub fn resolve(state: &AppState, account: &Account, p: &Params) -> Result<(Place, Month), Refusal> {
    let scope = &account.scope;
    let place = match p.area.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None if scope.areas.len() == 1 => Place::Area(scope.areas[0].clone()),
        None => Place::Scope(scope.areas.clone()),
        Some(raw) => {
            let found = area::lookup(raw).ok_or_else(|| {
                Refusal::BadRequest(words::fill(words::UNKNOWN_AREA, &[("code", &format!("{raw:?}"))]))
            })?;
            if !scope.includes(found.code) {
                return Err(Refusal::Forbidden(words::fill(
                    words::OUTSIDE_SCOPE,
                    &[
                        ("area", &pendamping_report::labels::area_heading(found.code)),
                        ("code", &area::dotted(found.code)),
                        ("account", &account.name),
                    ],
                )));
            }
            Place::Area(found.area_code())
        }
    };
    let month = match p.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(raw) => Month::parse(raw)
            .ok_or_else(|| Refusal::BadRequest(words::fill(words::BAD_MONTH, &[("month", &format!("{raw:?}"))])))?,
        None => Month::of(place.today(state)),
    };
    // A month that has not come, or from before anything was recorded, is not a month of
    // zeros ("0 % dari 398 KRS" in 1999): said, not drawn.
    month
        .shown(state.first_month()?, place.today(state))
        .map_err(|why| Refusal::BadRequest(pendamping_core::catalogue::month_refused(why, month, words::lang())))?;
    Ok((place, month))
}

/// Runs a blocking computation off the async threads, in the request's language.
async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&AppState) -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    let state = state.clone();
    let lang = words::lang();
    tokio::task::spawn_blocking(move || words::within_sync(lang, || f(&state)))
        .await
        .map_err(|_| Refusal::Internal)?
}

/// The indicators of a place's table rows for `month` (blocking).
pub fn rows(state: &AppState, place: &Place, month: Month) -> Result<BTreeMap<String, Indicators>, ServerError> {
    let mut out = BTreeMap::new();
    for (code, key_len) in place.parts() {
        for (k, v) in state.indicators(month, &code, key_len)?.iter() {
            out.entry(k.clone()).or_insert_with(Indicators::default).add(v);
        }
    }
    Ok(out)
}

/// The first page of an area: what `GET /dashboard` renders (blocking; the bench times it).
pub fn overview(state: &AppState, account: &Account, place: &Place, month: Month) -> Result<String, Refusal> {
    let rows = rows(state, place, month)?;
    let months = place.months(state)?;
    let trend = trend(state, place, month)?;
    let page = pages::Overview {
        account,
        place,
        month,
        months: &months,
        trend: &trend,
        today: place.today(state),
        rows: &rows,
        hub: state.is_hub(),
    };
    Ok(page.render().into_string())
}

/// A list with names of a place (several areas' one after another).
pub fn list_rows(
    state: &AppState,
    list: NameList,
    place: &Place,
    month: Month,
) -> Result<Vec<pendamping_store::ListRow>, ServerError> {
    let mut out = Vec::new();
    for (code, _) in place.parts() {
        out.extend(state.name_list(list, month, &code)?);
    }
    Ok(out)
}

/// A list's page (blocking; the bench times it).
pub fn list_page(
    state: &AppState,
    account: &Account,
    list: NameList,
    place: &Place,
    month: Month,
    page: usize,
) -> Result<String, Refusal> {
    let rows = list_rows(state, list, place, month)?;
    let today = place.today(state);
    let sheet = pendamping_report::lists::sheet(list, month, &rows, words::lang(), today);
    let months = place.months(state)?;
    Ok(pages::list(account, list, place, (month, &months), today, &sheet, page).into_string())
}

/// The 12 months to `month`'s totals of a place, oldest first (blocking).
/// A month before the server's first record has no point: nothing was counted then.
pub fn trend(state: &AppState, place: &Place, month: Month) -> Result<Vec<(Month, Indicators)>, ServerError> {
    let first = state.first_month()?;
    (0..12)
        .rev()
        .map(|back| {
            let m = month.back(back);
            if first.is_none_or(|f| m < f) {
                return Ok((m, Indicators::default()));
            }
            Ok((m, pendamping_core::indicators::total(&rows(state, place, m)?)))
        })
        .collect()
}

/// Every page and file of the dashboard, with its methods: the router is built from this
/// table, and the generated hostile requests walk it (`tests/tests/all/hostile_generated.rs`).
fn table() -> Vec<(&'static str, &'static [Method], MethodRouter<AppState>)> {
    vec![
        ("/", &[Method::GET], get(|| async { Redirect::to(HOME) })),
        (HOME, &[Method::GET], get(home)),
        (LOGIN, &[Method::GET, Method::POST], get(login_form).post(login)),
        ("/dashboard/logout", &[Method::POST], post(logout)),
        ("/dashboard/trend.svg", &[Method::GET], get(trend_svg)),
        ("/dashboard/list/{list}", &[Method::GET], get(list)),
        ("/dashboard/list/{list}/file", &[Method::GET], get(list_file)),
        ("/dashboard/recap/file", &[Method::GET], get(recap_file)),
        ("/dashboard/assets/dashboard.css", &[Method::GET], get(css)),
        ("/dashboard/lang/{code}", &[Method::GET], get(switch_lang)),
    ]
}

/// (method, path) of every dashboard route.
pub fn paths() -> Vec<(Method, &'static str)> {
    table()
        .into_iter()
        .flat_map(|(path, methods, _)| methods.iter().map(move |m| (m.clone(), path)))
        .collect()
}

pub fn routes() -> Router<AppState> {
    table()
        .into_iter()
        .fold(Router::new(), |r, (path, _, handler)| r.route(path, handler))
        // Any other address under the dashboard: a page that says so, not the API's JSON.
        .route("/dashboard/{*rest}", axum::routing::any(no_page))
        .route("/dashboard/", get(|| async { Redirect::to(HOME) }))
        // A method a page does not take (a bookmarked log-out): a page saying so.
        .method_not_allowed_fallback(no_page)
        .layer(axum::middleware::from_fn(with_lang))
}

/// An address of the dashboard with no page: said in words, under the header of whoever is
/// logged in.
async fn no_page(State(state): State<AppState>, mut parts: Parts) -> Refusal {
    match Viewer::from_request_parts(&mut parts, &state).await {
        Ok(Viewer(account)) => Refusal::NotFound.seen_by(&account),
        Err(_) => Refusal::NotFound,
    }
}

/// Every dashboard response speaks the language its request's cookie chose.
async fn with_lang(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let lang = words::chosen(req.headers());
    words::within(lang, next.run(req)).await
}

/// The language switch in the header: keeps the choice and goes back to the page it was
/// made on (only a dashboard page of this server: the `Referer`'s path, never its host).
async fn switch_lang(Path(code): Path<String>, headers: axum::http::HeaderMap) -> Result<Response, Refusal> {
    let lang = pendamping_core::catalogue::Lang::from_word(&code).ok_or(Refusal::NotFound)?;
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
        .filter(|path| path.starts_with(HOME) && !path.starts_with("//"))
        .unwrap_or(HOME);
    let mut resp = Redirect::to(back).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, words::cookie(lang));
    Ok(resp)
}

/// Pages with names of people are never cached by the browser or a proxy.
fn private(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

async fn home(State(state): State<AppState>, asked: Asked) -> Result<Response, Refusal> {
    let Asked {
        account, place, month, ..
    } = asked;
    let html = blocking(&state, move |s| overview(s, &account, &place, month)).await?;
    Ok(private(Html(html).into_response()))
}

/// Where to go after logging in, carried by the log-in page's address and form.
#[derive(Deserialize, Default)]
struct Then {
    then: Option<String>,
}

async fn login_form(
    State(state): State<AppState>,
    mut parts: Parts,
    then: Result<Query<Then>, QueryRejection>,
) -> Response {
    let then = then.map(|Query(t)| t).unwrap_or_default().then;
    let then = then.as_deref().and_then(safe_then);
    // Already logged in (a bookmark, the back button): on to the page, not a form that
    // shows no header and asks again.
    if Viewer::from_request_parts(&mut parts, &state).await.is_ok() {
        return Redirect::to(then.unwrap_or(HOME)).into_response();
    }
    Html(pages::login(None, "", then).into_string()).into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
    #[serde(default)]
    then: Option<String>,
}

/// A form posted to the dashboard must come from the dashboard's own pages: a browser says
/// where a POST comes from (`Sec-Fetch-Site`, `Origin`), and another site's form or script
/// is refused (with the SameSite=Strict cookie, the defence against cross-site requests).
fn same_site(headers: &axum::http::HeaderMap) -> Result<(), Refusal> {
    let get = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return Err(Refusal::CrossSite);
    }
    // Behind a TLS proxy the Host may be the proxy's upstream: its X-Forwarded-Host counts.
    if let Some(origin) = get("origin") {
        let from = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        if ![get("host"), get("x-forwarded-host")].contains(&Some(from)) {
            return Err(Refusal::CrossSite);
        }
    }
    Ok(())
}

/// A log-in (or its refusal) into the audit log, under the name as typed.
async fn note_log_in(state: &AppState, name: String, action: Action, detail: &'static str) -> Result<(), Refusal> {
    blocking(state, move |s| Ok(s.audit(&name, action, &name, detail)?)).await
}

async fn login(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    headers: axum::http::HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, Refusal> {
    same_site(&headers)?;
    let from = crate::http::peer(&extensions);
    state
        .limit(crate::limits::Class::LogIn, from)
        .await
        // A store that failed is not the user's many tries.
        .map_err(|e| {
            if e.is_rate_limited() {
                Refusal::TooMany
            } else {
                Refusal::Internal
            }
        })?;
    let Form(form) = form.map_err(|_| Refusal::Credentials {
        name: String::new(),
        then: None,
    })?;
    // No account's name holds a control character: such a name is refused as it is, never
    // counted (it would count against the name without them) nor its password checked.
    if form.name.chars().any(crate::audit::invisible) {
        let typed: String = crate::audit::printable(&form.name).chars().take(64).collect();
        note_log_in(&state, typed, Action::LogInRefused, "control characters").await?;
        return Err(Refusal::Credentials {
            name: String::new(),
            then: None,
        });
    }
    let typed = session::counted_name(&form.name);
    // What the page shows back: the name as typed (bounded), never the password.
    let shown: String = form.name.trim().chars().take(64).collect();
    let then = form.then.as_deref().and_then(safe_then).map(str::to_string);
    let now = state.now_ms();
    let counted = typed.clone();
    let begun = state
        .write(move |tx| session::begin(tx, &counted, from, now))
        .await
        .map_err(|_| Refusal::Internal)?;
    if let Err(until) = begun {
        note_log_in(&state, typed, Action::LogInRefused, "locked out").await?;
        return Err(Refusal::LockedOut {
            minutes: (until - now + 59_999) / 60_000,
            name: shown,
        });
    }
    let (name, password) = (form.name, form.password);
    let found = state
        .read(move |c| accounts::verify(c, &name, &password))
        .await
        .map_err(|_| Refusal::Internal)?;
    let right = matches!(found, accounts::Verified::Account(_));
    let counted = typed.clone();
    state
        .write(move |tx| match right {
            true => session::succeeded(tx, &counted, from),
            false => session::failed(tx, &counted, from, now),
        })
        .await
        .map_err(|_| Refusal::Internal)?;
    let action = if right { Action::LoggedIn } else { Action::LogInRefused };
    let detail = match found {
        accounts::Verified::Disabled => "disabled",
        _ => "dashboard",
    };
    note_log_in(&state, typed, action, detail).await?;
    let account = match found {
        accounts::Verified::Account(a) => a,
        accounts::Verified::Disabled => return Err(Refusal::Disabled { name: shown }),
        accounts::Verified::Refused => return Err(Refusal::Credentials { name: shown, then }),
    };
    let (name, now) = (account.name.clone(), state.now_ms());
    let token = state
        .write(move |tx| session::start(tx, &name, now))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "a session could not be kept");
            Refusal::Internal
        })?;
    tracing::info!(account = %account.name, "dashboard log-in");
    let mut resp = Redirect::to(then.as_deref().unwrap_or(HOME)).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        session::cookie(&token, session::HOURS * 3600).map_err(|_| Refusal::Internal)?,
    );
    Ok(resp)
}

async fn logout(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Err(refused) = same_site(&headers) {
        return refused.into_response();
    }
    if let Some(t) = session::token(&headers)
        && let Err(e) = state.write(move |tx| session::end(tx, &t)).await
    {
        tracing::error!(error = %e, "a session could not be ended");
        return Refusal::Internal.into_response();
    }
    let mut resp = Redirect::to(LOGIN).into_response();
    if let Ok(gone) = session::cookie("", 0) {
        resp.headers_mut().insert(header::SET_COOKIE, gone);
    }
    resp
}

fn name_list(raw: &str) -> Result<NameList, Refusal> {
    NameList::parse(raw).ok_or(Refusal::NotFound)
}

async fn list(State(state): State<AppState>, Path(raw): Path<String>, asked: Asked) -> Result<Response, Refusal> {
    let list = name_list(&raw).map_err(|r| r.seen_by(&asked.account))?;
    let Asked {
        account,
        place,
        month,
        params,
    } = asked;
    let page = params.page().map_err(|r| r.seen_by(&account))?.unwrap_or(1);
    let who = account.clone();
    let html = blocking(&state, move |s| list_page(s, &account, list, &place, month, page))
        .await
        .map_err(|r| r.seen_by(&who))?;
    Ok(private(Html(html).into_response()))
}

/// A sheet as a download.
fn attachment(sheet: &Sheet, format: Format, name: &str) -> Result<Response, Refusal> {
    let bytes = sheet.to_bytes(format)?;
    let kind = match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok(private(
        (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_str(&disposition).map_err(|_| Refusal::Internal)?,
                ),
            ],
            bytes,
        )
            .into_response(),
    ))
}

/// The file's name part for a place: the area's code, or the account's.
fn file_area(place: &Place) -> String {
    match place {
        Place::Area(code) => code.to_string(),
        Place::Scope(areas) => areas.iter().map(AreaCode::as_str).collect::<Vec<_>>().join("-"),
    }
}

async fn list_file(State(state): State<AppState>, Path(raw): Path<String>, asked: Asked) -> Result<Response, Refusal> {
    let list = name_list(&raw).map_err(|r| r.seen_by(&asked.account))?;
    let Asked {
        account,
        place,
        month,
        params,
    } = asked;
    let format = params
        .format()
        .map_err(|r| r.seen_by(&account))?
        .unwrap_or(Format::Xlsx);
    blocking(&state, move |s| {
        let rows = list_rows(s, list, &place, month)?;
        let sheet = pendamping_report::lists::sheet(list, month, &rows, words::lang(), place.today(s));
        let name = pendamping_report::lists::file_name(list, &file_area(&place), (month, place.today(s)), format);
        // A file of names leaves the server: who took which, for when.
        s.audit(&account.name, Action::Exported, &name, &format!("{} rows", rows.len()))?;
        attachment(&sheet, format, &name)
    })
    .await
}

async fn recap_file(State(state): State<AppState>, asked: Asked) -> Result<Response, Refusal> {
    let Asked {
        account,
        place,
        month,
        params,
    } = asked;
    let format = params
        .format()
        .map_err(|r| r.seen_by(&account))?
        .unwrap_or(Format::Xlsx);
    blocking(&state, move |s| {
        let mut sheet: Option<Sheet> = None;
        for (code, _) in place.parts() {
            let part = pendamping_report::recap::sheet(&s.recap(month, &code)?, words::lang());
            match &mut sheet {
                Some(all) => all.rows.extend(part.rows),
                None => sheet = Some(part),
            }
        }
        let sheet = sheet.ok_or(Refusal::Internal)?;
        let name = pendamping_report::recap::file_name(&file_area(&place), month, format);
        s.audit(&account.name, Action::Exported, &name, "recap")?;
        attachment(&sheet, format, &name)
    })
    .await
}

async fn trend_svg(State(state): State<AppState>, asked: Asked) -> Result<Response, Refusal> {
    let Asked {
        place,
        month,
        params,
        account,
    } = asked;
    let chart = params
        .chart()
        .map_err(|r| r.seen_by(&account))?
        .unwrap_or(Trend::Children);
    let svg = blocking(&state, move |s| {
        let today = place.today(s);
        let running = (month.contains(today) && today < month.last_day()).then_some(today);
        Ok(chart.render(&trend(s, &place, month)?, running).into_string())
    })
    .await?;
    Ok(private(
        ([(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"))], svg).into_response(),
    ))
}

async fn css() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("max-age=3600")),
        ],
        include_str!("../../assets/dashboard.css"),
    )
        .into_response()
}
