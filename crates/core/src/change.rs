//! Changes: one row-level mutation carrying only the fields that changed (docs/src/design/sync.md).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::hlc::Hlc;

crate::word_enum! {
    /// The synced tables.
    pub enum Entity {
        Household = "household",
        Person = "person",
        Enrolment = "enrolment",
        Visit = "visit",
    }
}

/// The tombstone is a field like any other.
pub const DELETED: &str = "deleted";

impl Entity {
    /// The fields a change may carry for this entity (besides `deleted`). Everything else
    /// is refused, so a change can never name a column it should not touch. The order,
    /// with `retired` after it, is part of the device store's format (its `clocks`
    /// column): only ever append.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Entity::Household => &[
                "kk_number",
                "area_code",
                "head_name",
                "address",
                "rt",
                "rw",
                "water_source",
                "latrine",
                "welfare_decile",
                "floor_area_m2",
                "latitude",
                "longitude",
                "tpk",
            ],
            Entity::Person => &[
                "household_id",
                "area_code",
                "nik",
                "name",
                "sex",
                "birth_date",
                "relationship",
                "mother_id",
                "mother_nik",
                "phone",
                "merged_into",
            ],
            Entity::Enrolment => &[
                "person_id",
                "household_id",
                "area_code",
                "kind",
                "start_date",
                "end_date",
                "end_reason",
                "tpk",
                "details",
            ],
            Entity::Visit => &[
                "enrolment_id",
                "person_id",
                "household_id",
                "area_code",
                "visit_date",
                "data",
                "correction_reason",
                "recorded_by",
            ],
        }
    }

    /// Fields that once travelled and no longer do. A visit's `results` (z-scores, flags,
    /// indicators) is derived: every replica computes it from the raw values with its own
    /// rules and tables, so it stays off the wire (docs/src/design/sync.md, economy). A change from an
    /// older device that still carries one has it dropped on arrival.
    pub fn retired(self) -> &'static [&'static str] {
        match self {
            Entity::Visit => &["results"],
            _ => &[],
        }
    }

    pub fn has_field(self, name: &str) -> bool {
        name == DELETED || self.fields().contains(&name)
    }
}

/// Unknown keys are refused: a change travels between devices as sent, so it must carry
/// nothing but its own parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// Made once at the origin; the idempotency key everywhere.
    pub change_id: Uuid,
    pub entity: Entity,
    pub row_id: Uuid,
    pub area_code: String,
    pub hlc: Hlc,
    pub fields: BTreeMap<String, Value>,
}

impl Change {
    pub fn is_delete(&self) -> bool {
        self.fields.get(DELETED) == Some(&Value::Bool(true))
    }

    /// Drops the fields its entity no longer syncs (`Entity::retired`).
    pub fn drop_retired(&mut self) {
        for f in self.entity.retired() {
            self.fields.remove(*f);
        }
    }
}

/// A record's fields as a map, from its serde form; `skip` leaves out the row id.
pub fn to_fields<T: Serialize>(record: &T) -> BTreeMap<String, Value> {
    match serde_json::to_value(record) {
        Ok(Value::Object(map)) => map.into_iter().filter(|(k, _)| k != "id").collect(),
        _ => BTreeMap::new(),
    }
}
