//! The district's headline numbers against the truth. Children are generated with lengths
//! from above the WHO median to far below it — severe cases under −3 SD, ages at the edges
//! of the baduta and balita groups, visits on the month's first and last days and just
//! outside the month, two visits in one month (one moderate, one severe) — and the expected
//! children are computed by a separate route: each visit's z-scores through `pendamping
//! anthro`'s batch (WHO Anthro's survey convention), read back from its CSV and counted here
//! with "below −2 SD". The stunting, underweight and wasting indicators (the dashboard's
//! cards) and the stunted list must hold exactly those children, the severe ones included.

use std::collections::BTreeSet;

use pendamping_cli::anthro;
use pendamping_core::indicators::Indicator;
use pendamping_core::lists::NameList;
use pendamping_core::recap::Month;
use pendamping_core::{Enrolment, Visit, VisitData};
use pendamping_tests::*;
use uuid::Uuid;

/// WHO girls' median length/height (cm) by age in months, for generating lengths around
/// it; the test's expectations never use it (the z-scores come from `anthro`).
const MEDIAN: [(f64, f64); 8] = [
    (0.0, 49.1),
    (6.0, 65.7),
    (12.0, 74.0),
    (18.0, 80.7),
    (24.0, 86.4),
    (36.0, 95.1),
    (48.0, 102.7),
    (60.0, 109.4),
];

fn median_at(months: f64) -> f64 {
    let i = MEDIAN
        .iter()
        .rposition(|(m, _)| *m <= months)
        .unwrap_or(0)
        .min(MEDIAN.len() - 2);
    let ((m0, l0), (m1, l1)) = (MEDIAN[i], MEDIAN[i + 1]);
    l0 + (l1 - l0) * (months - m0) / (m1 - m0)
}

/// A visit's z-scores as `pendamping anthro` gives them: length/height-for-age,
/// weight-for-age, weight-for-length/height (`None` where WHO Anthro flags it implausible).
struct Z {
    visit: Uuid,
    len: f64,
    wei: Option<f64>,
    wfl: Option<f64>,
}

/// The visits' z-scores through `pendamping anthro`'s batch, one per visit given.
fn by_anthro(visits: &[(Visit, chrono::NaiveDate)]) -> Vec<Z> {
    let mut csv = String::from("id,sex,age_days,weight,lenhei,measure\n");
    for (v, birth) in visits {
        let VisitData::Anak(a) = &v.data else { unreachable!() };
        let age = (v.visit_date - *birth).num_days();
        // The generated children are girls (sex 2 in WHO Anthro's coding), measured lying.
        csv.push_str(&format!(
            "{},2,{age},{},{},l\n",
            v.id,
            a.weight_kg.unwrap(),
            a.lenhei_cm.unwrap()
        ));
    }
    let mut out = Vec::new();
    anthro::run(csv.as_bytes(), &mut out).unwrap();
    let mut rdr = csv::Reader::from_reader(out.as_slice());
    let header = rdr.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let plausible = |r: &csv::StringRecord, z: &str, flag: &str| -> Option<f64> {
        (&r[col(flag)] == "0").then(|| r[col(z)].parse().unwrap())
    };
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            Z {
                visit: r[col("id")].parse().unwrap(),
                len: plausible(&r, "zlen", "flen").unwrap_or_else(|| panic!("a generated length is plausible: {r:?}")),
                wei: plausible(&r, "zwei", "fwei"),
                wfl: plausible(&r, "zwfl", "fwfl"),
            }
        })
        .collect()
}

#[test]
fn every_child_below_minus_two_sd_is_counted_and_listed_the_severe_included() {
    let month = Month::parse("2026-11").unwrap();
    let (first, last) = (month.first_day(), month.last_day());
    let mut store = store_at(d(2026, 12, 5));
    // z around which lengths are made: far below −3, either side of −3 and −2 (never so
    // near that rounding could decide), and normal.
    let targets = [-4.6, -3.6, -3.1, -2.9, -2.5, -2.1, -1.9, -1.0, 0.0, 1.2];
    // Ages at the month's first day, in days: newborn, the baduta/balita edge, nearly five.
    let ages = [3, 40, 364, 700, 729, 731, 760, 1095, 1461, 1700, 1760];
    // Visit days: the first and last of the month, inside, and just outside it.
    let days = [
        first,
        last,
        d(2026, 11, 15),
        first - chrono::Days::new(1),
        last + chrono::Days::new(1),
    ];
    let mut enrolments: Vec<(Enrolment, chrono::NaiveDate)> = Vec::new();
    let mut visits: Vec<(Visit, chrono::NaiveDate)> = Vec::new();
    let mut n: u128 = 0;
    for (i, age) in ages.iter().enumerate() {
        for (j, z) in targets.iter().enumerate() {
            n += 10;
            let birth = first - chrono::Days::new(*age);
            let e = realistic_family(&mut store, VILLAGE, birth);
            let mut made = |k: u128, day: chrono::NaiveDate, z: f64| {
                let months = (day - birth).num_days() as f64 / 30.4375;
                let length = median_at(months) * (1.0 + 0.037 * z);
                let v = child_visit(
                    1000 * n + 500 + k,
                    &e,
                    day,
                    3.0 + months * 0.25,
                    (length * 10.0).round() / 10.0,
                );
                store.record_visit(&v).unwrap();
                visits.push((v, birth));
            };
            made(0, days[(i + j) % days.len()], *z);
            // Every third child is seen twice this month, the second time lower (one SD, at most
            // to the lowest of the targets: below −6 SD a length is implausible).
            if (i + j) % 3 == 0 {
                made(1, d(2026, 11, 20), (z - 1.0).max(-4.6));
            }
            enrolments.push((e, birth));
        }
    }

    // The truth, by its own route: children with a visit this month whose z is below −2.
    let z = by_anthro(&visits);
    let in_month = |v: &Visit| v.visit_date >= first && v.visit_date <= last;
    let below = |score: fn(&Z) -> Option<f64>, cut: f64| -> BTreeSet<Uuid> {
        visits
            .iter()
            .zip(&z)
            .filter(|((v, _), z)| {
                assert_eq!(v.id, z.visit);
                in_month(v) && score(z).is_some_and(|s| s < cut)
            })
            .map(|((v, _), _)| v.enrolment_id)
            .collect()
    };
    let stunted = below(|z| Some(z.len), -2.0);
    let severe = below(|z| Some(z.len), -3.0);
    assert!(
        severe.len() >= 15 && stunted.len() >= 30,
        "the data holds severe cases: {}, {}",
        severe.len(),
        stunted.len()
    );
    let (underweight, wasted) = (below(|z| z.wei, -2.0), below(|z| z.wfl, -2.0));
    assert!(
        !below(|z| z.wei, -3.0).is_empty() && !below(|z| z.wfl, -3.0).is_empty(),
        "severe underweight and wasting too"
    );

    // The indicator (the dashboard's card), the list behind it, the centre's figures.
    let village = at(VILLAGE);
    let figures = store.indicators(month, &village, 10).unwrap();
    assert_eq!(figures[VILLAGE].get(Indicator::Stunted) as usize, stunted.len());
    assert_eq!(figures[VILLAGE].get(Indicator::Underweight) as usize, underweight.len());
    assert_eq!(figures[VILLAGE].get(Indicator::Wasted) as usize, wasted.len());
    let listed: BTreeSet<Uuid> = store
        .name_list(NameList::Stunted, month, &village, d(2026, 12, 5))
        .unwrap()
        .iter()
        .map(|r| r.enrolment_id.unwrap())
        .collect();
    assert_eq!(listed, stunted, "the list holds exactly the children the number counts");
}
