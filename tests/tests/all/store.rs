//! The device store as the screens and sync use it.

use pendamping_core::household::WaterSource;
use pendamping_core::recap::{Month, TargetGroup};
use pendamping_core::risk::RiskFlag;
use pendamping_core::schedule::DueStatus;
use pendamping_core::visit::{AnakVisit, VisitData};
use pendamping_core::{Entity, ExitReason, Relationship, Sex, TargetKind};
use pendamping_store::{Delivery, StoreError};
use pendamping_tests::*;

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

#[test]
fn a_recorded_visit_is_saved_with_results_and_queued_in_the_same_transaction() {
    let mut s = store_at(today());
    let (_, _, child, e) = family_with_child(&mut s, 100, VILLAGE, d(2025, 5, 1));
    let before = s.pending_count().unwrap();
    let out = s
        .record_visit(&child_visit(900, &e, d(2026, 11, 1), 9.5, 74.0))
        .unwrap();
    assert!(out.assessment.results.flags.contains(&RiskFlag::Stunted));
    assert_eq!(s.pending_count().unwrap(), before + 1);
    let queued = s.outbox(1000).unwrap();
    let change = queued.last().unwrap();
    assert_eq!((change.entity, change.row_id), (Entity::Visit, out.id));
    assert!(
        !change.fields.contains_key("results"),
        "derived results stay off the wire: every replica computes them"
    );
    let t = s.timeline(child.id).unwrap();
    let saved = t.visits.iter().find(|v| v.visit.id == out.id).unwrap();
    assert_eq!(
        saved.results.as_ref(),
        Some(&out.assessment.results),
        "stored here with the visit"
    );
    assert_eq!(s.visit(out.id).unwrap().unwrap().person_id, child.id);
    // Baduta: next visit a month on.
    assert_eq!(out.next_due, Some(d(2026, 12, 1)));
}

#[test]
fn an_invalid_visit_writes_nothing_and_names_the_field() {
    let mut s = store_at(today());
    let (_, _, _, e) = family_with_child(&mut s, 100, VILLAGE, d(2025, 5, 1));
    let pending = s.pending_count().unwrap();
    let err = s
        .record_visit(&child_visit(900, &e, d(2026, 11, 1), 75.0, 74.0))
        .unwrap_err();
    let StoreError::Invalid(problems) = &err else {
        panic!("{err}")
    };
    assert!(problems.iter().any(|p| p.field == "weight_kg" && p.is_error()));
    assert!(err.to_string().contains("weight_kg: Berat badan 75"), "{err}");
    assert_eq!(s.pending_count().unwrap(), pending);
    assert!(s.visit(uuid::Uuid::from_u128(900)).unwrap().is_none());
    // A batch with one bad visit is all or nothing.
    let good = child_visit(901, &e, d(2026, 10, 1), 9.0, 73.0);
    let bad = child_visit(902, &e, d(2026, 11, 1), 9.0, 200.0);
    assert!(s.record_visits(&[good.clone(), bad]).is_err());
    assert!(s.visit(good.id).unwrap().is_none());
    assert_eq!(s.pending_count().unwrap(), pending);
}

#[test]
fn an_edit_queues_only_the_changed_fields() {
    let mut s = store_at(today());
    let (_, mother, _, _) = family_with_child(&mut s, 100, VILLAGE, d(2025, 5, 1));
    let mut m = mother.clone();
    m.phone = Some("081234567890".into());
    let saved = s.save_person(&m).unwrap();
    let change = s
        .outbox(1000)
        .unwrap()
        .into_iter()
        .find(|c| Some(c.change_id) == saved.change_id)
        .unwrap();
    assert_eq!(change.fields.keys().collect::<Vec<_>>(), ["phone"]);
    // Saving the same again queues nothing.
    assert_eq!(s.save_person(&m).unwrap().change_id, None);
}

#[test]
fn a_nik_is_registered_once() {
    let mut s = store_at(today());
    let (h, mother, _, _) = family_with_child(&mut s, 100, VILLAGE, d(2025, 5, 1));
    let mut twin = person(
        500,
        &h,
        "Siti Aminah",
        Sex::Female,
        mother.birth_date,
        Relationship::FamiliLain,
    );
    twin.nik = mother.nik.clone();
    let StoreError::Invalid(p) = s.save_person(&twin).unwrap_err() else {
        panic!()
    };
    assert!(p.iter().any(|p| p.code == "nik_duplicate" && p.field == "nik"));
}

#[test]
fn search_by_name_prefix_ignores_case_and_accents_and_stays_in_scope() {
    let mut s = store_at(today());
    let h = household(1, VILLAGE, "Ahmad");
    s.save_household(&h).unwrap();
    for (n, name) in [
        (2, "Désy Ratnasari"),
        (3, "Dewi Sartika"),
        (4, "Siti Nur'aini"),
        (5, "Ratna Dewi"),
    ] {
        s.save_person(&person(
            n,
            &h,
            name,
            Sex::Female,
            d(1995, 1, n as u32),
            Relationship::FamiliLain,
        ))
        .unwrap();
    }
    let other = household(10, OTHER_VILLAGE, "Budi");
    s.save_household(&other).unwrap();
    s.save_person(&person(
        11,
        &other,
        "Desi Anggraini",
        Sex::Female,
        d(1994, 2, 2),
        Relationship::Istri,
    ))
    .unwrap();

    let names = |q: &str, area: &str| -> Vec<String> {
        s.search_persons(q, Some(&at(area)), 10)
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect()
    };
    assert_eq!(names("DES", VILLAGE), ["Désy Ratnasari"]);
    assert_eq!(names("des", KECAMATAN), ["Desi Anggraini", "Désy Ratnasari"]);
    assert_eq!(names("dewi", VILLAGE), ["Dewi Sartika", "Ratna Dewi"]);
    // Every word is a prefix of some word of the name; names in the typed order first.
    assert_eq!(names("ratna de", VILLAGE), ["Ratna Dewi", "Désy Ratnasari"]);
    assert_eq!(names("nuraini", VILLAGE), ["Siti Nur'aini"]);
    assert!(names("zz", VILLAGE).is_empty());
    // NIK search by prefix; lists show it masked.
    let nik = pendamping_core::nik::compose("360201", Sex::Female, d(1995, 1, 3), 4);
    let hits = s.search_persons(&nik[..10], Some(&at(VILLAGE)), 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].name, "Dewi Sartika");
    assert_eq!(
        hits[0].nik_masked.as_deref(),
        Some(pendamping_core::nik::mask(&nik).as_str())
    );
    assert!(!hits[0].nik_masked.as_ref().unwrap().contains(&nik[6..14]));
}

#[test]
fn the_due_list_shows_overdue_and_due_this_week_in_scope() {
    let mut s = store_at(today());
    let (_, _, _, e1) = family_with_child(&mut s, 100, VILLAGE, d(2025, 5, 1));
    let (_, _, _, e2) = family_with_child(&mut s, 200, VILLAGE, d(2025, 6, 1));
    let (_, _, _, e3) = family_with_child(&mut s, 300, OTHER_VILLAGE, d(2025, 6, 1));
    // e1 visited 1 Oct (due 31 Oct: overdue); e2 visited 20 Nov (due 20 Dec: later).
    s.record_visit(&child_visit(901, &e1, d(2026, 10, 1), 9.0, 76.0))
        .unwrap();
    s.record_visit(&child_visit(902, &e2, d(2026, 11, 20), 9.0, 76.0))
        .unwrap();
    s.record_visit(&child_visit(903, &e3, d(2026, 10, 1), 9.0, 76.0))
        .unwrap();
    let due = s.due_list(&at(VILLAGE), today()).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].target.enrolment_id, e1.id);
    assert_eq!(
        (due[0].due, due[0].status, due[0].days_overdue),
        (d(2026, 10, 31), DueStatus::Overdue, 23)
    );
    assert_eq!(s.due_list(&at(KECAMATAN), today()).unwrap().len(), 2);
    // An area is a checked code, dotted or not; a malformed one is no area (not the
    // codes its text happens to prefix: "36020" would have taken every kecamatan 36020x).
    assert_eq!(
        s.due_list(&at(&pendamping_core::area::dotted(KECAMATAN)), today())
            .unwrap()
            .len(),
        2
    );
    assert!(
        pendamping_core::area::AreaCode::parse(&KECAMATAN[..5]).is_err(),
        "a malformed code is no area to ask for"
    );
    assert_eq!(s.households_in(&at(KECAMATAN), 0, 10).unwrap().len(), 3);
    // Ending the enrolment takes it off the list.
    s.end_enrolment(e1.id, d(2026, 11, 22), ExitReason::Pindah).unwrap();
    assert!(s.due_list(&at(VILLAGE), today()).unwrap().is_empty());
}

#[test]
fn timeline_and_growth_series_come_in_order() {
    let mut s = store_at(today());
    let (_, _, child, e) = family_with_child(&mut s, 100, VILLAGE, d(2025, 5, 1));
    s.record_visit(&child_visit(902, &e, d(2026, 10, 1), 9.0, 73.0))
        .unwrap();
    s.record_visit(&child_visit(901, &e, d(2026, 9, 1), 8.8, 72.0)).unwrap();
    let t = s.timeline(child.id).unwrap();
    assert_eq!(t.enrolments.len(), 1);
    assert_eq!(
        t.visits.iter().map(|v| v.visit.visit_date).collect::<Vec<_>>(),
        [d(2026, 10, 1), d(2026, 9, 1)]
    );
    assert!(t.visits[0].results.as_ref().unwrap().anthro.is_some());
    let g = s.growth_series(child.id).unwrap();
    assert_eq!(
        g.iter().map(|p| p.date).collect::<Vec<_>>(),
        [d(2026, 9, 1), d(2026, 10, 1)]
    );
    assert_eq!(g[1].age_days, 518);
    assert!(g[1].z_len.unwrap() < -2.0);
}

#[test]
fn a_delivery_ends_the_pregnancy_and_enrols_mother_and_baby() {
    let mut s = store_at(today());
    let h = household(1, VILLAGE, "Ahmad");
    s.save_household(&h).unwrap();
    let mother = person(2, &h, "Siti", Sex::Female, d(1997, 1, 1), Relationship::Istri);
    s.save_person(&mother).unwrap();
    let hamil = enrolment(3, &mother, d(2026, 3, 1), hamil_details(d(2026, 2, 10)));
    s.save_enrolment(&hamil).unwrap();
    let delivery = Delivery {
        date: d(2026, 11, 15),
        place: Some("Puskesmas".into()),
        attendant: Some("Bidan".into()),
        mode: None,
        gestational_age_weeks: Some(39),
        baby_name: "Bayi Ny. Siti".into(),
        baby_sex: Sex::Male,
        birth_weight_g: Some(2400.0),
        birth_length_cm: Some(47.0),
    };
    let r = s.record_delivery(hamil.id, &delivery).unwrap();
    let ended = s.enrolment(hamil.id).unwrap().unwrap();
    assert_eq!(
        (ended.end_date, ended.end_reason),
        (Some(d(2026, 11, 15)), Some(ExitReason::Melahirkan))
    );
    let baby = s.person(r.child_id).unwrap().unwrap();
    assert_eq!(
        (baby.nik, baby.mother_id, baby.mother_nik),
        (None, Some(mother.id), mother.nik.clone())
    );
    assert_eq!(
        s.enrolment(r.child_enrolment_id).unwrap().unwrap().kind,
        TargetKind::Anak
    );
    let due = s.due_list(&at(VILLAGE), today()).unwrap();
    let kinds: Vec<_> = due.iter().map(|d| d.target.kind).collect();
    assert!(kinds.contains(&TargetKind::Nifas) && kinds.contains(&TargetKind::Anak));
    // The baby's enrolment carries the birth-size flags into the first visit.
    let child_e = s.enrolment(r.child_enrolment_id).unwrap().unwrap();
    let v = s
        .record_visit(&child_visit(50, &child_e, d(2026, 11, 20), 2.6, 48.0))
        .unwrap();
    assert!(v.assessment.results.flags.contains(&RiskFlag::LowBirthWeight));
}

#[test]
fn krs_status_follows_the_household_and_its_members() {
    let mut s = store_at(today());
    let (mut h, _, _, _) = family_with_child(&mut s, 100, VILLAGE, d(2025, 5, 1));
    assert!(!s.households_in(&at(VILLAGE), 0, 10).unwrap()[0].krs);
    h.water_source = Some(WaterSource::AirPermukaan);
    s.save_household(&h).unwrap();
    let list = s.households_in(&at(VILLAGE), 0, 10).unwrap();
    assert!(list[0].krs);
    assert_eq!(list[0].members, 2);
    assert_eq!(list[0].kk_masked.as_ref().unwrap().len(), 16);
}

#[test]
fn a_deleted_person_leaves_lists_and_search() {
    let mut s = store_at(today());
    let (_, mother, _, _) = family_with_child(&mut s, 100, VILLAGE, d(2025, 5, 1));
    s.delete(Entity::Person, mother.id).unwrap();
    assert!(s.person(mother.id).unwrap().is_none());
    assert!(s.search_persons("siti", Some(&at(VILLAGE)), 10).unwrap().is_empty());
    let change = s.outbox(1000).unwrap().pop().unwrap();
    assert!(change.is_delete());
}

#[test]
fn the_store_recap_counts_visits_and_flags_of_the_month() {
    let mut s = store_at(today());
    let (_, _, _, e) = family_with_child(&mut s, 100, VILLAGE, d(2025, 5, 1));
    s.record_visit(&child_visit(901, &e, d(2026, 11, 1), 9.5, 74.0))
        .unwrap();
    s.record_visit(&child_visit(902, &e, d(2026, 10, 1), 9.4, 73.5))
        .unwrap();
    let r = s.recap(Month { year: 2026, month: 11 }, &at(KECAMATAN)).unwrap();
    let baduta = r
        .totals_by_group()
        .into_iter()
        .find(|g| g.group == Some(TargetGroup::Baduta))
        .unwrap();
    assert_eq!((baduta.caseload_end, baduta.visited, baduta.visits), (1, 1, 1));
    assert_eq!(baduta.flags.get(&RiskFlag::Stunted), Some(&1));
}

#[test]
fn a_correction_needs_a_reason_and_replaces_the_measurement() {
    let mut s = store_at(today());
    let (_, _, child, e) = family_with_child(&mut s, 100, VILLAGE, d(2025, 5, 1));
    let mut v = child_visit(901, &e, d(2026, 11, 1), 9.5, 74.0);
    s.record_visit(&v).unwrap();
    v.data = VisitData::Anak(AnakVisit {
        lenhei_cm: Some(80.0),
        weight_kg: Some(9.5),
        measure: Some(pendamping_core::growth::Measure::Lying),
        ..Default::default()
    });
    assert!(matches!(s.correct_visit(&v, " "), Err(StoreError::Invalid(_))));
    let out = s.correct_visit(&v, "salah ketik panjang badan").unwrap();
    assert!(!out.assessment.results.flags.contains(&RiskFlag::Stunted));
    assert_eq!(s.growth_series(child.id).unwrap()[0].lenhei_cm, Some(80.0));
    assert_eq!(
        s.visit(v.id).unwrap().unwrap().correction_reason.as_deref(),
        Some("salah ketik panjang badan")
    );
}

#[test]
fn enrolments_of_one_kind_may_not_overlap_but_may_follow_each_other() {
    let mut s = store_at(today());
    let h = household(1, VILLAGE, "Ahmad");
    s.save_household(&h).unwrap();
    let mother = person(2, &h, "Siti", Sex::Female, d(1995, 1, 1), Relationship::Istri);
    s.save_person(&mother).unwrap();
    let mut past = enrolment(3, &mother, d(2024, 3, 1), hamil_details(d(2024, 2, 1)));
    past.end_date = Some(d(2024, 11, 1));
    past.end_reason = Some(ExitReason::Melahirkan);
    s.save_enrolment(&past).unwrap();
    s.save_enrolment(&enrolment(4, &mother, d(2026, 9, 1), hamil_details(d(2026, 7, 1))))
        .unwrap();
    let overlapping = enrolment(5, &mother, d(2026, 10, 1), hamil_details(d(2026, 8, 1)));
    let StoreError::Invalid(p) = s.save_enrolment(&overlapping).unwrap_err() else {
        panic!()
    };
    assert!(p.iter().any(|p| p.code == "already_enrolled" && p.field == "kind"));
}

#[test]
fn the_recap_counts_iron_tablets_reached_before_the_month() {
    use pendamping_core::visit::HamilVisit;
    let mut s = store_at(today());
    let h = household(1, VILLAGE, "Ahmad");
    s.save_household(&h).unwrap();
    let mother = person(2, &h, "Siti", Sex::Female, d(1997, 1, 1), Relationship::Istri);
    s.save_person(&mother).unwrap();
    let e = enrolment(3, &mother, d(2026, 5, 1), hamil_details(d(2026, 4, 1)));
    s.save_enrolment(&e).unwrap();
    let visit = |n: u128, date, ttd: Option<u32>| pendamping_core::Visit {
        id: uuid::Uuid::from_u128(n),
        enrolment_id: e.id,
        person_id: mother.id,
        household_id: h.id,
        area_code: VILLAGE.into(),
        visit_date: date,
        data: VisitData::IbuHamil(HamilVisit {
            ttd_total: ttd,
            ..Default::default()
        }),
        correction_reason: None,
        recorded_by: None,
    };
    s.record_visit(&visit(10, d(2026, 10, 5), Some(95))).unwrap();
    s.record_visit(&visit(11, d(2026, 11, 5), None)).unwrap();
    let hamil = |m: u32| {
        let r = s.recap(Month { year: 2026, month: m }, &at(VILLAGE)).unwrap();
        r.totals_by_group()
            .into_iter()
            .find(|g| g.group == Some(TargetGroup::IbuHamil))
            .unwrap()
    };
    assert_eq!(hamil(11).ttd_target_reached, 1);
    assert_eq!(hamil(11).visits, 1, "October's visit is not a November visit");
    assert_eq!(hamil(9).ttd_target_reached, 0);
}

#[test]
fn a_common_prefix_is_searched_in_name_order_with_names_that_begin_with_it_first() {
    let mut store = store_at(today());
    let h = household(1, VILLAGE, "Keluarga Besar");
    store.save_household(&h).unwrap();
    let other = household(2, OTHER_VILLAGE, "Keluarga Lain");
    store.save_household(&other).unwrap();
    // 600 names beginning "Ani …", one with "Ani" as a later word, one in another village.
    let words = [
        "zahra", "bunga", "melati", "citra", "dewi", "intan", "kartika", "lestari", "mawar", "puspita",
    ];
    let mut expected = Vec::new();
    for i in 0..600u32 {
        let name = format!("Ani {} {:03}", words[i as usize % words.len()], i);
        let mut p = person(
            100 + i as u128,
            &h,
            &name,
            Sex::Female,
            d(1990, 1, 1),
            Relationship::FamiliLain,
        );
        p.nik = None;
        store.save_person(&p).unwrap();
        expected.push(name.to_lowercase());
    }
    let mut later = person(
        5_000,
        &h,
        "Siti Ani",
        Sex::Female,
        d(1990, 1, 1),
        Relationship::FamiliLain,
    );
    later.nik = None;
    store.save_person(&later).unwrap();
    let mut away = person(
        5_001,
        &other,
        "Ani Zubaidah",
        Sex::Female,
        d(1990, 1, 1),
        Relationship::FamiliLain,
    );
    away.nik = None;
    store.save_person(&away).unwrap();
    expected.sort();

    let names = |q: &str, area: &str, limit: usize| -> Vec<String> {
        store
            .search_persons(q, Some(&at(area)), limit)
            .unwrap()
            .into_iter()
            .map(|p| p.name.to_lowercase())
            .collect()
    };
    // A page of 50: the first 50 "ani …" in name order, nothing from the other village.
    assert_eq!(names("an", VILLAGE, 50), expected[..50].to_vec());
    // The whole list: every "ani …" first, then the name with "ani" as a later word.
    let all = names("ani", VILLAGE, 1000);
    assert_eq!(all.len(), 601);
    assert_eq!(all[..600].to_vec(), expected);
    assert_eq!(all[600], "siti ani");
    // Two words: each must begin a word of the name.
    assert_eq!(names("ani mel", VILLAGE, 100).len(), 60);
    assert!(names("ani mel", VILLAGE, 100).iter().all(|n| n.contains(" melati ")));
    // The kecamatan sees both villages.
    assert!(names("ani", KECAMATAN, 1000).contains(&"ani zubaidah".to_string()));
}

#[test]
fn cached_statements_are_reused_not_re_prepared_visit_after_visit() {
    // SQLite re-prepares a statement whose plan could depend on a bound value after each
    // `clear_bindings`, which rusqlite's cache calls on every reuse; the store turns that
    // off. The schedule's query was re-parsed on every visit before.
    let mut s = store_at(today());
    let (_, _, _, e) = family_with_child(&mut s, 100, VILLAGE, d(2025, 5, 1));
    for i in 0..5u64 {
        let day = d(2026, 6, 1) + chrono::Days::new(i * 30);
        s.record_visit(&child_visit(
            900 + i as u128,
            &e,
            day,
            8.0 + i as f64 / 10.0,
            70.0 + i as f64,
        ))
        .unwrap();
    }
    let stmt = s
        .connection()
        .prepare_cached(
            "SELECT visit_date, flags FROM visits WHERE enrolment_id = ?1 AND deleted = 0 \
             ORDER BY visit_date DESC LIMIT 1",
        )
        .unwrap();
    use rusqlite::StatementStatus;
    assert!(
        stmt.get_status(StatementStatus::Run) >= 5,
        "the schedule's own cached statement"
    );
    assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0);
}

#[test]
fn a_weight_that_jumps_since_the_last_visit_is_warned_about_not_refused() {
    let mut s = store_at(today());
    let (_, _, _, e) = family_with_child(&mut s, 900, VILLAGE, d(2025, 5, 1));
    s.record_visit(&child_visit(901, &e, d(2026, 10, 23), 9.0, 74.0))
        .unwrap();
    let mut jump = |w: f64, n: u128| {
        s.preview_visit(&child_visit(n, &e, today(), w, 75.0))
            .unwrap()
            .assessment
            .problems
            .into_iter()
            .find(|p| p.code == "weight_jump")
    };
    assert!(jump(10.5, 902).is_none(), "1,5 kg in a month: within 2 kg");
    let p = jump(12.0, 903).expect("3 kg in a month is warned about");
    assert!(!p.is_error(), "a warning: it can still be saved");
    assert_eq!(p.field, "weight_kg");
    assert!(
        p.message_id.contains("9 kg → 12 kg sejak kunjungan 23 Oktober 2026"),
        "{}",
        p.message_id
    );
    assert!(s.record_visit(&child_visit(904, &e, today(), 12.0, 75.0)).is_ok());
}

#[test]
fn results_are_computed_on_arrival_even_when_the_visit_comes_before_its_child() {
    let mut origin = store_at(today());
    let (_, _, _, e) = family_with_child(&mut origin, 100, VILLAGE, d(2025, 5, 1));
    let out = origin
        .record_visit(&child_visit(900, &e, d(2026, 11, 1), 9.5, 74.0))
        .unwrap();
    let changes = origin.outbox(1000).unwrap();
    let (visits, rest): (Vec<_>, Vec<_>) = changes.into_iter().partition(|c| c.entity == Entity::Visit);
    assert!(visits.iter().all(|c| !c.fields.contains_key("results")));

    let mut replica = store_at(today());
    replica.apply_remote(&visits, Some("1")).unwrap();
    let flags = |s: &pendamping_store::Store| -> Option<String> {
        s.connection()
            .query_row("SELECT results FROM visits WHERE id = ?1", [out.id.to_string()], |r| {
                r.get(0)
            })
            .unwrap()
    };
    assert_eq!(flags(&replica), None, "no child yet: nothing to compute from");
    replica.apply_remote(&rest, Some("2")).unwrap();
    assert!(
        flags(&replica).is_some_and(|r| r.contains("stunted")),
        "computed once the child arrived"
    );
    assert_eq!(
        dump_area(&replica, VILLAGE),
        dump_area(&origin, VILLAGE),
        "same results as the origin"
    );

    // An older device still sending results: they are dropped, and computed here.
    let mut legacy = visits[0].clone();
    legacy.change_id = uuid::Uuid::from_u128(77);
    legacy
        .fields
        .insert("results".into(), serde_json::json!({"flags": ["wasted"]}));
    let report = replica.apply_remote(&[legacy], Some("3")).unwrap();
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert!(flags(&replica).is_some_and(|r| r.contains("stunted") && !r.contains("wasted")));
}

/// Another process writing the same store (a sync from the command line, an import) makes a
/// save wait its turn, never fail: a save that began reading while the other wrote, and found
/// its snapshot gone when the other committed, failed at once with "database is locked".
#[test]
fn a_save_while_another_process_writes_the_store_waits_its_turn() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let mut store = pendamping_store::Store::open(&path, options(clock_at(today()))).unwrap();
    store.save_household(&household(1, VILLAGE, "Ahmad")).unwrap();
    let other = rusqlite::Connection::open(&path).unwrap();
    other
        .execute_batch("BEGIN IMMEDIATE; UPDATE meta SET value = value WHERE key = 'device_id';")
        .unwrap();
    let writing = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        other.execute_batch("COMMIT").unwrap();
    });
    let started = std::time::Instant::now();
    store.save_household(&household(2, VILLAGE, "Budi")).unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(250), "it waited");
    writing.join().unwrap();
    assert_eq!(store.households_in(&at(VILLAGE), 0, 10).unwrap().len(), 2);
}
