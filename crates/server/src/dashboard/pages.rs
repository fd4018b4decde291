//! The dashboard's pages, rendered on the server with maud (every value escaped by
//! construction), in the language of the request (`words::lang`). The domain's words come
//! from `pendamping_core::catalogue`, the same as the sheets' and the app's.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::NaiveDate;
use maud::{DOCTYPE, Markup, html};
use pendamping_core::area;
use pendamping_core::catalogue::Labelled;
use pendamping_core::indicators::{Indicator, Indicators};
use pendamping_core::lists::NameList;
use pendamping_core::recap::Month;
use pendamping_report::labels::{area_heading, level_word};
use pendamping_report::sheet::{Cell, Sheet};
use serde::Deserialize;

use super::chart::{self, Series};
use super::words::{self as t, fill, lang, say};
use super::{HOME, LIST_PAGE, Place};
use crate::accounts::{Account, AccountRole};

/// What a name locked after too many wrong passwords is told.
pub fn locked_out(minutes: i64) -> String {
    fill(t::LOCKED_OUT, &[("minutes", &minutes.to_string())])
}

/// A share in percent as a page writes it: one decimal.
pub fn percent(p: f64) -> String {
    format!("{}%", chart::value(p))
}

fn count(n: u32) -> String {
    lang().number(f64::from(n))
}

fn role_word(r: AccountRole) -> &'static str {
    match r {
        AccountRole::Plkb => "PLKB",
        AccountRole::District => say(t::ROLE_DISTRICT),
        AccountRole::Admin => "Admin",
    }
}

/// A page's query: the area (none: all of the account's) and the month.
fn query(place: &Place, month: Month) -> String {
    match place.area() {
        Some(code) => format!("area={code}&month={month}"),
        None => format!("month={month}"),
    }
}

fn at(code: &str, month: Month) -> String {
    format!("{HOME}?area={code}&month={month}")
}

fn list_link(list: NameList, q: &str) -> String {
    format!("{HOME}/list/{}?{q}", list.as_str())
}

fn layout(title: &str, account: Option<&Account>, body: Markup) -> Markup {
    let other = match lang() {
        pendamping_core::catalogue::Lang::Id => "en",
        pendamping_core::catalogue::Lang::En => "id",
    };
    html! {
        (DOCTYPE)
        html lang=(lang().as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (say(t::DASHBOARD)) }
                link rel="stylesheet" href="/dashboard/assets/dashboard.css";
            }
            body {
                header.top {
                    a.brand href=(HOME) { (say(t::BRAND)) }
                    a.lang href={(HOME) "/lang/" (other)} hreflang=(other) lang=(other) data-lang=(other) { (say(t::OTHER_LANGUAGE)) }
                    @if let Some(a) = account {
                        span.who data-account=(a.name) { (a.name) " · " (role_word(a.role)) }
                        form method="post" action="/dashboard/logout" {
                            button.quiet type="submit" name="logout" { (say(t::LOG_OUT)) }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// The log-in page: the name typed is kept after a refusal, and `then` (the page a link
/// asked for while logged out) is where a log-in leads.
pub fn login(error: Option<&str>, name: &str, then: Option<&str>) -> Markup {
    layout(
        say(t::LOG_IN),
        None,
        html! {
            section.login {
                h1 { (say(t::LOG_IN_TITLE)) }
                p.hint { (say(t::LOG_IN_HINT)) }
                @if let Some(e) = error {
                    p.error role="alert" data-error { (e) }
                }
                form method="post" action="/dashboard/login" {
                    @if let Some(then) = then {
                        input type="hidden" name="then" value=(then);
                    }
                    label for="name" { (say(t::ACCOUNT_NAME)) }
                    input #name type="text" name="name" value=(name) autocomplete="username" autocapitalize="none" required autofocus[name.is_empty()];
                    label for="password" { (say(t::PASSWORD)) }
                    input #password type="password" name="password" autocomplete="current-password" required autofocus[!name.is_empty()];
                    button type="submit" name="login" { (say(t::LOG_IN)) }
                }
            }
        },
    )
}

/// A refused page; with the account that asked, under its header (name, *Keluar*).
pub fn refusal(status: StatusCode, text: &str, account: Option<&Account>) -> Markup {
    let title = say(match status {
        StatusCode::FORBIDDEN => t::FORBIDDEN,
        StatusCode::BAD_REQUEST => t::BAD_REQUEST,
        StatusCode::NOT_FOUND => t::NOT_FOUND,
        _ => t::FAILED,
    });
    layout(
        title,
        account,
        html! {
            section.refusal data-status=(status.as_u16()) {
                h1 { (title) }
                p role="alert" { (text) }
                p { a href=(HOME) { (say(t::BACK_HOME)) } }
            }
        },
    )
}

/// The breadcrumb from the account's widest area down to the place.
fn crumbs(account: &Account, place: &Place, month: Month, tail: Option<&str>) -> Markup {
    let chain: Vec<area::Area> = match place {
        Place::Area(code) => area::ancestry(code.as_str())
            .into_iter()
            .filter(|a| account.scope.includes(a.code))
            .collect(),
        Place::Scope(_) => Vec::new(),
    };
    let last = chain.len().saturating_sub(1);
    html! {
        nav.crumbs aria-label=(say(t::AREAS)) {
            @if account.scope.areas.len() > 1 {
                a href={(HOME) "?month=" (month)} { (say(t::ALL_AREAS)) }
                span.sep { "›" }
            }
            @for (i, a) in chain.iter().enumerate() {
                @if i < last || tail.is_some() {
                    a href=(at(a.code, month)) data-crumb=(a.code) { (area_heading(a.code)) }
                    span.sep { "›" }
                } @else {
                    span.here data-crumb=(a.code) { (area_heading(a.code)) }
                }
            }
            @if let Some(t) = tail {
                span.here { (t) }
            }
        }
    }
}

fn place_heading(account: &Account, place: &Place) -> String {
    match place {
        Place::Area(code) => area_heading(code.as_str()),
        Place::Scope(_) => fill(t::ACCOUNT_AREAS, &[("account", &account.name)]),
    }
}

/// The month picker: the 24 months to this one, by name.
/// The month chooser: `months` are those with data up to the current one, newest first.
fn month_form(place: &Place, month: Month, months: &[Month], action: &str) -> Markup {
    html! {
        form.month method="get" action=(action) {
            @if let Some(code) = place.area() {
                input type="hidden" name="area" value=(code);
            }
            label for="month" { (say(t::MONTH)) }
            select #month name="month" {
                @for m in months {
                    option value=(m) selected[*m == month] { (lang().month(*m)) }
                }
            }
            button type="submit" { (say(t::SHOW)) }
        }
    }
}

fn share(ind: &Indicators, i: Indicator) -> Markup {
    html! {
        @if let Some(of) = i.share_of() {
            span.share {
                @match ind.percent(i) {
                    Some(p) => { (percent(p)) " " (say(t::OF)) " " (count(ind.get(of))) " " (say(of.of())) }
                    None => { (say(t::NONE_YET)) " " (say(of.of())) }
                }
            }
        }
    }
}

/// The first page of a place: its indicators, a row per child area, the lists, the trends.
pub struct Overview<'a> {
    pub account: &'a Account,
    pub place: &'a Place,
    pub month: Month,
    pub today: NaiveDate,
    /// The months the chooser offers.
    pub months: &'a [Month],
    /// The 12 months to this one, oldest first: the trends' values, as a table too.
    pub trend: &'a [(Month, Indicators)],
    pub rows: &'a BTreeMap<String, Indicators>,
    pub hub: bool,
}

impl Overview<'_> {
    pub fn render(&self) -> Markup {
        let (place, month) = (self.place, self.month);
        let total = pendamping_core::indicators::total(self.rows);
        let q = query(place, month);
        let children = place.children();
        let child_level = children.first().and_then(|c| area::lookup(c)).map(|a| a.level);
        let heading = place_heading(self.account, place);
        layout(
            &heading,
            Some(self.account),
            html! {
                (crumbs(self.account, place, month, None))
                h1 { (heading) span.month { " · " (lang().month(month)) } }
                @if month.contains(self.today) && self.today < month.last_day() {
                    p.running data-running { (fill(t::RUNNING_MONTH, &[("date", &lang().date(self.today))])) }
                }
                (month_form(place, month, self.months, HOME))
                section.cards aria-label=(say(t::INDICATORS)) {
                    @for i in Indicator::ALL {
                        @let body = html! {
                            span.n data-n=(total.get(i)) { (count(total.get(i))) }
                            span.label { (i.label(lang())) }
                            (share(&total, i))
                        };
                        @match i.list() {
                            Some(l) => a.card.link href=(list_link(l, &q)) data-indicator=(i_key(i)) { (body) },
                            None => div.card data-indicator=(i_key(i)) { (body) },
                        }
                    }
                }
                @if !children.is_empty() {
                    section {
                        h2 { (say(t::BY)) " " (child_level.map_or(say(t::AREA), |l| level_word(l, lang())).to_lowercase()) }
                        p.hint { (say(t::DRILL_HINT)) }
                        div.scroll tabindex="0" role="region" aria-label=(format!("{} {}", say(t::BY), child_level.map_or(say(t::AREA), |l| level_word(l, lang())).to_lowercase())) {
                            table.drill data-drill {
                                thead { tr {
                                    th { (child_level.map_or(say(t::AREA), |l| level_word(l, lang()))) }
                                    @for i in Indicator::ALL { th.num { (say(i.short())) } }
                                } }
                                tbody {
                                    @for code in &children {
                                        (drill_row(code, self.rows.get(code), month, &area_heading(code)))
                                    }
                                }
                                tfoot { tr data-total {
                                    th { (say(t::TOTAL)) }
                                    @for i in Indicator::ALL { td.num { (cell(&total, i)) } }
                                } }
                            }
                        }
                    }
                }
                @if place.area().is_some() {
                    section.lists-section {
                        h2 { (say(t::LISTS)) }
                        ul.lists {
                            @for l in NameList::ALL {
                                li data-list=(l.as_str()) {
                                    a.go href=(list_link(l, &q)) { (l.label(lang())) }
                                    a.file href={(HOME) "/list/" (l.as_str()) "/file?" (q) "&format=csv"} { "CSV" }
                                    a.file href={(HOME) "/list/" (l.as_str()) "/file?" (q) "&format=xlsx"} { "XLSX" }
                                }
                            }
                        }
                    }
                }
                section {
                    h2 { (say(t::TRENDS)) }
                    div.trends {
                        @for t in Trend::ALL {
                            figure {
                                figcaption { (t.title()) }
                                img.trend src={(HOME) "/trend.svg?" (q) "&chart=" (t.key())} alt=(t.title()) loading="lazy" data-trend=(t.key());
                                (t.values(self.trend, self.today))
                            }
                        }
                    }
                }
                section.files-section {
                    h2 { (say(t::RECAP_FILES)) }
                    p.files {
                        a.file href={(HOME) "/recap/file?" (q) "&format=csv"} data-recap="csv" { (say(t::RECAP)) " CSV" }
                        a.file href={(HOME) "/recap/file?" (q) "&format=xlsx"} data-recap="xlsx" { (say(t::RECAP)) " XLSX" }
                    }
                }
                footer {
                    @if self.hub {
                        (say(t::HUB_NOTE)) " "
                    }
                    (say(t::SOURCE_NOTE))
                }
            },
        )
    }
}

fn i_key(i: Indicator) -> String {
    serde_json::to_value(i)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn cell(ind: &Indicators, i: Indicator) -> Markup {
    html! {
        (count(ind.get(i)))
        @if let Some(p) = ind.percent(i) { small { " (" (percent(p)) ")" } }
    }
}

/// A child area's row; one with no data at all is dimmed, and says so to a screen reader.
fn drill_row(code: &str, row: Option<&Indicators>, month: Month, name: &str) -> Markup {
    let q = format!("area={code}&month={month}");
    let none = Indicators::default();
    let row = row.unwrap_or(&none);
    html! {
        tr data-area=(code) class=[(row == &none).then_some("none")] title=[(row == &none).then_some(say(t::NO_DATA))] {
            th { a href=(at(code, month)) { (name) } }
            @for i in Indicator::ALL {
                td.num data-indicator=(i_key(i)) data-n=(row.get(i)) {
                    @match i.list() {
                        Some(l) if row.get(i) > 0 => a href=(list_link(l, &q)) { (cell(row, i)) },
                        _ => (cell(row, i)),
                    }
                }
            }
        }
    }
}

/// The columns of a list's page: the name, then the rest in the sheet's order.
fn name_first(n: usize) -> Vec<usize> {
    let name = pendamping_report::lists::NAME_COLUMN;
    if n <= name {
        return (0..n).collect();
    }
    std::iter::once(name).chain((0..n).filter(|&i| i != name)).collect()
}

/// A list's page: its rows as the sheet has them, `LIST_PAGE` at a time.
pub fn list(
    account: &Account,
    list: NameList,
    place: &Place,
    (month, months): (Month, &[Month]),
    today: NaiveDate,
    sheet: &Sheet,
    page: usize,
) -> Markup {
    let title = list.label(lang());
    let q = query(place, month);
    let pages = sheet.rows.len().div_ceil(LIST_PAGE).max(1);
    // A page bookmarked when the list was longer: the last one, and said so.
    let gone = (page > pages).then_some(page);
    let page = page.min(pages);
    let shown = sheet.rows.iter().skip((page - 1) * LIST_PAGE).take(LIST_PAGE);
    let action = format!("{HOME}/list/{}", list.as_str());
    layout(
        title,
        Some(account),
        html! {
            (crumbs(account, place, month, Some(title)))
            h1 { (title) }
            p.lead {
                (place_heading(account, place)) " · "
                @if list.as_of_today() {
                    (say(t::AS_OF_TODAY)) " " (lang().date(today))
                } @else {
                    (lang().month(month))
                }
                " · " strong data-count=(sheet.rows.len()) { (lang().number(sheet.rows.len() as f64)) } " " (say(t::ROWS))
            }
            p.holds data-holds { (list.holds().get(lang())) }
            @if let Some(asked) = gone {
                p.notice role="status" data-page-gone=(asked) {
                    (fill(t::PAGE_GONE, &[("asked", &asked.to_string()), ("pages", &pages.to_string())]))
                }
            }
            @if !list.as_of_today() {
                (month_form(place, month, months, &action))
            }
            p.files {
                a.file href={(action) "/file?" (q) "&format=csv"} data-file="csv" { (say(t::DOWNLOAD)) " CSV" }
                a.file href={(action) "/file?" (q) "&format=xlsx"} data-file="xlsx" { (say(t::DOWNLOAD)) " XLSX" }
                a.quiet href={(HOME) "?" (q)} { (say(t::BACK_TO_SUMMARY)) }
            }
            @if let Some(notice) = sheet.personal {
                p.personal data-personal-data { (notice) }
            }
            @if sheet.rows.is_empty() {
                p.empty data-empty { (say(t::EMPTY_LIST)) }
            } @else {
                // The name first (then where: village, TPK…); the files keep the sheet's order.
                @let order = name_first(sheet.headers.len());
                div.scroll tabindex="0" role="region" aria-label=(title) {
                    table.names data-list=(list.as_str()) {
                        thead { tr { @for &i in &order { th scope="col" { (sheet.headers[i]) } } } }
                        tbody {
                            @for r in shown {
                                tr data-row {
                                    @for &i in &order {
                                        @match &r[i] {
                                            Cell::Text(t) => td { (t) },
                                            c => td.num { (c.text(lang())) },
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if pages > 1 {
                    nav.pages aria-label=(say(t::PAGES)) {
                        @if page > 1 {
                            a href={(action) "?" (q) "&page=" (page - 1)} rel="prev" { (say(t::PREVIOUS)) }
                        }
                        span data-page=(page) { (fill(t::PAGE_OF, &[("page", &page.to_string()), ("pages", &pages.to_string())])) }
                        @if page < pages {
                            a href={(action) "?" (q) "&page=" (page + 1)} rel="next" { (say(t::NEXT)) }
                        }
                    }
                }
            }
        },
    )
}

/// The three 12-month trend charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Trend {
    #[serde(rename = "anak")]
    Children,
    #[serde(rename = "ibu")]
    Mothers,
    #[serde(rename = "pendampingan")]
    Support,
}

impl Trend {
    pub const ALL: [Trend; 3] = [Trend::Children, Trend::Mothers, Trend::Support];

    pub fn key(self) -> &'static str {
        match self {
            Trend::Children => "anak",
            Trend::Mothers => "ibu",
            Trend::Support => "pendampingan",
        }
    }

    pub fn title(self) -> &'static str {
        say(match self {
            Trend::Children => t::TREND_CHILDREN,
            Trend::Mothers => t::TREND_MOTHERS,
            Trend::Support => t::TREND_SUPPORT,
        })
    }

    fn lines(self) -> &'static [(Indicator, &'static str)] {
        match self {
            Trend::Children => &[
                (Indicator::Stunted, "#b42318"),
                (Indicator::Wasted, "#b54708"),
                (Indicator::Underweight, "#6941c6"),
            ],
            Trend::Mothers => &[(Indicator::KekAnaemia, "#b42318"), (Indicator::TtdReached, "#027a48")],
            Trend::Support => &[
                (Indicator::KrsAccompanied, "#175cd3"),
                (Indicator::ChildrenMeasured, "#027a48"),
            ],
        }
    }

    /// The chart's values as a table under it: what a screen reader reads and a finger
    /// cannot hover (the points' titles live inside an image).
    fn values(self, months: &[(Month, Indicators)], today: NaiveDate) -> Markup {
        html! {
            details.values data-values=(self.key()) {
                summary { (say(t::CHART_VALUES)) }
                div.scroll tabindex="0" role="region" aria-label=(self.title()) {
                    table {
                        thead { tr {
                            th scope="col" { (say(t::MONTH)) }
                            @for (i, _) in self.lines() { th.num scope="col" { (say(i.short())) } }
                        } }
                        tbody {
                            @for (m, ind) in months {
                                tr {
                                    th scope="row" {
                                        (lang().month(*m))
                                        @if m.contains(today) && today < m.last_day() { " *" }
                                    }
                                    @for (i, _) in self.lines() {
                                        td.num { @match ind.percent(*i) { Some(p) => (percent(p)), None => "–" } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The chart of `months` (oldest first); `running` when today lies inside the last.
    pub fn render(self, months: &[(Month, Indicators)], running: Option<chrono::NaiveDate>) -> Markup {
        let series: Vec<Series> = self
            .lines()
            .iter()
            .map(|(i, colour)| Series {
                label: say(i.short()),
                colour,
                values: months.iter().map(|(_, ind)| ind.percent(*i)).collect(),
            })
            .collect();
        let ms: Vec<Month> = months.iter().map(|(m, _)| *m).collect();
        chart::lines(self.title(), &ms, &series, "%", running)
    }
}
