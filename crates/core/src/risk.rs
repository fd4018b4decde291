//! Risk flags (docs/src/design/domain.md §2.1) and the rules that raise them from registration data.

use chrono::NaiveDate;

use crate::age;
use crate::enrolment::{Enrolment, EnrolmentDetails, TargetKind, gestational_weeks};
use crate::person::Sex;
use crate::rules::Rules;

pub use crate::vocab::RiskFlag;

/// Facts beyond the enrolment that registration-level rules need.
#[derive(Debug, Clone, Copy)]
pub struct PersonFacts {
    pub sex: Sex,
    pub birth_date: NaiveDate,
    /// Living children of the woman (for "too many").
    pub children: Option<u32>,
}

/// Flags that follow from the enrolment itself (age, spacing, parity, birth size).
pub fn enrolment_flags(e: &Enrolment, person: PersonFacts, rules: &Rules) -> Vec<RiskFlag> {
    let r = &rules.risk;
    let mut out = Vec::new();
    match &e.details {
        EnrolmentDetails::Catin { wedding_date, .. } => {
            let at = wedding_date.unwrap_or(e.start_date);
            if person.sex == Sex::Female && age::years(person.birth_date, at) < r.too_young_below {
                out.push(RiskFlag::TooYoung);
            }
        }
        EnrolmentDetails::IbuHamil {
            hpht,
            parity,
            last_birth_date,
            height_cm,
            pre_pregnancy_weight_kg,
            ..
        } => {
            let years = age::years(person.birth_date, *hpht);
            if years < r.too_young_below {
                out.push(RiskFlag::TooYoung);
            }
            if years >= r.pregnant_too_old_from {
                out.push(RiskFlag::TooOld);
            }
            if let Some(last) = last_birth_date
                && age::months(*last, *hpht) < r.birth_spacing_below_months
            {
                out.push(RiskFlag::TooClose);
            }
            let children = person.children.or(*parity);
            if children.is_some_and(|c| c > r.too_many_children_above) {
                out.push(RiskFlag::TooMany);
            }
            if let Some(h) = height_cm {
                if *h < r.short_stature_below_cm {
                    out.push(RiskFlag::ShortStature);
                }
                if let Some(w) = pre_pregnancy_weight_kg
                    && bmi(*w, *h) < r.bmi_under_below
                {
                    out.push(RiskFlag::BmiUnder);
                }
            }
        }
        EnrolmentDetails::Nifas {
            birth_weight_g,
            birth_length_cm,
            ..
        }
        | EnrolmentDetails::Anak {
            birth_weight_g,
            birth_length_cm,
        } => {
            if birth_weight_g.is_some_and(|w| w < r.low_birth_weight_below_g) {
                out.push(RiskFlag::LowBirthWeight);
            }
            if birth_length_cm.is_some_and(|l| l < r.short_birth_length_below_cm) {
                out.push(RiskFlag::ShortBirthLength);
            }
        }
        EnrolmentDetails::Krs {} => {}
    }
    out
}

/// Adult body-mass index to one decimal: the value shown is the value judged.
pub fn bmi(weight_kg: f64, height_cm: f64) -> f64 {
    (weight_kg / (height_cm / 100.0).powi(2) * 10.0).round() / 10.0
}

/// True if the pregnancy is in its third trimester on `on`.
pub fn in_third_trimester(e: &Enrolment, on: NaiveDate) -> bool {
    match (&e.details, e.kind) {
        (EnrolmentDetails::IbuHamil { hpht, .. }, TargetKind::IbuHamil) => {
            crate::enrolment::trimester(gestational_weeks(*hpht, on)) == 3
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_is_listed_once_and_its_code_is_its_serde_name() {
        let mut seen = std::collections::BTreeSet::new();
        for &f in RiskFlag::ALL {
            assert!(seen.insert(f), "{f:?} twice");
            assert_eq!(serde_json::to_value(f).unwrap(), serde_json::json!(f.as_str()));
        }
        // A flag added to the enum but not to ALL would not deserialize from its code here.
        let last: RiskFlag = serde_json::from_value(serde_json::json!("oedema")).unwrap();
        assert_eq!(seen.len(), last as usize + 1);
    }
}
