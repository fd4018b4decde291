//! z-scores against WHO's own values (the `anthro` package's test suite) and against the
//! tables' SD curves, including every place docs/src/design/domain.md §4.8 says ports get wrong.

use super::*;

fn input(sex: Sex, age_days: f64) -> AnthroInput {
    AnthroInput {
        sex: Some(sex),
        age_days: Some(age_days),
        ..AnthroInput::default()
    }
}
fn months(m: f64) -> f64 {
    m * DAYS_PER_MONTH
}
fn z(s: Option<Score>) -> f64 {
    s.expect("z-score computed").z
}
/// The value at k SD of a table row: WHO's SD curves.
fn sd(lms: Lms, k: f64) -> f64 {
    sd_value(lms, k)
}

#[test]
fn weight_for_age_matches_who_anthro() {
    // anthro tests: weight 17 kg, girl, 1522 days → 0.24, not flagged.
    let r = compute(&AnthroInput {
        weight_kg: Some(17.0),
        ..input(Sex::Female, 1522.0)
    });
    assert_eq!(
        r.wei,
        Some(Score {
            z: 0.24,
            flagged: false
        })
    );
    // 10.37 kg at day 1 is flagged (> 5).
    let r = compute(&AnthroInput {
        weight_kg: Some(10.37),
        ..input(Sex::Female, 1.0)
    });
    assert!(r.wei.unwrap().flagged);
}

#[test]
fn length_for_age_uses_the_adjusted_length_and_flags_beyond_6() {
    // anthro: boy, 987 days, 72.86 cm lying → 72.16 cm standing-equivalent, z −6.09, flagged.
    let r = compute(&AnthroInput {
        lenhei_cm: Some(72.86),
        measure: Some(Measure::Lying),
        ..input(Sex::Male, 987.0)
    });
    assert!((r.clenhei.unwrap() - 72.16).abs() < 1e-9);
    assert_eq!(
        r.len,
        Some(Score {
            z: -6.09,
            flagged: true
        })
    );
}

#[test]
fn standing_under_9_months_is_implausible_and_not_adjusted() {
    // anthro: 8 months standing 60 cm → flag, 60.0 cm, z ≈ −4.81; 9 months → 60.7, z ≈ −5.02.
    let at8 = compute(&AnthroInput {
        lenhei_cm: Some(60.0),
        measure: Some(Measure::Standing),
        ..input(Sex::Male, months(8.0))
    });
    assert!(at8.measure_implausible);
    assert_eq!(at8.clenhei, Some(60.0));
    assert!((z(at8.len) - -4.81).abs() <= 0.01);
    let at9 = compute(&AnthroInput {
        lenhei_cm: Some(60.0),
        measure: Some(Measure::Standing),
        ..input(Sex::Male, months(9.0))
    });
    assert!(!at9.measure_implausible);
    assert!((at9.clenhei.unwrap() - 60.7).abs() < 1e-9);
    assert!((z(at9.len) - -5.02).abs() <= 0.01);
}

#[test]
fn day_730_is_length_and_day_731_is_height() {
    // anthro: 730 days standing +0.7; 800 days lying −0.7; otherwise unchanged.
    let c = |d: f64, m| {
        compute(&AnthroInput {
            lenhei_cm: Some(100.0),
            measure: Some(m),
            ..input(Sex::Male, d)
        })
        .clenhei
        .unwrap()
    };
    assert!((c(730.0, Measure::Standing) - 100.7).abs() < 1e-9);
    assert_eq!(c(800.0, Measure::Standing), 100.0);
    assert_eq!(c(730.0, Measure::Lying), 100.0);
    assert!((c(800.0, Measure::Lying) - 99.3).abs() < 1e-9);
    assert!((c(731.0, Measure::Lying) - 99.3).abs() < 1e-9);
    // anthro: girl of 24 months (730.5 → day 731), 77.5 cm with or without position → −2.55.
    for m in [Some(Measure::Standing), None] {
        let r = compute(&AnthroInput {
            lenhei_cm: Some(77.5),
            measure: m,
            ..input(Sex::Female, months(24.0))
        });
        assert_eq!(r.clenhei, Some(77.5));
        assert_eq!(z(r.len), -2.55);
    }
}

#[test]
fn weight_for_length_switches_table_at_day_731() {
    // At the table median the z-score is 0: the row used tells which table was read.
    let t = tables();
    let wfl80 = t.wfl.get(Sex::Female, 800).unwrap();
    let wfh80 = t.wfh.get(Sex::Female, 800).unwrap();
    assert_ne!(wfl80.m, wfh80.m);
    let at = |d: f64, w: f64| {
        compute(&AnthroInput {
            weight_kg: Some(w),
            lenhei_cm: Some(80.0),
            measure: None,
            ..input(Sex::Female, d)
        })
        .wfl
    };
    assert_eq!(z(at(730.0, wfl80.m)), 0.0);
    assert_eq!(z(at(731.0, wfh80.m)), 0.0);
    assert_ne!(z(at(731.0, wfl80.m)), 0.0);
}

#[test]
fn weight_for_length_uses_the_adjusted_length() {
    // 730 days measured standing at 79.3 cm → 80.0 cm lying: the 80.0 cm row applies.
    let lms = tables().wfl.get(Sex::Male, 800).unwrap();
    let r = compute(&AnthroInput {
        weight_kg: Some(lms.m),
        lenhei_cm: Some(79.3),
        measure: Some(Measure::Standing),
        ..input(Sex::Male, 730.0)
    });
    assert_eq!(z(r.wfl), 0.0);
    // 900 days measured lying at 90.7 cm → 90.0 cm standing: the height table's 90.0 row.
    let lms = tables().wfh.get(Sex::Male, 900).unwrap();
    let r = compute(&AnthroInput {
        weight_kg: Some(lms.m),
        lenhei_cm: Some(90.7),
        measure: Some(Measure::Lying),
        ..input(Sex::Male, 900.0)
    });
    assert_eq!(z(r.wfl), 0.0);
}

#[test]
fn weight_for_length_interpolates_between_tenth_cm_rows() {
    let t = tables();
    let (lo, hi) = (t.wfl.get(Sex::Male, 802).unwrap(), t.wfl.get(Sex::Male, 803).unwrap());
    let mid = Lms {
        l: (lo.l + hi.l) / 2.0,
        m: (lo.m + hi.m) / 2.0,
        s: (lo.s + hi.s) / 2.0,
    };
    // At the interpolated median the score is exactly 0; at either row's median it is not.
    let at = |w: f64| {
        z(compute(&AnthroInput {
            weight_kg: Some(w),
            lenhei_cm: Some(80.25),
            measure: Some(Measure::Lying),
            ..input(Sex::Male, 400.0)
        })
        .wfl)
    };
    assert_eq!(at(mid.m), 0.0);
    assert_ne!(at(lo.m), 0.0);
    // At interpolated +2 SD the score is 2.
    assert_eq!(at(sd(mid, 2.0)), 2.0);
}

#[test]
fn weight_for_length_without_age_follows_position_then_87_cm() {
    let no_age = |len: f64, m: Option<Measure>, w: f64| {
        compute(&AnthroInput {
            sex: Some(Sex::Female),
            weight_kg: Some(w),
            lenhei_cm: Some(len),
            measure: m,
            ..AnthroInput::default()
        })
        .wfl
    };
    let t = tables();
    assert_eq!(z(no_age(86.0, None, t.wfl.get(Sex::Female, 860).unwrap().m)), 0.0);
    assert_eq!(z(no_age(87.0, None, t.wfh.get(Sex::Female, 870).unwrap().m)), 0.0);
    assert_eq!(
        z(no_age(
            90.0,
            Some(Measure::Lying),
            t.wfl.get(Sex::Female, 900).unwrap().m
        )),
        0.0
    );
    // Out of the tables' ranges: nothing.
    assert_eq!(no_age(44.9, Some(Measure::Lying), 2.0), None);
    assert_eq!(no_age(120.1, Some(Measure::Standing), 20.0), None);
    // No age-based indicator without an age.
    let r = compute(&AnthroInput {
        sex: Some(Sex::Female),
        weight_kg: Some(10.0),
        lenhei_cm: Some(80.0),
        ..AnthroInput::default()
    });
    assert!(r.len.is_none() && r.wei.is_none() && r.bmi.is_none());
}

#[test]
fn beyond_3_sd_weight_scores_are_restricted() {
    let lms = tables().wei.get(Sex::Male, 365).unwrap();
    let (sd2, sd3) = (sd(lms, 2.0), sd(lms, 3.0));
    let at = |w: f64| {
        z(compute(&AnthroInput {
            weight_kg: Some(w),
            ..input(Sex::Male, 365.0)
        })
        .wei)
    };
    // Half an interval (SD3 − SD2) beyond +3 SD is +3.5 exactly, not the LMS value.
    let w = sd3 + 0.5 * (sd3 - sd2);
    assert_eq!(at(w), 3.5);
    assert!((plain_z(w, lms) - 3.5).abs() > 0.01, "the plain formula differs here");
    let (n2, n3) = (sd(lms, -2.0), sd(lms, -3.0));
    assert_eq!(at(n3 - 0.5 * (n2 - n3)), -3.5);
    assert_eq!(at(sd3), 3.0);
}

#[test]
fn length_and_head_use_the_plain_formula_at_sd_curves() {
    let t = tables();
    let len = t.len.get(Sex::Female, 200).unwrap();
    let r = compute(&AnthroInput {
        lenhei_cm: Some(sd(len, -4.0)),
        measure: Some(Measure::Lying),
        ..input(Sex::Female, 200.0)
    });
    assert_eq!(z(r.len), -4.0);
    let hc = t.hc.get(Sex::Male, 0).unwrap();
    let r = compute(&AnthroInput {
        headc_cm: Some(sd(hc, -2.0)),
        ..input(Sex::Male, 0.0)
    });
    assert_eq!(
        r.hc,
        Some(Score {
            z: -2.0,
            flagged: false
        })
    );
}

#[test]
fn published_who_chart_values() {
    // WHO simplified field tables (rounded to 0.1): boys' length at birth −2 SD 46.1, median 49.9;
    // girls' weight at birth median 3.2; boys' head at birth median 34.5; boys' MUAC at 3 months 13.5.
    let boy0 = input(Sex::Male, 0.0);
    let len = |l| {
        z(compute(&AnthroInput {
            lenhei_cm: Some(l),
            measure: Some(Measure::Lying),
            ..boy0.clone()
        })
        .len)
    };
    assert!((len(46.1) - -2.0).abs() < 0.05);
    assert!(len(49.9).abs() < 0.05);
    let wei = z(compute(&AnthroInput {
        weight_kg: Some(3.2),
        ..input(Sex::Female, 0.0)
    })
    .wei);
    assert!(wei.abs() < 0.1);
    let hc = z(compute(&AnthroInput {
        headc_cm: Some(34.5),
        ..boy0.clone()
    })
    .hc);
    assert!(hc.abs() < 0.05);
    let ac = z(compute(&AnthroInput {
        armc_cm: Some(13.5),
        ..input(Sex::Male, 91.0)
    })
    .ac);
    assert!(ac.abs() < 0.05);
}

#[test]
fn bmi_for_age_uses_adjusted_length() {
    let r = compute(&AnthroInput {
        weight_kg: Some(20.0),
        lenhei_cm: Some(100.0),
        ..input(Sex::Male, 30.0)
    });
    assert_eq!(r.cbmi, Some(20.0));
    let lms = tables().bmi.get(Sex::Male, 1000).unwrap();
    // 1000 days lying 90.7 → 90.0 cm; weight chosen so BMI on 90.0 cm is the median.
    let w = lms.m * 0.81;
    let r = compute(&AnthroInput {
        weight_kg: Some(w),
        lenhei_cm: Some(90.7),
        measure: Some(Measure::Lying),
        ..input(Sex::Male, 1000.0)
    });
    assert_eq!(z(r.bmi), 0.0);
}

#[test]
fn arm_circumference_starts_at_day_91() {
    let at = |d: f64| {
        compute(&AnthroInput {
            armc_cm: Some(13.0),
            ..input(Sex::Female, d)
        })
        .ac
    };
    assert!(at(90.0).is_none());
    assert!(at(91.0).is_some());
}

#[test]
fn nothing_is_computed_from_60_months() {
    // anthro: 59.9 months computed; 60 and 60.1 not. Day 1826 is < 60 months, 1827 is not.
    let full = |d: f64| {
        compute(&AnthroInput {
            weight_kg: Some(15.0),
            lenhei_cm: Some(100.0),
            measure: Some(Measure::Standing),
            headc_cm: Some(49.0),
            armc_cm: Some(16.0),
            ..input(Sex::Male, d)
        })
    };
    for d in [months(59.9), 1826.0] {
        let r = full(d);
        assert!(
            r.len.is_some()
                && r.wei.is_some()
                && r.wfl.is_some()
                && r.bmi.is_some()
                && r.hc.is_some()
                && r.ac.is_some()
        );
    }
    for d in [months(60.0), 1827.0, months(60.1)] {
        let r = full(d);
        assert!(
            r.len.is_none()
                && r.wei.is_none()
                && r.wfl.is_none()
                && r.bmi.is_none()
                && r.hc.is_none()
                && r.ac.is_none(),
            "day {d}"
        );
    }
}

#[test]
fn oedema_removes_weight_based_scores_only() {
    let base = AnthroInput {
        weight_kg: Some(8.0),
        lenhei_cm: Some(70.0),
        measure: Some(Measure::Lying),
        armc_cm: Some(12.0),
        ..input(Sex::Male, 300.0)
    };
    let r = compute(&AnthroInput {
        oedema: true,
        ..base.clone()
    });
    assert!(r.wei.is_none() && r.wfl.is_none() && r.bmi.is_none());
    assert!(r.len.is_some() && r.ac.is_some());
    assert!(compute(&base).wei.is_some());
    let statuses = who_statuses(&r, true);
    assert!(statuses.contains(&WhoStatus::SeverelyWasted), "oedema counts as severe");
}

#[test]
fn non_positive_and_missing_values_give_nothing() {
    let r = compute(&AnthroInput {
        weight_kg: Some(0.0),
        lenhei_cm: Some(-1.0),
        ..input(Sex::Male, 100.0)
    });
    assert!(r.wei.is_none() && r.len.is_none() && r.wfl.is_none());
    let r = compute(&AnthroInput {
        sex: None,
        weight_kg: Some(8.0),
        age_days: Some(100.0),
        ..AnthroInput::default()
    });
    assert!(r.wei.is_none());
}

#[test]
fn months_convert_to_days_rounding_half_up() {
    assert_eq!(months_to_days(2.0), 61.0); // 60.875
    assert_eq!(round_half_up(0.5), 1.0);
    assert_eq!(round_half_up(2.5), 3.0, "not banker's rounding");
    assert_eq!(months_to_days(24.0), 731.0); // 730.5 → 731
}

#[test]
fn permenkes_labels_at_band_boundaries() {
    use Indicator::*;
    let cases = [
        (LengthForAge, -3.01, "sangat pendek"),
        (LengthForAge, -3.0, "pendek"),
        (LengthForAge, -2.01, "pendek"),
        (LengthForAge, -2.0, "normal"),
        (LengthForAge, 3.0, "normal"),
        (LengthForAge, 3.01, "tinggi"),
        (WeightForAge, -3.01, "sangat kurang"),
        (WeightForAge, -2.5, "kurang"),
        (WeightForAge, 1.0, "normal"),
        (WeightForAge, 1.01, "risiko BB lebih"),
        (WeightForLenhei, -3.01, "gizi buruk"),
        (WeightForLenhei, -2.01, "gizi kurang"),
        (WeightForLenhei, -2.0, "gizi baik"),
        (WeightForLenhei, 1.0, "gizi baik"),
        (WeightForLenhei, 1.01, "berisiko gizi lebih"),
        (BmiForAge, 2.0, "berisiko gizi lebih"),
        (BmiForAge, 2.01, "gizi lebih"),
        (BmiForAge, 3.0, "gizi lebih"),
        (BmiForAge, 3.01, "obesitas"),
    ];
    for (i, zv, want) in cases {
        assert_eq!(permenkes_label(i, zv), Some(want), "{i:?} {zv}");
    }
    assert_eq!(permenkes_label(HeadForAge, 0.0), None);
}

#[test]
fn who_statuses_ignore_flagged_scores() {
    let r = AnthroResult {
        len: Some(Score { z: -6.5, flagged: true }),
        wei: Some(Score {
            z: -2.5,
            flagged: false,
        }),
        wfl: Some(Score { z: 2.5, flagged: false }),
        hc: Some(Score {
            z: -2.1,
            flagged: false,
        }),
        ..AnthroResult::default()
    };
    assert_eq!(
        who_statuses(&r, false),
        [WhoStatus::Underweight, WhoStatus::Overweight, WhoStatus::Microcephaly]
    );
}
