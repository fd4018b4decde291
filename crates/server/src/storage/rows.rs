//! How rows read back, the same in every store: one reading of a stored record, of the
//! upstream state's code, of a kept refusal.

use pendamping_core::merge::{self, RowState};
use pendamping_core::{Change, Entity};
use pendamping_protocol::{RejectCode, Rejection};
use uuid::Uuid;

use super::{Result, StorageError, Stored, Upstream};

impl Upstream {
    /// `changes.upstream` as stored.
    pub fn code(u: Option<Upstream>) -> Option<i16> {
        u.map(|u| match u {
            Upstream::Held => 1,
            Upstream::Confirmed => 2,
            Upstream::Refused => 3,
        })
    }

    pub fn of_code(code: Option<i16>) -> Option<Upstream> {
        match code? {
            1 => Some(Upstream::Held),
            2 => Some(Upstream::Confirmed),
            _ => Some(Upstream::Refused),
        }
    }
}

/// Serialising maps of plain values cannot fail; this keeps `put_record` free of unwraps.
pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "{}".into())
}

/// How a record is kept: its merged state with the sequence of each field's last write,
/// or (made by one change and never changed since) the sequence of that change.
#[derive(Debug, Clone)]
pub enum Kept {
    State { state: String, seqs: String },
    First { seq: i64 },
}

impl Kept {
    /// The columns `state`, `seqs`, `base_seq` as read.
    pub fn of_columns(state: Option<String>, seqs: Option<String>, base_seq: Option<i64>) -> Option<Kept> {
        match (state, seqs, base_seq) {
            (Some(state), Some(seqs), None) => Some(Kept::State { state, seqs }),
            (None, None, Some(seq)) => Some(Kept::First { seq }),
            _ => None,
        }
    }
}

/// A record as it reads back; `body` gives the change of a sequence (for [`Kept::First`]).
pub fn stored(
    entity: Entity,
    id: &Uuid,
    area_code: String,
    kept: Option<Kept>,
    body: impl FnOnce(i64) -> Result<String>,
) -> Result<Stored> {
    let corrupt = |e: String| StorageError::Corrupt(format!("{} {id}: {e}", entity.as_str()));
    match kept {
        Some(Kept::State { state, seqs }) => Ok(Stored {
            area_code,
            state: serde_json::from_str(&state).map_err(|e| corrupt(e.to_string()))?,
            seqs: serde_json::from_str(&seqs).map_err(|e| corrupt(e.to_string()))?,
        }),
        Some(Kept::First { seq }) => {
            let c: Change = pendamping_core::shape::read_change(&body(seq)?).map_err(|e| corrupt(e.to_string()))?;
            let mut state = RowState::new();
            merge::apply(&mut state, &c);
            let seqs = state.keys().map(|k| (k.clone(), seq)).collect();
            Ok(Stored { area_code, state, seqs })
        }
        None => Err(corrupt("state and base_seq disagree".into())),
    }
}

/// A kept refusal: its code, field and message.
pub fn rejection(change_id: &Uuid, code: &str, field: Option<String>, message: String) -> Rejection {
    Rejection {
        change_id: *change_id,
        code: RejectCode::parse(code),
        field,
        message,
    }
}
