//! The 12-month trend charts as SVG drawn on the server: no script and no CDN, so they
//! show at an office with no internet and print as they look.

use maud::{Markup, html};
use pendamping_core::recap::Month;

use super::words::{self as t, fill, lang};

/// One line of a chart.
pub struct Series {
    pub label: &'static str,
    pub colour: &'static str,
    /// One value per month; `None` where the month has nothing to divide by.
    pub values: Vec<Option<f64>>,
}

const W: f64 = 560.0;
const H: f64 = 280.0;
const LEFT: f64 = 62.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 72.0;

/// A round upper bound for the y axis.
fn ceiling(max: f64) -> f64 {
    let max = max.max(1.0);
    let step = 10f64.powf(max.log10().floor());
    (max / step).ceil() * step
}

/// A line chart of `series` over `months`; `unit` follows each axis label ("%" or "").
/// With `running` (today, inside the last month) the last month is not over: its point is
/// hollow, reached by a dashed line, and its label starred with the day it counts to — a
/// week of December is not a fall from November.
pub fn lines(
    title: &str,
    months: &[Month],
    series: &[Series],
    unit: &str,
    running: Option<chrono::NaiveDate>,
) -> Markup {
    let last = months.len().saturating_sub(1);
    let open = |i: usize| running.is_some() && i == last;
    let top = ceiling(
        series
            .iter()
            .flat_map(|s| s.values.iter().flatten())
            .fold(0.0f64, |a, b| a.max(*b)),
    );
    let n = months.len().max(2) as f64;
    let x = |i: usize| LEFT + (W - LEFT - RIGHT) * i as f64 / (n - 1.0);
    let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - v / top);
    let ticks = [0.0, top / 2.0, top];
    html! {
        svg class="chart" viewBox={"0 0 " (W) " " (H)} role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" font-family="DejaVu Sans, Noto Sans, sans-serif" {
            title { (title) }
            @for t in ticks {
                line x1=(LEFT) x2=(W - RIGHT) y1=(y(t)) y2=(y(t)) stroke="#d0d7de" {}
                text x=(LEFT - 6.0) y=(y(t) + 4.0) text-anchor="end" font-size="19" { (axis(t)) (unit) }
            }
            @for (i, m) in months.iter().enumerate() {
                text x=(x(i)) y=(H - BOTTOM + 22.0) text-anchor="middle" font-size="19" {
                    (lang().month_short(*m)) @if open(i) { "*" }
                }
                @if i == 0 || m.month == 1 {
                    text x=(x(i)) y=(H - BOTTOM + 40.0) text-anchor="middle" font-size="16" fill="#57606a" { (m.year) }
                }
            }
            @for s in series {
                @let whole = if running.is_some() { &s.values[..last] } else { &s.values[..] };
                polyline fill="none" stroke=(s.colour) stroke-width="2.5" points=(points(whole, x, y)) {}
                @if let (Some(_), Some(Some(now))) = (running, s.values.get(last)) {
                    @if let Some((i, before)) = whole.iter().enumerate().rev().find_map(|(i, v)| v.map(|v| (i, v))) {
                        line x1=(x(i)) y1=(y(before)) x2=(x(last)) y2=(y(*now)) stroke=(s.colour) stroke-width="2" stroke-dasharray="5 4" {}
                    }
                }
                @for (i, v) in s.values.iter().enumerate() {
                    @if let Some(v) = v {
                        circle cx=(x(i)) cy=(y(*v)) r="3.5" fill=(if open(i) { "white" } else { s.colour }) stroke=(s.colour) stroke-width="2" data-running[open(i)] {
                            title { (s.label) " " (lang().month_short(months[i])) " " (months[i].year) @if open(i) { " " (running_note(running)) } ": " (value(*v)) (unit) }
                        }
                    }
                }
            }
            @if running.is_some() {
                text x=(W - RIGHT) y=(TOP - 2.0) text-anchor="end" font-size="16" fill="#57606a" data-running-note { "* " (running_note(running)) }
            }
            @for (k, s) in series.iter().enumerate() {
                rect x=(LEFT + 170.0 * k as f64) y=(H - 12.0) width="14" height="4" fill=(s.colour) {}
                text x=(LEFT + 170.0 * k as f64 + 20.0) y=(H - 4.0) font-size="18" { (s.label) }
            }
        }
    }
}

/// "berjalan, s.d. 7 Desember 2026".
fn running_note(running: Option<chrono::NaiveDate>) -> String {
    running.map_or(String::new(), |d| fill(t::RUNNING_TO, &[("date", &lang().date(d))]))
}

fn points(values: &[Option<f64>], x: impl Fn(usize) -> f64, y: impl Fn(f64) -> f64) -> String {
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
        .collect::<Vec<_>>()
        .join(" ")
}

/// An axis label: whole numbers, or one decimal below 10.
fn axis(v: f64) -> String {
    if v >= 10.0 { lang().number(v.round()) } else { value(v) }
}

/// A value with at most one decimal, as the page's language writes it.
pub fn value(v: f64) -> String {
    lang().number((v * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_draws_one_point_per_month_with_a_value() {
        let months: Vec<Month> = (0..3).rev().map(|i| Month { year: 2026, month: 11 }.back(i)).collect();
        let svg = lines(
            "Prevalensi",
            &months,
            &[Series {
                label: "Stunting",
                colour: "#c00",
                values: vec![Some(20.0), None, Some(12.5)],
            }],
            "%",
            None,
        )
        .into_string();
        assert_eq!(svg.matches("<circle").count(), 2, "{svg}");
        assert!(svg.contains("Stunting Nov 2026: 12,5%"), "{svg}");
        assert!(svg.contains(">Sep<") && svg.contains(">Okt<"));
        assert!(!svg.contains("data-running"));
        assert_eq!(ceiling(23.0), 30.0);
        assert_eq!(ceiling(0.0), 1.0);
    }

    #[test]
    fn a_month_still_running_is_drawn_open_and_says_to_which_day() {
        let months: Vec<Month> = (0..3).rev().map(|i| Month { year: 2026, month: 12 }.back(i)).collect();
        let series = [Series {
            label: "KRS",
            colour: "#175cd3",
            values: vec![Some(70.0), Some(71.9), Some(16.6)],
        }];
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let svg = lines("Pendampingan", &months, &series, "%", Some(today)).into_string();
        // The whole months joined solid; December hollow, dashed from November, starred.
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("stroke-dasharray").count(), 1, "{svg}");
        assert_eq!(svg.matches("data-running=").count(), 0);
        assert_eq!(svg.matches("fill=\"white\"").count(), 1, "{svg}");
        assert!(svg.contains(">Des*<"), "{svg}");
        assert!(svg.contains("berjalan, s.d. 7 Desember 2026"), "{svg}");
        let poly = svg.split("points=\"").nth(1).unwrap().split('"').next().unwrap();
        assert_eq!(poly.split(' ').count(), 2, "December is not on the solid line: {poly}");
    }
}
