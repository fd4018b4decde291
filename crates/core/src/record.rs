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

/// What a record is read from: a JSON value, JSON text as it arrived, or a change's fields
/// and the row's id (read in place, not copied into an object first).
enum Source<'a> {
    Object(Value),
    Text(&'a str),
    Fields(&'a std::collections::BTreeMap<String, Value>, &'a Value),
}

/// A change's fields and its row's id, as the map a record's type reads.
fn fields_map<'a>(
    fields: &'a std::collections::BTreeMap<String, Value>,
    id: &'a Value,
) -> serde::de::value::MapDeserializer<'a, impl Iterator<Item = (&'a str, &'a Value)>, serde_json::Error> {
    let pairs = fields.iter().map(|(k, v)| (k.as_str(), v));
    serde::de::value::MapDeserializer::new(pairs.chain(std::iter::once(("id", id))))
}

fn read<T: serde::de::DeserializeOwned>(src: &Source) -> Result<T, RecordError> {
    // The fast path; only a failure pays for finding the field's path.
    let fast = match src {
        Source::Object(v) => T::deserialize(v).ok(),
        Source::Text(t) => serde_json::from_str(t).ok(),
        Source::Fields(f, id) => T::deserialize(fields_map(f, id)).ok(),
    };
    if let Some(v) = fast {
        return Ok(v);
    }
    let slow = match src {
        Source::Object(v) => serde_path_to_error::deserialize(v.clone()),
        Source::Text(t) => serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(t)),
        Source::Fields(f, id) => serde_path_to_error::deserialize(fields_map(f, id)),
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

    /// Reads a record from a change's fields and its row's id, in place.
    pub fn from_fields(
        entity: Entity,
        id: &uuid::Uuid,
        fields: &std::collections::BTreeMap<String, Value>,
    ) -> Result<Record, RecordError> {
        let id = Value::String(id.to_string());
        Record::from_source(entity, &Source::Fields(fields, &id))
    }

    /// Reads a record from a JSON object's text (fields and `id`), as a change brings it.
    pub fn from_json(entity: Entity, text: &str) -> Result<Record, RecordError> {
        Record::from_source(entity, &Source::Text(text))
    }

    /// The record a row's merged fields make, after checking every field the row holds
    /// against its record's own type: `Ok(None)` for a tombstone and for a row whose other
    /// fields have not arrived yet, `Err` naming the first field that is not what its record
    /// reads. What a log or a store takes passes this, so no reader later meets a field it
    /// cannot read: a partial row or a tombstone is checked as a whole record would be, with
    /// a stand-in for each field still missing.
    pub fn checked(entity: Entity, id: &str, state: &RowState) -> Result<Option<Record>, RecordError> {
        let deleted = state.get(DELETED).map(|s| &s.value);
        if deleted.is_some_and(|v| !v.is_boolean()) {
            return Err(RecordError {
                field: Some(DELETED.into()),
                message: "deleted must be true or false".into(),
            });
        }
        if !is_deleted(state) && !is_partial(entity, state) {
            return Record::from_state(entity, id, state);
        }
        let Value::Object(mut object) = to_object(id, state) else {
            unreachable!("to_object makes an object")
        };
        object.remove(DELETED);
        for (name, stand_in) in stand_ins(entity) {
            object.entry(name.clone()).or_insert_with(|| stand_in.clone());
        }
        Record::from_source(entity, &Source::Object(Value::Object(object))).map(|_| None)
    }

    /// A row not whole yet read as its record, each missing field its stand-in (`None` for
    /// a whole row or a tombstone): what a check of the fields it does hold reads.
    pub fn with_stand_ins(entity: Entity, id: &str, state: &RowState) -> Option<Record> {
        if is_deleted(state) || !is_partial(entity, state) {
            return None;
        }
        let Value::Object(mut object) = to_object(id, state) else {
            unreachable!("to_object makes an object")
        };
        object.remove(DELETED);
        for (name, stand_in) in stand_ins(entity) {
            object.entry(name.clone()).or_insert_with(|| stand_in.clone());
        }
        Record::from_source(entity, &Source::Object(Value::Object(object))).ok()
    }

    /// Whether a row's JSON reads as its record (a row not whole yet does not).
    pub fn reads(entity: Entity, value: &Value) -> bool {
        use serde::Deserialize;
        match entity {
            Entity::Household => Household::deserialize(value).is_ok(),
            Entity::Person => Person::deserialize(value).is_ok(),
            Entity::Enrolment => Enrolment::deserialize(value).is_ok(),
            Entity::Visit => Visit::deserialize(value).is_ok(),
        }
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

/// A value for every field of `entity` that its record cannot do without, each read by the
/// record's own type (made from a record, never written by hand): what `Record::checked`
/// puts in place of a field that has not arrived.
fn stand_ins(entity: Entity) -> &'static serde_json::Map<String, Value> {
    static ALL: std::sync::OnceLock<Vec<serde_json::Map<String, Value>>> = std::sync::OnceLock::new();
    let all = ALL.get_or_init(|| {
        let (nil, day) = (uuid::Uuid::nil(), chrono::NaiveDate::default());
        let area = String::new;
        let records = [
            Record::Household(Household {
                id: nil,
                kk_number: None,
                area_code: area(),
                head_name: String::new(),
                address: None,
                rt: None,
                rw: None,
                water_source: None,
                latrine: None,
                welfare_decile: None,
                floor_area_m2: None,
                latitude: None,
                longitude: None,
                tpk: None,
            }),
            Record::Person(Person {
                id: nil,
                household_id: nil,
                area_code: area(),
                nik: None,
                name: String::new(),
                sex: crate::Sex::Female,
                birth_date: day,
                relationship: crate::Relationship::Anak,
                mother_id: None,
                mother_nik: None,
                phone: None,
                merged_into: None,
            }),
            Record::Enrolment(Enrolment {
                id: nil,
                person_id: nil,
                household_id: nil,
                area_code: area(),
                kind: crate::TargetKind::Krs,
                start_date: day,
                end_date: None,
                end_reason: None,
                tpk: None,
                details: crate::EnrolmentDetails::Krs {},
            }),
            Record::Visit(Visit {
                id: nil,
                enrolment_id: nil,
                person_id: nil,
                household_id: nil,
                area_code: area(),
                visit_date: day,
                data: crate::VisitData::Krs(Default::default()),
                correction_reason: None,
                recorded_by: None,
            }),
        ];
        records
            .iter()
            .map(|r| {
                let value = match r {
                    Record::Household(x) => serde_json::to_value(x),
                    Record::Person(x) => serde_json::to_value(x),
                    Record::Enrolment(x) => serde_json::to_value(x),
                    Record::Visit(x) => serde_json::to_value(x),
                };
                match value {
                    Ok(Value::Object(mut map)) => {
                        map.remove("id");
                        map
                    }
                    _ => unreachable!("a record serialises to an object"),
                }
            })
            .collect()
    });
    let at = Entity::ALL.iter().position(|e| *e == entity).expect("every entity");
    &all[at]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::Stamped;
    use serde_json::json;

    fn state(fields: Value) -> RowState {
        let Value::Object(map) = fields else { panic!() };
        map.into_iter()
            .map(|(k, value)| {
                (
                    k,
                    Stamped {
                        hlc: Default::default(),
                        value,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn stand_ins_read_as_each_record_and_name_only_fields_of_it() {
        for e in Entity::ALL {
            let stand_in = stand_ins(*e);
            assert!(stand_in.keys().all(|k| e.has_field(k)), "{e:?}");
            let full = state(Value::Object(stand_in.clone()));
            assert!(Record::checked(*e, "00000000-0000-0000-0000-000000000001", &full).is_ok());
        }
    }

    #[test]
    fn a_partial_row_or_a_tombstone_is_checked_field_by_field() {
        let id = "00000000-0000-0000-0000-000000000009";
        let refused = [
            (Entity::Household, json!({"welfare_decile": "abc"}), "welfare_decile"),
            (Entity::Household, json!({"rt": ["1"]}), "rt"),
            (Entity::Person, json!({"sex": 5}), "sex"),
            (Entity::Person, json!({"birth_date": "notadate"}), "birth_date"),
            (Entity::Enrolment, json!({"kind": "baduta"}), "kind"),
            (Entity::Visit, json!({"data": {}}), "data.kind"),
            (
                Entity::Visit,
                json!({"data": {"kind": "anak", "weight_kg": "berat"}}),
                "data",
            ),
            (
                Entity::Visit,
                json!({"deleted": true, "visit_date": "2026-13-01"}),
                "visit_date",
            ),
            (Entity::Visit, json!({"deleted": "yes"}), "deleted"),
        ];
        for (e, fields, field) in refused {
            let why = Record::checked(e, id, &state(fields.clone())).expect_err(&fields.to_string());
            assert_eq!(why.field.as_deref(), Some(field), "{fields}: {why}");
        }
        let taken = [
            (Entity::Household, json!({"welfare_decile": 3, "rt": "001"})),
            (Entity::Person, json!({"sex": "L", "birth_date": "2025-02-28"})),
            (
                Entity::Enrolment,
                json!({"kind": "ibu_hamil", "details": {"kind": "ibu_hamil", "hpht": "2026-05-01"}}),
            ),
            (Entity::Visit, json!({"data": {"kind": "anak", "weight_kg": 8.5}})),
            (Entity::Visit, json!({"deleted": true})),
        ];
        for (e, fields) in taken {
            assert_eq!(Record::checked(e, id, &state(fields.clone())), Ok(None), "{fields}");
        }
    }
}
