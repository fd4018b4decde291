//! WHO Child Growth Standards z-scores (docs/src/design/domain.md §4), following WHO's `anthro` method:
//! age in days rounded half-up, the 0.7 cm length/height adjustment, interpolation of
//! weight-for-length/height between 0.1 cm rows, the restricted z-score beyond ±3 SD for
//! weight-based indicators, oedema, flags, and z rounded to 2 decimals before use.

mod classify;
mod tables;

pub use classify::{Band, Indicator, WhoStatus, permenkes_band, permenkes_label, who_statuses};
pub use tables::{Lms, TABLES_VERSION, tables};

use serde::{Deserialize, Serialize};

use crate::sex::Sex;

/// Days in a month as WHO counts them.
pub const DAYS_PER_MONTH: f64 = 30.4375;
/// The first day on which a child should be measured standing.
pub const HEIGHT_FROM_DAY: i64 = 731;
/// The last day a z-score is computed for (age in months < 60).
pub const LAST_DAY: i64 = 1826;

/// How the length/height was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Recumbent length (lying down).
    Lying,
    /// Standing height.
    Standing,
}

/// One child measurement, as WHO Anthro takes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnthroInput {
    pub sex: Option<Sex>,
    /// Exact age in days (fractional when it came from months).
    pub age_days: Option<f64>,
    pub weight_kg: Option<f64>,
    pub lenhei_cm: Option<f64>,
    pub measure: Option<Measure>,
    pub headc_cm: Option<f64>,
    pub armc_cm: Option<f64>,
    pub oedema: bool,
}

/// A z-score rounded to 2 decimals, with WHO's implausibility flag.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Score {
    pub z: f64,
    pub flagged: bool,
}

/// Everything computed from one measurement.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AnthroResult {
    /// Length/height after the 0.7 cm adjustment for the child's age.
    pub clenhei: Option<f64>,
    /// A standing measurement under 9 months: the position is treated as unknown.
    pub measure_implausible: bool,
    pub cbmi: Option<f64>,
    pub len: Option<Score>,
    pub wei: Option<Score>,
    pub wfl: Option<Score>,
    pub bmi: Option<Score>,
    pub hc: Option<Score>,
    pub ac: Option<Score>,
}

/// A WHO reference table, for the curves of growth charts and for test data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Curve {
    /// Length/height-for-age, by age in days.
    LengthForAge,
    /// Weight-for-age, by age in days.
    WeightForAge,
    /// Weight-for-length, by length in mm (450–1100).
    WeightForLength,
    /// Weight-for-height, by height in mm (650–1200).
    WeightForHeight,
    BmiForAge,
    HeadForAge,
    ArmForAge,
}

/// The measurement at `z` SD on a WHO curve (`key`: age in days, or length/height in mm).
pub fn sd_curve(curve: Curve, sex: Sex, key: i64, z: f64) -> Option<f64> {
    let t = tables();
    let table = match curve {
        Curve::LengthForAge => &t.len,
        Curve::WeightForAge => &t.wei,
        Curve::WeightForLength => &t.wfl,
        Curve::WeightForHeight => &t.wfh,
        Curve::BmiForAge => &t.bmi,
        Curve::HeadForAge => &t.hc,
        Curve::ArmForAge => &t.ac,
    };
    table.get(sex, key).map(|lms| sd_value(lms, z))
}

/// Rounds half away from zero, as WHO does for ages given in months.
pub fn round_half_up(x: f64) -> f64 {
    (x + 0.5).floor()
}

/// Age in days from whole months, as WHO converts it.
pub fn months_to_days(months: f64) -> f64 {
    round_half_up(months * DAYS_PER_MONTH)
}

fn round2(z: f64) -> f64 {
    (z * 100.0).round() / 100.0
}

fn plain_z(y: f64, lms: Lms) -> f64 {
    if lms.l == 0.0 {
        (y / lms.m).ln() / lms.s
    } else {
        ((y / lms.m).powf(lms.l) - 1.0) / (lms.l * lms.s)
    }
}

fn sd_value(lms: Lms, k: f64) -> f64 {
    if lms.l == 0.0 {
        lms.m * (lms.s * k).exp()
    } else {
        lms.m * (1.0 + lms.l * lms.s * k).powf(1.0 / lms.l)
    }
}

/// The restricted z-score: beyond ±3 SD the distance is measured in the 2–3 SD interval.
pub fn restricted_z(y: f64, lms: Lms) -> f64 {
    let z = plain_z(y, lms);
    if z > 3.0 {
        let sd3 = sd_value(lms, 3.0);
        3.0 + (y - sd3) / (sd3 - sd_value(lms, 2.0))
    } else if z < -3.0 {
        let sd3 = sd_value(lms, -3.0);
        -3.0 + (y - sd3) / (sd_value(lms, -2.0) - sd3)
    } else {
        z
    }
}

/// WHO's flag thresholds: `(low, high)` — flagged if z < low or z > high.
fn flag_bounds(indicator: Indicator) -> (f64, f64) {
    match indicator {
        Indicator::LengthForAge => (-6.0, 6.0),
        Indicator::WeightForAge => (-6.0, 5.0),
        _ => (-5.0, 5.0),
    }
}

fn score(indicator: Indicator, z: f64) -> Option<Score> {
    if !z.is_finite() {
        return None;
    }
    let z = round2(z);
    let (low, high) = flag_bounds(indicator);
    Some(Score {
        z,
        flagged: z < low || z > high,
    })
}

/// The age facts every age-based indicator needs.
#[derive(Clone, Copy)]
struct Age {
    days: i64,
    under_60_months: bool,
}

fn positive(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite() && *v > 0.0)
}

/// Adjusts length/height to the position WHO expects at this age (docs/src/design/domain.md §4.4).
pub fn adjust_lenhei(age_days: Option<i64>, measure: Option<Measure>, lenhei: f64) -> f64 {
    match (age_days, measure) {
        (Some(d), Some(Measure::Standing)) if d < HEIGHT_FROM_DAY => lenhei + 0.7,
        (Some(d), Some(Measure::Lying)) if d >= HEIGHT_FROM_DAY => lenhei - 0.7,
        _ => lenhei,
    }
}

/// Computes every z-score WHO Anthro computes for one measurement.
pub fn compute(input: &AnthroInput) -> AnthroResult {
    let t = tables();
    let exact_days = input.age_days.filter(|d| d.is_finite() && *d >= 0.0);
    let age = exact_days.map(|d| Age {
        days: round_half_up(d) as i64,
        under_60_months: d / DAYS_PER_MONTH < 60.0,
    });
    let age_days = age.map(|a| a.days);

    let mut measure = input.measure;
    let measure_implausible = matches!(
        (measure, exact_days),
        (Some(Measure::Standing), Some(d)) if d / DAYS_PER_MONTH < 9.0
    );
    if measure_implausible {
        measure = None;
    }

    let lenhei = positive(input.lenhei_cm);
    let weight = positive(input.weight_kg);
    let clenhei = lenhei.map(|l| adjust_lenhei(age_days, measure, l));
    let cbmi = match (weight, clenhei) {
        (Some(w), Some(l)) => Some(w / (l / 100.0).powi(2)),
        _ => None,
    };
    let mut out = AnthroResult {
        clenhei,
        measure_implausible,
        cbmi,
        ..AnthroResult::default()
    };
    let Some(sex) = input.sex else {
        return out;
    };
    let weight_ok = !input.oedema;

    // Age-based indicators: a table row for the rounded age, a valid age range, age < 60 months.
    let by_age = |indicator: Indicator,
                  table: &tables::Table,
                  value: Option<f64>,
                  first_day: i64,
                  restricted: bool|
     -> Option<Score> {
        let (age, y) = (age?, positive(value)?);
        if !age.under_60_months || age.days < first_day || age.days > LAST_DAY {
            return None;
        }
        let lms = table.get(sex, age.days)?;
        let z = if restricted {
            restricted_z(y, lms)
        } else {
            plain_z(y, lms)
        };
        score(indicator, z)
    };
    out.len = by_age(Indicator::LengthForAge, &t.len, clenhei, 0, false);
    if weight_ok {
        out.wei = by_age(Indicator::WeightForAge, &t.wei, weight, 0, true);
        out.bmi = by_age(Indicator::BmiForAge, &t.bmi, cbmi, 0, true);
        out.wfl = weight_for_lenhei(sex, age, measure, weight, clenhei);
    }
    out.hc = by_age(Indicator::HeadForAge, &t.hc, input.headc_cm, 0, false);
    out.ac = by_age(Indicator::ArmForAge, &t.ac, input.armc_cm, 91, true);
    out
}

/// Weight-for-length (under 731 days) or weight-for-height, interpolated between 0.1 cm rows.
fn weight_for_lenhei(
    sex: Sex,
    age: Option<Age>,
    measure: Option<Measure>,
    weight: Option<f64>,
    clenhei: Option<f64>,
) -> Option<Score> {
    let (weight, lenhei) = (weight?, clenhei?);
    if let Some(a) = age
        && (!a.under_60_months || a.days > LAST_DAY)
    {
        return None;
    }
    // Without an age WHO falls back on the position, then on 87 cm.
    let use_length = match (age, measure) {
        (Some(a), _) => a.days < HEIGHT_FROM_DAY,
        (None, Some(m)) => m == Measure::Lying,
        (None, None) => lenhei < 87.0,
    };
    let (table, range) = if use_length {
        (&tables().wfl, 45.0..=110.0)
    } else {
        (&tables().wfh, 65.0..=120.0)
    };
    if !range.contains(&lenhei) {
        return None;
    }
    let low_mm = (lenhei * 10.0).trunc();
    let diff = (lenhei - low_mm / 10.0) / 0.1;
    let low = table.get(sex, low_mm as i64)?;
    let lms = if diff > 0.0 {
        let high = table.get(sex, low_mm as i64 + 1)?;
        let lerp = |a: f64, b: f64| a + diff * (b - a);
        Lms {
            l: lerp(low.l, high.l),
            m: lerp(low.m, high.m),
            s: lerp(low.s, high.s),
        }
    } else {
        low
    };
    score(Indicator::WeightForLenhei, restricted_z(weight, lms))
}

#[cfg(test)]
mod tests;
