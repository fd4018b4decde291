//! The server's persistence, behind a few traits named for what they hold: the change log
//! ([`ChangeLog`]), the device registry ([`Devices`]), the dashboard's accounts
//! ([`Accounts`]), the audit chain ([`AuditLog`]) and this store's own settings ([`Meta`]).
//! Ingest, pull, relay, the hub, enrolment, recovery, accounts, the audit log and the
//! dashboard keep their decisions and hold no SQL; the SQLite implementation is in
//! [`sqlite`], and `tests/tests/all/storage_story.rs` is the contract any other (PostgreSQL
//! next) has to pass.
//!
//! **Blocking, not async.** A push is one transaction of many small reads and writes with
//! a decision between each (is it known, what did the record hold, is the merged record
//! valid, what did the other device write): the decisions are plain functions, and the
//! transaction is a handle they are given. The server already runs each such piece of work
//! on a blocking thread (`spawn_blocking`), one writer at a time, and the view is an
//! embedded SQLite store read the same way; a PostgreSQL implementation keeps that shape
//! with the blocking `postgres` client (itself `tokio-postgres` on a runtime of its own).
//! Async traits would make every decision `async` for no gain: the work is bounded by the
//! one writer, not by threads. (atuin's `Database` trait is async because each of its
//! requests is one query; ours is not.)
//!
//! **One transaction per handle.** [`Storage::write`] begins a write transaction (the one
//! writer: it waits for the one before) and [`Storage::read`] a read snapshot. Dropping a
//! handle without [`Tx::commit`] rolls it back, so an error half way through a push writes
//! nothing of it.

pub mod copy;
mod paging;
pub mod postgres;
mod rows;
pub mod sqlite;

use std::collections::BTreeMap;

use pendamping_core::Entity;
use pendamping_core::merge::RowState;
use pendamping_protocol::{ConflictNote, Rejection, Scope};
use uuid::Uuid;

/// What the storage says went wrong. Never a backend's own type: the decisions above it
/// are the same whichever database holds the rows.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database refused or failed (its own words).
    #[error("database: {0}")]
    Backend(String),
    /// The database does not answer (down, unreachable, or every connection busy past the
    /// wait): nothing was done, and the same request may be made again later.
    #[error("the database does not answer: {0}")]
    Unavailable(String),
    #[error("the server database is at version {found}; this server knows up to {supported}")]
    NewerSchema { found: u32, supported: u32 },
    /// A stored row does not read back as what it should be.
    #[error("a stored row is damaged ({0}); run `PRAGMA integrity_check`")]
    Corrupt(String),
    /// Opening: a path, a missing key.
    #[error("{0}")]
    Open(String),
    /// Keying or encrypting an encrypted store (a wrong key, a failed copy).
    #[error("encrypted store: {0}")]
    Encrypted(#[from] pendamping_store::StoreError),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// The server's store: write transactions one at a time, read snapshots beside them.
pub trait Storage: Send + Sync {
    /// Begins the write transaction, waiting for the one before to end.
    fn write(&self) -> Result<Box<dyn Tx + '_>>;
    /// Begins a read snapshot. A write through it fails.
    fn read(&self) -> Result<Box<dyn Tx + '_>>;
}

impl<'s> dyn Storage + 's {
    /// Runs `f` in a write transaction, committed when `f` returns `Ok` (whatever it says
    /// inside, as a refusal that is recorded), rolled back when it returns an error.
    pub fn writing<T, E: From<StorageError>>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        let mut tx = self.write()?;
        let out = f(&mut *tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` on one read snapshot.
    pub fn reading<T, E: From<StorageError>>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        let mut tx = self.read()?;
        let out = f(&mut *tx)?;
        tx.commit()?;
        Ok(out)
    }
}

/// One transaction over everything the server stores.
pub trait Tx: ChangeLog + Devices + Accounts + AuditLog + Meta + Door {
    /// Makes what this transaction wrote durable (an acknowledged push survives a power cut).
    fn commit(self: Box<Self>) -> Result<()>;
}

// ---- The change log -------------------------------------------------------------------

/// A record's merged state and the log sequence of each field's last write.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stored {
    pub area_code: String,
    pub state: RowState,
    pub seqs: BTreeMap<String, i64>,
}

/// How far a change has gone from a hub toward the centre (`None`: not sent yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upstream {
    /// Sent, and held by the centre's side of a hub above this one: not yet confirmed.
    Held,
    /// The centre has it (and every change at the centre, and what a hub pulled from it).
    Confirmed,
    /// The centre refused it (the refusal is kept, see [`ChangeLog::refused_upstream`]).
    Refused,
}

/// A change about to enter the log: where it came from and how far it has gone.
pub struct NewChange<'a> {
    pub change_id: &'a Uuid,
    pub area_code: &'a str,
    /// The device that made it.
    pub origin: &'a str,
    /// The hub it came through, if any.
    pub via: Option<&'a str>,
    pub upstream: Option<Upstream>,
    /// On a hub: the seal it is under (its row, [`ChangeLog::keep_seal`]) and its leaf, to
    /// prove it to the centre.
    pub seal: Option<(i64, u32)>,
    pub received_at: i64,
    /// The change as the log keeps it (JSON, `Change`'s form), served to pulls as it is.
    pub body: &'a str,
}

/// A page of the log for one reader: the changes as stored, and where to go on from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// The changes as stored: JSON objects, served without re-encoding.
    pub bodies: Vec<String>,
    /// Who made each change (its origin device).
    pub origins: Vec<String>,
    /// The cursor to ask from next.
    pub next: u64,
    pub more: bool,
    /// How many changes the reader has still to get, when known.
    pub remaining: Option<u64>,
}

/// A cursor past the end of the log: it counts in another store (or one restored from an
/// older backup), and the reader starts again from 0.
#[derive(Debug, PartialEq, Eq)]
pub struct CursorAhead {
    pub latest: u64,
}

/// Who a page is for: the villages it may see, and the device (or hub) whose own changes
/// are left out (it has them).
pub struct Reader<'a> {
    pub scope: &'a Scope,
    pub device_id: &'a str,
    /// Whether the page counts what the reader has still to get (`Page::remaining`). A
    /// stream of pages counts once, on its first, and subtracts after: counting on every
    /// page made a catch-up quadratic in the log's length.
    pub count: bool,
}

/// A change refused at the door, kept with why.
pub struct Quarantined<'a> {
    pub rejection: &'a Rejection,
    pub device_id: &'a str,
    pub body: &'a str,
    pub received_at: i64,
}

/// A change the server holds but does not use: refused at the door (quarantine) or, in
/// the log, unreadable by its readers (set aside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotUsed {
    /// `quarantine` or `set aside`.
    pub place: &'static str,
    pub change_id: String,
    pub device_id: String,
    pub code: String,
    pub field: Option<String>,
    pub message: String,
    pub at_ms: i64,
}

/// A change a hub has still to send upstream, with what it keeps of its seal.
pub struct Unsent {
    pub body: String,
    pub origin: String,
    /// The seal's row, the change's leaf in it and the seal as kept (`seal::Kept`, postcard);
    /// `None` for a change taken unsigned.
    pub seal: Option<(i64, u32, Vec<u8>)>,
}

/// How far a hub's log has gone upstream, for an engineer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backlog {
    pub unsent: u64,
    pub held: u64,
    pub confirmed: u64,
    pub refused: u64,
}

/// The change log: every change as it came, in one order (its sequence), with the merged
/// state of each record, the refusals, the conflicts and, on a hub, how far each change
/// has gone upstream.
///
/// **Visibility contract of [`ChangeLog::page`]** (what a device's cursor relies on): a
/// page that returns the change of sequence `s` never leaves out a change of a smaller
/// sequence that a later page could return; so a reader that goes on from `next` never
/// skips a change. SQLite has one writer, so sequences become visible in order; an
/// implementation whose sequences can commit out of order must hold a page back to the
/// sequence below which every transaction has ended.
pub trait ChangeLog {
    /// A hint before a batch: these changes (and their records) are about to be asked
    /// about. A store whose every question is a round trip (PostgreSQL) reads them all at
    /// once; the answers then stay true, since this transaction is the one writer.
    fn expect(&mut self, _changes: &[(Uuid, Entity, Uuid)]) -> Result<()> {
        Ok(())
    }
    /// The highest sequence in the log (0 when empty).
    fn latest(&mut self) -> Result<u64>;
    fn change_known(&mut self, change_id: &Uuid) -> Result<bool>;
    /// Who made a change, and how far it has gone upstream (`None`: not in the log).
    fn change_path(&mut self, change_id: &Uuid) -> Result<Option<(String, Option<Upstream>)>>;
    /// Appends a change; returns its sequence.
    fn append(&mut self, change: &NewChange) -> Result<i64>;
    /// A record's merged state.
    fn record(&mut self, entity: Entity, id: &Uuid) -> Result<Option<Stored>>;
    /// A new record whose state is the change of sequence `seq` alone (read from it, not
    /// written twice).
    fn put_first(&mut self, entity: Entity, id: &Uuid, area_code: &str, seq: i64) -> Result<()>;
    fn put_record(&mut self, entity: Entity, id: &Uuid, rec: &Stored) -> Result<()>;
    /// The changes `reader` may see after `since`, at most `limit`, in sequence order.
    fn page(&mut self, reader: &Reader, since: u64, limit: usize) -> Result<Result<Page, CursorAhead>>;
    /// Every change after `since` (the view's catch-up): (sequence, body), at most `limit`.
    fn after(&mut self, since: i64, limit: usize) -> Result<Vec<(i64, String)>>;

    /// Keeps a refused change, replacing an earlier refusal of it.
    fn quarantine(&mut self, q: &Quarantined) -> Result<()>;
    /// Is anything in quarantine (most of the time nothing is, and a push need not look)?
    fn any_quarantined(&mut self) -> Result<bool>;
    /// A change refused before and accepted now leaves quarantine.
    fn release(&mut self, change_id: &Uuid) -> Result<()>;
    /// The refusal of `change_id` kept here for `device_id`'s own change.
    fn refusal(&mut self, change_id: &Uuid, device_id: &str) -> Result<Option<Rejection>>;
    /// Two edits of one field made without knowing of each other (the winner is LWW's).
    fn note_conflict(&mut self, note: &ConflictNote, device_id: &str, at_ms: i64) -> Result<()>;
    /// Rows of the log a reader could not read back, with the reason; returns how many are
    /// set aside in all.
    fn set_aside(&mut self, rows: &[(i64, String)], at_ms: i64) -> Result<u64>;
    fn set_aside_count(&mut self) -> Result<u64>;
    /// The refused changes (newest first), then the rows set aside, `limit` of each.
    fn not_used(&mut self, limit: usize) -> Result<Vec<NotUsed>>;

    /// On a hub: keeps what the centre needs of a seal (`seal::Kept`, postcard); its row.
    fn keep_seal(&mut self, origin: &str, kept: &[u8]) -> Result<i64>;
    /// On a hub: forgets what was kept of the seals of `ids` once none of their changes can
    /// go upstream again (the centre has or refused each). The seal's row stays.
    fn forget_closed_seals(&mut self, ids: &[Uuid]) -> Result<()>;
    /// On a hub: the changes not yet sent upstream, in sequence order.
    fn unsent(&mut self, limit: usize) -> Result<Vec<Unsent>>;
    fn unsent_count(&mut self) -> Result<u64>;
    /// On a hub: the changes sent and held, not yet confirmed, after `after`.
    fn held(&mut self, after: i64, limit: usize) -> Result<Vec<(i64, Uuid)>>;
    fn set_upstream(&mut self, ids: &[Uuid], to: Option<Upstream>) -> Result<()>;
    /// On a hub: the centre refused these; kept, to hand back to their devices.
    fn refused_upstream(&mut self, refused: &[Rejection], at_ms: i64) -> Result<()>;
    /// On a hub: the centre's refusal of a change it relayed.
    fn upstream_refusal(&mut self, change_id: &Uuid) -> Result<Option<Rejection>>;
    fn backlog(&mut self) -> Result<Backlog>;
}

// ---- The device registry ----------------------------------------------------------------

/// An enrolment code as stored (the code itself only as its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRow {
    pub user_name: String,
    pub role: String,
    /// The scope's codes, comma separated.
    pub scope: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub device_id: Option<String>,
    pub nonce_hash: Option<Vec<u8>>,
}

/// A device as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub id: String,
    pub name: String,
    pub user_name: String,
    pub role: String,
    /// The scope's codes, comma separated.
    pub scope: String,
    pub token_hash: Vec<u8>,
    pub enrolled_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub last_seen_at: Option<i64>,
    pub public_key: Option<Vec<u8>>,
    /// The rules and growth tables it derived results with at its last push.
    pub rules_version: Option<String>,
    pub tables_version: Option<String>,
}

/// Which devices [`Devices::devices`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which<'a> {
    All,
    /// All but this one (a hub asking for its devices).
    Except(&'a str),
    /// On a hub: those to hand up — enrolled here, or revoked here — not yet taken upstream.
    NotUploaded,
}

/// Where a device taken from another registry was enrolled, and so whose word wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    /// The centre takes a hub's enrolment: its own copy is never overridden, but a
    /// revocation made at the hub is taken.
    Here,
    /// A hub takes the centre's registry: the centre's word wins (a renewed token, a
    /// revocation), except that a revocation made here stays until the centre has it.
    Upstream,
}

/// A recovery code as it is issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued<'a> {
    pub device_id: &'a str,
    pub by: &'a str,
    pub at_ms: i64,
    pub expires_at: i64,
}

/// A recovery code as stored, with its device's revocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryRow {
    pub device_id: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub reply_to: Option<String>,
    pub revoked_at: Option<i64>,
}

/// Enrolment codes, devices (their scopes, token hashes and signing keys) and recovery codes.
pub trait Devices {
    fn add_code(&mut self, code_hash: &[u8], code: &CodeRow) -> Result<()>;
    fn code(&mut self, code_hash: &[u8]) -> Result<Option<CodeRow>>;
    fn use_code(&mut self, code_hash: &[u8], at_ms: i64, device_id: &str, nonce_hash: Option<&[u8]>) -> Result<()>;
    fn add_device(&mut self, d: &DeviceRow) -> Result<()>;
    /// A device enrolled elsewhere, taken in as `home` says; `false` when another device
    /// holds its token hash (it is not taken).
    fn take_device(&mut self, d: &DeviceRow, home: Home) -> Result<bool>;
    /// A new token (and key) for a device not revoked; `false` when there is none.
    fn retoken(&mut self, id: &str, token_hash: &[u8], public_key: &[u8]) -> Result<bool>;
    fn device(&mut self, id: &str) -> Result<Option<DeviceRow>>;
    fn device_by_token(&mut self, token_hash: &[u8]) -> Result<Option<DeviceRow>>;
    /// Devices in order of enrolment.
    fn devices(&mut self, which: Which) -> Result<Vec<DeviceRow>>;
    fn touch(&mut self, id: &str, at_ms: i64) -> Result<()>;
    /// Records the versions a device derives results with; `true` when they changed.
    fn note_versions(&mut self, id: &str, rules: &str, tables: &str) -> Result<bool>;
    /// Revokes a device (kept at its first revocation); `false` when there is none. On a
    /// hub, the revocation is to be handed up again.
    fn revoke(&mut self, id: &str, at_ms: i64) -> Result<bool>;
    fn mark_uploaded(&mut self, ids: &[String], at_ms: i64) -> Result<()>;
    fn add_recovery_code(&mut self, code_hash: &[u8], issued: &Issued) -> Result<()>;
    fn recovery_code(&mut self, code_hash: &[u8]) -> Result<Option<RecoveryRow>>;
    fn use_recovery_code(&mut self, code_hash: &[u8], at_ms: i64, reply_to: &str) -> Result<()>;
}

// ---- Accounts ---------------------------------------------------------------------------

/// A dashboard account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub name: String,
    pub role: String,
    /// The areas' codes, comma separated.
    pub areas: String,
    /// The password's PHC string (Argon2id).
    pub hash: String,
    pub disabled_at: Option<i64>,
}

/// The dashboard's accounts.
pub trait Accounts {
    fn account(&mut self, name: &str) -> Result<Option<AccountRow>>;
    fn add_account(&mut self, a: &AccountRow, at_ms: i64) -> Result<()>;
    /// Every account, by name.
    fn accounts(&mut self) -> Result<Vec<AccountRow>>;
    /// `false` when there is no active account of that name.
    fn disable_account(&mut self, name: &str, at_ms: i64) -> Result<bool>;
}

// ---- The audit chain --------------------------------------------------------------------

/// An entry of the audit log, with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub hash: Vec<u8>,
}

/// The append-only audit log (each entry hashes the one before: `crate::audit`).
pub trait AuditLog {
    /// The newest entry's sequence and hash.
    fn audit_head(&mut self) -> Result<Option<(i64, Vec<u8>)>>;
    fn audit_append(&mut self, e: &Entry) -> Result<()>;
    /// The newest `limit` entries, newest first.
    fn audit_recent(&mut self, limit: usize) -> Result<Vec<Entry>>;
    /// Every entry in order, each given to `f` until it returns `false`.
    fn audit_walk(&mut self, f: &mut dyn FnMut(Entry) -> bool) -> Result<()>;
}

// ---- This store's own settings ----------------------------------------------------------

/// What a store keeps about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting<'a> {
    /// This store's identity: a pull cursor counts in one store's sequence.
    StoreId,
    /// The salt of this store's NIK digests.
    NikSalt,
    /// The recovery key's secret half (hex).
    RecoverySecret,
    /// On a hub: the centre's rules file, as last adopted.
    AdoptedRules,
    /// On a hub: the scope of its own enrolment upstream (JSON).
    HubScope,
    /// On a hub: the cursor of its pull from the centre.
    UpstreamCursor,
    /// On a hub: a setting of its upstream sync (`pendamping_sync::keys`).
    Upstream(&'a str),
    /// On the app's hub: it was switched on (kept in its store, so it starts again with the
    /// app).
    HubOn,
    /// On the app's hub: the port it serves on.
    HubPort,
}

impl Setting<'_> {
    /// The key a setting is kept under in `meta`, in every store (the names stores of
    /// earlier versions have).
    pub fn key(self) -> std::borrow::Cow<'static, str> {
        match self {
            Setting::StoreId => "store_id".into(),
            Setting::NikSalt => "nik_salt".into(),
            Setting::RecoverySecret => "recovery_secret".into(),
            Setting::AdoptedRules => "upstream.rules_toml".into(),
            Setting::HubScope => "upstream.scope".into(),
            Setting::UpstreamCursor => "upstream.cursor".into(),
            Setting::Upstream(k) => format!("upstream.{k}").into(),
            Setting::HubOn => "hub.on".into(),
            Setting::HubPort => "hub.port".into(),
        }
    }
}

/// This store's own settings.
pub trait Meta {
    fn setting(&mut self, s: Setting) -> Result<Option<String>>;
    fn set_setting(&mut self, s: Setting, value: &str) -> Result<()>;
    fn clear_setting(&mut self, s: Setting) -> Result<()>;
}

// ---- What the door keeps ---------------------------------------------------------------

/// Short-lived state of the door that every server process must share: dashboard sessions
/// (by the SHA-256 of their token) and counters (wrong passwords in a row and their
/// lock-outs, requests per address in a rate window), each a count and a time, under a
/// key whose prefix names its kind.
pub trait Door {
    fn counter(&mut self, key: &str) -> Result<Option<(u32, i64)>>;
    fn set_counter(&mut self, key: &str, n: u32, at_ms: i64) -> Result<()>;
    fn forget_counter(&mut self, key: &str) -> Result<()>;
    /// How many counters are kept under `prefix`.
    fn counters(&mut self, prefix: &str) -> Result<u64>;
    /// Forgets the counters under `prefix` whose time is at or before `up_to`.
    fn forget_counters(&mut self, prefix: &str, up_to: i64) -> Result<()>;
    /// A session's account and when it ends.
    fn session(&mut self, digest: &str) -> Result<Option<(String, i64)>>;
    fn put_session(&mut self, digest: &str, account: &str, until_ms: i64) -> Result<()>;
    fn end_session(&mut self, digest: &str) -> Result<()>;
    /// Forgets the sessions that ended at or before `now_ms`.
    fn forget_sessions(&mut self, now_ms: i64) -> Result<()>;
}
