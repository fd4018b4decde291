//! A push, packed or JSON, read and checked as a batch, then stored in one transaction
//! (`ingest`). The door's shape checks are here, before anything is stored.

use axum::http::HeaderMap;
use pendamping_core::{Change, Entity, Hlc, shape};
use pendamping_protocol::{
    ErrorCode, OriginRun, PushHead, PushResponse, RULES_VERSION_HEADER, SCHEMA_VERSION, TABLES_VERSION_HEADER, wire,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use uuid::Uuid;

use crate::auth::Device;
use crate::error::ServerError;
use crate::http::{ApiError, parse};
use crate::ingest;
use crate::state::AppState;

/// The rules and tables versions a push states (both, or neither).
pub(crate) fn versions_of(headers: &HeaderMap) -> Option<(String, String)> {
    let get = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    Some((get(RULES_VERSION_HEADER)?, get(TABLES_VERSION_HEADER)?))
}

impl AppState {
    /// Records the versions a device derives its visits' results with, and says in the log
    /// when they are not the server's: the device fetches the district's rules after this
    /// sync; other growth tables mean an app to update.
    pub(crate) fn note_versions(&self, device: &Device, rules: &str, tables: &str) {
        let ours = self.rules();
        match self
            .storage()
            .writing(|tx| Ok::<_, ServerError>(tx.note_versions(&device.id, rules, tables)?))
        {
            Ok(true) if rules != ours.rules.version || tables != pendamping_core::growth::TABLES_VERSION => {
                tracing::warn!(
                    device = %device.id,
                    rules,
                    tables,
                    server_rules = %ours.rules.version,
                    server_tables = pendamping_core::growth::TABLES_VERSION,
                    "the device derives results with other rules or growth tables"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not record the device's versions"),
        }
    }

    /// A packed push (`wire::MEDIA_TYPE`); `wire` is its size as it came over the network,
    /// which bounds what unpacking it may build. Each change is decoded once, from the
    /// packed bytes, and written once as the log's text.
    pub fn push_packed(&self, device: &Device, packed: &[u8], wire: usize) -> Result<PushResponse, ApiError> {
        let max = self.config().max_batch_changes;
        let (head, changes) =
            PushHead::unpack_within(packed, wire::Bounds::for_wire(wire, max)).map_err(|e| match e {
                wire::WireError::TooMany(_) => too_many_changes(max),
                wire::WireError::TooLarge => ApiError::new(ErrorCode::TooLarge, e.to_string()),
                e => ApiError::new(ErrorCode::Malformed, e.to_string()),
            })?;
        if head.schema_version != SCHEMA_VERSION {
            return Err(wrong_version(head.schema_version));
        }
        let changes = changes
            .into_iter()
            .map(|mut c| {
                // An older device may still send derived results: they are computed here.
                c.drop_retired();
                ingest::Decoded::of(c)
            })
            .collect();
        self.push_batch(device, head.seen, changes, &head.origins, head.seals)
    }

    /// A push as the handler applies it, minus HTTP: decode the JSON, check the batch, and
    /// store it in one transaction. Blocking: call it off the async threads.
    pub fn push_json(&self, device: &Device, json: &[u8]) -> Result<PushResponse, ApiError> {
        let (req, changes) = decode_json(json)?;
        self.push_batch(device, req.seen, changes, &req.origins, req.seals)
    }

    /// A decoded push, packed or JSON: its size, origins and seals checked, then stored in
    /// one transaction.
    fn push_batch(
        &self,
        device: &Device,
        seen: u64,
        changes: Vec<ingest::Decoded>,
        origins: &[OriginRun],
        seals: Vec<pendamping_protocol::seal::Seal>,
    ) -> Result<PushResponse, ApiError> {
        if changes.len() > self.config().max_batch_changes {
            return Err(too_many_changes(self.config().max_batch_changes));
        }
        let origins = pendamping_protocol::expand_origins(origins, changes.len())
            .ok_or_else(|| ApiError::new(ErrorCode::Malformed, "origins must account for every change, in order"))?;
        let seals = pendamping_protocol::seal::runs(seals, changes.len())
            .map_err(|_| ApiError::new(ErrorCode::Malformed, "seals must cover every change, in order"))?;
        let batch = ingest::Batch {
            seen,
            changes,
            origins,
            seals: Some(seals),
        };
        let rules = self.rules();
        let ctx = self.ingest_context(&rules.rules);
        let applied = self.storage().writing(|tx| ingest::push(tx, device, &batch, &ctx))?;
        // Committed: the view takes the changes as decoded here, not from the log's text.
        let mut changes: Vec<Option<ingest::Decoded>> = batch.changes.into_iter().map(Some).collect();
        self.view()
            .offer(applied.appended.iter().filter_map(|(seq, i)| match changes[*i].take() {
                Some(ingest::Decoded::Taken(a)) => Some((*seq, a.change)),
                _ => None,
            }));
        Ok(applied.response)
    }
}

/// A push request: each change left as its JSON text until it is decoded on its own, so
/// that one change the door refuses is refused alone.
#[derive(Deserialize)]
struct RawPush<'a> {
    schema_version: u32,
    #[serde(default)]
    seen: u64,
    #[serde(borrow)]
    changes: Vec<&'a RawValue>,
    #[serde(default)]
    origins: Vec<OriginRun>,
    #[serde(default)]
    seals: Vec<pendamping_protocol::seal::Seal>,
}

/// A change that is not one, read as far as a change's parts go (the values left as text):
/// if it reads so, it is refused alone (quarantined with the door's reason); if not, the
/// request is malformed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Read only to see that it reads.
struct Parts<'a> {
    change_id: Uuid,
    entity: Entity,
    row_id: Uuid,
    #[serde(borrow)]
    area_code: std::borrow::Cow<'a, str>,
    hlc: Hlc,
    #[serde(borrow)]
    fields: BTreeMap<std::borrow::Cow<'a, str>, &'a RawValue>,
}

/// A JSON push decoded as the batch ingest takes: each change parsed once, through the
/// log's door (`shape::read_change`: the scan, then the parse), an older device's derived
/// results dropped, and written once as the log's text.
fn decode_json(json: &[u8]) -> Result<(RawPush<'_>, Vec<ingest::Decoded>), ApiError> {
    // A key twice in one object (a change's `fields` too) is read by a map as its last
    // value and by other readers as its first: the request is refused, not guessed at.
    if let Ok(text) = std::str::from_utf8(json)
        && let Err(e) = shape::unique_keys(text)
    {
        return Err(ApiError::new(ErrorCode::Malformed, e.to_string()));
    }
    let req: RawPush = match parse(json) {
        Ok(r) => r,
        Err(e) => {
            // Changes of another version may not parse as ours: say which problem it is.
            #[derive(Deserialize)]
            struct Version {
                schema_version: u32,
            }
            return Err(match serde_json::from_slice::<Version>(json) {
                Ok(v) if v.schema_version != SCHEMA_VERSION => wrong_version(v.schema_version),
                _ => e,
            });
        }
    };
    if req.schema_version != SCHEMA_VERSION {
        return Err(wrong_version(req.schema_version));
    }
    let mut changes = Vec::with_capacity(req.changes.len());
    for raw in &req.changes {
        let text = raw.get();
        changes.push(match shape::read_change(text) {
            // As sent, when the door's read of it is all there is (most changes): the text
            // it read is the log's. An older device's derived results are dropped, and the
            // change written again without them.
            Ok(c) if !c.entity.retired().iter().any(|f| c.fields.contains_key(*f)) => {
                ingest::Decoded::Taken(ingest::Arrived {
                    change: c,
                    body: text.to_string(),
                    written: false,
                })
            }
            Ok(mut c) => {
                c.drop_retired();
                ingest::Decoded::of(c)
            }
            Err(why) => {
                let parts: Parts = serde_json::from_str(text)
                    .map_err(|e| ApiError::new(ErrorCode::Malformed, format!("changes: {e}")))?;
                // Refused alone: its seal is still checked over the change it reads as, so
                // the good changes under the same seal are taken.
                let leaf = serde_json::from_str::<Change>(text).ok().map(|mut c| {
                    c.drop_retired();
                    pendamping_protocol::seal::leaf(&c)
                });
                ingest::Decoded::Unreadable {
                    change_id: parts.change_id,
                    body: text.to_string(),
                    why: why.to_string(),
                    leaf,
                }
            }
        });
    }
    Ok((req, changes))
}

/// The log's door for a JSON push, from its bytes alone: each change's text as the log
/// would keep it, with the door's verdict on it (the check `ingest` stores by). The fuzz
/// target `json_push` drives it: what the door lets in, every reader reads.
pub fn door_json(json: &[u8]) -> Result<Vec<(String, bool)>, String> {
    let (_, changes) = decode_json(json).map_err(|e| e.to_string())?;
    Ok(changes
        .iter()
        .map(|d| {
            let (text, taken) = d.text();
            (text.to_string(), taken)
        })
        .collect())
}

fn wrong_version(v: u32) -> ApiError {
    ApiError::new(
        ErrorCode::SchemaVersion,
        format!("this server speaks schema version {SCHEMA_VERSION}, the request {v}; update the app"),
    )
}

pub(crate) fn too_many_changes(max: usize) -> ApiError {
    ApiError::new(ErrorCode::TooManyChanges, format!("at most {max} changes per push"))
}
