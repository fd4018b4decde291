//! Local writes. Each validates with the core rules, then writes the row and its outbox
//! change in one transaction: confirmed and queued together, or not at all.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use pendamping_core::assess::{self, Assessment, VisitContext};
use pendamping_core::catalogue::{Labelled, Lang};
use pendamping_core::change::{self, DELETED};
use pendamping_core::enrolment::DeliveryMode;
use pendamping_core::hlc::{HlcClock, TimeSource};
use pendamping_core::merge::{self, RowState};
use pendamping_core::person::Sex;
use pendamping_core::problem::{self, Problem, has_errors};
use pendamping_core::risk::PersonFacts;
use pendamping_core::{
    Change, Enrolment, EnrolmentDetails, Entity, ExitReason, Household, Person, Relationship, Rules, TargetKind, Visit,
    VisitData,
};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::{Store, derive, meta_set, rows};

/// A save that went through: the record's id and the warnings the user accepted.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Saved {
    pub id: Uuid,
    pub warnings: Vec<Problem>,
    /// `None` when nothing changed (no change was queued).
    pub change_id: Option<Uuid>,
}

/// What a visit form shows before saving and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VisitOutcome {
    pub id: Uuid,
    pub assessment: Assessment,
    pub next_due: Option<NaiveDate>,
}

/// A delivery recorded for a pregnant woman: ends the pregnancy, opens the postpartum
/// enrolment, and registers the baby with its own enrolment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Delivery {
    pub date: NaiveDate,
    pub place: Option<String>,
    pub attendant: Option<String>,
    pub mode: Option<DeliveryMode>,
    pub gestational_age_weeks: Option<u32>,
    pub baby_name: String,
    pub baby_sex: Sex,
    pub birth_weight_g: Option<f64>,
    pub birth_length_cm: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeliveryRecorded {
    pub nifas_enrolment_id: Uuid,
    pub child_id: Uuid,
    pub child_enrolment_id: Uuid,
}

/// The pieces of a write, borrowed apart so the transaction and the clock can be used together.
pub(crate) struct Writer<'a> {
    pub conn: &'a Connection,
    pub clock: &'a mut HlcClock,
    pub time: &'a dyn TimeSource,
    pub rules: &'a Rules,
    pub today: NaiveDate,
    pub new_id: &'a dyn Fn() -> Uuid,
    /// The member logged in, stamped on the visits they record.
    pub author: Option<&'a str>,
    /// What a visit is assessed against, per enrolment, for this transaction: a batch of
    /// visits reads each enrolment and person once. Emptied by any other write.
    visit_context: HashMap<Uuid, VisitFacts>,
}

/// A visit's enrolment, its person and her living children.
#[derive(Clone)]
struct VisitFacts {
    enrolment: Enrolment,
    person: Person,
    children: Option<u32>,
}

impl Writer<'_> {
    /// Writes the fields that differ from the stored row as one local change, queued in
    /// the outbox; returns its id, or `None` when nothing differs.
    pub(crate) fn change(
        &mut self,
        entity: Entity,
        id: Uuid,
        area: &str,
        fields: BTreeMap<String, Value>,
    ) -> Result<Option<Uuid>> {
        let change = self.change_raw(entity, id, area, fields, None)?;
        if change.is_some() {
            derive::refresh(self.conn, self.rules, self.today, entity, &id.to_string())?;
        }
        Ok(change)
    }

    /// `change` without refreshing what depends on the row: the caller does it. The row's
    /// own derived columns are `derived`, or computed from its merged state.
    fn change_raw(
        &mut self,
        entity: Entity,
        id: Uuid,
        area: &str,
        fields: BTreeMap<String, Value>,
        derived: Option<Vec<rusqlite::types::Value>>,
    ) -> Result<Option<Uuid>> {
        let key = id.to_string();
        let mut state = rows::read_state(self.conn, entity, &key)?.unwrap_or_default();
        // Only the fields that differ from the stored row travel.
        let mut diff = fields;
        diff.retain(|k, v| state.get(k).is_none_or(|s| s.value != *v));
        if diff.is_empty() {
            return Ok(None);
        }
        let change = Change {
            change_id: (self.new_id)(),
            entity,
            row_id: id,
            area_code: area.to_string(),
            hlc: self.clock.tick(self.time.now_millis()),
            fields: diff,
        };
        if entity != Entity::Visit {
            self.visit_context.clear();
        }
        let change_id = change.change_id;
        self.conn
            .prepare_cached("INSERT INTO outbox (change_id, row_id, body) VALUES (?1, ?2, ?3)")?
            .execute((change_id.to_string(), &key, serde_json::to_string(&change)?))?;
        // Queued as sent; its values then move into the row.
        merge::apply_owned(&mut state, change);
        let derived = match derived {
            Some(d) => d,
            None => derive::row_columns(self.conn, self.rules, self.today, entity, &key, &state)?,
        };
        rows::write_state(self.conn, entity, &key, area, &state, derived)?;
        Ok(Some(change_id))
    }

    fn save<T: Serialize>(
        &mut self,
        entity: Entity,
        id: Uuid,
        area: &str,
        record: &T,
        mut problems: Vec<Problem>,
    ) -> Result<Saved> {
        if has_errors(&problems) {
            return Err(StoreError::Invalid(problems));
        }
        let mut fields = change::to_fields(record);
        fields.insert(DELETED.into(), Value::Bool(false));
        let change = self.change(entity, id, area, fields)?;
        problems.retain(|p| !p.is_error());
        Ok(Saved {
            id,
            warnings: problems,
            change_id: change,
        })
    }

    pub(crate) fn household(&mut self, h: &Household) -> Result<Saved> {
        let mut h = h.clone();
        if let Ok(code) = pendamping_core::area::normalize_village_code(&h.area_code) {
            h.area_code = code;
        }
        let problems = h.validate();
        self.save(Entity::Household, h.id, &h.area_code.clone(), &h, problems)
    }

    pub(crate) fn person(&mut self, p: &Person) -> Result<Saved> {
        let mut p = p.clone();
        p.nik = p
            .nik
            .as_deref()
            .map(pendamping_core::nik::digits_only)
            .filter(|n| !n.is_empty());
        p.mother_nik = p
            .mother_nik
            .as_deref()
            .map(pendamping_core::nik::digits_only)
            .filter(|n| !n.is_empty());
        let mut problems = p.validate(self.today);
        let Some(h) = rows::read_record::<Household>(self.conn, Entity::Household, &p.household_id.to_string())? else {
            return Err(StoreError::NotFound {
                entity: "keluarga",
                id: p.household_id.to_string(),
            });
        };
        p.area_code = h.area_code;
        if let Some(nik) = &p.nik {
            let dup: Option<String> = rusqlite::OptionalExtension::optional(
                self.conn
                    .prepare_cached("SELECT id FROM persons WHERE nik = ?1 AND id <> ?2 AND deleted = 0")?
                    .query_row((nik, p.id.to_string()), |r| r.get(0)),
            )?;
            if dup.is_some() {
                problems.push(Problem::error(
                    "nik_duplicate",
                    "nik",
                    "NIK ini sudah terdaftar untuk orang lain".into(),
                    "This NIK is already registered for someone else".into(),
                ));
            } else if crate::duplicates::maybe_elsewhere(self.conn, nik)? {
                problems.push(crate::duplicates::nik_elsewhere());
            }
        }
        self.save(Entity::Person, p.id, &p.area_code.clone(), &p, problems)
    }

    /// The enrolment `id` as stored, to be changed and saved again.
    fn enrolment_record(&self, id: Uuid) -> Result<Enrolment> {
        rows::read_record(self.conn, Entity::Enrolment, &id.to_string())?.ok_or_else(|| StoreError::NotFound {
            entity: "pendampingan",
            id: id.to_string(),
        })
    }

    pub(crate) fn enrolment(&mut self, e: &Enrolment) -> Result<Saved> {
        let person = self.person_record(e.person_id)?;
        let mut e = e.clone();
        e.area_code = person.area_code.clone();
        e.household_id = person.household_id;
        let mut problems = e.validate(person.sex, person.birth_date, self.today, self.rules);
        // Two enrolments of one kind may not overlap in time (a past pregnancy is fine).
        let end = e
            .effective_end(person.birth_date, self.rules)
            .map_or("9999-12-31".to_string(), |d| d.to_string());
        let overlapping: Option<String> = rusqlite::OptionalExtension::optional(
            self.conn
                .prepare_cached(
                    "SELECT id FROM enrolments WHERE person_id = ?1 AND kind = ?2 AND id <> ?3 AND deleted = 0 \
                     AND start_date <= ?4 AND (active_until IS NULL OR active_until >= ?5)",
                )?
                .query_row(
                    (
                        e.person_id.to_string(),
                        e.kind.as_str(),
                        e.id.to_string(),
                        end,
                        e.start_date.to_string(),
                    ),
                    |r| r.get(0),
                ),
        )?;
        if overlapping.is_some() {
            problems.push(Problem::error(
                "already_enrolled",
                "kind",
                format!(
                    "Orang ini sudah didampingi sebagai {} pada waktu itu",
                    e.kind.label(Lang::Id)
                ),
                format!(
                    "This person is already enrolled as: {} in that period",
                    e.kind.label(Lang::En)
                ),
            ));
        }
        self.save(Entity::Enrolment, e.id, &e.area_code.clone(), &e, problems)
    }

    fn person_record(&self, id: Uuid) -> Result<Person> {
        rows::read_record(self.conn, Entity::Person, &id.to_string())?.ok_or_else(|| StoreError::NotFound {
            entity: "orang",
            id: id.to_string(),
        })
    }

    fn visit_facts(&mut self, enrolment_id: Uuid) -> Result<VisitFacts> {
        if let Some(facts) = self.visit_context.get(&enrolment_id) {
            return Ok(facts.clone());
        }
        let enrolment: Enrolment = rows::read_record(self.conn, Entity::Enrolment, &enrolment_id.to_string())?
            .ok_or_else(|| StoreError::NotFound {
                entity: "pendampingan",
                id: enrolment_id.to_string(),
            })?;
        let person = self.person_record(enrolment.person_id)?;
        let children = derive::children_count(self.conn, &person)?;
        let facts = VisitFacts {
            enrolment,
            person,
            children,
        };
        self.visit_context.insert(enrolment_id, facts.clone());
        Ok(facts)
    }

    /// Validates a visit and computes its results, without writing.
    pub(crate) fn assess(&mut self, v: &Visit) -> Result<(Assessment, Enrolment, Person)> {
        let VisitFacts {
            enrolment: e,
            person,
            children,
        } = self.visit_facts(v.enrolment_id)?;
        let ctx = VisitContext {
            person: PersonFacts {
                sex: person.sex,
                birth_date: person.birth_date,
                children,
            },
            enrolment: &e,
            today: self.today,
        };
        Ok((assess::assess(v.visit_date, &v.data, &ctx, self.rules), e, person))
    }

    /// What the enrolment's earlier visits say of this one, for the person at the form: a
    /// second visit on the same day, a weight that jumped since the visit before. Warnings
    /// only; bulk recording (import, catch-up) leaves them out.
    fn history(&self, v: &Visit) -> Result<Vec<Problem>> {
        let mut out = Vec::new();
        let earlier: Vec<(String, Option<f64>)> = self
            .conn
            .prepare_cached(
                "SELECT visit_date, json_extract(data, '$.weight_kg') FROM visits WHERE enrolment_id = ?1 \
                 AND deleted = 0 AND id <> ?2 AND visit_date <= ?3 ORDER BY visit_date DESC LIMIT 2",
            )?
            .query_map(
                (v.enrolment_id.to_string(), v.id.to_string(), v.visit_date.to_string()),
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .collect::<rusqlite::Result<_>>()?;
        let day = v.visit_date.to_string();
        if earlier.iter().any(|(d, _)| *d == day) {
            out.push(Problem::warning(
                "same_day_visit",
                "visit_date",
                "Sudah ada kunjungan lain pada tanggal ini; periksa bahwa ini bukan catatan ganda".into(),
                "Another visit was recorded on this date; check this is not a duplicate".into(),
            ));
        }
        let before = earlier
            .iter()
            .find(|(d, _)| *d != day)
            .and_then(|(d, w)| Some((d.parse::<NaiveDate>().ok()?, (*w)?)));
        out.extend(before.and_then(|b| self.weight_jump(v, b)));
        Ok(out)
    }

    /// A warning when the weight moved implausibly since `then` (the previous visit's).
    fn weight_jump(&self, v: &Visit, (then, before): (NaiveDate, f64)) -> Option<Problem> {
        let p = &self.rules.plausibility;
        let (weight, per_30d) = match &v.data {
            VisitData::Anak(a) => (a.weight_kg?, p.child_weight_change_kg_per_30d),
            VisitData::IbuHamil(h) => (h.weight_kg?, p.adult_weight_change_kg_per_30d),
            VisitData::Catin(c) => (c.weight_kg?, p.adult_weight_change_kg_per_30d),
            _ => return None,
        };
        // At least a week apart: two weighings days apart may differ by a meal.
        let days = (v.visit_date - then).num_days().max(7) as f64;
        if (weight - before).abs() <= per_30d * days / 30.0 {
            return None;
        }
        let (b_id, b_en) = problem::quantity("weight_kg", before);
        let (w_id, w_en) = problem::quantity("weight_kg", weight);
        Some(Problem::warning(
            "weight_jump",
            "weight_kg",
            format!(
                "Berat badan {b_id} → {w_id} sejak kunjungan {}; periksa kembali penimbangan",
                problem::date_id(then)
            ),
            format!(
                "Weight {b_en} → {w_en} since the visit of {}; please re-check the weighing",
                problem::date_en(then)
            ),
        ))
    }

    /// A visit at the form: its checks, and what its history warns of.
    fn visit_at_form(&mut self, v: &Visit) -> Result<VisitOutcome> {
        let history = self.history(v)?;
        let mut outcome = self.visit(v)?;
        outcome.assessment.problems.extend(history);
        Ok(outcome)
    }

    pub(crate) fn visit(&mut self, v: &Visit) -> Result<VisitOutcome> {
        let (assessment, e, person) = self.assess(v)?;
        if assessment.has_errors() {
            return Err(StoreError::Invalid(assessment.problems));
        }
        let mut v = v.clone();
        if v.recorded_by.is_none() {
            v.recorded_by = self.author.map(str::to_string);
        }
        v.person_id = person.id;
        v.household_id = e.household_id;
        v.area_code = e.area_code.clone();
        let mut fields = change::to_fields(&v);
        fields.insert(DELETED.into(), Value::Bool(false));
        let derived = derive::visit_columns(Some(&v.data), Some(&assessment.results));
        self.change_raw(Entity::Visit, v.id, &v.area_code, fields, Some(derived))?;
        let next_due = derive::schedule(self.conn, self.rules, &e, &person)?;
        let mut assessment = assessment;
        assessment.problems.retain(|p| !p.is_error());
        Ok(VisitOutcome {
            id: v.id,
            assessment,
            next_due,
        })
    }
}

impl Store {
    /// Runs `f` with a writer inside one transaction; commits only if `f` succeeds.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&mut Writer) -> Result<T>) -> Result<T> {
        self.transact(true, f)
    }

    fn transact<T>(&mut self, commit: bool, f: impl FnOnce(&mut Writer) -> Result<T>) -> Result<T> {
        let today = self.today();
        let time = self.opts.time.clone();
        let (ids, id_time) = (&self.ids, self.opts.time.clone());
        let new_id = move || crate::next_id(ids, id_time.as_ref());
        let tx = self.conn.transaction()?;
        let saved_clock = self.clock;
        let mut w = Writer {
            conn: &tx,
            clock: &mut self.clock,
            time: time.as_ref(),
            rules: &self.opts.rules,
            today,
            new_id: &new_id,
            author: self.author.as_deref(),
            visit_context: HashMap::new(),
        };
        match f(&mut w) {
            Ok(v) if !commit => {
                // A dry run: the transaction rolls back on drop, and its stamps are forgotten.
                self.clock = saved_clock;
                Ok(v)
            }
            Ok(v) => {
                // The clock resumes from here after a restart; once per transaction is enough.
                if self.clock != saved_clock {
                    meta_set(&tx, "hlc", &self.clock.last().to_string())?;
                }
                tx.commit()?;
                Ok(v)
            }
            Err(e) => {
                // The transaction rolled back (on drop): forget the stamps it issued too.
                self.clock = saved_clock;
                Err(e)
            }
        }
    }

    pub fn save_household(&mut self, h: &Household) -> Result<Saved> {
        self.write(|w| w.household(h))
    }

    pub fn save_person(&mut self, p: &Person) -> Result<Saved> {
        self.write(|w| w.person(p))
    }

    pub fn save_enrolment(&mut self, e: &Enrolment) -> Result<Saved> {
        self.write(|w| w.enrolment(e))
    }

    /// Moves an enrolment's start to `date` (a visit recorded from before the day it was
    /// entered in the app); checked like any enrolment saved.
    pub fn start_enrolment_from(&mut self, id: Uuid, date: NaiveDate) -> Result<Saved> {
        self.write(|w| {
            let mut e = w.enrolment_record(id)?;
            e.start_date = date;
            w.enrolment(&e)
        })
    }

    /// Ends an enrolment with a reason.
    pub fn end_enrolment(&mut self, id: Uuid, date: NaiveDate, reason: ExitReason) -> Result<Saved> {
        self.write(|w| {
            let mut e = w.enrolment_record(id)?;
            e.end_date = Some(date);
            e.end_reason = Some(reason);
            w.enrolment(&e)
        })
    }

    /// The form's preview: problems, results and the next due date exactly as saving would
    /// give them, from a save that is rolled back. With errors there is no next due date.
    pub fn preview_visit(&mut self, v: &Visit) -> Result<VisitOutcome> {
        self.transact(false, |w| {
            let (mut assessment, ..) = w.assess(v)?;
            if assessment.has_errors() {
                assessment.problems.extend(w.history(v)?);
                return Ok(VisitOutcome {
                    id: v.id,
                    assessment,
                    next_due: None,
                });
            }
            w.visit_at_form(v)
        })
    }

    /// Records one visit (validation, risks, z-scores, row and outbox in one transaction),
    /// as a form saves it: with the warnings of its history.
    pub fn record_visit(&mut self, v: &Visit) -> Result<VisitOutcome> {
        self.write(|w| w.visit_at_form(v))
    }

    /// Records many visits in one transaction: all or none.
    pub fn record_visits(&mut self, visits: &[Visit]) -> Result<Vec<VisitOutcome>> {
        self.write(|w| visits.iter().map(|v| w.visit(v)).collect())
    }

    /// Corrects a saved visit. Visits are facts: a correction must say why.
    pub fn correct_visit(&mut self, v: &Visit, reason: &str) -> Result<VisitOutcome> {
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid(vec![Problem::error(
                "required",
                "correction_reason",
                "Alasan koreksi wajib diisi".into(),
                "A reason for the correction is required".into(),
            )]));
        }
        let mut v = v.clone();
        v.correction_reason = Some(reason.trim().to_string());
        self.write(|w| {
            if rows::read_state(w.conn, Entity::Visit, &v.id.to_string())?.is_none() {
                return Err(StoreError::NotFound {
                    entity: "kunjungan",
                    id: v.id.to_string(),
                });
            }
            w.visit_at_form(&v)
        })
    }

    /// Voids a saved visit recorded by mistake: a tombstone with its reason, which syncs
    /// like any other change; the visit leaves the schedule, the charts and the recap, and
    /// stays in the timeline struck out.
    pub fn void_visit(&mut self, id: Uuid, reason: &str) -> Result<Saved> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid(vec![Problem::error(
                "required",
                "correction_reason",
                "Alasan pembatalan wajib diisi".into(),
                "A reason for voiding is required".into(),
            )]));
        }
        self.write(|w| {
            let key = id.to_string();
            let v: Visit = rows::read_record(w.conn, Entity::Visit, &key)?.ok_or_else(|| StoreError::NotFound {
                entity: "kunjungan",
                id: key.clone(),
            })?;
            let mut fields = BTreeMap::new();
            fields.insert(DELETED.to_string(), Value::Bool(true));
            fields.insert("correction_reason".to_string(), Value::String(reason.to_string()));
            let change = w.change(Entity::Visit, id, &v.area_code, fields)?;
            Ok(Saved {
                id,
                warnings: vec![],
                change_id: change,
            })
        })
    }

    /// Marks a record deleted (a tombstone that syncs like any other field).
    pub fn delete(&mut self, entity: Entity, id: Uuid) -> Result<Saved> {
        self.write(|w| {
            let key = id.to_string();
            let state: RowState = rows::read_state(w.conn, entity, &key)?.ok_or_else(|| StoreError::NotFound {
                entity: entity.as_str(),
                id: key.clone(),
            })?;
            let area = state
                .get("area_code")
                .and_then(|s| s.value.as_str().map(str::to_string))
                .unwrap_or_default();
            let mut fields = BTreeMap::new();
            fields.insert(DELETED.to_string(), Value::Bool(true));
            let change = w.change(entity, id, &area, fields)?;
            Ok(Saved {
                id,
                warnings: vec![],
                change_id: change,
            })
        })
    }

    /// Records a delivery: ends the pregnancy, opens nifas, registers and enrols the baby.
    pub fn record_delivery(&mut self, hamil_id: Uuid, d: &Delivery) -> Result<DeliveryRecorded> {
        self.write(|w| {
            let mut hamil: Enrolment = rows::read_record(w.conn, Entity::Enrolment, &hamil_id.to_string())?
                .ok_or_else(|| StoreError::NotFound {
                    entity: "pendampingan",
                    id: hamil_id.to_string(),
                })?;
            if hamil.kind != TargetKind::IbuHamil {
                return Err(StoreError::Invalid(vec![Problem::error(
                    "kind_mismatch",
                    "kind",
                    "Persalinan hanya dicatat untuk ibu hamil".into(),
                    "A delivery is recorded only for a pregnant woman".into(),
                )]));
            }
            let mother = w.person_record(hamil.person_id)?;
            hamil.end_date = Some(d.date);
            hamil.end_reason = Some(ExitReason::Melahirkan);
            w.enrolment(&hamil)?;
            let nifas = Enrolment::new(
                (w.new_id)(),
                &mother,
                d.date,
                EnrolmentDetails::Nifas {
                    delivery_date: d.date,
                    place: d.place.clone(),
                    attendant: d.attendant.clone(),
                    mode: d.mode,
                    birth_weight_g: d.birth_weight_g,
                    birth_length_cm: d.birth_length_cm,
                    gestational_age_weeks: d.gestational_age_weeks,
                },
                hamil.tpk.clone(),
            );
            w.enrolment(&nifas)?;
            let relationship = match mother.relationship {
                Relationship::Anak | Relationship::Menantu => Relationship::Cucu,
                _ => Relationship::Anak,
            };
            let child = Person {
                id: (w.new_id)(),
                household_id: mother.household_id,
                area_code: mother.area_code.clone(),
                nik: None,
                name: d.baby_name.clone(),
                sex: d.baby_sex,
                birth_date: d.date,
                relationship,
                mother_id: Some(mother.id),
                mother_nik: mother.nik.clone(),
                phone: None,
                merged_into: None,
            };
            w.person(&child)?;
            let anak = Enrolment::new(
                (w.new_id)(),
                &child,
                d.date,
                EnrolmentDetails::Anak {
                    birth_weight_g: d.birth_weight_g,
                    birth_length_cm: d.birth_length_cm,
                },
                hamil.tpk.clone(),
            );
            w.enrolment(&anak)?;
            Ok(DeliveryRecorded {
                nifas_enrolment_id: nifas.id,
                child_id: child.id,
                child_enrolment_id: anak.id,
            })
        })
    }
}
