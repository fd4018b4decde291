//! Growth charts (docs/src/design/domain.md): the WHO reference curves at −3, −2, 0, +2 and +3 SD and the
//! child's own measurements, as numbers the UI draws as SVG.

use chrono::NaiveDate;
use pendamping_core::Sex;
use pendamping_core::growth::{self, Curve};
use pendamping_store::Store;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    LengthForAge,
    WeightForAge,
    /// Weight-for-length before two years, weight-for-height after, as WHO draws them.
    WeightForLength,
}

/// The SD lines every chart shows.
pub const CHART_SDS: [f64; 5] = [-3.0, -2.0, 0.0, 2.0, 3.0];

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GrowthChart {
    pub kind: ChartKind,
    pub sex: Sex,
    /// What each axis measures; the UI words it in the language on screen.
    pub x_axis: Axis,
    pub y_axis: Axis,
    pub x_min: f64,
    pub x_max: f64,
    pub curves: Vec<SdCurve>,
    pub points: Vec<ChartPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SdCurve {
    pub z: f64,
    /// (x, y) pairs in x order.
    pub points: Vec<[f64; 2]>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChartPoint {
    pub date: NaiveDate,
    pub x: f64,
    pub y: f64,
    /// The z-score computed when the visit was recorded.
    pub z: Option<f64>,
    /// Below −2 SD (stunted, underweight or wasted), for the point's colour.
    pub below_minus_two: bool,
}

/// The quantity on a chart's axis, with its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    AgeMonths,
    LengthHeightCm,
    LengthCm,
    HeightCm,
    WeightKg,
}

const DAYS_PER_MONTH: f64 = 30.4375;

/// A chart's reference table, axis titles, and where its curves are sampled (table keys:
/// days of age, or length in mm) and how a key becomes an x value.
struct Axes {
    curve: Curve,
    x_axis: Axis,
    y_axis: Axis,
    keys: Vec<i64>,
    key_to_x: fn(i64) -> f64,
}
/// The WHO standards end at five years.
const LAST_DAY: i64 = 1856;

pub fn growth_chart(store: &Store, person_id: Uuid, kind: ChartKind) -> Result<GrowthChart, AppError> {
    let person = store
        .person(person_id)?
        .ok_or_else(|| AppError::not_found("Data anak", "child"))?;
    let series = store.growth_series(person_id)?;
    let sex = person.sex;
    let last_age = series.iter().map(|p| p.age_days).max().unwrap_or(0);
    // Two decimals are finer than any screen draws.
    let round2 = |v: f64| (v * 100.0).round() / 100.0;
    let Axes {
        curve,
        x_axis,
        y_axis,
        keys,
        key_to_x,
    } = match kind {
        ChartKind::LengthForAge | ChartKind::WeightForAge => {
            // Two years at least, and half a year beyond the last visit.
            let end = (last_age + 183).clamp(731, LAST_DAY);
            let keys = (0..=end).step_by(7).chain(std::iter::once(end)).collect();
            let (curve, y) = if kind == ChartKind::LengthForAge {
                (Curve::LengthForAge, Axis::LengthHeightCm)
            } else {
                (Curve::WeightForAge, Axis::WeightKg)
            };
            Axes {
                curve,
                x_axis: Axis::AgeMonths,
                y_axis: y,
                keys,
                key_to_x: |d| d as f64 / DAYS_PER_MONTH,
            }
        }
        ChartKind::WeightForLength => {
            // By the child's latest age: lying length before two years, height after.
            let (curve, lo, hi, x) = if last_age < 730 {
                (Curve::WeightForLength, 450, 1100, Axis::LengthCm)
            } else {
                (Curve::WeightForHeight, 650, 1200, Axis::HeightCm)
            };
            Axes {
                curve,
                x_axis: x,
                y_axis: Axis::WeightKg,
                keys: (lo..=hi).step_by(5).collect(),
                key_to_x: |mm| mm as f64 / 10.0,
            }
        }
    };
    let curves = CHART_SDS
        .iter()
        .map(|&z| SdCurve {
            z,
            points: keys
                .iter()
                .filter_map(|&k| Some([key_to_x(k), round2(growth::sd_curve(curve, sex, k, z)?)]))
                .collect(),
        })
        .collect::<Vec<_>>();
    let points = series
        .iter()
        .filter_map(|p| {
            let (x, y, z) = match kind {
                ChartKind::LengthForAge => (
                    p.age_days as f64 / DAYS_PER_MONTH,
                    p.clenhei_cm.or(p.lenhei_cm)?,
                    p.z_len,
                ),
                ChartKind::WeightForAge => (p.age_days as f64 / DAYS_PER_MONTH, p.weight_kg?, p.z_wei),
                ChartKind::WeightForLength => (p.clenhei_cm.or(p.lenhei_cm)?, p.weight_kg?, p.z_wfl),
            };
            Some(ChartPoint {
                date: p.date,
                x,
                y,
                z,
                below_minus_two: z.is_some_and(|z| z < -2.0),
            })
        })
        .collect::<Vec<_>>();
    let xs = curves.iter().flat_map(|c| c.points.iter().map(|p| p[0]));
    let (x_min, x_max) = xs.fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
    Ok(GrowthChart {
        kind,
        sex,
        x_axis,
        y_axis,
        x_min,
        x_max,
        curves,
        points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pendamping_tests::*;

    fn today() -> NaiveDate {
        d(2026, 11, 23)
    }

    #[test]
    fn a_stunted_child_is_drawn_below_the_minus_two_line_of_ordered_who_curves() {
        let mut store = store_at(today());
        let birth = d(2025, 5, 1);
        let (_, _, child, e) = family_with_child(&mut store, 100, VILLAGE, birth);
        // Normal at 3 months; at 18 months 72 cm is far below −2 SD for a girl (~76 cm).
        store
            .record_visit(&child_visit(200, &e, d(2025, 8, 1), 6.0, 60.0))
            .unwrap();
        store
            .record_visit(&child_visit(201, &e, d(2026, 11, 1), 9.0, 72.0))
            .unwrap();

        let chart = growth_chart(&store, child.id, ChartKind::LengthForAge).unwrap();
        assert_eq!(chart.curves.iter().map(|c| c.z).collect::<Vec<_>>(), CHART_SDS.to_vec());
        assert_eq!(chart.x_min, 0.0);
        assert!(chart.x_max >= 24.0, "two years at least: {}", chart.x_max);
        // At every age the lines are in order, and they rise with age.
        for i in 0..chart.curves[0].points.len() {
            let ys: Vec<f64> = chart.curves.iter().map(|c| c.points[i][1]).collect();
            assert!(ys.windows(2).all(|w| w[0] < w[1]), "{ys:?}");
        }
        // They rise with age, but for WHO's 0.7 cm step from length to height at two years.
        let median = &chart.curves[2].points;
        let drops: Vec<_> = median.windows(2).filter(|w| w[1][1] < w[0][1]).collect();
        assert_eq!(drops.len(), 1, "{drops:?}");
        assert!(drops[0][0][0] < 24.0 && drops[0][1][0] >= 23.9 && drops[0][0][1] - drops[0][1][1] < 1.0);
        assert_eq!(chart.points.len(), 2);
        let late = &chart.points[1];
        assert!(late.below_minus_two && late.z.unwrap() < -2.0, "{late:?}");
        assert!(!chart.points[0].below_minus_two);
        // The point lies below the −2 SD line at its age.
        let minus_two = growth::sd_curve(
            Curve::LengthForAge,
            Sex::Female,
            (late.x * DAYS_PER_MONTH).round() as i64,
            -2.0,
        );
        assert!(late.y < minus_two.unwrap());
        assert_eq!((chart.x_axis, chart.y_axis), (Axis::AgeMonths, Axis::LengthHeightCm));

        let wfl = growth_chart(&store, child.id, ChartKind::WeightForLength).unwrap();
        assert_eq!((wfl.x_min, wfl.x_max), (45.0, 110.0), "lying length before two years");
        assert_eq!(wfl.points[1].x, 72.0);
        let wfa = growth_chart(&store, child.id, ChartKind::WeightForAge).unwrap();
        assert_eq!(wfa.points.iter().map(|p| p.y).collect::<Vec<_>>(), vec![6.0, 9.0]);

        let missing = growth_chart(&store, uuid::Uuid::from_u128(999), ChartKind::WeightForAge).unwrap_err();
        assert_eq!(missing.code, "not_found");
    }
}
