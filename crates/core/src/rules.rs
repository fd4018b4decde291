//! Thresholds, plausibility ranges and visit cadence: every value DOMAIN.md marks as
//! configurable. The shipped copy is `schema/data/rules.toml`; a district can replace it
//! without a rebuild, and every derived result records `version`.

use serde::{Deserialize, Serialize};

use crate::household::WaterSource;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Stored with every derived result so the server can recompute.
    pub version: String,
    pub risk: RiskThresholds,
    pub plausibility: Plausibility,
    pub cadence: Cadence,
    pub krs: KrsRules,
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

fn range(reject_min: f64, reject_max: f64, warn: Option<(f64, f64)>) -> Range {
    Range {
        reject_min,
        reject_max,
        warn_min: warn.map(|w| w.0),
        warn_max: warn.map(|w| w.1),
    }
}

impl Default for Rules {
    fn default() -> Self {
        use WaterSource::*;
        Rules {
            version: "2026.11-1".into(),
            risk: RiskThresholds {
                hb_pregnant_below: 11.0,
                hb_nonpregnant_below: 12.0,
                hb_catin_below: 12.0,
                hb_refer_below: 7.0,
                lila_kek_below: 23.5,
                bmi_under_below: 18.5,
                too_young_below: 20,
                too_old_from: 35,
                too_old_to: 40,
                pregnant_too_old_from: 35,
                birth_spacing_below_months: 24,
                too_many_children_above: 3,
                short_stature_below_cm: 145.0,
                ttd_target: 90,
                anc_target: 6,
                low_birth_weight_below_g: 2500.0,
                short_birth_length_below_cm: 48.0,
                muac_sam_below: 11.5,
                muac_mam_below: 12.5,
                systolic_high_from: 140,
                diastolic_high_from: 90,
            },
            plausibility: Plausibility {
                adult_height_cm: range(100.0, 210.0, Some((135.0, 185.0))),
                adult_weight_kg: range(20.0, 250.0, Some((35.0, 120.0))),
                lila_cm: range(10.0, 60.0, Some((18.0, 40.0))),
                hb: range(2.0, 25.0, Some((7.0, 16.5))),
                gestational_age_weeks: range(1.0, 45.0, None),
                child_weight_kg: range(0.9, 58.0, None),
                child_lenhei_cm: range(38.0, 150.0, None),
                headc_cm: range(25.0, 60.0, None),
                child_muac_cm: range(5.0, 30.0, None),
                waist_cm: range(40.0, 200.0, Some((55.0, 130.0))),
                systolic: range(50.0, 260.0, Some((90.0, 160.0))),
                diastolic: range(30.0, 160.0, Some((50.0, 110.0))),
                birth_weight_g: range(300.0, 6500.0, Some((1000.0, 5000.0))),
                birth_length_cm: range(25.0, 65.0, Some((40.0, 56.0))),
            },
            cadence: Cadence {
                catin_days: 30,
                hamil_days: 30,
                hamil_close_days: 14,
                baduta_days: 30,
                balita_days: 90,
                balita_close_days: 30,
                krs_days: 30,
                due_window_days: 7,
            },
            krs: KrsRules {
                safe_water: vec![AirKemasan, AirIsiUlang, Ledeng, SumurBor, SumurTerlindung],
                count_habitability: false,
                min_floor_area_per_person_m2: 7.2,
                pus_age_from: 15,
                pus_age_to: 49,
            },
        }
    }
}
