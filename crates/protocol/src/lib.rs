//! The sync protocol (docs/src/design/sync.md, `schema/openapi.yaml`): what client and server say to each
//! other, in one place, so both sides always agree on it.

pub mod authority;
pub mod codec;
pub mod codes;
pub mod scope;
pub mod seal;
pub mod wire;

use pendamping_core::{Change, Entity, Hlc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

pub use codes::{ErrorCode, RejectCode};
pub use scope::{Role, Scope, ScopeError};

/// Request headers of a push: the rules and growth-table versions the device derives its
/// visits' results with (results never travel). The server records them per device.
pub const RULES_VERSION_HEADER: &str = "pendamping-rules-version";
pub const TABLES_VERSION_HEADER: &str = "pendamping-tables-version";

/// The version of the change format a push carries. The server answers 409 to any other.
pub const SCHEMA_VERSION: u32 = 1;

/// Default page size of a pull and the most a client may ask for.
pub const PULL_LIMIT_DEFAULT: usize = 1000;
pub const PULL_LIMIT_MAX: usize = wire::MAX_CHANGES;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EnrollRequest {
    pub enrollment_code: String,
    pub device_name: String,
    /// A random value the client makes once per enrolment and sends again on a retry: a
    /// retry after a lost answer gets the same device (with a new token), not
    /// `enrollment_code_used`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The device's signing key (`seal`): what it pushes is signed with its private half.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub public_key: Option<pendamping_vault::PublicKey>,
    /// The villages whose records the device already holds (it worked offline first): a
    /// code whose area does not cover them all is refused `forbidden_area` before it is used
    /// up, so the device never enrols for an area that would refuse its own work.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holds: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EnrollResponse {
    pub device_id: Uuid,
    /// Shown once; the server keeps only its hash.
    pub token: String,
    pub scope: Scope,
    /// The server's recovery key: the device seals its store's data key to it, so that a
    /// forgotten PIN can be recovered through the server (absent from older servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub recovery_key: Option<pendamping_vault::RecoveryPublic>,
}

/// A forgotten PIN: the device's recovery wrap, the one-time code an admin issued for it,
/// and the key the answer is sealed to (made for this request only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoverRequest {
    pub device_id: Uuid,
    pub recovery_code: String,
    pub sealed: pendamping_vault::Sealed,
    pub reply_to: pendamping_vault::RecoveryPublic,
}

/// The data key, sealed to the request's `reply_to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoverResponse {
    pub sealed: pendamping_vault::Sealed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PushRequest {
    pub schema_version: u32,
    /// The pusher's pull cursor: what it has seen of the server. A field it overwrites that
    /// another device wrote after this point is a conflict, recorded on both sides.
    #[serde(default)]
    pub seen: u64,
    pub changes: Vec<Change>,
    /// Who made each change, when the pusher relays other devices' changes (a hub): runs
    /// in batch order. Empty: the pusher made them all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<OriginRun>,
    /// The origins' signatures over the changes, in batch order (`seal::spans`): a change
    /// no seal covers is refused as `unsigned`.
    #[serde(default)]
    pub seals: Vec<seal::Seal>,
}

/// `count` changes in a row made by the device `device` (docs/src/design/sync.md, relay: identity travels
/// unchanged through every hop).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct OriginRun {
    pub device: String,
    pub count: u32,
}

/// Runs of origins from one origin per change (`None`: the pusher itself).
pub fn origin_runs(origins: &[Option<String>], pusher: &str) -> Vec<OriginRun> {
    if origins.iter().all(|o| o.as_deref().is_none_or(|o| o == pusher)) {
        return Vec::new();
    }
    let mut runs: Vec<OriginRun> = Vec::new();
    for o in origins {
        let device = o.as_deref().unwrap_or(pusher);
        match runs.last_mut() {
            Some(r) if r.device == device => r.count += 1,
            _ => runs.push(OriginRun {
                device: device.to_string(),
                count: 1,
            }),
        }
    }
    runs
}

/// One origin per change from runs; `None` when the runs do not cover exactly `n` changes.
pub fn expand_origins(runs: &[OriginRun], n: usize) -> Option<Vec<Option<String>>> {
    if runs.is_empty() {
        return Some(vec![None; n]);
    }
    let mut out = Vec::with_capacity(n);
    for r in runs {
        if out.len() + r.count as usize > n {
            return None;
        }
        out.extend(std::iter::repeat_n(Some(r.device.clone()), r.count as usize));
    }
    (out.len() == n).then_some(out)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PushResponse {
    /// Changes stored (new) or already known (replays): every change of the batch that
    /// is not in `rejected` is acknowledged and may leave the outbox.
    pub accepted: usize,
    /// Of `accepted`, those the server already had.
    #[serde(default)]
    pub duplicates: usize,
    #[serde(default)]
    pub rejected: Vec<Rejection>,
    #[serde(default)]
    pub conflicts: Vec<ConflictNote>,
    /// The server is a hub (a PLKB laptop): it holds the accepted changes and passes them
    /// on, but the centre does not have them yet. The device keeps them, marked held,
    /// until a later `POST /v1/sync/confirm` says the centre has them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub held: bool,
}

/// `POST /v1/sync/confirm`: the changes a device holds as held by a hub, asking which
/// ones the centre now has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    pub change_ids: Vec<Uuid>,
}

/// What became of each asked change. Those in no list are still held, not yet confirmed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConfirmResponse {
    /// The centre has these: they may leave the outbox.
    pub confirmed: Vec<Uuid>,
    /// This server does not know them (a new or rebuilt hub, or another server): send
    /// them again.
    pub unknown: Vec<Uuid>,
    /// The centre refused these, for the reason given.
    #[serde(default)]
    pub rejected: Vec<Rejection>,
}

/// Most change ids in one confirm request.
pub const CONFIRM_MAX: usize = 5000;

/// A device as the centre and a hub exchange it (`/v1/hub/devices`): a hub learns which
/// devices of its kecamatan may sync through it, and hands up those it enrolled offline.
/// The token's SHA-256 travels, never the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct HubDevice {
    pub id: String,
    pub name: String,
    pub user_name: String,
    pub scope: Scope,
    /// Hex.
    pub token_hash: String,
    pub enrolled_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    /// The device's signing key, when it registered one.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub public_key: Option<pendamping_vault::PublicKey>,
}

/// `GET /v1/recap`: the monthly recap of an area (a village, kecamatan, kabupaten or
/// province code), computed by the same function as on every device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecapResponse {
    pub area: String,
    pub recap: pendamping_core::recap::Recap,
}

/// The NIK digest a device checks new registrations against, offline: the buckets
/// (`pendamping_core::nik::digest_bucket`) of the NIKs registered in the other villages of
/// its kecamatan. Never the NIKs: each bucket stands for hundreds of possible NIKs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NikDigest {
    pub version: String,
    pub salt: String,
    /// Sorted, distinct.
    pub buckets: Vec<u32>,
}

/// `GET /v1/nik-digest?have=V`: the digest, left out when the caller holds `version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NikDigestResponse {
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<NikDigest>,
}

/// Ids of the devices of a `HubDevices` the centre did not take (outside the hub's scope).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Refused {
    pub refused: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HubDevices {
    pub devices: Vec<HubDevice>,
}

/// A change the server refused and quarantined, with the reason and the field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rejection {
    pub change_id: Uuid,
    pub code: RejectCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// A pushed field met a write by another device that the pusher had not seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConflictNote {
    pub change_id: Uuid,
    pub entity: Entity,
    pub row_id: Uuid,
    pub field: String,
    pub yours: Value,
    pub your_hlc: Hlc,
    pub theirs: Value,
    pub their_hlc: Hlc,
    /// The LWW winner, already applied on the server.
    pub winner: Winner,
}

/// Whose value of a conflicting field won: the pushing device's, or the one already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Winner {
    Yours,
    Theirs,
}

/// A packed push (`wire::MEDIA_TYPE`): the fields of `PushRequest` before its changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushHead {
    pub schema_version: u32,
    pub seen: u64,
    pub origins: Vec<OriginRun>,
    pub seals: Vec<seal::Seal>,
}

impl PushHead {
    /// A packed push's head and changes, from this version or from one before signed
    /// changes (whose head ends at `origins`: it reads with no seals).
    pub fn unpack(bytes: &[u8]) -> Result<(PushHead, Vec<Change>), wire::WireError> {
        PushHead::unpack_within(bytes, wire::Bounds::for_wire(bytes.len(), wire::MAX_CHANGES))
    }

    /// `unpack` within `bounds` (`wire::unpack_within`).
    pub fn unpack_within(bytes: &[u8], bounds: wire::Bounds) -> Result<(PushHead, Vec<Change>), wire::WireError> {
        #[derive(Deserialize)]
        struct Unsealed {
            schema_version: u32,
            seen: u64,
            origins: Vec<OriginRun>,
        }
        wire::unpack_within::<PushHead>(bytes, bounds).or_else(|e| {
            // Only a head that does not decode may be an older one; a batch over its bounds is
            // over them whatever its head.
            if matches!(e, wire::WireError::TooMany(_) | wire::WireError::TooLarge) {
                return Err(e);
            }
            let (h, changes) = wire::unpack_within::<Unsealed>(bytes, bounds).map_err(|_| e)?;
            let head = PushHead {
                schema_version: h.schema_version,
                seen: h.seen,
                origins: h.origins,
                seals: Vec::new(),
            };
            Ok((head, changes))
        })
    }
}

/// A packed pull answer: the fields of `PullResponse` before its changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullHead {
    pub next: u64,
    pub more: bool,
    pub remaining: Option<u64>,
    pub rules: Option<String>,
    /// The server's store (`PullResponse::store`).
    pub store: String,
    /// Who made each change, for a hub caller (`PushRequest::origins`).
    pub origins: Vec<OriginRun>,
    /// `PullResponse::digest`.
    pub digest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// The cursor to save with this page (in the same transaction).
    pub next: u64,
    pub more: bool,
    /// Changes of the caller's area still after `next`, when the server can count them
    /// cheaply: the total of a progress bar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    /// The version of the district's rules the server holds: a device holding another
    /// fetches them (`GET /v1/rules`), and saves the round trip when it holds the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<String>,
    /// The id of the server's store. A cursor counts in one store's sequence: a device
    /// sends it back as `store` with `since`, and a server holding another store (a hub
    /// rebuilt, or the centre instead of the hub) answers 412 `resnapshot`.
    #[serde(default)]
    pub store: String,
    /// Who made each change, for a caller that relays (a hub); empty for a device.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<OriginRun>,
    /// On the last page: the version of the caller's NIK digest (`GET /v1/nik-digest`),
    /// fetched only when it differs from the one the device holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// The district's rules file (thresholds, ranges, cadence, advice), as the server holds it.
/// `toml` is left out when the caller already has `version`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RulesResponse {
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toml: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Health {
    pub status: String,
    pub version: String,
}

/// Every error answer: a stable code for programs and a message for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}
