//! Ages in whole years, months and days, as forms and rules count them.

use chrono::{Datelike, NaiveDate};

/// Completed years on `on`.
pub fn years(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut y = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        y -= 1;
    }
    y
}

/// Completed calendar months on `on`.
pub fn months(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut m = (on.year() - birth.year()) * 12 + on.month() as i32 - birth.month() as i32;
    if on.day() < birth.day() {
        m -= 1;
    }
    m
}

pub fn days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// The day `n` calendar months after `d` (clamped to the month's last day).
pub fn add_months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(n)).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn completed_years_and_months_turn_on_the_birthday() {
        assert_eq!(years(d(2006, 11, 24), d(2026, 11, 23)), 19);
        assert_eq!(years(d(2006, 11, 23), d(2026, 11, 23)), 20);
        assert_eq!(months(d(2024, 11, 24), d(2026, 11, 23)), 23);
        assert_eq!(months(d(2024, 11, 23), d(2026, 11, 23)), 24);
        assert_eq!(add_months(d(2026, 1, 31), 1), d(2026, 2, 28));
    }
}
