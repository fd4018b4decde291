//! Thresholds, plausibility ranges, visit cadence and the advice each flag carries: every
//! value docs/src/design/domain.md marks as configurable. The one copy is `schema/data/rules.toml`:
//! `Rules::default()` is that file parsed; a district replaces it on the server, devices
//! receive it on their next sync, and every derived result records `version`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::problem::{Problem, label, num_en, num_id, out_of_range, quantity};
use crate::vocab::{RiskFlag, TargetKind, WaterSource};

/// One dose of the national schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Dose {
    /// Recorded on the visit as `Immunisation::vaccine`.
    pub code: String,
    /// As the Buku KIA writes it.
    pub name: String,
    /// For a screen in English, where it differs ("Oral polio (OPV) 1").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// Due from this age; overdue one month later.
    pub age_months: u32,
    /// Part of complete basic immunisation (imunisasi dasar lengkap).
    pub basic: bool,
}

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

/// Default days between TPK visits (docs/src/design/domain.md §3.1).
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

/// How enrolments move on by date (docs/src/design/domain.md §1.1).
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
    /// wedding (docs/src/design/domain.md §3.4).
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

/// What a flag asks the cadre to do (docs/src/design/domain.md §2.4).
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
        rules.check()?;
        Ok(rules)
    }

    /// Every value within what a district could mean, each pair in order, every number
    /// finite: a file with `hb_pregnant_below = nan` or thresholds the wrong way round is
    /// refused, whether a district wrote it or a server or hub handed it over.
    fn check(&self) -> Result<(), RulesError> {
        let bad = |what: &str, why: String| Err(RulesError(format!("{what}: {why}")));
        let version_ok = !self.version.trim().is_empty()
            && self.version.len() <= 64
            && self
                .version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if !version_ok {
            return bad("version", "1–64 huruf, angka, titik, garis".into());
        }
        let r = &self.risk;
        // (name, value, lowest, highest): the bounds of what a threshold may be set to.
        let reals = [
            ("risk.hb_pregnant_below", r.hb_pregnant_below, 5.0, 20.0),
            ("risk.hb_nonpregnant_below", r.hb_nonpregnant_below, 5.0, 20.0),
            ("risk.hb_catin_below", r.hb_catin_below, 5.0, 20.0),
            ("risk.hb_refer_below", r.hb_refer_below, 3.0, 15.0),
            ("risk.lila_kek_below", r.lila_kek_below, 15.0, 35.0),
            ("risk.bmi_under_below", r.bmi_under_below, 10.0, 30.0),
            ("risk.short_stature_below_cm", r.short_stature_below_cm, 100.0, 200.0),
            (
                "risk.low_birth_weight_below_g",
                r.low_birth_weight_below_g,
                500.0,
                5000.0,
            ),
            (
                "risk.short_birth_length_below_cm",
                r.short_birth_length_below_cm,
                30.0,
                60.0,
            ),
            ("risk.muac_sam_below", r.muac_sam_below, 5.0, 30.0),
            ("risk.muac_mam_below", r.muac_mam_below, 5.0, 30.0),
            (
                "plausibility.adult_weight_change_kg_per_30d",
                self.plausibility.adult_weight_change_kg_per_30d,
                0.1,
                100.0,
            ),
            (
                "plausibility.child_weight_change_kg_per_30d",
                self.plausibility.child_weight_change_kg_per_30d,
                0.1,
                100.0,
            ),
            (
                "krs.min_floor_area_per_person_m2",
                self.krs.min_floor_area_per_person_m2,
                1.0,
                100.0,
            ),
        ];
        for (what, v, lo, hi) in reals {
            if !v.is_finite() || v < lo || v > hi {
                return bad(what, format!("{v} di luar {lo}–{hi}"));
            }
        }
        let c = &self.cadence;
        let l = &self.lifecycle;
        let k = &self.krs;
        let whole = [
            ("risk.too_young_below", i64::from(r.too_young_below), 10, 30),
            ("risk.too_old_from", i64::from(r.too_old_from), 25, 60),
            ("risk.too_old_to", i64::from(r.too_old_to), 25, 60),
            ("risk.pregnant_too_old_from", i64::from(r.pregnant_too_old_from), 25, 60),
            (
                "risk.birth_spacing_below_months",
                i64::from(r.birth_spacing_below_months),
                6,
                60,
            ),
            (
                "risk.too_many_children_above",
                i64::from(r.too_many_children_above),
                1,
                20,
            ),
            ("risk.ttd_target", i64::from(r.ttd_target), 1, 365),
            ("risk.anc_target", i64::from(r.anc_target), 1, 20),
            ("risk.systolic_high_from", i64::from(r.systolic_high_from), 90, 250),
            ("risk.diastolic_high_from", i64::from(r.diastolic_high_from), 50, 150),
            ("cadence.catin_days", c.catin_days, 1, 366),
            ("cadence.hamil_days", c.hamil_days, 1, 366),
            ("cadence.hamil_close_days", c.hamil_close_days, 1, 366),
            ("cadence.baduta_days", c.baduta_days, 1, 366),
            ("cadence.balita_days", c.balita_days, 1, 366),
            ("cadence.balita_close_days", c.balita_close_days, 1, 366),
            ("cadence.krs_days", c.krs_days, 1, 366),
            ("cadence.due_window_days", c.due_window_days, 1, 60),
            ("lifecycle.nifas_days", i64::from(l.nifas_days), 7, 120),
            ("lifecycle.baduta_months", i64::from(l.baduta_months), 12, 36),
            ("lifecycle.anak_months", i64::from(l.anak_months), 24, 72),
            (
                "lifecycle.pregnancy_outcome_weeks",
                i64::from(l.pregnancy_outcome_weeks),
                40,
                50,
            ),
            (
                "lifecycle.wedding_confirm_months",
                i64::from(l.wedding_confirm_months),
                1,
                24,
            ),
            ("lifecycle.catin_screen_months", i64::from(l.catin_screen_months), 0, 12),
            ("krs.pus_age_from", i64::from(k.pus_age_from), 10, 30),
            ("krs.pus_age_to", i64::from(k.pus_age_to), 30, 60),
        ];
        for (what, v, lo, hi) in whole {
            if v < lo || v > hi {
                return bad(what, format!("{v} di luar {lo}–{hi}"));
            }
        }
        // Pairs that only make sense one way round.
        let order = [
            (
                "risk.hb_refer_below < risk.hb_pregnant_below",
                r.hb_refer_below < r.hb_pregnant_below,
            ),
            (
                "risk.muac_sam_below < risk.muac_mam_below",
                r.muac_sam_below < r.muac_mam_below,
            ),
            ("risk.too_old_from <= risk.too_old_to", r.too_old_from <= r.too_old_to),
            (
                "risk.too_young_below < risk.too_old_from",
                r.too_young_below < r.too_old_from,
            ),
            (
                "risk.diastolic_high_from < risk.systolic_high_from",
                r.diastolic_high_from < r.systolic_high_from,
            ),
            (
                "cadence.hamil_close_days <= cadence.hamil_days",
                c.hamil_close_days <= c.hamil_days,
            ),
            (
                "cadence.balita_close_days <= cadence.balita_days",
                c.balita_close_days <= c.balita_days,
            ),
            (
                "lifecycle.baduta_months < lifecycle.anak_months",
                l.baduta_months < l.anak_months,
            ),
            ("krs.pus_age_from < krs.pus_age_to", k.pus_age_from < k.pus_age_to),
        ];
        if let Some((what, _)) = order.iter().find(|(_, ok)| !ok) {
            return bad(what, "urutan terbalik".into());
        }
        let p = &self.plausibility;
        let ranges = [
            ("adult_height_cm", p.adult_height_cm),
            ("adult_weight_kg", p.adult_weight_kg),
            ("lila_cm", p.lila_cm),
            ("hb", p.hb),
            ("gestational_age_weeks", p.gestational_age_weeks),
            ("child_weight_kg", p.child_weight_kg),
            ("child_lenhei_cm", p.child_lenhei_cm),
            ("headc_cm", p.headc_cm),
            ("child_muac_cm", p.child_muac_cm),
            ("waist_cm", p.waist_cm),
            ("systolic", p.systolic),
            ("diastolic", p.diastolic),
            ("birth_weight_g", p.birth_weight_g),
            ("birth_length_cm", p.birth_length_cm),
        ];
        for (what, range) in ranges {
            let (lo, hi) = (
                range.warn_min.unwrap_or(range.reject_min),
                range.warn_max.unwrap_or(range.reject_max),
            );
            let ordered = [range.reject_min, lo, hi, range.reject_max]
                .windows(2)
                .all(|w| w[0].is_finite() && w[1].is_finite() && w[0] <= w[1]);
            if !ordered || range.reject_min < 0.0 || range.reject_min >= range.reject_max {
                return bad(
                    &format!("plausibility.{what}"),
                    "reject_min ≤ warn_min ≤ warn_max ≤ reject_max, angka terhingga".into(),
                );
            }
        }
        if let Some(rule) = self.flags.values().find(|f| f.action_id.trim().is_empty()) {
            return bad("flags", format!("tindakan kosong ({})", rule.action_en));
        }
        if self.immunisation.is_empty() || self.immunisation.iter().any(|d| d.code.is_empty() || d.age_months > 72) {
            return bad("immunisation", "jadwal kosong atau umur lebih dari 72 bulan".into());
        }
        Ok(())
    }

    /// Whether rules of `version` may replace rules of `held`: the same or a later version.
    /// Versions compare by their numbers in turn (`2026.11-2` after `2026.11-1`, `2027.1-1`
    /// after both), so a server or hub cannot hand a device an older file.
    pub fn may_replace(version: &str, held: &str) -> bool {
        fn numbers(v: &str) -> Vec<u64> {
            v.split(|c: char| !c.is_ascii_digit())
                .filter(|p| !p.is_empty())
                .map(|p| p.parse().unwrap_or(u64::MAX))
                .collect()
        }
        numbers(version) >= numbers(held)
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

/// Rejects outside the hard limits, warns outside the plausible range (docs/src/design/domain.md §2.2).
pub fn check_range(field: &str, value: Option<f64>, range: &Range) -> Option<Problem> {
    let v = value?;
    if !v.is_finite() || v < range.reject_min || v > range.reject_max {
        return Some(out_of_range(field, v, range.reject_min, range.reject_max));
    }
    let low = range.warn_min.is_some_and(|m| v < m);
    let high = range.warn_max.is_some_and(|m| v > m);
    (low || high).then(|| {
        let (id, en) = label(field);
        let (v_id, v_en) = quantity(field, v);
        let (min, max) = (
            range.warn_min.unwrap_or(range.reject_min),
            range.warn_max.unwrap_or(range.reject_max),
        );
        let (max_id, max_en) = quantity(field, max);
        Problem::warning(
            "implausible",
            field,
            format!(
                "{id} {v_id} tidak biasa ({}–{max_id}); periksa kembali pengukuran",
                num_id(min)
            ),
            format!(
                "{en} {v_en} is unusual ({}–{max_en}); please re-check the measurement",
                num_en(min)
            ),
        )
    })
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
    fn a_file_with_impossible_or_inverted_values_is_refused() {
        let with = |from: &str, to: &str| {
            assert!(SHIPPED.contains(from), "{from}");
            Rules::from_toml(&SHIPPED.replacen(from, to, 1))
        };
        for (from, to) in [
            ("hb_pregnant_below = 11.0", "hb_pregnant_below = nan"),
            ("hb_pregnant_below = 11.0", "hb_pregnant_below = inf"),
            ("hb_pregnant_below = 11.0", "hb_pregnant_below = 110.0"),
            ("hb_refer_below = 7.0", "hb_refer_below = 11.5"),
            ("muac_sam_below = 11.5", "muac_sam_below = 13.0"),
            ("too_old_to = 40", "too_old_to = 30"),
            ("hamil_days = 30", "hamil_days = 0"),
            (
                "reject_min = 100.0, reject_max = 210.0",
                "reject_min = 210.0, reject_max = 100.0",
            ),
            ("warn_min = 135.0", "warn_min = 90.0"),
            ("version = \"2026.11-1\"", "version = \"\""),
        ] {
            let err = with(from, to).expect_err(to);
            assert!(!err.0.is_empty(), "{to}");
        }
        assert!(with("hb_pregnant_below = 11.0", "hb_pregnant_below = 11.5").is_ok());
    }

    #[test]
    fn a_version_only_moves_forward() {
        assert!(Rules::may_replace("2026.11-2", "2026.11-1"));
        assert!(Rules::may_replace("2027.1-1", "2026.11-2"));
        assert!(Rules::may_replace("2026.11-1", "2026.11-1"));
        assert!(!Rules::may_replace("2026.10-9", "2026.11-1"));
        assert!(!Rules::may_replace("2026.11", "2026.11-1"));
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
