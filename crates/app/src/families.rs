//! Keluarga: the families of the village, search by name or NIK, a family's card with its
//! members and their targets, registering a household and its members, and KRS.

use chrono::NaiveDate;
use pendamping_core::enrolment::{self, Phase};
use pendamping_core::krs::KrsCriterion;
use pendamping_core::recap::TargetGroup;
use pendamping_core::{Enrolment, Entity, Household, Person, Problem, Rules, area};
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
    pub age: Age,
    pub enrolments: Vec<EnrolmentView>,
}

/// An age as a cadre says it ("3 th 2 bl", "5 bl", "12 hr"), worded by the UI in the
/// language on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Age {
    /// Completed months (negative before birth).
    pub months: i32,
    /// Days since birth.
    pub days: i64,
}

impl Age {
    pub fn on(birth: NaiveDate, on: NaiveDate) -> Age {
        Age {
            months: pendamping_core::age::months(birth, on),
            days: (on - birth).num_days(),
        }
    }
}

/// An enrolment with where it stands today (docs/src/design/domain.md §1.1), derived by the core the same
/// way on every replica: the screens offer a visit form only where it will be accepted.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EnrolmentView {
    #[serde(flatten)]
    pub enrolment: Enrolment,
    pub phase: Phase,
    /// The group it counts in today (a child is baduta, then balita).
    pub group: TargetGroup,
    /// A pregnancy followed today: how far along, and when the baby is due.
    pub pregnancy: Option<PregnancyNow>,
}

/// Where a pregnancy stands today, by its HPHT (the rules of `pendamping_core::enrolment`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PregnancyNow {
    pub hpht: NaiveDate,
    /// Completed weeks today.
    pub weeks: i64,
    pub trimester: u8,
    /// HPHT + 280 days (HPL).
    pub due: NaiveDate,
}

impl EnrolmentView {
    pub fn of(e: Enrolment, birth: NaiveDate, today: NaiveDate, rules: &Rules) -> EnrolmentView {
        let phase = e.phase(birth, today, rules);
        let pregnancy = match (&e.details, &phase) {
            (pendamping_core::EnrolmentDetails::IbuHamil { hpht, .. }, Phase::Active | Phase::NeedsOutcome) => {
                let weeks = enrolment::gestational_weeks(*hpht, today);
                Some(PregnancyNow {
                    hpht: *hpht,
                    weeks,
                    trimester: enrolment::trimester(weeks),
                    due: enrolment::due_date(*hpht),
                })
            }
            _ => None,
        };
        EnrolmentView {
            phase,
            group: TargetGroup::of(e.kind, birth, today, rules),
            enrolment: e,
            pregnancy,
        }
    }
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
            "This data lies outside this device's villages",
        ))
    }
}

/// The village's families by head's name, a page at a time.
pub fn households(store: &Store, offset: usize, limit: usize) -> Result<Vec<HouseholdSummary>, AppError> {
    let village = setup::current_village(store)?;
    Ok(store.households_in(&village, offset, limit.min(5_000))?)
}

/// A person found, with the family and RT that tell two Siti Aminahs apart.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Found {
    #[serde(flatten)]
    pub person: PersonSummary,
    pub head_name: Option<String>,
    pub rt: Option<String>,
    pub rw: Option<String>,
}

/// People of the village by name (each word a prefix) or NIK; NIKs come back masked.
pub fn search(store: &Store, query: &str) -> Result<Vec<Found>, AppError> {
    let village = setup::current_village(store)?;
    if query.trim().chars().count() < 2 {
        return Ok(Vec::new());
    }
    store
        .search_persons(query, Some(&village), 50)?
        .into_iter()
        .map(|person| {
            let h = store.household(person.household_id)?;
            Ok(Found {
                head_name: h.as_ref().map(|h| h.head_name.clone()),
                rt: h.as_ref().and_then(|h| h.rt.clone()),
                rw: h.and_then(|h| h.rw),
                person,
            })
        })
        .collect()
}

pub fn family(store: &Store, id: Uuid) -> Result<Family, AppError> {
    let household = store
        .household(id)?
        .ok_or_else(|| AppError::not_found("Keluarga", "family"))?;
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
            age: Age::on(person.birth_date, today),
            nik_masked: summary.nik_masked,
            enrolments: mine
                .into_iter()
                .map(|e| EnrolmentView::of(e, person.birth_date, today, store.rules()))
                .collect(),
            person,
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

/// Registers or updates a household; a new one (nil id) gets its id here and, without a
/// village, the one on screen.
pub fn save_household(store: &mut Store, mut h: Household) -> Result<Saved, AppError> {
    if h.area_code.trim().is_empty() {
        h.area_code = setup::current_village(store)?.into();
    }
    h.area_code = area::normalize_village_code(&h.area_code).map_err(|_| {
        AppError::invalid(
            "area_code",
            "Kode desa/kelurahan harus 10 angka",
            "A village code is 10 digits",
        )
    })?;
    in_scope(store, &h.area_code)?;
    h.head_name = h.head_name.split_whitespace().collect::<Vec<_>>().join(" ");
    if h.id.is_nil() {
        h.id = store.new_id();
    }
    // One way of writing them, as on the KK: "3" is RT 003 (it stood as "RT 3/RW 2"
    // beside "RT 005/RW 005" of the same village).
    h.rt = h.rt.as_deref().map(rt_rw);
    h.rw = h.rw.as_deref().map(rt_rw);
    if h.tpk.as_deref().is_none_or(|t| t.trim().is_empty()) {
        h.tpk = Some(setup::stamp_tpk(store, &h.area_code)?);
    }
    Ok(store.save_household(&h)?)
}

/// An RT or RW number as the KK writes it, three digits; anything else as typed.
fn rt_rw(typed: &str) -> String {
    let t = typed.trim();
    if !t.is_empty() && t.len() <= 3 && t.chars().all(|c| c.is_ascii_digit()) {
        format!("{:03}", t.parse::<u16>().unwrap_or(0))
    } else {
        t.to_string()
    }
}

/// The problems of a person form as the cadre types (errors and warnings).
pub fn check_person(store: &Store, p: &Person) -> Vec<Problem> {
    let mut problems = p.validate(store.today());
    let nik = p.nik.as_deref().map(pendamping_core::nik::digits_only);
    if let Some(nik) = nik.filter(|n| n.len() == 16)
        && store.nik_maybe_elsewhere(&nik).unwrap_or(false)
    {
        problems.push(pendamping_store::nik_elsewhere());
    }
    problems
}

/// Registers or updates a member; the household decides the village.
pub fn save_person(store: &mut Store, mut p: Person) -> Result<Saved, AppError> {
    let h = store.household(p.household_id)?.ok_or_else(|| {
        AppError::invalid(
            "household_id",
            "Keluarga tidak ditemukan",
            "No such family on this device",
        )
    })?;
    in_scope(store, &h.area_code)?;
    p.area_code = h.area_code;
    p.nik = p.nik.filter(|n| !n.trim().is_empty());
    // A name pasted from a spreadsheet brings tabs and line breaks: one space each.
    p.name = p.name.split_whitespace().collect::<Vec<_>>().join(" ");
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
    fn rt_and_rw_are_written_as_the_kk_writes_them() {
        let mut s = configured();
        let mut h = household(0, VILLAGE, "Ahmad");
        h.id = Uuid::nil();
        (h.rt, h.rw) = (Some(" 3".into()), Some("12".into()));
        let id = save_household(&mut s, h.clone()).unwrap().id;
        let saved = s.household(id).unwrap().unwrap();
        assert_eq!((saved.rt.as_deref(), saved.rw.as_deref()), (Some("003"), Some("012")));
        h.id = Uuid::nil();
        (h.rt, h.rw) = (Some("3A".into()), Some("5".into()));
        let refused = save_household(&mut s, h).unwrap_err();
        assert_eq!(
            refused.field.as_deref(),
            Some("rt"),
            "not a number: refused by name, not padded"
        );
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
        assert_eq!(found[0].person.nik_masked.as_deref(), Some("360201********01"));
        assert_eq!(found[0].head_name.as_deref(), Some("Ahmad Hidayat"));
        assert!(search(&s, "s").unwrap().is_empty(), "one letter is not a search yet");

        let f = family(&s, h.id).unwrap();
        assert_eq!(f.members.len(), 2);
        assert_eq!(f.members[1].person.name, "Rizky");
        assert_eq!(f.members[1].person.nik, None, "a blank NIK is no NIK");
        assert_eq!(f.members[1].age, Age { months: 14, days: 440 });
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
    fn a_postpartum_enrolment_ends_by_itself_after_day_42_and_offers_no_form() {
        let mut s = configured();
        let (h, mother, _, _) = family_with_child(&mut s, 7, VILLAGE, d(2026, 9, 1));
        let nifas = Enrolment::new(
            s.new_id(),
            &mother,
            d(2026, 9, 1),
            pendamping_core::EnrolmentDetails::delivered(d(2026, 9, 1)),
            None,
        );
        s.save_enrolment(&nifas).unwrap();
        let f = family(&s, h.id).unwrap();
        let m = f.members.iter().find(|m| m.person.id == mother.id).unwrap();
        let view = m.enrolments.iter().find(|e| e.enrolment.id == nifas.id).unwrap();
        assert_eq!(
            view.phase,
            Phase::Ended {
                on: d(2026, 10, 13),
                reason: pendamping_core::ExitReason::Selesai
            },
            "day 42 was 13 October; today is 24 November"
        );
        assert!(!view.phase.offers_visit());
        let err = crate::visits::new_visit(&s, nifas.id, d(2026, 11, 24)).unwrap_err();
        assert_eq!(err.code, "enrolment_ended");
    }
}
