//! The device's own validation, run again on the server against the merged row: what a
//! device would refuse to save, the server refuses to store.

use crate::storage::ChangeLog;
use chrono::NaiveDate;
use pendamping_core::assess::{self, VisitContext};
use pendamping_core::record::{Record, RecordError};
use pendamping_core::risk::PersonFacts;
use pendamping_core::{Enrolment, Entity, Person, Problem, Rules, Severity};
use std::collections::HashMap;
use uuid::Uuid;

use crate::error::Result;

/// Why a merged row is refused: the field and a message (Indonesian, as the device shows it).
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub field: Option<String>,
    pub message: String,
}

fn first_error(problems: Vec<Problem>) -> Option<Invalid> {
    problems
        .into_iter()
        .find(|p| p.severity == Severity::Error)
        .map(|p| Invalid {
            field: Some(p.field),
            message: p.message_id,
        })
}

/// The person and enrolment records a batch's checks look up, read once per batch.
#[derive(Default)]
pub struct Lookups {
    cache: HashMap<(Entity, Uuid), Option<Record>>,
}

impl Lookups {
    fn get(&mut self, log: &mut dyn ChangeLog, entity: Entity, id: Uuid) -> Result<Option<&Record>> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.cache.entry((entity, id)) {
            let rec = match log.record(entity, &id)? {
                Some(rec) => Record::from_state(entity, &id.to_string(), &rec.state).ok().flatten(),
                None => None,
            };
            slot.insert(rec);
        }
        Ok(self.cache.get(&(entity, id)).and_then(Option::as_ref))
    }

    /// A row changed in this batch: read it again next time.
    pub fn forget(&mut self, entity: Entity, id: Uuid) {
        self.cache.remove(&(entity, id));
    }

    fn person(&mut self, log: &mut dyn ChangeLog, id: Uuid) -> Result<Option<Person>> {
        Ok(match self.get(log, Entity::Person, id)? {
            Some(Record::Person(p)) => Some(p.clone()),
            _ => None,
        })
    }

    fn enrolment(&mut self, log: &mut dyn ChangeLog, id: Uuid) -> Result<Option<Enrolment>> {
        Ok(match self.get(log, Entity::Enrolment, id)? {
            Some(Record::Enrolment(e)) => Some(e.clone()),
            _ => None,
        })
    }
}

/// A row not whole yet (an edit that travelled ahead of the change that made it): the
/// checks of the fields it holds that read no other field, now, rather than once the rest
/// arrives, which may be never. A household's checks are each of one field; a partial row's
/// value out of its range would otherwise reach every device of the village.
pub fn check_partial(
    entity: pendamping_core::Entity,
    id: &Uuid,
    state: &pendamping_core::merge::RowState,
) -> Option<Invalid> {
    match Record::with_stand_ins(entity, &id.to_string(), state)? {
        Record::Household(h) => first_error(
            h.validate()
                .into_iter()
                .filter(|p| state.contains_key(p.field.split('.').next().unwrap_or_default()))
                .collect(),
        ),
        // Their checks read other fields (a NIK the birth date and sex, a visit's values its
        // date): they wait for the whole row.
        _ => None,
    }
}

/// Checks a merged row. Rows a record depends on (the person of an enrolment, the
/// enrolment of a visit) are used when the server has them; the device checked them
/// when it saved, and they may travel in a later batch.
pub fn check(
    log: &mut dyn ChangeLog,
    lookups: &mut Lookups,
    record: Result<Option<Record>, RecordError>,
    today: NaiveDate,
    rules: &Rules,
) -> Result<Option<Invalid>> {
    let record = match record {
        Ok(Some(r)) => r,
        Ok(None) => return Ok(None),
        Err(e) => {
            return Ok(Some(Invalid {
                field: e.field,
                message: format!("data tidak lengkap atau salah jenis: {}", e.message),
            }));
        }
    };
    Ok(match record {
        Record::Household(h) => first_error(h.validate()),
        Record::Person(p) => first_error(p.validate(today)),
        Record::Enrolment(e) => match lookups.person(log, e.person_id)? {
            Some(p) => first_error(e.validate(p.sex, p.birth_date, today, rules)),
            None => None,
        },
        Record::Visit(v) => match lookups.enrolment(log, v.enrolment_id)? {
            Some(e) => match lookups.person(log, e.person_id)? {
                Some(p) => {
                    let ctx = VisitContext {
                        person: PersonFacts {
                            sex: p.sex,
                            birth_date: p.birth_date,
                            children: None,
                        },
                        enrolment: &e,
                        today,
                    };
                    first_error(assess::assess(v.visit_date, &v.data, &ctx, rules).problems)
                }
                None => None,
            },
            None => None,
        },
    })
}
