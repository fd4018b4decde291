//! The routine immunisation schedule (docs/src/design/domain.md §2.3): which doses a child has had, which
//! are due and which overdue on a day. The schedule lives in the rules file.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::age;
use crate::rules::Rules;
use crate::visit::Immunisation;

pub use crate::rules::Dose;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum DoseStatus {
    Given {
        on: NaiveDate,
    },
    /// Past the month after its age: remind the family of the next posyandu.
    Overdue,
    Due,
    NotYet,
}

/// A dose and where the child stands with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DoseView {
    #[serde(flatten)]
    pub dose: Dose,
    #[serde(flatten)]
    pub status: DoseStatus,
}

/// Every dose of the schedule for a child born on `birth`, on `on`, given what was recorded.
pub fn checklist(birth: NaiveDate, on: NaiveDate, given: &[Immunisation], rules: &Rules) -> Vec<DoseView> {
    rules
        .immunisation
        .iter()
        .map(|dose| {
            let status = match given.iter().filter(|g| g.vaccine == dose.code).map(|g| g.date).min() {
                Some(on) => DoseStatus::Given { on },
                None if on >= age::add_months(birth, dose.age_months + 1) => DoseStatus::Overdue,
                None if on >= age::add_months(birth, dose.age_months) => DoseStatus::Due,
                None => DoseStatus::NotYet,
            };
            DoseView {
                dose: dose.clone(),
                status,
            }
        })
        .collect()
}

/// Every basic dose given by the child's first birthday (the Perpres-72 indicator).
pub fn basic_complete(birth: NaiveDate, given: &[Immunisation], rules: &Rules) -> bool {
    let by = age::add_months(birth, 12);
    rules
        .immunisation
        .iter()
        .filter(|d| d.basic)
        .all(|d| given.iter().any(|g| g.vaccine == d.code && g.date <= by))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    fn given(code: &str, on: NaiveDate) -> Immunisation {
        Immunisation {
            vaccine: code.into(),
            date: on,
        }
    }

    #[test]
    fn a_dose_is_due_from_its_age_and_overdue_a_month_later() {
        let r = Rules::default();
        let birth = d(2026, 6, 10);
        let list = checklist(
            birth,
            d(2026, 9, 15),
            &[given("hb0", birth), given("bcg", d(2026, 7, 12))],
            &r,
        );
        let of = |code: &str| list.iter().find(|v| v.dose.code == code).unwrap().status;
        assert_eq!(of("hb0"), DoseStatus::Given { on: birth });
        assert_eq!(of("opv1"), DoseStatus::Overdue, "due at 1 month, overdue from 2");
        assert_eq!(
            of("dpt_hb_hib1"),
            DoseStatus::Overdue,
            "due 10 August, overdue 10 September"
        );
        assert_eq!(of("dpt_hb_hib2"), DoseStatus::Due, "3 months on 10 September");
        assert_eq!(of("mr1"), DoseStatus::NotYet);
        assert_eq!(list.len(), r.immunisation.len());
    }

    #[test]
    fn basic_immunisation_is_complete_only_with_every_basic_dose_by_12_months() {
        let r = Rules::default();
        let birth = d(2025, 1, 1);
        let mut all: Vec<Immunisation> = r
            .immunisation
            .iter()
            .filter(|x| x.basic)
            .map(|x| given(&x.code, d(2025, 12, 1)))
            .collect();
        assert!(basic_complete(birth, &all, &r));
        all.pop();
        assert!(!basic_complete(birth, &all, &r));
    }
}
