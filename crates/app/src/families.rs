//! Keluarga: the families of the village, search by name or NIK, a family's card with its
//! members and their targets, registering a household and its members, and KRS.

use chrono::NaiveDate;
use pendamping_core::krs::KrsCriterion;
use pendamping_core::{Enrolment, Entity, Household, Person, Problem, area};
use pendamping_store::{HouseholdSummary, PersonSummary, Saved, Store};
use serde::Serialize;
use uuid::Uuid;

use crate::AppError;
use crate::setup;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Family {
    pub household: Household,
    pub members: Vec<Member>,
    pub krs: bool,
    pub krs_criteria: Vec<KrsCriterion>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Member {
    pub person: Person,
    /// Shown masked; the whole NIK only in the person's own form.
    pub nik_masked: Option<String>,
    pub age_label: String,
    pub enrolments: Vec<Enrolment>,
}

/// The device's villages: every query and save is limited to them.
pub(crate) fn in_scope(store: &Store, area_code: &str) -> Result<(), AppError> {
    let code = area::normalize_village_code(area_code).unwrap_or_default();
    if setup::setup(store)?.villages.iter().any(|v| v.code == code) {
        Ok(())
    } else {
        Err(AppError::new(
            "forbidden_area",
            "Data ini di luar desa wilayah kerja perangkat ini",
        ))
    }
}

/// The village's families by head's name, a page at a time.
pub fn households(store: &Store, offset: usize, limit: usize) -> Result<Vec<HouseholdSummary>, AppError> {
    let village = setup::current_village(store)?;
    Ok(store.households_in(&village, offset, limit.min(5_000))?)
}

/// People of the village by name (each word a prefix) or NIK; NIKs come back masked.
pub fn search(store: &Store, query: &str) -> Result<Vec<PersonSummary>, AppError> {
    let village = setup::current_village(store)?;
    if query.trim().chars().count() < 2 {
        return Ok(Vec::new());
    }
    Ok(store.search_persons(query, &village, 50)?)
}

pub fn family(store: &Store, id: Uuid) -> Result<Family, AppError> {
    let household = store
        .household(id)?
        .ok_or_else(|| AppError::new("not_found", "Keluarga tidak ditemukan"))?;
    in_scope(store, &household.area_code)?;
    let mut enrolments = store.household_enrolments(id)?;
    let today = store.today();
    let mut members = Vec::new();
    for summary in store.members(id)? {
        let Some(person) = store.person(summary.id)? else {
            continue;
        };
        let (mine, rest): (Vec<_>, Vec<_>) = enrolments.into_iter().partition(|e| e.person_id == person.id);
        enrolments = rest;
        members.push(Member {
            age_label: age_label(person.birth_date, today),
            nik_masked: summary.nik_masked,
            person,
            enrolments: mine,
        });
    }
    let summary = store.household_summary(id)?;
    Ok(Family {
        krs: summary.as_ref().is_some_and(|s| s.krs),
        krs_criteria: summary.map(|s| s.krs_criteria).unwrap_or_default(),
        household,
        members,
    })
}

/// "3 th 2 bl", "5 bl", "12 hr": how a cadre says an age.
pub fn age_label(birth: NaiveDate, on: NaiveDate) -> String {
    let months = pendamping_core::age::months(birth, on);
    match months {
        ..0 => "-".into(),
        0 => format!("{} hr", (on - birth).num_days()),
        1..=23 => format!("{months} bl"),
        _ if months % 12 == 0 => format!("{} th", months / 12),
        _ => format!("{} th {} bl", months / 12, months % 12),
    }
}

/// Registers or updates a household; a new one (nil id) gets its id here and, without a
/// village, the one on screen.
pub fn save_household(store: &mut Store, mut h: Household) -> Result<Saved, AppError> {
    if h.area_code.trim().is_empty() {
        h.area_code = setup::current_village(store)?;
    }
    h.area_code = area::normalize_village_code(&h.area_code)
        .map_err(|_| AppError::invalid("area_code", "Kode desa/kelurahan harus 10 angka"))?;
    in_scope(store, &h.area_code)?;
    if h.id.is_nil() {
        h.id = store.new_id();
    }
    Ok(store.save_household(&h)?)
}

/// The problems of a person form as the cadre types (errors and warnings).
pub fn check_person(store: &Store, p: &Person) -> Vec<Problem> {
    p.validate(store.today())
}

/// Registers or updates a member; the household decides the village.
pub fn save_person(store: &mut Store, mut p: Person) -> Result<Saved, AppError> {
    let h = store
        .household(p.household_id)?
        .ok_or_else(|| AppError::invalid("household_id", "Keluarga tidak ditemukan"))?;
    in_scope(store, &h.area_code)?;
    p.area_code = h.area_code;
    p.nik = p.nik.filter(|n| !n.trim().is_empty());
    if p.id.is_nil() {
        p.id = store.new_id();
    }
    Ok(store.save_person(&p)?)
}

/// Removes a household registered by mistake, with its members.
pub fn remove_household(store: &mut Store, id: Uuid) -> Result<(), AppError> {
    let family = family(store, id)?;
    for m in &family.members {
        store.delete(Entity::Person, m.person.id)?;
    }
    store.delete(Entity::Household, id)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pendamping_core::{Relationship, Sex};
    use pendamping_tests::*;

    fn configured() -> Store {
        let mut s = store_at(d(2026, 11, 24));
        setup::work_offline(&mut s, &[VILLAGE.into()]).unwrap();
        s
    }

    #[test]
    fn a_family_is_registered_listed_found_and_shown_with_its_members() {
        let mut s = configured();
        let mut h = household(0, VILLAGE, "Ahmad Hidayat");
        h.id = Uuid::nil();
        h.area_code = String::new(); // the village on screen
        h.water_source = Some(pendamping_core::household::WaterSource::SumurTakTerlindung);
        let saved = save_household(&mut s, h.clone()).unwrap();
        assert!(!saved.id.is_nil());
        h.id = saved.id;
        h.area_code = VILLAGE.into();
        let mut mother = person(0, &h, "Siti Aminah", Sex::Female, d(2000, 3, 1), Relationship::Istri);
        mother.id = Uuid::nil();
        mother.nik = Some("3602014103000001".into());
        let mother_id = save_person(&mut s, mother).unwrap().id;
        let mut child = person(0, &h, "Rizky", Sex::Male, d(2025, 9, 10), Relationship::Anak);
        child.id = Uuid::nil();
        child.nik = Some("  ".into());
        child.mother_id = Some(mother_id);
        save_person(&mut s, child).unwrap();

        let list = households(&s, 0, 100).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!((list[0].head_name.as_str(), list[0].members), ("Ahmad Hidayat", 2));
        let found = search(&s, "siti").unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].nik_masked.as_deref(), Some("360201********01"));
        assert!(search(&s, "s").unwrap().is_empty(), "one letter is not a search yet");

        let f = family(&s, h.id).unwrap();
        assert_eq!(f.members.len(), 2);
        assert_eq!(f.members[1].person.name, "Rizky");
        assert_eq!(f.members[1].person.nik, None, "a blank NIK is no NIK");
        assert_eq!(f.members[1].age_label, "14 bl");
        assert!(f.krs, "a child under five and unsafe water");
        assert!(f.krs_criteria.contains(&KrsCriterion::UnsafeWater));

        remove_household(&mut s, h.id).unwrap();
        assert!(households(&s, 0, 100).unwrap().is_empty());
        assert!(search(&s, "siti").unwrap().is_empty());
    }

    #[test]
    fn families_outside_the_devices_villages_are_neither_saved_nor_shown() {
        let mut s = configured();
        let h = household(1, OTHER_VILLAGE, "Budi");
        assert_eq!(save_household(&mut s, h.clone()).unwrap_err().code, "forbidden_area");
        // One that arrived anyway (an earlier setup) is not shown.
        s.save_household(&h).unwrap();
        assert_eq!(family(&s, h.id).unwrap_err().code, "forbidden_area");
        let mut bad = household(2, VILLAGE, "");
        bad.kk_number = Some("123".into());
        let err = save_household(&mut s, bad).unwrap_err();
        assert_eq!(
            (err.code.as_str(), err.field.as_deref()),
            ("invalid", Some("head_name"))
        );
        assert_eq!(err.problems.len(), 2);
    }

    #[test]
    fn ages_read_the_way_a_cadre_says_them() {
        let on = d(2026, 11, 24);
        assert_eq!(age_label(d(2026, 11, 10), on), "14 hr");
        assert_eq!(age_label(d(2025, 11, 24), on), "12 bl");
        assert_eq!(age_label(d(2024, 11, 24), on), "2 th");
        assert_eq!(age_label(d(1990, 1, 1), on), "36 th 10 bl");
    }
}
