//! Enrolling a family member as a target (catin, ibu hamil, ibu pasca persalinan,
//! baduta/balita, KRS family) and ending an enrolment with a reason.

use chrono::NaiveDate;
use pendamping_core::enrolment::{EnrolmentDetails, ExitReason};
use pendamping_core::{Enrolment, TargetKind};
use pendamping_store::{Delivery, DeliveryRecorded, Saved, Store};
use uuid::Uuid;

use crate::AppError;
use crate::families::in_scope;

/// Enrols a person from `start` with the details of the target type.
pub fn enrol(
    store: &mut Store,
    person_id: Uuid,
    start: NaiveDate,
    details: EnrolmentDetails,
) -> Result<Saved, AppError> {
    let person = store.person(person_id)?.ok_or_else(|| {
        AppError::invalid(
            "person_id",
            "Orang ini tidak ditemukan",
            "No such person on this device",
        )
    })?;
    in_scope(store, &person.area_code)?;
    // A family is accompanied as KRS when its data says it is at risk: otherwise the recap
    // would count more KRS families accompanied than there are.
    if details.kind() == TargetKind::Krs && !store.household_summary(person.household_id)?.is_some_and(|h| h.krs) {
        return Err(AppError::invalid(
            "kind",
            "Menurut datanya keluarga ini tidak berisiko stunting: lengkapi atau perbaiki data keluarga \
             (air minum, jamban, anggota) dulu",
            "By its data this family is not at risk of stunting: complete or correct the family's data \
             (drinking water, latrine, members) first",
        ));
    }
    let tpk = crate::setup::stamp_tpk(store, &person.area_code)?;
    let e = Enrolment::new(store.new_id(), &person, start, details, Some(tpk));
    Ok(store.save_enrolment(&e)?)
}

/// The reasons an enrolment of this kind may end with.
pub fn exit_reasons(kind: TargetKind) -> Vec<ExitReason> {
    ExitReason::allowed_for(kind).to_vec()
}

/// A visit from before the day a target was entered in the app (a cadre catching up on
/// paper): the enrolment starts from the visit instead. Only ever earlier, and never before
/// the person was born (the store checks the enrolment as it checks any).
pub fn start_earlier(store: &mut Store, id: Uuid, date: NaiveDate) -> Result<Saved, AppError> {
    let e = store
        .enrolment(id)?
        .ok_or_else(|| AppError::not_found("Pendampingan", "enrolment"))?;
    in_scope(store, &e.area_code)?;
    if date >= e.start_date {
        return Err(AppError::invalid(
            "start_date",
            "Tanggal mulai hanya dapat dimajukan ke tanggal yang lebih awal",
            "The start can only be moved to an earlier date",
        ));
    }
    Ok(store.start_enrolment_from(id, date)?)
}

pub fn end_enrolment(store: &mut Store, id: Uuid, date: NaiveDate, reason: ExitReason) -> Result<Saved, AppError> {
    let e = store
        .enrolment(id)?
        .ok_or_else(|| AppError::not_found("Pendampingan", "enrolment"))?;
    in_scope(store, &e.area_code)?;
    if !ExitReason::allowed_for(e.kind).contains(&reason) {
        return Err(AppError::invalid(
            "end_reason",
            "Alasan ini tidak berlaku untuk sasaran ini",
            "This reason does not apply to this target",
        ));
    }
    if date < e.start_date {
        return Err(AppError::invalid(
            "end_date",
            "Tanggal selesai tidak boleh sebelum tanggal mulai pendampingan",
            "The end date cannot be before the enrolment's start",
        ));
    }
    Ok(store.end_enrolment(id, date, reason)?)
}

/// A pregnancy that ended in a birth: the mother goes on as ibu pasca persalinan and the
/// baby is registered in the family and enrolled as baduta.
pub fn record_delivery(store: &mut Store, hamil_id: Uuid, d: &Delivery) -> Result<DeliveryRecorded, AppError> {
    let e = store
        .enrolment(hamil_id)?
        .ok_or_else(|| AppError::not_found("Pendampingan", "enrolment"))?;
    in_scope(store, &e.area_code)?;
    if d.baby_name.trim().is_empty() {
        return Err(AppError::invalid(
            "baby_name",
            "Nama bayi wajib diisi (boleh \"Bayi Ny. …\")",
            "The baby's name is required (\"Baby of Mrs …\" will do)",
        ));
    }
    Ok(store.record_delivery(hamil_id, d)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::setup;
    use pendamping_tests::*;

    #[test]
    fn a_mother_is_enrolled_as_pregnant_and_the_pregnancy_ends_with_an_allowed_reason() {
        let today = d(2026, 11, 24);
        let mut s = store_at(today);
        setup::work_offline(&mut s, &[VILLAGE.into()]).unwrap();
        let (_, mother, _, _) = family_with_child(&mut s, 1, VILLAGE, d(2025, 5, 1));
        let id = enrol(&mut s, mother.id, d(2026, 10, 1), hamil_details(d(2026, 8, 1)))
            .unwrap()
            .id;
        let e = s.enrolment(id).unwrap().unwrap();
        assert_eq!((e.kind, e.area_code.as_str()), (TargetKind::IbuHamil, VILLAGE));
        let again = enrol(&mut s, mother.id, d(2026, 10, 2), hamil_details(d(2026, 8, 1))).unwrap_err();
        assert_eq!(again.field.as_deref(), Some("kind"), "{again:?}");

        assert!(exit_reasons(TargetKind::IbuHamil).contains(&ExitReason::Keguguran));
        let wrong = end_enrolment(&mut s, id, today, ExitReason::Menikah).unwrap_err();
        assert_eq!(wrong.field.as_deref(), Some("end_reason"));
        let early = end_enrolment(&mut s, id, d(2026, 9, 1), ExitReason::Keguguran).unwrap_err();
        assert_eq!(early.field.as_deref(), Some("end_date"));
        end_enrolment(&mut s, id, today, ExitReason::Keguguran).unwrap();
        let e = s.enrolment(id).unwrap().unwrap();
        assert_eq!((e.end_date, e.end_reason), (Some(today), Some(ExitReason::Keguguran)));
    }

    #[test]
    fn a_family_is_accompanied_as_krs_only_when_its_data_says_it_is_at_risk() {
        let today = d(2026, 12, 7);
        let mut s = store_at(today);
        setup::work_offline(&mut s, &[VILLAGE.into()]).unwrap();
        // Piped water, a septic tank: not at risk by its data.
        let (h, mother, _, _) = family_with_child(&mut s, 1, VILLAGE, d(2025, 5, 1));
        assert!(!crate::families::family(&s, h.id).unwrap().krs);
        let refused = enrol(&mut s, mother.id, today, EnrolmentDetails::Krs {}).unwrap_err();
        assert_eq!(
            (refused.code.as_str(), refused.field.as_deref()),
            ("invalid", Some("kind"))
        );
        // Its water from the river: at risk, and accompanied.
        let mut river = h.clone();
        river.water_source = Some(pendamping_core::household::WaterSource::AirPermukaan);
        s.save_household(&river).unwrap();
        assert!(crate::families::family(&s, h.id).unwrap().krs);
        enrol(&mut s, mother.id, today, EnrolmentDetails::Krs {}).unwrap();
    }

    #[test]
    fn the_pregnancy_card_says_how_far_along_and_when_the_baby_is_due() {
        let today = d(2026, 12, 7);
        let mut s = store_at(today);
        setup::work_offline(&mut s, &[VILLAGE.into()]).unwrap();
        let (_, mother, child, _) = family_with_child(&mut s, 1, VILLAGE, d(2024, 5, 1));
        enrol(&mut s, mother.id, d(2026, 9, 1), hamil_details(d(2026, 8, 1))).unwrap();
        let tl = crate::visits::timeline(&s, mother.id).unwrap();
        let pregnancy = tl.enrolments.iter().find_map(|e| e.pregnancy).unwrap();
        // Worked by hand: 1 Aug to 7 Dec is 31+30+31+30+6 = 128 days, 18 whole weeks;
        // 280 days after 1 Aug is 153 days to 1 Jan, then 127 more: 8 May.
        assert_eq!(
            (pregnancy.weeks, pregnancy.trimester, pregnancy.due),
            (18, 2, d(2027, 5, 8))
        );
        let child = crate::visits::timeline(&s, child.id).unwrap();
        assert_eq!(child.enrolments.len(), 1);
        assert_eq!(child.enrolments[0].pregnancy, None, "only a pregnancy has one");
    }

    #[test]
    fn a_visit_from_before_the_enrolment_moves_its_start_earlier_never_later() {
        let today = d(2026, 12, 7);
        let mut s = store_at(today);
        setup::work_offline(&mut s, &[VILLAGE.into()]).unwrap();
        let (_, mother, _, _) = family_with_child(&mut s, 1, VILLAGE, d(2024, 5, 1));
        // Entered today; visited last week, on paper.
        let id = enrol(&mut s, mother.id, today, hamil_details(d(2026, 8, 1)))
            .unwrap()
            .id;
        let last_week = d(2026, 11, 30);
        let mut visit = crate::visits::new_visit(&s, id, today).unwrap().visit;
        visit.visit_date = last_week;
        let refused = crate::visits::save_visit(&mut s, visit.clone()).unwrap_err();
        assert_eq!(refused.field.as_deref(), Some("visit_date"), "{refused:?}");
        assert!(
            refused.message.contains("7 Desember 2026"),
            "names the start: {}",
            refused.message
        );

        let later = start_earlier(&mut s, id, d(2026, 12, 8)).unwrap_err();
        assert_eq!(later.field.as_deref(), Some("start_date"));
        let unborn = start_earlier(&mut s, id, d(1990, 4, 1)).unwrap_err();
        assert_eq!(unborn.code, "invalid", "{unborn:?}");
        assert_eq!(
            s.enrolment(id).unwrap().unwrap().start_date,
            today,
            "a refused move changes nothing"
        );

        start_earlier(&mut s, id, last_week).unwrap();
        assert_eq!(s.enrolment(id).unwrap().unwrap().start_date, last_week);
        crate::visits::save_visit(&mut s, visit).unwrap();
    }

    #[test]
    fn a_birth_ends_the_pregnancy_and_enrols_mother_and_baby() {
        let today = d(2026, 11, 24);
        let mut s = store_at(today);
        setup::work_offline(&mut s, &[VILLAGE.into()]).unwrap();
        let (_, mother, _, _) = family_with_child(&mut s, 1, VILLAGE, d(2023, 5, 1));
        let id = enrol(&mut s, mother.id, d(2026, 4, 1), hamil_details(d(2026, 2, 10)))
            .unwrap()
            .id;
        let mut birth = Delivery {
            date: d(2026, 11, 20),
            place: Some("Puskesmas Malingping".into()),
            attendant: Some("Bidan".into()),
            mode: None,
            gestational_age_weeks: Some(40),
            baby_name: " ".into(),
            baby_sex: pendamping_core::Sex::Male,
            birth_weight_g: Some(3100.0),
            birth_length_cm: Some(49.0),
        };
        let err = record_delivery(&mut s, id, &birth).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("baby_name"));
        birth.baby_name = "Bayi Ny. Siti".into();
        let done = record_delivery(&mut s, id, &birth).unwrap();
        let hamil = s.enrolment(id).unwrap().unwrap();
        assert_eq!(hamil.end_reason, Some(ExitReason::Melahirkan));
        assert_eq!(
            s.enrolment(done.nifas_enrolment_id).unwrap().unwrap().kind,
            TargetKind::Nifas
        );
        let baby = s.person(done.child_id).unwrap().unwrap();
        assert_eq!(
            (baby.name.as_str(), baby.birth_date, baby.mother_id),
            ("Bayi Ny. Siti", d(2026, 11, 20), Some(mother.id))
        );
        assert_eq!(
            s.enrolment(done.child_enrolment_id).unwrap().unwrap().kind,
            TargetKind::Anak
        );
    }

    /// A family of one woman, no target yet (the test's enrolments are the only ones).
    fn woman(s: &mut Store, n: u128) -> pendamping_core::Person {
        let h = household(n, VILLAGE, "Ahmad Hidayat");
        s.save_household(&h).unwrap();
        let p = person(
            n + 1,
            &h,
            "Siti Aminah",
            pendamping_core::Sex::Female,
            d(1996, 4, 12),
            pendamping_core::Relationship::Istri,
        );
        s.save_person(&p).unwrap();
        p
    }

    #[test]
    fn what_a_device_records_carries_its_team_s_tpk_and_the_recap_counts_it_there() {
        let today = d(2026, 11, 24);
        let mut s = store_at(today);
        setup::work_offline(&mut s, &[VILLAGE.into()]).unwrap();
        let village = pendamping_core::area::lookup(VILLAGE).unwrap().name;
        let named = format!("TPK {village}");
        assert_eq!(setup::setup(&s).unwrap().tpk.as_deref(), Some(named.as_str()));

        let mother = woman(&mut s, 1);
        let first = enrol(&mut s, mother.id, d(2026, 10, 1), hamil_details(d(2026, 8, 1)))
            .unwrap()
            .id;
        assert_eq!(
            s.enrolment(first).unwrap().unwrap().tpk.as_deref(),
            Some(named.as_str())
        );

        // Named by the team: from now on. Blank and over-long names are refused by field.
        assert_eq!(setup::set_tpk(&mut s, "  ").unwrap_err().field.as_deref(), Some("tpk"));
        let long = "T".repeat(setup::TPK_MAX_CHARS + 1);
        assert_eq!(setup::set_tpk(&mut s, &long).unwrap_err().field.as_deref(), Some("tpk"));
        assert_eq!(
            setup::set_tpk(&mut s, " TPK   2002 ").unwrap().tpk.as_deref(),
            Some("TPK 2002")
        );
        let other = woman(&mut s, 3);
        let second = enrol(&mut s, other.id, d(2026, 10, 1), hamil_details(d(2026, 8, 1)))
            .unwrap()
            .id;
        assert_eq!(s.enrolment(second).unwrap().unwrap().tpk.as_deref(), Some("TPK 2002"));
        assert_eq!(
            s.enrolment(first).unwrap().unwrap().tpk.as_deref(),
            Some(named.as_str()),
            "what was recorded keeps its team"
        );
        let month = pendamping_core::recap::Month::parse("2026-11").unwrap();
        let recap = s.recap(month, &setup::current_village(&s).unwrap()).unwrap();
        let hamil: Vec<_> = recap
            .rows
            .iter()
            .filter(|r| r.group == Some(pendamping_core::recap::TargetGroup::IbuHamil))
            .map(|r| (r.tpk.clone(), r.caseload_end))
            .collect();
        assert_eq!(hamil, vec![("TPK 2002".into(), 1), (named.clone(), 1)]);
    }

    #[test]
    fn a_tablet_joining_a_team_takes_the_tpk_most_of_the_village_s_targets_carry() {
        let today = d(2026, 11, 24);
        let mut s = store_at(today);
        setup::work_offline(&mut s, &[VILLAGE.into()]).unwrap();
        // As a pull from the server would leave them: enrolled by the team's other tablets.
        for (n, tpk) in [(10, "TPK Mawar"), (20, "TPK Melati"), (30, "TPK Mawar")] {
            let mother = woman(&mut s, n);
            let mut e = enrolment(n + 5, &mother, d(2026, 10, 1), hamil_details(d(2026, 8, 1)));
            e.tpk = Some(tpk.into());
            s.save_enrolment(&e).unwrap();
        }
        assert_eq!(setup::setup(&s).unwrap().tpk.as_deref(), Some("TPK Mawar"));
        let mother = woman(&mut s, 40);
        let id = enrol(&mut s, mother.id, d(2026, 10, 1), hamil_details(d(2026, 8, 1)))
            .unwrap()
            .id;
        assert_eq!(s.enrolment(id).unwrap().unwrap().tpk.as_deref(), Some("TPK Mawar"));
    }
}
