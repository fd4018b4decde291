//! Home-visit forms: a blank form for an enrolment, the live check and preview as the
//! cadre types (problems naming the field, BMI, z-scores with their labels, risk flags,
//! next due date), saving, and a person's timeline of every visit and result.

use chrono::NaiveDate;
use pendamping_core::visit::{AnakVisit, CatinVisit, HamilVisit, KrsVisit, NifasVisit, VisitData};
use pendamping_core::{Enrolment, EnrolmentDetails, Person, Visit};
use pendamping_store::{Store, VisitOutcome, VisitRecord};
use serde::Serialize;
use uuid::Uuid;

use crate::AppError;
use crate::families::{age_label, in_scope};

/// A blank visit form for an enrolment, dated `date`.
pub fn new_visit(store: &Store, enrolment_id: Uuid, date: NaiveDate) -> Result<Visit, AppError> {
    let e = enrolment(store, enrolment_id)?;
    let data = match e.details {
        EnrolmentDetails::Catin { .. } => VisitData::Catin(CatinVisit::default()),
        EnrolmentDetails::IbuHamil { .. } => VisitData::IbuHamil(HamilVisit::default()),
        EnrolmentDetails::Nifas { .. } => VisitData::Nifas(NifasVisit::default()),
        EnrolmentDetails::Anak { .. } => VisitData::Anak(AnakVisit::default()),
        EnrolmentDetails::Krs {} => VisitData::Krs(KrsVisit::default()),
    };
    Ok(Visit {
        id: Uuid::nil(),
        enrolment_id,
        person_id: e.person_id,
        household_id: e.household_id,
        area_code: e.area_code,
        visit_date: date,
        data,
        correction_reason: None,
    })
}

fn enrolment(store: &Store, id: Uuid) -> Result<Enrolment, AppError> {
    let e = store
        .enrolment(id)?
        .ok_or_else(|| AppError::new("not_found", "Pendampingan tidak ditemukan"))?;
    in_scope(store, &e.area_code)?;
    Ok(e)
}

/// What the form shows before saving; errors come back as problems, not as a failure.
pub fn preview_visit(store: &mut Store, v: &Visit) -> Result<VisitOutcome, AppError> {
    enrolment(store, v.enrolment_id)?;
    Ok(store.preview_visit(v)?)
}

/// Saves a visit; a refused one comes back with every problem, nothing written.
pub fn save_visit(store: &mut Store, mut v: Visit) -> Result<VisitOutcome, AppError> {
    enrolment(store, v.enrolment_id)?;
    if v.id.is_nil() {
        v.id = store.new_id();
    }
    Ok(store.record_visit(&v)?)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonTimeline {
    pub person: Person,
    pub age_label: String,
    pub household_head: String,
    pub enrolments: Vec<Enrolment>,
    /// Newest first.
    pub visits: Vec<VisitRecord>,
    /// Has a child enrolment: the screen offers growth charts.
    pub growth: bool,
}

pub fn timeline(store: &Store, person_id: Uuid) -> Result<PersonTimeline, AppError> {
    let t = store.timeline(person_id).map_err(AppError::from)?;
    in_scope(store, &t.person.area_code)?;
    let household_head = store
        .household(t.person.household_id)?
        .map(|h| h.head_name)
        .unwrap_or_default();
    Ok(PersonTimeline {
        age_label: age_label(t.person.birth_date, store.today()),
        household_head,
        growth: t
            .enrolments
            .iter()
            .any(|e| matches!(e.details, EnrolmentDetails::Anak { .. })),
        person: t.person,
        enrolments: t.enrolments,
        visits: t.visits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::setup;
    use pendamping_core::risk::RiskFlag;
    use pendamping_tests::*;

    #[test]
    fn a_short_child_is_flagged_in_the_preview_saved_and_shown_on_the_timeline() {
        let today = d(2026, 11, 24);
        let mut s = store_at(today);
        setup::work_offline(&mut s, &[VILLAGE.into()]).unwrap();
        let (_, _, child, e) = family_with_child(&mut s, 1, VILLAGE, d(2025, 5, 24));
        let mut v = new_visit(&s, e.id, today).unwrap();
        assert!(v.id.is_nil() && v.person_id == child.id);
        let VisitData::Anak(a) = &mut v.data else {
            panic!("a child's form")
        };
        a.weight_kg = Some(8.0);
        a.lenhei_cm = Some(70.0);

        let pending = s.pending_count().unwrap();
        let preview = preview_visit(&mut s, &v).unwrap();
        assert!(
            preview.assessment.results.flags.contains(&RiskFlag::SeverelyStunted),
            "{preview:?}"
        );
        assert!(preview.next_due.is_some_and(|d| d > today));
        assert_eq!(s.pending_count().unwrap(), pending, "a preview writes nothing");
        assert!(timeline(&s, child.id).unwrap().visits.is_empty());

        let VisitData::Anak(a) = &mut v.data else {
            unreachable!()
        };
        a.weight_kg = Some(95.0);
        let bad = preview_visit(&mut s, &v).unwrap();
        let p = bad.assessment.problems.iter().find(|p| p.is_error()).expect("an error");
        assert_eq!(p.field, "weight_kg");
        assert!(p.message_id.contains("Berat"), "{}", p.message_id);
        let refused = save_visit(&mut s, v.clone()).unwrap_err();
        assert_eq!(refused.field.as_deref(), Some("weight_kg"));
        assert_eq!(s.pending_count().unwrap(), pending);

        let VisitData::Anak(a) = &mut v.data else {
            unreachable!()
        };
        a.weight_kg = Some(8.0);
        let saved = save_visit(&mut s, v).unwrap();
        assert_eq!(saved.next_due, preview.next_due);
        let t = timeline(&s, child.id).unwrap();
        assert!(t.growth);
        assert_eq!(t.visits.len(), 1);
        assert_eq!(t.visits[0].visit.id, saved.id);
        assert_eq!(t.age_label, "18 bl");
    }
}
