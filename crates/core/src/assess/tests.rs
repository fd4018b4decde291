//! Every threshold of docs/src/design/domain.md §2.1 and range of §2.2 at its boundary.

use super::*;
use crate::enrolment::TargetKind;
use crate::testing::{d, enrolment};
use crate::visit::*;
use chrono::NaiveDate;

const TODAY: (i32, u32, u32) = (2026, 11, 23);
fn today() -> NaiveDate {
    d(TODAY.0, TODAY.1, TODAY.2)
}

fn hamil_details(hpht: NaiveDate) -> EnrolmentDetails {
    EnrolmentDetails::IbuHamil {
        hpht,
        gravida: Some(2),
        parity: Some(1),
        abortus: Some(0),
        last_birth_date: None,
        height_cm: Some(155.0),
        pre_pregnancy_weight_kg: Some(50.0),
    }
}
fn woman(birth: NaiveDate) -> PersonFacts {
    PersonFacts {
        sex: Sex::Female,
        birth_date: birth,
        children: None,
    }
}
fn run(e: &Enrolment, person: PersonFacts, date: NaiveDate, data: VisitData) -> Assessment {
    assess(
        date,
        &data,
        &VisitContext {
            person,
            enrolment: e,
            today: today(),
        },
        &Rules::default(),
    )
}
fn hamil(v: HamilVisit) -> Assessment {
    let e = enrolment(hamil_details(d(2026, 6, 1)), d(2026, 7, 1));
    run(&e, woman(d(1998, 1, 1)), d(2026, 11, 20), VisitData::IbuHamil(v))
}
fn catin(v: CatinVisit, sex: Sex) -> Assessment {
    let e = enrolment(
        EnrolmentDetails::Catin {
            wedding_date: Some(d(2027, 2, 1)),
            partner_name: None,
        },
        d(2026, 11, 1),
    );
    run(
        &e,
        PersonFacts {
            sex,
            birth_date: d(2000, 1, 1),
            children: None,
        },
        d(2026, 11, 20),
        VisitData::Catin(v),
    )
}
fn has(a: &Assessment, f: RiskFlag) -> bool {
    a.results.flags.contains(&f)
}
fn codes(a: &Assessment) -> Vec<(String, String, Severity)> {
    a.problems
        .iter()
        .map(|p| (p.field.clone(), p.code.clone(), p.severity))
        .collect()
}
use crate::problem::Severity;

#[test]
fn anaemia_in_pregnancy_below_11() {
    assert!(has(
        &hamil(HamilVisit {
            hb: Some(10.9),
            ..Default::default()
        }),
        RiskFlag::Anemia
    ));
    assert!(!has(
        &hamil(HamilVisit {
            hb: Some(11.0),
            ..Default::default()
        }),
        RiskFlag::Anemia
    ));
    assert!(has(
        &hamil(HamilVisit {
            hb: Some(6.9),
            ..Default::default()
        }),
        RiskFlag::AnemiaRefer
    ));
    assert!(!has(
        &hamil(HamilVisit {
            hb: Some(7.0),
            ..Default::default()
        }),
        RiskFlag::AnemiaRefer
    ));
}

#[test]
fn anaemia_for_a_female_catin_below_12_and_configurable() {
    assert!(has(
        &catin(
            CatinVisit {
                hb: Some(11.9),
                ..Default::default()
            },
            Sex::Female
        ),
        RiskFlag::Anemia
    ));
    assert!(!has(
        &catin(
            CatinVisit {
                hb: Some(12.0),
                ..Default::default()
            },
            Sex::Female
        ),
        RiskFlag::Anemia
    ));
    assert!(!has(
        &catin(
            CatinVisit {
                hb: Some(11.0),
                ..Default::default()
            },
            Sex::Male
        ),
        RiskFlag::Anemia
    ));
    // BKKBN's 11.5 cut-off, set in the rules file.
    let mut rules = Rules::default();
    rules.risk.hb_catin_below = 11.5;
    let e = enrolment(
        EnrolmentDetails::Catin {
            wedding_date: None,
            partner_name: None,
        },
        d(2026, 11, 1),
    );
    let a = assess(
        d(2026, 11, 20),
        &VisitData::Catin(CatinVisit {
            hb: Some(11.6),
            ..Default::default()
        }),
        &VisitContext {
            person: woman(d(2000, 1, 1)),
            enrolment: &e,
            today: today(),
        },
        &rules,
    );
    assert!(!a.results.flags.contains(&RiskFlag::Anemia));
}

#[test]
fn postpartum_anaemia_below_12() {
    let e = enrolment(EnrolmentDetails::delivered(d(2026, 11, 10)), d(2026, 11, 10));
    let at = |hb| {
        run(
            &e,
            woman(d(1998, 1, 1)),
            d(2026, 11, 15),
            VisitData::Nifas(NifasVisit {
                hb: Some(hb),
                ..Default::default()
            }),
        )
    };
    assert!(has(&at(11.9), RiskFlag::Anemia));
    assert!(!has(&at(12.0), RiskFlag::Anemia));
}

#[test]
fn kek_below_23_5() {
    assert!(has(
        &hamil(HamilVisit {
            lila_cm: Some(23.4),
            ..Default::default()
        }),
        RiskFlag::Kek
    ));
    assert!(!has(
        &hamil(HamilVisit {
            lila_cm: Some(23.5),
            ..Default::default()
        }),
        RiskFlag::Kek
    ));
    assert!(has(
        &catin(
            CatinVisit {
                lila_cm: Some(23.4),
                ..Default::default()
            },
            Sex::Female
        ),
        RiskFlag::Kek
    ));
}

#[test]
fn catin_bmi_below_18_5_and_short_stature_below_145() {
    // BMI is judged as shown, to one decimal: 50 kg at 164.4 cm is 18.5; at 164.9 cm 18.4.
    let a = catin(
        CatinVisit {
            weight_kg: Some(50.0),
            height_cm: Some(164.4),
            ..Default::default()
        },
        Sex::Female,
    );
    assert!(!has(&a, RiskFlag::BmiUnder));
    assert_eq!(a.results.bmi, Some(18.5));
    assert!(has(
        &catin(
            CatinVisit {
                weight_kg: Some(50.0),
                height_cm: Some(164.9),
                ..Default::default()
            },
            Sex::Female
        ),
        RiskFlag::BmiUnder
    ));
    assert!(has(
        &catin(
            CatinVisit {
                height_cm: Some(144.9),
                ..Default::default()
            },
            Sex::Female
        ),
        RiskFlag::ShortStature
    ));
    assert!(!has(
        &catin(
            CatinVisit {
                height_cm: Some(145.0),
                ..Default::default()
            },
            Sex::Female
        ),
        RiskFlag::ShortStature
    ));
}

#[test]
fn catin_smoking() {
    assert!(has(
        &catin(
            CatinVisit {
                smoker: true,
                ..Default::default()
            },
            Sex::Male
        ),
        RiskFlag::Smoker
    ));
    assert!(has(
        &catin(
            CatinVisit {
                smoke_exposure: true,
                ..Default::default()
            },
            Sex::Female
        ),
        RiskFlag::SmokeExposure
    ));
}

#[test]
fn bride_under_20_at_the_wedding_is_too_young() {
    let e = |wedding| {
        enrolment(
            EnrolmentDetails::Catin {
                wedding_date: Some(wedding),
                partner_name: None,
            },
            d(2026, 11, 1),
        )
    };
    let bride = woman(d(2007, 2, 1));
    let a = run(
        &e(d(2027, 1, 31)),
        bride,
        d(2026, 11, 20),
        VisitData::Catin(CatinVisit::default()),
    );
    assert!(has(&a, RiskFlag::TooYoung));
    let a = run(
        &e(d(2027, 2, 1)),
        bride,
        d(2026, 11, 20),
        VisitData::Catin(CatinVisit::default()),
    );
    assert!(!has(&a, RiskFlag::TooYoung));
}

#[test]
fn pregnancy_4t_age_spacing_and_parity() {
    let hpht = d(2026, 6, 1);
    let at = |birth, details: EnrolmentDetails| {
        let e = enrolment(details, d(2026, 7, 1));
        run(
            &e,
            woman(birth),
            d(2026, 11, 20),
            VisitData::IbuHamil(HamilVisit::default()),
        )
    };
    // 35 on the HPHT: too old; a day short of 35: not.
    assert!(has(&at(d(1991, 6, 1), hamil_details(hpht)), RiskFlag::TooOld));
    assert!(!has(&at(d(1991, 6, 2), hamil_details(hpht)), RiskFlag::TooOld));
    assert!(has(&at(d(2006, 6, 2), hamil_details(hpht)), RiskFlag::TooYoung));
    assert!(!has(&at(d(2006, 6, 1), hamil_details(hpht)), RiskFlag::TooYoung));
    let with = |last: NaiveDate, parity: u32, height: f64| EnrolmentDetails::IbuHamil {
        hpht,
        gravida: None,
        parity: Some(parity),
        abortus: None,
        last_birth_date: Some(last),
        height_cm: Some(height),
        pre_pregnancy_weight_kg: None,
    };
    let b = d(1995, 1, 1);
    assert!(
        has(&at(b, with(d(2024, 6, 2), 1, 150.0)), RiskFlag::TooClose),
        "23 months"
    );
    assert!(
        !has(&at(b, with(d(2024, 6, 1), 1, 150.0)), RiskFlag::TooClose),
        "24 months"
    );
    assert!(
        has(&at(b, with(d(2020, 1, 1), 4, 150.0)), RiskFlag::TooMany),
        "more than 3"
    );
    assert!(
        !has(&at(b, with(d(2020, 1, 1), 3, 150.0)), RiskFlag::TooMany),
        "3 is not too many"
    );
    assert!(has(&at(b, with(d(2020, 1, 1), 1, 144.9)), RiskFlag::ShortStature));
}

#[test]
fn high_blood_pressure_and_danger_signs() {
    assert!(has(
        &hamil(HamilVisit {
            systolic: Some(140),
            diastolic: Some(80),
            ..Default::default()
        }),
        RiskFlag::HighBloodPressure
    ));
    assert!(has(
        &hamil(HamilVisit {
            systolic: Some(130),
            diastolic: Some(90),
            ..Default::default()
        }),
        RiskFlag::HighBloodPressure
    ));
    assert!(!has(
        &hamil(HamilVisit {
            systolic: Some(139),
            diastolic: Some(89),
            ..Default::default()
        }),
        RiskFlag::HighBloodPressure
    ));
    let a = hamil(HamilVisit {
        systolic: Some(80),
        diastolic: Some(90),
        ..Default::default()
    });
    assert!(codes(&a).iter().any(|(f, c, _)| f == "diastolic" && c == "bp_order"));
    assert!(has(
        &hamil(HamilVisit {
            danger_signs: vec![DangerSign::Perdarahan],
            ..Default::default()
        }),
        RiskFlag::DangerSign
    ));
}

#[test]
fn gestational_age_and_trimester_are_computed() {
    let a = hamil(HamilVisit::default());
    // 1 June → 20 Nov: 172 days, 24 weeks: T2.
    assert_eq!(a.results.gestational_age_weeks, Some(24));
    assert_eq!(a.results.trimester, Some(2));
    // Beyond 45 weeks the HPHT must be wrong.
    let e = enrolment(hamil_details(d(2025, 12, 1)), d(2026, 1, 1));
    let a = run(
        &e,
        woman(d(1998, 1, 1)),
        d(2026, 10, 20),
        VisitData::IbuHamil(HamilVisit::default()),
    );
    assert!(codes(&a).contains(&("visit_date".into(), "gestational_age".into(), Severity::Error)));
}

#[test]
fn newborn_size_flags() {
    let e = |w, l| {
        enrolment(
            EnrolmentDetails::Anak {
                birth_weight_g: Some(w),
                birth_length_cm: Some(l),
            },
            d(2026, 10, 1),
        )
    };
    let child = PersonFacts {
        sex: Sex::Male,
        birth_date: d(2026, 10, 1),
        children: None,
    };
    let a = run(
        &e(2499.0, 47.9),
        child,
        d(2026, 11, 1),
        VisitData::Anak(AnakVisit::default()),
    );
    assert!(has(&a, RiskFlag::LowBirthWeight) && has(&a, RiskFlag::ShortBirthLength));
    let a = run(
        &e(2500.0, 48.0),
        child,
        d(2026, 11, 1),
        VisitData::Anak(AnakVisit::default()),
    );
    assert!(!has(&a, RiskFlag::LowBirthWeight) && !has(&a, RiskFlag::ShortBirthLength));
}

fn child_visit(v: AnakVisit, birth: NaiveDate, on: NaiveDate) -> Assessment {
    let e = enrolment(
        EnrolmentDetails::Anak {
            birth_weight_g: None,
            birth_length_cm: None,
        },
        birth,
    );
    run(
        &e,
        PersonFacts {
            sex: Sex::Female,
            birth_date: birth,
            children: None,
        },
        on,
        VisitData::Anak(v),
    )
}

#[test]
fn child_muac_bands_for_6_to_59_months() {
    let birth = d(2025, 5, 1);
    let at = |m| {
        child_visit(
            AnakVisit {
                muac_cm: Some(m),
                ..Default::default()
            },
            birth,
            d(2026, 11, 1),
        )
    };
    assert!(has(&at(11.4), RiskFlag::Sam));
    assert!(has(&at(11.5), RiskFlag::Mam) && !has(&at(11.5), RiskFlag::Sam));
    assert!(has(&at(12.4), RiskFlag::Mam));
    assert!(!has(&at(12.5), RiskFlag::Mam));
    // Under 6 months MUAC bands do not apply.
    let young = child_visit(
        AnakVisit {
            muac_cm: Some(11.0),
            ..Default::default()
        },
        d(2026, 8, 1),
        d(2026, 11, 1),
    );
    assert!(!has(&young, RiskFlag::Sam));
}

#[test]
fn a_short_child_is_flagged_stunted_with_its_label() {
    // A girl of 18 months at 74 cm (WHO median ≈ 80.7): about −2.6 SD.
    let birth = d(2025, 5, 1);
    let a = child_visit(
        AnakVisit {
            weight_kg: Some(9.5),
            lenhei_cm: Some(74.0),
            measure: Some(crate::growth::Measure::Lying),
            ..Default::default()
        },
        birth,
        d(2026, 11, 1),
    );
    assert!(has(&a, RiskFlag::Stunted), "{:?}", a.results);
    let len = a
        .results
        .indicators
        .iter()
        .find(|i| i.indicator == Indicator::LengthForAge)
        .unwrap();
    assert!(len.z < -2.0 && len.z >= -3.0);
    assert_eq!(len.label.as_deref(), Some("pendek"));
    assert_eq!(a.results.age_days, Some(549));
    assert!(a.results.anthro.is_some());
    assert!(!a.has_errors());
}

#[test]
fn child_ranges_reject_and_implausible_z_warns() {
    let birth = d(2025, 5, 1);
    let on = d(2026, 11, 1);
    let field_codes = |v| codes(&child_visit(v, birth, on));
    assert!(
        field_codes(AnakVisit {
            weight_kg: Some(0.8),
            ..Default::default()
        })
        .contains(&("weight_kg".into(), "out_of_range".into(), Severity::Error))
    );
    assert!(
        !field_codes(AnakVisit {
            weight_kg: Some(0.9),
            ..Default::default()
        })
        .iter()
        .any(|(_, c, _)| c == "out_of_range")
    );
    assert!(
        field_codes(AnakVisit {
            weight_kg: Some(58.1),
            ..Default::default()
        })
        .iter()
        .any(|(f, c, _)| f == "weight_kg" && c == "out_of_range")
    );
    assert!(
        field_codes(AnakVisit {
            lenhei_cm: Some(37.9),
            measure: Some(crate::growth::Measure::Lying),
            ..Default::default()
        })
        .iter()
        .any(|(f, c, _)| f == "lenhei_cm" && c == "out_of_range")
    );
    assert!(
        field_codes(AnakVisit {
            lenhei_cm: Some(150.1),
            measure: Some(crate::growth::Measure::Lying),
            ..Default::default()
        })
        .iter()
        .any(|(f, c, _)| f == "lenhei_cm" && c == "out_of_range")
    );
    assert!(
        field_codes(AnakVisit {
            headc_cm: Some(24.9),
            ..Default::default()
        })
        .iter()
        .any(|(f, c, _)| f == "headc_cm" && c == "out_of_range")
    );
    assert!(
        field_codes(AnakVisit {
            headc_cm: Some(60.1),
            ..Default::default()
        })
        .iter()
        .any(|(f, c, _)| f == "headc_cm" && c == "out_of_range")
    );
    // 18 months at 50 cm is possible by the hard limit but z < −6: a warning on the length.
    let w = field_codes(AnakVisit {
        lenhei_cm: Some(50.0),
        measure: Some(crate::growth::Measure::Lying),
        ..Default::default()
    });
    assert!(w.contains(&("lenhei_cm".into(), "z_implausible".into(), Severity::Warning)));
    // A length with no position chosen only warns.
    let w = field_codes(AnakVisit {
        lenhei_cm: Some(80.0),
        ..Default::default()
    });
    assert!(w.contains(&("measure".into(), "measure_missing".into(), Severity::Warning)));
}

#[test]
fn adult_ranges_warn_then_reject() {
    let at = |w| {
        codes(&hamil(HamilVisit {
            weight_kg: Some(w),
            ..Default::default()
        }))
    };
    assert_eq!(at(35.0), vec![]);
    assert_eq!(
        at(34.9),
        [("weight_kg".into(), "implausible".into(), Severity::Warning)]
    );
    assert_eq!(
        at(20.0),
        [("weight_kg".into(), "implausible".into(), Severity::Warning)]
    );
    assert_eq!(at(19.9), [("weight_kg".into(), "out_of_range".into(), Severity::Error)]);
    assert_eq!(
        at(250.1),
        [("weight_kg".into(), "out_of_range".into(), Severity::Error)]
    );
    let hb = |v| {
        codes(&hamil(HamilVisit {
            hb: Some(v),
            ..Default::default()
        }))
    };
    assert_eq!(hb(16.5), vec![]);
    assert_eq!(hb(16.6)[0].1, "implausible");
    assert_eq!(hb(1.9)[0].1, "out_of_range");
    let lila = |v| {
        codes(&hamil(HamilVisit {
            lila_cm: Some(v),
            ..Default::default()
        }))
    };
    assert_eq!(lila(17.9)[0].1, "implausible");
    assert_eq!(lila(60.1)[0].1, "out_of_range");
    let h = |v| {
        codes(&catin(
            CatinVisit {
                height_cm: Some(v),
                ..Default::default()
            },
            Sex::Male,
        ))
    };
    assert_eq!(h(185.0), vec![]);
    assert_eq!(h(185.1)[0].1, "implausible");
    assert_eq!(h(99.9)[0].1, "out_of_range");
}

#[test]
fn messages_are_indonesian_and_name_the_field() {
    let a = hamil(HamilVisit {
        weight_kg: Some(300.0),
        ..Default::default()
    });
    let p = &a.problems[0];
    assert_eq!(p.field, "weight_kg");
    assert!(p.message_id.starts_with("Berat badan 300"), "{}", p.message_id);
    assert!(p.message_en.starts_with("Weight 300"));
}

#[test]
fn dates_in_the_future_before_birth_or_enrolment_are_errors() {
    let e = enrolment(hamil_details(d(2026, 6, 1)), d(2026, 7, 1));
    let p = woman(d(1998, 1, 1));
    let fut = run(&e, p, d(2026, 11, 24), VisitData::IbuHamil(HamilVisit::default()));
    assert!(codes(&fut).contains(&("visit_date".into(), "future_date".into(), Severity::Error)));
    let early = run(&e, p, d(2026, 6, 30), VisitData::IbuHamil(HamilVisit::default()));
    assert!(codes(&early).contains(&("visit_date".into(), "before_enrolment".into(), Severity::Error)));
    let hb_late = run(
        &e,
        p,
        d(2026, 11, 1),
        VisitData::IbuHamil(HamilVisit {
            hb_date: Some(d(2026, 11, 2)),
            ..Default::default()
        }),
    );
    assert!(codes(&hb_late).contains(&("hb_date".into(), "future_date".into(), Severity::Error)));
    let wrong = run(&e, p, d(2026, 11, 1), VisitData::Catin(CatinVisit::default()));
    assert!(codes(&wrong).contains(&("kind".into(), "kind_mismatch".into(), Severity::Error)));
}

#[test]
fn nifas_visits_fall_in_kf_windows_to_day_42() {
    let e = enrolment(EnrolmentDetails::delivered(d(2026, 10, 1)), d(2026, 10, 1));
    let at = |day: u64| {
        run(
            &e,
            woman(d(1998, 1, 1)),
            d(2026, 10, 1) + chrono::Days::new(day),
            VisitData::Nifas(NifasVisit::default()),
        )
    };
    assert_eq!(at(2).results.kf_window, Some(1));
    assert_eq!(at(3).results.kf_window, Some(2));
    assert_eq!(at(28).results.kf_window, Some(3));
    assert_eq!(at(42).results.kf_window, Some(4));
    assert!(codes(&at(43)).contains(&("visit_date".into(), "outside_nifas".into(), Severity::Error)));
    assert_eq!(TargetKind::Nifas, e.kind);
}

#[test]
fn a_pregnancys_danger_sign_is_refused_after_delivery_and_no_result_stands_beside_an_error() {
    let e = enrolment(EnrolmentDetails::delivered(d(2026, 11, 10)), d(2026, 11, 10));
    assert!(!DangerSign::for_kind(TargetKind::Nifas).contains(&DangerSign::GerakanJaninBerkurang));
    assert!(DangerSign::for_kind(TargetKind::IbuHamil).contains(&DangerSign::KetubanPecahDini));
    let a = run(
        &e,
        woman(d(1998, 1, 1)),
        d(2026, 11, 15),
        VisitData::Nifas(NifasVisit {
            danger_signs: vec![DangerSign::GerakanJaninBerkurang],
            hb: Some(9.0),
            ..Default::default()
        }),
    );
    let p = a.problems.iter().find(|p| p.is_error()).expect("refused");
    assert_eq!(
        (p.code.as_str(), p.field.as_str()),
        ("danger_sign_invalid", "danger_signs")
    );
    assert!(
        a.results.flags.is_empty(),
        "no flag from a form with an error: {:?}",
        a.results.flags
    );
    assert_eq!(
        a.results.rules_version,
        Rules::default().version,
        "the versions still say what judged it"
    );
}

#[test]
fn an_empty_form_names_what_the_results_need() {
    let a = hamil(HamilVisit::default());
    assert_eq!(a.missing, ["weight_kg", "lila_cm", "hb"]);
    let a = hamil(HamilVisit {
        weight_kg: Some(55.0),
        lila_cm: Some(25.0),
        hb: Some(12.0),
        ..Default::default()
    });
    assert!(a.missing.is_empty());
}

#[test]
fn an_implausible_z_score_is_named_in_words_in_both_languages() {
    let a = child_visit(
        AnakVisit {
            lenhei_cm: Some(50.0),
            measure: Some(crate::growth::Measure::Lying),
            ..Default::default()
        },
        d(2025, 5, 1),
        d(2026, 11, 1),
    );
    let w = a
        .problems
        .iter()
        .find(|p| p.code == "z_implausible")
        .expect("a warning");
    assert!(
        w.message_en.starts_with("Length/height-for-age z-score = -"),
        "{}",
        w.message_en
    );
    assert!(
        w.message_id.starts_with("Nilai z PB/U atau TB/U = -"),
        "{}",
        w.message_id
    );
    assert!(w.message_id.contains(','), "a decimal comma: {}", w.message_id);
    assert!(!w.message_en.contains("LengthForAge"));
}
