//! A calendar month: what a recap, a list and a trend count in, and which of them can be
//! shown.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::age;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// Parses `YYYY-MM`.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.trim().split_once('-')?;
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        NaiveDate::from_ymd_opt(year, month, 1)?;
        Some(Month { year, month })
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }
    pub fn last_day(self) -> NaiveDate {
        age::add_months(self.first_day(), 1).pred_opt().expect("valid month")
    }
    pub fn contains(self, d: NaiveDate) -> bool {
        d.year() == self.year && d.month() == self.month
    }
    /// The month `d` falls in.
    pub fn of(d: NaiveDate) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }
    /// The month `n` months before this one.
    pub fn back(self, n: u32) -> Month {
        let i = self.year * 12 + self.month as i32 - 1 - n as i32;
        Month {
            year: i.div_euclid(12),
            month: i.rem_euclid(12) as u32 + 1,
        }
    }
}

/// Why a month is not shown: it has not come, or it lies before anything was recorded (a
/// month of zeros and "0 % of 398 KRS" would read as a month of data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthRefused {
    NotYet,
    BeforeData(Month),
}

impl Month {
    /// Whether this month can be shown of an area whose records begin in `first` (none
    /// yet: only the current month), today being `today`.
    pub fn shown(self, first: Option<Month>, today: NaiveDate) -> Result<(), MonthRefused> {
        let now = Month::of(today);
        let first = first.map_or(now, |f| f.min(now));
        if self > now {
            Err(MonthRefused::NotYet)
        } else if self < first {
            Err(MonthRefused::BeforeData(first))
        } else {
            Ok(())
        }
    }

    /// The months that can be shown, newest first (at most `n`).
    pub fn shown_months(first: Option<Month>, today: NaiveDate, n: u32) -> Vec<Month> {
        let now = Month::of(today);
        (0..n)
            .map(|i| now.back(i))
            .take_while(|m| m.shown(first, today).is_ok())
            .collect()
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}
