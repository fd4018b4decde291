use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}
const NOV: Month = Month { year: 2026, month: 11 };
const VILLAGE: &str = "3602012002";

fn enr(n: u128, kind: TargetKind, start: NaiveDate, birth: NaiveDate) -> RecapEnrolment {
    RecapEnrolment {
        id: Uuid::from_u128(n),
        person_id: Uuid::from_u128(2000 + n),
        household_id: Uuid::from_u128(1000 + n),
        area_code: VILLAGE.into(),
        tpk: Some("TPK 1".into()),
        kind,
        start_date: start,
        end_date: None,
        end_reason: None,
        effective_end: None,
        birth_date: birth,
        catin: (kind == TargetKind::Catin).then(Default::default),
    }
}
fn visit(n: u128, date: NaiveDate) -> RecapVisit {
    RecapVisit {
        enrolment_id: Uuid::from_u128(n),
        household_id: Uuid::from_u128(1000 + n),
        visit_date: date,
        flags: vec![],
        services: Services::default(),
        ttd_total: None,
        kbpp_method: None,
        measured: Default::default(),
    }
}
fn group(r: &Recap, g: TargetGroup) -> RecapRow {
    r.totals_by_group()
        .into_iter()
        .find(|row| row.group == Some(g))
        .unwrap_or_default()
}

#[test]
fn caseload_new_enrolments_and_exits() {
    let mut ended = enr(2, TargetKind::IbuHamil, d(2026, 3, 1), d(1998, 1, 1));
    ended.end_date = Some(d(2026, 11, 10));
    ended.end_reason = Some(ExitReason::Melahirkan);
    ended.effective_end = ended.end_date;
    let mut nifas_done = enr(3, TargetKind::Nifas, d(2026, 10, 1), d(1998, 1, 1));
    nifas_done.effective_end = Some(d(2026, 11, 12)); // day 42
    let input = RecapInput {
        enrolments: vec![
            enr(1, TargetKind::IbuHamil, d(2026, 11, 5), d(1999, 1, 1)),
            ended,
            nifas_done,
            enr(4, TargetKind::IbuHamil, d(2026, 12, 1), d(1999, 1, 1)), // after the month
        ],
        ..Default::default()
    };
    let r = compute(NOV, &input, &Rules::default());
    let hamil = group(&r, TargetGroup::IbuHamil);
    assert_eq!(hamil.caseload_end, 1);
    assert_eq!(hamil.new_enrolments, 1);
    assert_eq!(hamil.exits.get(&ExitReason::Melahirkan), Some(&1));
    let nifas = group(&r, TargetGroup::Nifas);
    assert_eq!(nifas.caseload_end, 0);
    assert_eq!(nifas.exits.get(&ExitReason::Selesai), Some(&1));
}

#[test]
fn visits_count_targets_once_and_flags_once_per_target() {
    let input = RecapInput {
        enrolments: vec![enr(1, TargetKind::Anak, d(2025, 1, 1), d(2025, 1, 1))],
        visits: vec![
            RecapVisit {
                flags: vec![RiskFlag::Stunted],
                services: Services {
                    kie: true,
                    referral: true,
                    ..Default::default()
                },
                ..visit(1, d(2026, 11, 2))
            },
            RecapVisit {
                flags: vec![RiskFlag::Stunted, RiskFlag::Underweight],
                services: Services {
                    kie: true,
                    ..Default::default()
                },
                ..visit(1, d(2026, 11, 20))
            },
            RecapVisit {
                flags: vec![RiskFlag::Wasted],
                ..visit(1, d(2026, 10, 20))
            }, // October
        ],
        ..Default::default()
    };
    let r = compute(NOV, &input, &Rules::default());
    let baduta = group(&r, TargetGroup::Baduta);
    assert_eq!((baduta.visited, baduta.visits), (1, 2));
    assert_eq!(baduta.flags.get(&RiskFlag::Stunted), Some(&1));
    assert_eq!(baduta.flags.get(&RiskFlag::Underweight), Some(&1));
    assert_eq!(baduta.flags.get(&RiskFlag::Wasted), None);
    assert_eq!((baduta.kie, baduta.referrals), (2, 1));
}

#[test]
fn children_split_into_baduta_and_balita_at_24_months() {
    let input = RecapInput {
        enrolments: vec![
            enr(1, TargetKind::Anak, d(2024, 12, 1), d(2024, 12, 1)), // 23 months on 30 Nov
            enr(2, TargetKind::Anak, d(2024, 11, 30), d(2024, 11, 30)), // 24 months on 30 Nov
        ],
        ..Default::default()
    };
    let r = compute(NOV, &input, &Rules::default());
    assert_eq!(group(&r, TargetGroup::Baduta).caseload_end, 1);
    assert_eq!(group(&r, TargetGroup::Balita).caseload_end, 1);
}

#[test]
fn ttd_target_counts_cumulative_tablets_up_to_month_end() {
    let input = RecapInput {
        enrolments: vec![
            enr(1, TargetKind::IbuHamil, d(2026, 5, 1), d(1998, 1, 1)),
            enr(2, TargetKind::IbuHamil, d(2026, 5, 1), d(1998, 1, 1)),
        ],
        visits: vec![
            RecapVisit {
                ttd_total: Some(90),
                ..visit(1, d(2026, 10, 15))
            },
            RecapVisit {
                ttd_total: Some(89),
                ..visit(2, d(2026, 11, 15))
            },
            RecapVisit {
                ttd_total: Some(120),
                ..visit(2, d(2026, 12, 15))
            },
        ],
        ..Default::default()
    };
    assert_eq!(
        group(&compute(NOV, &input, &Rules::default()), TargetGroup::IbuHamil).ttd_target_reached,
        1
    );
}

#[test]
fn kbpp_by_method_and_krs_accompanied() {
    let input = RecapInput {
        as_of: None,
        enrolments: vec![enr(1, TargetKind::Nifas, d(2026, 11, 1), d(1998, 1, 1))],
        visits: vec![
            RecapVisit {
                kbpp_method: Some(KbppMethod::Implan),
                ..visit(1, d(2026, 11, 3))
            },
            RecapVisit {
                kbpp_method: Some(KbppMethod::Implan),
                ..visit(1, d(2026, 11, 20))
            },
        ],
        households: vec![
            RecapHousehold {
                id: Uuid::from_u128(1001),
                area_code: VILLAGE.into(),
                krs: true,
                known_from: None,
            },
            RecapHousehold {
                id: Uuid::from_u128(1002),
                area_code: VILLAGE.into(),
                krs: true,
                known_from: None,
            },
            RecapHousehold {
                id: Uuid::from_u128(1003),
                area_code: VILLAGE.into(),
                krs: false,
                known_from: None,
            },
        ],
    };
    let r = compute(NOV, &input, &Rules::default());
    assert_eq!(group(&r, TargetGroup::Nifas).kbpp.get(&KbppMethod::Implan), Some(&1));
    assert_eq!(
        r.krs_total(),
        KrsRow {
            area_code: String::new(),
            krs_families: 2,
            krs_accompanied: 1
        }
    );
}

#[test]
fn months_parse_and_bound() {
    let m = Month::parse("2024-02").unwrap();
    assert_eq!(m.last_day(), d(2024, 2, 29));
    assert!(Month::parse("2024-13").is_none());
    assert!(Month::parse("x").is_none());
    assert_eq!(m.to_string(), "2024-02");
    assert_eq!(m.back(2).to_string(), "2023-12");
    assert_eq!(m.back(14).to_string(), "2022-12");
    assert_eq!(m.back(0), m);
    assert_eq!(Month::of(d(2024, 2, 29)), m);
}

#[test]
fn people_and_families_are_counted_once_over_an_area_and_not_summed_from_villages() {
    let other = "3602012003";
    // One mother registered in two villages (twice), both pregnancies visited; and one
    // family with a pregnant mother and a baduta.
    let mut a = enr(1, TargetKind::IbuHamil, d(2026, 9, 1), d(1996, 1, 1));
    let mut b = enr(2, TargetKind::IbuHamil, d(2026, 9, 1), d(1996, 1, 1));
    b.area_code = other.into();
    b.person_id = a.person_id;
    let mut child = enr(3, TargetKind::Anak, d(2026, 1, 1), d(2026, 1, 1));
    child.household_id = a.household_id;
    a.tpk = Some("TPK 2".into());
    let input = RecapInput {
        as_of: None,
        enrolments: vec![a, b, child],
        visits: vec![
            visit(1, d(2026, 11, 3)),
            visit(2, d(2026, 11, 9)),
            visit(3, d(2026, 11, 9)),
        ],
        households: vec![],
    };
    let r = compute(NOV, &input, &Rules::default());
    let of = |a: &str| {
        let d = r.distinct_of(a);
        (d.families_with_targets, d.persons_visited)
    };
    assert_eq!(of(VILLAGE), (1, 2));
    assert_eq!(of(other), (1, 1));
    // Over both villages (their kecamatan): two families, two people — not 1 + 1 and 2 + 1.
    assert_eq!(of("360201"), (2, 2));
    assert_eq!(
        (r.distinct_total.families_with_targets, r.distinct_total.persons_visited),
        (2, 2)
    );
    let children = r.by_child_area("360201");
    assert_eq!(
        children.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
        [VILLAGE, other]
    );
    // Enrolment counts do add up.
    let visited: u32 = r.rows.iter().map(|row| row.visited).sum();
    assert_eq!(visited, 3);
}

#[test]
fn the_indicators_are_the_recaps_numbers_split_by_area_and_the_lists_lengths() {
    use crate::indicators::{Indicator, by_area, total};
    use crate::lists::{NameList, members};
    let mut other = enr(3, TargetKind::Anak, d(2025, 1, 1), d(2025, 1, 1));
    other.area_code = "3602012003".into();
    // A pregnancy that ends on the month's last day: at its end and leaving, counted once.
    let mut delivered = enr(4, TargetKind::IbuHamil, d(2026, 3, 1), d(1998, 1, 1));
    delivered.effective_end = Some(d(2026, 11, 30));
    // One that ended mid-month: accompanied this month, though not at its end.
    let mut mid = enr(5, TargetKind::IbuHamil, d(2026, 3, 1), d(1997, 1, 1));
    mid.effective_end = Some(d(2026, 11, 15));
    let both = crate::recap::Measured {
        weight: true,
        length: true,
    };
    let input = RecapInput {
        as_of: None,
        enrolments: vec![
            enr(1, TargetKind::Anak, d(2025, 1, 1), d(2025, 1, 1)),
            enr(2, TargetKind::IbuHamil, d(2026, 6, 1), d(1999, 1, 1)),
            other,
            delivered,
            mid,
        ],
        visits: vec![
            RecapVisit {
                flags: vec![RiskFlag::Stunted, RiskFlag::Underweight],
                services: Services {
                    referral: true,
                    ..Default::default()
                },
                measured: both,
                ..visit(1, d(2026, 11, 2))
            },
            RecapVisit {
                flags: vec![RiskFlag::Stunted],
                measured: both,
                ..visit(1, d(2026, 11, 20))
            },
            // KEK and anaemia at once: one woman on the list and in the count.
            RecapVisit {
                flags: vec![RiskFlag::Kek, RiskFlag::Anemia],
                ..visit(2, d(2026, 11, 4))
            },
            // Weighed only: among the weighed, not the measured.
            RecapVisit {
                measured: crate::recap::Measured {
                    weight: true,
                    length: false,
                },
                ..visit(3, d(2026, 11, 5))
            },
        ],
        households: vec![RecapHousehold {
            id: Uuid::from_u128(1003),
            area_code: "3602012003".into(),
            krs: true,
            known_from: None,
        }],
    };
    let rules = Rules::default();
    let r = compute(NOV, &input, &rules);
    let rows = by_area(NOV, &input, &rules, 10);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let t = total(&rows);
    let children: u32 = [TargetGroup::Baduta, TargetGroup::Balita]
        .iter()
        .map(|g| group(&r, *g).visited)
        .sum();
    assert_eq!((t.get(Indicator::ChildrenVisited), children), (2, 2));
    assert_eq!(
        t.get(Indicator::Stunted),
        group(&r, TargetGroup::Baduta).flags[&RiskFlag::Stunted]
    );
    assert_eq!(t.get(Indicator::Underweight), 1);
    assert_eq!(t.get(Indicator::Wasted), 0);
    assert_eq!(
        (t.get(Indicator::ChildrenMeasured), t.get(Indicator::ChildrenWeighed)),
        (1, 2),
        "each child once, however many visits"
    );
    assert_eq!(
        t.get(Indicator::Pregnant),
        group(&r, TargetGroup::IbuHamil).caseload_end + 1,
        "the woman who left mid-month counts; the one who left on the 30th counts once"
    );
    assert_eq!(t.get(Indicator::Referrals), 1);
    let list_len = |l| {
        members(l, NOV, || Ok::<_, ()>(input.clone()), &rules)
            .unwrap()
            .unwrap()
            .len() as u32
    };
    assert_eq!(t.get(Indicator::KekAnaemia), list_len(NameList::KekAnaemia));
    assert_eq!(t.get(Indicator::KekAnaemia), 1);
    assert_eq!(t.get(Indicator::Stunted), list_len(NameList::Stunted));
    assert_eq!(t.get(Indicator::KrsFamilies), r.krs_total().krs_families);
    assert_eq!(rows["3602012003"].get(Indicator::KrsAccompanied), 1);
    assert_eq!(rows["3602012002"].get(Indicator::KrsFamilies), 0);
    assert_eq!(t.percent(Indicator::Stunted), Some(100.0), "of the measured");
    assert_eq!(t.percent(Indicator::Underweight), Some(50.0), "of the weighed");
    assert_eq!(
        rows["3602012003"].percent(Indicator::KekAnaemia),
        None,
        "no pregnant woman there"
    );
    let kecamatan = by_area(NOV, &input, &rules, 6);
    assert_eq!(total(&kecamatan), t, "the same totals whatever the split");
}

#[test]
fn catin_are_counted_as_screened_in_time_for_their_wedding_and_the_unscreened_listed() {
    use crate::indicators::{Indicator, by_area, total};
    use crate::lists::{Member, NameList, members};
    let catin = |n: u128, wedding: NaiveDate, screened: Option<NaiveDate>| {
        let mut e = enr(n, TargetKind::Catin, d(2026, 6, 1), d(2000, 1, 1));
        e.catin = Some(crate::recap::CatinStatus {
            wedding_date: Some(wedding),
            screened_on: screened,
        });
        e
    };
    let input = RecapInput {
        enrolments: vec![
            // Screened four months ahead: in time.
            catin(1, d(2026, 11, 20), Some(d(2026, 7, 1))),
            // Screened, but less than three months ahead.
            catin(2, d(2026, 11, 25), Some(d(2026, 10, 1))),
            // Not screened, wedding in February.
            catin(3, d(2027, 2, 1), None),
            // Screened only after the month: not yet at its end.
            catin(4, d(2027, 3, 1), Some(d(2026, 12, 5))),
        ],
        ..Default::default()
    };
    let rules = Rules::default();
    let t = total(&by_area(NOV, &input, &rules, 10));
    assert_eq!(
        [
            Indicator::Catin,
            Indicator::CatinUnscreened,
            Indicator::Weddings,
            Indicator::WeddingsScreenedInTime
        ]
        .map(|i| t.get(i)),
        [4, 2, 2, 1]
    );
    assert_eq!(t.percent(Indicator::WeddingsScreenedInTime), Some(50.0));
    let listed: Vec<Uuid> = members(NameList::CatinUnscreened, NOV, || Ok::<_, ()>(input.clone()), &rules)
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|m| match m {
            Member::Target { enrolment_id, .. } => enrolment_id,
            Member::Family { .. } => panic!("a catin is a target"),
        })
        .collect();
    assert_eq!(
        listed,
        vec![Uuid::from_u128(3), Uuid::from_u128(4)],
        "the list is the number"
    );
}

#[test]
fn the_month_still_running_is_counted_to_today_and_says_so() {
    // Delivered 8 November: postpartum to 20 December. On 7 December she is a target; the
    // whole of December (counted after it) no longer has her at its end.
    let mut nifas = enr(1, TargetKind::Nifas, d(2026, 11, 8), d(1998, 1, 1));
    nifas.effective_end = Some(d(2026, 12, 20));
    let dec = Month { year: 2026, month: 12 };
    let mut input = RecapInput {
        enrolments: vec![nifas],
        visits: vec![visit(1, d(2026, 12, 1))],
        ..Default::default()
    };
    let whole = compute(dec, &input, &Rules::default());
    assert_eq!(whole.as_of, Some(d(2026, 12, 31)));
    assert_eq!(group(&whole, TargetGroup::Nifas).caseload_end, 0);
    assert_eq!(whole.distinct_total.families_with_targets, 0);

    input.as_of = Some(d(2026, 12, 7));
    let today = compute(dec, &input, &Rules::default());
    assert_eq!(today.as_of, Some(d(2026, 12, 7)));
    assert_eq!(group(&today, TargetGroup::Nifas).caseload_end, 1);
    assert_eq!(group(&today, TargetGroup::Nifas).visited, 1);
    assert_eq!(today.distinct_total.families_with_targets, 1);
    // A month that has ended is whole whatever today is.
    let nov = compute(NOV, &input, &Rules::default());
    assert_eq!(nov.as_of, Some(d(2026, 11, 30)));
}

#[test]
fn a_month_is_shown_only_between_the_first_record_and_today() {
    let today = d(2026, 12, 7);
    let first = Some(Month { year: 2025, month: 11 });
    let dec = Month { year: 2026, month: 12 };
    assert_eq!(dec.shown(first, today), Ok(()));
    assert_eq!(
        Month { year: 2027, month: 1 }.shown(first, today),
        Err(MonthRefused::NotYet)
    );
    assert_eq!(
        Month { year: 1999, month: 1 }.shown(first, today),
        Err(MonthRefused::BeforeData(Month { year: 2025, month: 11 }))
    );
    assert_eq!(Month { year: 2025, month: 11 }.shown(first, today), Ok(()));
    // Nothing recorded yet: this month only, never "no data before December".
    assert_eq!(dec.shown(None, today), Ok(()));
    assert_eq!(NOV.shown(None, today), Err(MonthRefused::BeforeData(dec)));
    let months = Month::shown_months(first, today, 24);
    assert_eq!(
        (months.len(), months[0], *months.last().unwrap()),
        (14, dec, Month { year: 2025, month: 11 })
    );
    assert_eq!(Month::shown_months(None, today, 24), vec![dec]);
}

#[test]
fn a_family_at_risk_counts_from_when_it_was_known_not_before() {
    let dec = Month { year: 2026, month: 12 };
    let family = |n: u128, known: Option<NaiveDate>| RecapHousehold {
        id: Uuid::from_u128(n),
        area_code: VILLAGE.into(),
        krs: true,
        known_from: known,
    };
    let input = RecapInput {
        households: vec![
            family(1, Some(d(2026, 12, 3))),
            family(2, Some(d(2026, 11, 30))),
            family(3, None),
        ],
        as_of: Some(d(2026, 12, 7)),
        ..Default::default()
    };
    let krs = |m: Month| compute(m, &input, &Rules::default()).krs_total().krs_families;
    assert_eq!(krs(NOV), 2, "the family first recorded on 3 December is not November's");
    assert_eq!(krs(dec), 3);
    assert_eq!(krs(Month { year: 2026, month: 10 }), 1, "only the one always known");
}
