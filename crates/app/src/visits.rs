//! Home-visit forms: a blank form for an enrolment, the live check and preview as the
//! cadre types (problems naming the field, BMI, z-scores with their labels, risk flags,
//! next due date), saving, and a person's timeline of every visit and result.

use chrono::NaiveDate;
use pendamping_core::catalogue::Lang;
use pendamping_core::enrolment::Phase;
use pendamping_core::immunisation::{self, DoseView};
use pendamping_core::visit::{
    AnakVisit, CatinVisit, DangerSign, HamilVisit, Immunisation, KrsVisit, NifasVisit, VisitData,
};
use pendamping_core::{Enrolment, EnrolmentDetails, Person, TargetKind, Visit};
use pendamping_store::{Store, VisitOutcome, VisitRecord};
use serde::Serialize;
use uuid::Uuid;

use crate::AppError;
use crate::families::{Age, EnrolmentView, in_scope};
use crate::home::FlagView;

/// A blank visit form and what it offers: the danger signs that can occur for the target.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VisitDraft {
    pub visit: Visit,
    pub danger_signs: Vec<DangerSign>,
    /// The person's: a child's questions depend on the age at the visit.
    pub birth_date: NaiveDate,
    /// A child's immunisation checklist on the visit's date: given (from earlier visits),
    /// overdue, due, not yet. Empty for other targets.
    pub immunisations: Vec<DoseView>,
}

/// The checklist from every immunisation recorded on the person's standing visits.
fn immunisations(store: &Store, e: &Enrolment, birth: NaiveDate, on: NaiveDate) -> Result<Vec<DoseView>, AppError> {
    if e.kind != TargetKind::Anak {
        return Ok(Vec::new());
    }
    let given: Vec<Immunisation> = store
        .timeline(e.person_id)?
        .visits
        .into_iter()
        .filter(|r| !r.voided)
        .flat_map(|r| match r.visit.data {
            VisitData::Anak(a) => a.immunisations,
            _ => Vec::new(),
        })
        .collect();
    Ok(immunisation::checklist(birth, on, &given, store.rules()))
}

/// A blank visit form for an enrolment, dated `date`; refused for an enrolment that has
/// ended or needs its outcome recorded (its form would refuse every value).
pub fn new_visit(store: &Store, enrolment_id: Uuid, date: NaiveDate) -> Result<VisitDraft, AppError> {
    let e = enrolment(store, enrolment_id)?;
    let birth = birth_of(store, &e)?;
    let phase = e.phase(birth, date, store.rules());
    if !phase.offers_visit() {
        return Err(match phase {
            Phase::NeedsOutcome => AppError::new(
                "needs_outcome",
                "Kehamilan ini perlu dicatat hasilnya (persalinan atau keguguran), bukan kunjungan",
                "This pregnancy needs its outcome recorded (delivery or miscarriage), not a visit",
            ),
            Phase::NotStarted => AppError::invalid(
                "visit_date",
                format!("Pendampingan ini mulai {}", Lang::Id.date(e.start_date)),
                format!("This enrolment starts on {}", Lang::En.date(e.start_date)),
            ),
            _ => AppError::new(
                "enrolment_ended",
                "Pendampingan ini sudah selesai; kunjungan tidak dapat dicatat",
                "This enrolment has ended; no visit can be recorded",
            ),
        });
    }
    let danger_signs = DangerSign::for_kind(e.kind);
    let immunisations = immunisations(store, &e, birth, date)?;
    let data = match e.details {
        EnrolmentDetails::Catin { .. } => VisitData::Catin(CatinVisit::default()),
        EnrolmentDetails::IbuHamil { .. } => VisitData::IbuHamil(HamilVisit::default()),
        EnrolmentDetails::Nifas { .. } => VisitData::Nifas(NifasVisit::default()),
        EnrolmentDetails::Anak { .. } => VisitData::Anak(AnakVisit::default()),
        EnrolmentDetails::Krs {} => VisitData::Krs(KrsVisit::default()),
    };
    Ok(VisitDraft {
        visit: Visit {
            id: Uuid::nil(),
            enrolment_id,
            person_id: e.person_id,
            household_id: e.household_id,
            area_code: e.area_code,
            visit_date: date,
            data,
            correction_reason: None,
            recorded_by: None,
        },
        danger_signs,
        birth_date: birth,
        immunisations,
    })
}

/// The birth date of an enrolment's person: ages, phases and the child's questions rest on it.
fn birth_of(store: &Store, e: &Enrolment) -> Result<NaiveDate, AppError> {
    Ok(store
        .person(e.person_id)?
        .ok_or_else(|| AppError::not_found("Orang", "person"))?
        .birth_date)
}

fn enrolment(store: &Store, id: Uuid) -> Result<Enrolment, AppError> {
    let e = store
        .enrolment(id)?
        .ok_or_else(|| AppError::not_found("Pendampingan", "enrolment"))?;
    in_scope(store, &e.area_code)?;
    Ok(e)
}

/// A saved visit in its form, to be corrected (with a reason).
pub fn edit_visit(store: &Store, visit_id: Uuid) -> Result<VisitDraft, AppError> {
    let v = store
        .visit(visit_id)?
        .ok_or_else(|| AppError::not_found("Kunjungan", "visit"))?;
    let e = enrolment(store, v.enrolment_id)?;
    let birth = birth_of(store, &e)?;
    Ok(VisitDraft {
        danger_signs: DangerSign::for_kind(e.kind),
        birth_date: birth,
        immunisations: immunisations(store, &e, birth, v.visit_date)?,
        visit: v,
    })
}

/// Corrects a saved visit: a normal change that must say why; the timeline shows it.
pub fn correct_visit(store: &mut Store, v: Visit, reason: &str) -> Result<VisitResult, AppError> {
    let e = enrolment(store, v.enrolment_id)?;
    let outcome = store.correct_visit(&v, reason)?;
    Ok(with_advice(store, e.kind, outcome))
}

/// Voids a visit recorded by mistake, with the reason.
pub fn void_visit(store: &mut Store, visit_id: Uuid, reason: &str) -> Result<(), AppError> {
    let v = store
        .visit(visit_id)?
        .ok_or_else(|| AppError::not_found("Kunjungan", "visit"))?;
    enrolment(store, v.enrolment_id)?;
    store.void_visit(visit_id, reason)?;
    Ok(())
}

/// A visit's outcome with the advice of each flag it raised, most urgent first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VisitResult {
    #[serde(flatten)]
    pub outcome: VisitOutcome,
    pub advice: Vec<FlagView>,
}

fn with_advice(store: &Store, kind: TargetKind, outcome: VisitOutcome) -> VisitResult {
    VisitResult {
        advice: FlagView::all(&outcome.assessment.results.flags, kind, store.rules()),
        outcome,
    }
}

/// What the form shows before saving; errors come back as problems, not as a failure.
pub fn preview_visit(store: &mut Store, v: &Visit) -> Result<VisitResult, AppError> {
    let e = enrolment(store, v.enrolment_id)?;
    let outcome = store.preview_visit(v)?;
    Ok(with_advice(store, e.kind, outcome))
}

/// Saves a visit; a refused one comes back with every problem, nothing written.
pub fn save_visit(store: &mut Store, mut v: Visit) -> Result<VisitResult, AppError> {
    let e = enrolment(store, v.enrolment_id)?;
    if v.id.is_nil() {
        v.id = store.new_id();
    }
    let outcome = store.record_visit(&v)?;
    Ok(with_advice(store, e.kind, outcome))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonTimeline {
    pub person: Person,
    pub age: Age,
    pub household_head: String,
    pub enrolments: Vec<EnrolmentView>,
    /// Newest first.
    pub visits: Vec<TimelineVisit>,
    /// Has a child enrolment: the screen offers growth charts.
    pub growth: bool,
    /// The kecamatan's NIK digest holds this person's NIK: maybe registered in another
    /// village too (the PLKB reviews and merges).
    pub maybe_elsewhere: bool,
    /// The schedule's doses, to name those the visits recorded.
    pub doses: Vec<immunisation::Dose>,
}

/// A visit on the timeline with what its flags ask the cadre to do (a "Rujuk segera" seen on
/// the form stays with the visit after saving).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TimelineVisit {
    #[serde(flatten)]
    pub record: VisitRecord,
    pub advice: Vec<FlagView>,
}

pub fn timeline(store: &Store, person_id: Uuid) -> Result<PersonTimeline, AppError> {
    let t = store.timeline(person_id).map_err(AppError::from)?;
    in_scope(store, &t.person.area_code)?;
    let household_head = store
        .household(t.person.household_id)?
        .map(|h| h.head_name)
        .unwrap_or_default();
    let today = store.today();
    let birth = t.person.birth_date;
    let maybe_elsewhere = match &t.person.nik {
        Some(n) => store.nik_maybe_elsewhere(n)?,
        None => false,
    };
    Ok(PersonTimeline {
        maybe_elsewhere,
        doses: store.rules().immunisation.clone(),
        age: Age::on(birth, today),
        household_head,
        growth: t
            .enrolments
            .iter()
            .any(|e| matches!(e.details, EnrolmentDetails::Anak { .. })),
        person: t.person,
        enrolments: t
            .enrolments
            .into_iter()
            .map(|e| EnrolmentView::of(e, birth, today, store.rules()))
            .collect(),
        visits: t
            .visits
            .into_iter()
            .map(|record| TimelineVisit {
                advice: match (&record.results, record.voided) {
                    (Some(r), false) => FlagView::all(&r.flags, record.visit.data.kind(), store.rules()),
                    _ => Vec::new(),
                },
                record,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::setup;
    use pendamping_core::risk::RiskFlag;
    use pendamping_core::rules::Urgency;
    use pendamping_tests::*;

    #[test]
    fn a_short_child_is_flagged_in_the_preview_saved_and_shown_on_the_timeline() {
        let today = d(2026, 11, 24);
        let mut s = store_at(today);
        setup::work_offline(&mut s, &[VILLAGE.into()]).unwrap();
        let (_, _, child, e) = family_with_child(&mut s, 1, VILLAGE, d(2025, 5, 24));
        let mut v = new_visit(&s, e.id, today).unwrap().visit;
        assert!(v.id.is_nil() && v.person_id == child.id);
        let VisitData::Anak(a) = &mut v.data else {
            panic!("a child's form")
        };
        a.weight_kg = Some(8.0);
        a.lenhei_cm = Some(70.0);

        let pending = s.pending_count().unwrap();
        let preview = preview_visit(&mut s, &v).unwrap();
        assert!(
            preview
                .outcome
                .assessment
                .results
                .flags
                .contains(&RiskFlag::SeverelyStunted),
            "{preview:?}"
        );
        assert!(preview.outcome.next_due.is_some_and(|d| d > today));
        let advice = &preview.advice[0];
        assert_eq!(
            (advice.flag, advice.urgency),
            (RiskFlag::SeverelyStunted, Urgency::High)
        );
        assert!(
            advice.action_id.contains("audit kasus stunting"),
            "{}",
            advice.action_id
        );
        assert_eq!(s.pending_count().unwrap(), pending, "a preview writes nothing");
        assert!(timeline(&s, child.id).unwrap().visits.is_empty());

        let VisitData::Anak(a) = &mut v.data else {
            unreachable!()
        };
        a.weight_kg = Some(95.0);
        let bad = preview_visit(&mut s, &v).unwrap();
        let p = bad
            .outcome
            .assessment
            .problems
            .iter()
            .find(|p| p.is_error())
            .expect("an error");
        assert!(
            bad.outcome.assessment.results.flags.is_empty() && bad.outcome.assessment.results.indicators.is_empty(),
            "no result from a value that failed its check: {:?}",
            bad.outcome.assessment.results
        );
        assert!(bad.advice.is_empty());
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
        assert_eq!(saved.outcome.next_due, preview.outcome.next_due);
        let t = timeline(&s, child.id).unwrap();
        assert!(t.growth);
        assert_eq!(t.visits.len(), 1);
        assert_eq!(t.visits[0].record.visit.id, saved.outcome.id);
        // What the form advised stays with the saved visit.
        assert!(!saved.advice.is_empty());
        assert_eq!(t.visits[0].advice, saved.advice);
        assert_eq!(t.age.months, 18);
    }

    #[test]
    fn a_visit_is_corrected_with_a_reason_and_voided_with_one_and_the_recap_counts_neither_twice() {
        let today = d(2026, 11, 24);
        let mut s = store_at(today);
        setup::work_offline(&mut s, &[VILLAGE.into()]).unwrap();
        let (_, _, child, e) = family_with_child(&mut s, 1, VILLAGE, d(2025, 5, 24));
        let saved = store_visit(&mut s, &e, today, 8.0, 70.0);
        // A second visit on the same day is warned about, not refused.
        let mut again = new_visit(&s, e.id, today).unwrap().visit;
        if let VisitData::Anak(a) = &mut again.data {
            (a.weight_kg, a.lenhei_cm) = (Some(8.1), Some(70.2));
        }
        let warned = preview_visit(&mut s, &again).unwrap();
        assert!(
            warned
                .outcome
                .assessment
                .problems
                .iter()
                .any(|p| p.code == "same_day_visit")
        );
        let second = save_visit(&mut s, again).unwrap().outcome.id;

        let mut fixed = edit_visit(&s, saved).unwrap().visit;
        if let VisitData::Anak(a) = &mut fixed.data {
            a.weight_kg = Some(8.4);
        }
        assert_eq!(
            correct_visit(&mut s, fixed.clone(), " ").unwrap_err().field.as_deref(),
            Some("correction_reason")
        );
        correct_visit(&mut s, fixed, "salah baca timbangan").unwrap();
        assert_eq!(
            void_visit(&mut s, second, "").unwrap_err().field.as_deref(),
            Some("correction_reason")
        );
        void_visit(&mut s, second, "tercatat dua kali").unwrap();

        let t = timeline(&s, child.id).unwrap();
        assert_eq!(t.visits.len(), 2, "the voided visit stays in the timeline");
        let checklist = new_visit(&s, e.id, today).unwrap().immunisations;
        assert!(
            checklist
                .iter()
                .all(|d| d.status != immunisation::DoseStatus::NotYet || d.dose.age_months > 18)
        );
        assert!(
            checklist
                .iter()
                .any(|d| d.dose.code == "mr1" && d.status == immunisation::DoseStatus::Overdue),
            "18 months old, no MR 1 recorded"
        );
        let mut with_mr = new_visit(&s, e.id, today).unwrap().visit;
        if let VisitData::Anak(a) = &mut with_mr.data {
            a.immunisations = vec![Immunisation {
                vaccine: "mr1".into(),
                date: d(2026, 11, 20),
            }];
        }
        save_visit(&mut s, with_mr).unwrap();
        let mr1 = new_visit(&s, e.id, today)
            .unwrap()
            .immunisations
            .into_iter()
            .find(|d| d.dose.code == "mr1")
            .unwrap();
        assert_eq!(mr1.status, immunisation::DoseStatus::Given { on: d(2026, 11, 20) });
        let corrected = t
            .visits
            .iter()
            .map(|r| &r.record)
            .find(|r| r.visit.id == saved)
            .unwrap();
        assert_eq!(
            corrected.visit.correction_reason.as_deref(),
            Some("salah baca timbangan")
        );
        assert!(!corrected.voided);
        let voided = t
            .visits
            .iter()
            .map(|r| &r.record)
            .find(|r| r.visit.id == second)
            .unwrap();
        assert!(voided.voided);
        assert_eq!(voided.visit.correction_reason.as_deref(), Some("tercatat dua kali"));

        let recap = s
            .recap(pendamping_core::recap::Month::parse("2026-11").unwrap(), &at(VILLAGE))
            .unwrap();
        let visits: u32 = recap.rows.iter().map(|r| r.visits).sum();
        assert_eq!(
            visits, 2,
            "the corrected visit and the one with MR 1; the duplicate voided"
        );
    }

    fn store_visit(s: &mut Store, e: &Enrolment, on: NaiveDate, w: f64, l: f64) -> Uuid {
        let mut v = new_visit(s, e.id, on).unwrap().visit;
        if let VisitData::Anak(a) = &mut v.data {
            (a.weight_kg, a.lenhei_cm) = (Some(w), Some(l));
        }
        save_visit(s, v).unwrap().outcome.id
    }
}
