//! The visit schedule (docs/src/design/domain.md §3.1): the next due date of an enrolment from its visits.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::age;
use crate::assess::KF_WINDOWS;
use crate::enrolment::{Enrolment, EnrolmentDetails, TargetKind};
use crate::risk::{self, RiskFlag};
use crate::rules::Rules;

/// What the schedule needs: the enrolment, the person's birth date, the dates of its
/// visits, and the flags of the latest visit.
#[derive(Debug, Clone, Copy)]
pub struct DueInput<'a> {
    pub enrolment: &'a Enrolment,
    pub birth_date: NaiveDate,
    /// Visit dates, any order.
    pub visit_dates: &'a [NaiveDate],
    pub last_flags: &'a [RiskFlag],
}

/// The day the next visit is due, or `None` when the enrolment needs no more visits.
pub fn next_due(input: DueInput, rules: &Rules) -> Option<NaiveDate> {
    let e = input.enrolment;
    if e.end_date.is_some() {
        return None;
    }
    let c = &rules.cadence;
    let last = input.visit_dates.iter().max().copied();
    let after = |days: i64| -> Option<NaiveDate> {
        match last {
            None => Some(e.start_date),
            Some(l) => l.checked_add_days(Days::new(days as u64)),
        }
    };
    let due = match e.kind {
        TargetKind::Catin => after(c.catin_days),
        TargetKind::Krs => after(c.krs_days),
        TargetKind::IbuHamil => {
            let base = last.map_or(e.start_date, |l| l + Days::new(c.hamil_days as u64));
            let close = !input.last_flags.is_empty() || risk::in_third_trimester(e, base);
            after(if close { c.hamil_close_days } else { c.hamil_days })
        }
        TargetKind::Anak => {
            let base = last.unwrap_or(e.start_date);
            let days = if age::months(input.birth_date, base) < rules.lifecycle.baduta_months as i32 {
                c.baduta_days
            } else if input.last_flags.iter().any(|f| f.is_child_undernutrition()) {
                c.balita_close_days
            } else {
                c.balita_days
            };
            after(days)
        }
        TargetKind::Nifas => {
            let EnrolmentDetails::Nifas { delivery_date, .. } = &e.details else {
                return None;
            };
            // The first KF window with no contact that has not already passed by the last contact.
            let day_of = |d: &NaiveDate| (*d - *delivery_date).num_days();
            let last_day = input.visit_dates.iter().map(day_of).max().unwrap_or(-1);
            KF_WINDOWS
                .iter()
                .find(|(from, to)| {
                    *to > last_day && !input.visit_dates.iter().any(|d| (*from..=*to).contains(&day_of(d)))
                })
                .map(|(from, _)| *delivery_date + Days::new(*from as u64))
        }
    }?;
    // Nothing is due after the target's window closes, nor for a pregnancy past the
    // outcome limit (it needs its outcome recorded, not a visit).
    match e.due_until(input.birth_date, rules) {
        Some(end) if due > end => None,
        _ => Some(due),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DueStatus {
    Overdue,
    DueSoon,
    Later,
}

/// Overdue when the due day has passed; due soon within the rules' window.
pub fn status(due: NaiveDate, today: NaiveDate, rules: &Rules) -> DueStatus {
    if due < today {
        DueStatus::Overdue
    } else if (due - today).num_days() <= rules.cadence.due_window_days {
        DueStatus::DueSoon
    } else {
        DueStatus::Later
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{d, enrolment};

    fn due(e: &Enrolment, birth: NaiveDate, visits: &[NaiveDate], flags: &[RiskFlag]) -> Option<NaiveDate> {
        next_due(
            DueInput {
                enrolment: e,
                birth_date: birth,
                visit_dates: visits,
                last_flags: flags,
            },
            &Rules::default(),
        )
    }

    #[test]
    fn a_new_enrolment_is_due_at_once() {
        let e = enrolment(
            EnrolmentDetails::Catin {
                wedding_date: None,
                partner_name: None,
            },
            d(2026, 11, 1),
        );
        assert_eq!(due(&e, d(2000, 1, 1), &[], &[]), Some(d(2026, 11, 1)));
        assert_eq!(due(&e, d(2000, 1, 1), &[d(2026, 11, 2)], &[]), Some(d(2026, 12, 2)));
    }

    #[test]
    fn pregnancy_is_monthly_but_fortnightly_with_a_risk_or_in_t3() {
        let hpht = d(2026, 6, 1);
        let e = enrolment(EnrolmentDetails::pregnancy(hpht), d(2026, 7, 15));
        let b = d(1998, 1, 1);
        assert_eq!(due(&e, b, &[d(2026, 8, 1)], &[]), Some(d(2026, 8, 31)));
        assert_eq!(due(&e, b, &[d(2026, 8, 1)], &[RiskFlag::Anemia]), Some(d(2026, 8, 15)));
        // 1 Nov + 30 days is week 26: third trimester.
        assert_eq!(due(&e, b, &[d(2026, 11, 1)], &[]), Some(d(2026, 11, 15)));
    }

    #[test]
    fn nifas_walks_the_kf_windows() {
        let delivery = d(2026, 11, 1);
        let e = enrolment(EnrolmentDetails::delivered(delivery), delivery);
        let b = d(1998, 1, 1);
        assert_eq!(due(&e, b, &[], &[]), Some(delivery));
        assert_eq!(
            due(&e, b, &[d(2026, 11, 2)], &[]),
            Some(d(2026, 11, 4)),
            "KF1 done → KF2 from day 3"
        );
        assert_eq!(due(&e, b, &[d(2026, 11, 2), d(2026, 11, 6)], &[]), Some(d(2026, 11, 9)));
        // KF3 missed; a contact on day 30 covers KF4: nothing left.
        assert_eq!(due(&e, b, &[d(2026, 11, 2), d(2026, 11, 6), d(2026, 12, 1)], &[]), None);
    }

    #[test]
    fn children_monthly_under_two_quarterly_after_unless_undernourished() {
        let birth = d(2024, 1, 10);
        let e = enrolment(
            EnrolmentDetails::Anak {
                birth_weight_g: None,
                birth_length_cm: None,
            },
            birth,
        );
        assert_eq!(due(&e, birth, &[d(2025, 12, 1)], &[]), Some(d(2025, 12, 31)));
        assert_eq!(due(&e, birth, &[d(2026, 2, 1)], &[]), Some(d(2026, 5, 2)));
        assert_eq!(
            due(&e, birth, &[d(2026, 2, 1)], &[RiskFlag::Stunted]),
            Some(d(2026, 3, 3))
        );
        // At 59 months the next quarterly visit would fall after 60 months: none.
        assert_eq!(due(&e, birth, &[d(2028, 12, 15)], &[]), None);
    }

    #[test]
    fn overdue_and_due_soon() {
        let r = Rules::default();
        let today = d(2026, 11, 23);
        assert_eq!(status(d(2026, 11, 22), today, &r), DueStatus::Overdue);
        assert_eq!(status(d(2026, 11, 23), today, &r), DueStatus::DueSoon);
        assert_eq!(status(d(2026, 11, 30), today, &r), DueStatus::DueSoon);
        assert_eq!(status(d(2026, 12, 1), today, &r), DueStatus::Later);
    }
}
