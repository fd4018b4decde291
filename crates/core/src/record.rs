//! A synced row read as its typed record, from the merged field state.

use serde_json::Value;

use crate::change::{DELETED, Entity};
use crate::merge::RowState;
use crate::{Enrolment, Household, Person, Visit};

#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Household(Household),
    Person(Person),
    Enrolment(Enrolment),
    Visit(Visit),
}

/// The row's values as a JSON object, stamps dropped, with its id: ready for serde.
pub fn to_object(id: &str, state: &RowState) -> Value {
    let mut map: serde_json::Map<String, Value> = state.iter().map(|(k, s)| (k.clone(), s.value.clone())).collect();
    map.insert("id".into(), Value::String(id.to_string()));
    Value::Object(map)
}

/// A row some of whose fields have not arrived yet: a later edit that travelled ahead of
/// the change that made the row (another batch, another path). It is merged and kept, and
/// checked as a record once the rest arrives. A row made on a device has every field.
pub fn is_partial(entity: Entity, state: &RowState) -> bool {
    !entity.fields().iter().all(|f| state.contains_key(*f))
}

pub fn is_deleted(state: &RowState) -> bool {
    state.get(DELETED).is_some_and(|s| s.value == Value::Bool(true))
}

/// Why a row's fields do not make a record, and which field (a path like `data.weight_kg`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RecordError {
    pub field: Option<String>,
    pub message: String,
}

/// What a record is read from: a JSON value, or JSON text as it arrived.
enum Source<'a> {
    Object(Value),
    Text(&'a str),
}

fn read<T: serde::de::DeserializeOwned>(src: &Source) -> Result<T, RecordError> {
    // The fast path; only a failure pays for finding the field's path.
    let fast = match src {
        Source::Object(v) => T::deserialize(v).ok(),
        Source::Text(t) => serde_json::from_str(t).ok(),
    };
    if let Some(v) = fast {
        return Ok(v);
    }
    let slow = match src {
        Source::Object(v) => serde_path_to_error::deserialize(v.clone()),
        Source::Text(t) => serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(t)),
    };
    slow.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        // A missing field is reported at its parent; serde names it in the message.
        let missing = inner
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
            .map(|name| {
                if path == "." {
                    name.to_string()
                } else {
                    format!("{path}.{name}")
                }
            });
        let field = missing.or((path != ".").then_some(path));
        RecordError { field, message: inner }
    })
}

impl Record {
    /// Reads a row's state as its record: `Ok(None)` for a tombstone, `Err` naming the
    /// field when the fields do not make a valid record.
    pub fn from_state(entity: Entity, id: &str, state: &RowState) -> Result<Option<Record>, RecordError> {
        if is_deleted(state) {
            return Ok(None);
        }
        Record::from_source(entity, &Source::Object(to_object(id, state))).map(Some)
    }

    /// The record a row's fields make, tombstoned or not: a voided visit keeps its values.
    pub fn from_state_even_deleted(entity: Entity, id: &str, state: &RowState) -> Result<Record, RecordError> {
        let mut object = to_object(id, state);
        if let Value::Object(map) = &mut object {
            map.remove(DELETED);
        }
        Record::from_source(entity, &Source::Object(object))
    }

    /// Reads a record from a JSON object's text (fields and `id`), as a change brings it.
    pub fn from_json(entity: Entity, text: &str) -> Result<Record, RecordError> {
        Record::from_source(entity, &Source::Text(text))
    }

    fn from_source(entity: Entity, src: &Source) -> Result<Record, RecordError> {
        Ok(match entity {
            Entity::Household => Record::Household(read(src)?),
            Entity::Person => Record::Person(read(src)?),
            Entity::Enrolment => Record::Enrolment(read(src)?),
            Entity::Visit => Record::Visit(read(src)?),
        })
    }
}
