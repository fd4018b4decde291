//! Thresholds, plausibility ranges, visit cadence and the advice each flag carries: every
//! value DOMAIN.md marks as configurable. The one copy is `schema/data/rules.toml`:
//! `Rules::default()` is that file parsed; a district replaces it on the server, devices
//! receive it on their next sync, and every derived result records `version`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::enrolment::TargetKind;
use crate::household::WaterSource;
use crate::immunisation::Dose;
use crate::risk::RiskFlag;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Stored with every derived result so the server can recompute.
    pub version: String,
    pub risk: RiskThresholds,
    pub plausibility: Plausibility,
    pub cadence: Cadence,
    pub lifecycle: Lifecycle,
    pub krs: KrsRules,
    /// What each flag asks the cadre to do, and how urgent it is.
    pub flags: BTreeMap<RiskFlag, FlagRule>,
    /// The routine immunisation schedule of children, in the order of the Buku KIA.
    pub immunisation: Vec<Dose>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RiskThresholds {
    /// Anaemia in pregnancy: Hb below this (g/dL).
    pub hb_pregnant_below: f64,
    /// Anaemia in postpartum women: Hb below this (g/dL).
    pub hb_nonpregnant_below: f64,
    /// Anaemia in a female catin (12.0 by WHO; BKKBN has used 11.5).
    pub hb_catin_below: f64,
    /// Below this Hb: refer at once.
    pub hb_refer_below: f64,
    /// KEK: LiLA below this (cm).
    pub lila_kek_below: f64,
    /// Adult BMI below this is a risk.
    pub bmi_under_below: f64,
    /// Wife / bride younger than this (years).
    pub too_young_below: i32,
    /// KRS 4T "too old": wife aged from…to (years, inclusive).
    pub too_old_from: i32,
    pub too_old_to: i32,
    /// Pregnant at this age or older.
    pub pregnant_too_old_from: i32,
    /// Births closer than this (months).
    pub birth_spacing_below_months: i32,
    /// More than this many children.
    pub too_many_children_above: u32,
    /// Women shorter than this (cm).
    pub short_stature_below_cm: f64,
    /// Iron tablets during pregnancy.
    pub ttd_target: u32,
    /// ANC contacts during pregnancy.
    pub anc_target: u32,
    pub low_birth_weight_below_g: f64,
    pub short_birth_length_below_cm: f64,
    /// Child MUAC (6–59 months): severe below, moderate below.
    pub muac_sam_below: f64,
    pub muac_mam_below: f64,
    /// Blood pressure at or above (mmHg).
    pub systolic_high_from: u32,
    pub diastolic_high_from: u32,
}

/// A measure's plausibility: warn outside `warn`, reject outside `reject`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub reject_min: f64,
    pub reject_max: f64,
    #[serde(default)]
    pub warn_min: Option<f64>,
    #[serde(default)]
    pub warn_max: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Plausibility {
    pub adult_height_cm: Range,
    pub adult_weight_kg: Range,
    pub lila_cm: Range,
    pub hb: Range,
    pub gestational_age_weeks: Range,
    pub child_weight_kg: Range,
    pub child_lenhei_cm: Range,
    pub headc_cm: Range,
    pub child_muac_cm: Range,
    pub waist_cm: Range,
    pub systolic: Range,
    pub diastolic: Range,
    pub birth_weight_g: Range,
    pub birth_length_cm: Range,
    /// Warn when the weight changed more than this per 30 days since the last visit.
    pub adult_weight_change_kg_per_30d: f64,
    pub child_weight_change_kg_per_30d: f64,
}

/// Default days between TPK visits (DOMAIN.md §3.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Cadence {
    pub catin_days: i64,
    pub hamil_days: i64,
    /// Pregnant with a risk flag or in T3.
    pub hamil_close_days: i64,
    pub baduta_days: i64,
    pub balita_days: i64,
    /// Balita stunted, wasted or underweight.
    pub balita_close_days: i64,
    pub krs_days: i64,
    /// "Due this week": the due list looks this many days ahead.
    pub due_window_days: i64,
}

/// How enrolments move on by date (DOMAIN.md §1.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// Postpartum ends on this day after delivery.
    pub nifas_days: u32,
    /// A baduta becomes a balita at this age.
    pub baduta_months: u32,
    /// A child's enrolment ends at this age.
    pub anak_months: u32,
    /// A pregnancy with no outcome recorded by this many weeks after HPHT needs one.
    pub pregnancy_outcome_weeks: u32,
    /// A wedding date this many months past with no confirmation is listed to resolve.
    pub wedding_confirm_months: u32,
    /// A catin counts as screened in time when screened at least this long before the
    /// wedding (DOMAIN.md §3.4).
    pub catin_screen_months: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct KrsRules {
    /// Drinking-water sources counted safe.
    pub safe_water: Vec<WaterSource>,
    /// Count an uninhabitable house (floor area per person below the minimum) in the KRS flag.
    pub count_habitability: bool,
    pub min_floor_area_per_person_m2: f64,
    /// A PUS wife is aged from…to (years).
    pub pus_age_from: i32,
    pub pus_age_to: i32,
}

/// How urgent a flag is: the order Beranda sorts alerts in, and the colour of the chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Urgent,
    High,
    Medium,
    Low,
}

/// What a flag asks the cadre to do (DOMAIN.md §2.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Advice {
    pub urgency: Urgency,
    pub action_id: String,
    pub action_en: String,
}

/// A flag's advice, with another for a catin where the programme asks something else of
/// a bride-to-be (TTD for 90 days and delaying pregnancy, not a referral).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct FlagRule {
    pub urgency: Urgency,
    pub action_id: String,
    pub action_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catin: Option<Advice>,
}

/// The rules file shipped with the app, the server and the command-line tool.
pub const SHIPPED: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/data/rules.toml"));

/// A rules file that cannot be used, with the reason.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("berkas aturan tidak valid: {0}")]
pub struct RulesError(pub String);

impl Rules {
    /// Parses a rules file (TOML, the shape of `schema/data/rules.toml`). Every risk flag
    /// must have its advice, so no flag ever reaches a cadre without an action.
    pub fn from_toml(text: &str) -> Result<Rules, RulesError> {
        let rules: Rules = toml::from_str(text).map_err(|e| RulesError(e.to_string()))?;
        if let Some(missing) = RiskFlag::ALL.iter().find(|f| !rules.flags.contains_key(f)) {
            return Err(RulesError(format!("flags.{} tidak ada", missing.as_str())));
        }
        Ok(rules)
    }

    /// The advice for a flag raised for a target of `kind`.
    pub fn advice(&self, flag: RiskFlag, kind: TargetKind) -> Advice {
        let rule = &self.flags[&flag];
        match (&rule.catin, kind) {
            (Some(catin), TargetKind::Catin) => catin.clone(),
            _ => Advice {
                urgency: rule.urgency,
                action_id: rule.action_id.clone(),
                action_en: rule.action_en.clone(),
            },
        }
    }
}

impl Default for Rules {
    /// The shipped file, parsed once.
    fn default() -> Self {
        static SHIPPED_RULES: OnceLock<Rules> = OnceLock::new();
        SHIPPED_RULES
            .get_or_init(|| Rules::from_toml(SHIPPED).expect("the shipped rules file parses (tested)"))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_parses_and_advises_on_every_flag() {
        let r = Rules::default();
        assert_eq!(r.risk.hb_pregnant_below, 11.0);
        for &f in RiskFlag::ALL {
            assert!(!r.advice(f, TargetKind::IbuHamil).action_id.is_empty(), "{f:?}");
        }
        assert_eq!(
            r.advice(RiskFlag::DangerSign, TargetKind::IbuHamil).urgency,
            Urgency::Urgent
        );
        let catin = r.advice(RiskFlag::Anemia, TargetKind::Catin);
        assert_eq!(catin.urgency, Urgency::Medium);
        assert!(catin.action_id.contains("90 hari"), "{}", catin.action_id);
        assert_eq!(r.advice(RiskFlag::Anemia, TargetKind::IbuHamil).urgency, Urgency::High);
    }

    #[test]
    fn a_file_without_advice_for_a_flag_is_refused() {
        let at = SHIPPED.find("[flags.oedema]").unwrap();
        let end = at + SHIPPED[at..].find("\n\n").unwrap();
        let without = format!("{}{}", &SHIPPED[..at], &SHIPPED[end..]);
        let err = Rules::from_toml(&without).unwrap_err();
        assert_eq!(err.0, "flags.oedema tidak ada");
    }
}
