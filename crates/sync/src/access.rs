//! What a sync works on — a replica with an outbox and a pull cursor — and how it reaches
//! it: for each step, briefly, and never across a network wait, so the app can save a
//! visit while a sync is on a slow line. A device store is one replica; a PLKB hub's store,
//! syncing upstream to the centre, is another (pendamping-server's `hub`): one sync engine
//! for both.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use pendamping_core::Change;
use pendamping_protocol::seal::{self, Seal};
use pendamping_protocol::{ConflictNote, NikDigest, Rejection, Winner};
use pendamping_store::{Clash, RejectedChange, ReportedConflict, Store};
use pendamping_vault::DeviceKey;
use uuid::Uuid;

use crate::error::Result;

/// The changes a push takes next, who made each (`None`: this replica itself), and how the
/// server is to know each came unaltered from its origin.
#[derive(Debug, Default, Clone)]
pub struct Outgoing {
    pub changes: Vec<Change>,
    pub origins: Vec<Option<String>>,
    pub proofs: Vec<Proof>,
}

/// How a change is proved to the server (`pendamping_protocol::seal`).
#[derive(Debug, Clone)]
pub enum Proof {
    /// Made by this replica: signed with its own key as it is pushed.
    Own,
    /// Relayed by a hub: the origin's seal as the hub kept it, and this change's leaf.
    Kept(Arc<seal::Kept>, u32),
    /// Relayed from an origin that registered no key (enrolled by an older version).
    Unsigned,
}

/// This replica's signing key and the device id it signs as.
pub struct Signer {
    pub key: DeviceKey,
    pub device_id: String,
}

impl Outgoing {
    pub fn slice(&self, range: std::ops::Range<usize>) -> Outgoing {
        Outgoing {
            changes: self.changes[range.clone()].to_vec(),
            origins: self.origins[range.clone()].to_vec(),
            proofs: self.proofs[range].to_vec(),
        }
    }

    /// The seals of the first `n` changes, in order: one per run of changes proved alike
    /// (this replica's own; one origin's seal with rising leaves; unsigned).
    pub fn seals(&self, n: usize, signer: Option<&Signer>) -> Vec<Seal> {
        let same = |a: &Proof, b: &Proof| match (a, b) {
            (Proof::Own, Proof::Own) | (Proof::Unsigned, Proof::Unsigned) => true,
            (Proof::Kept(k, i), Proof::Kept(l, j)) => Arc::ptr_eq(k, l) && i < j,
            _ => false,
        };
        let mut out = Vec::new();
        let mut start = 0;
        while start < n {
            let mut end = start + 1;
            while end < n && same(&self.proofs[end - 1], &self.proofs[end]) {
                end += 1;
            }
            let count = (end - start) as u32;
            let seal = match (&self.proofs[start], signer) {
                (Proof::Own, Some(s)) => Some(seal::sign(&s.key, &s.device_id, &self.changes[start..end])),
                (Proof::Kept(kept, _), _) => {
                    let leaves: Vec<u32> = self.proofs[start..end]
                        .iter()
                        .filter_map(|p| match p {
                            Proof::Kept(_, leaf) => Some(*leaf),
                            _ => None,
                        })
                        .collect();
                    // A part never received whole is sent unsigned: the server refuses it
                    // by its origin's key, and says so.
                    kept.prove(&leaves)
                }
                _ => None,
            };
            out.push(seal.unwrap_or_else(|| Seal::unsigned(count)));
            start = end;
        }
        out
    }
}

/// A page applied: how many of its changes were taken, changes new here, and conflicts found.
#[derive(Debug, Default, Clone, Copy)]
pub struct Applied {
    pub consumed: usize,
    pub applied: u64,
    pub conflicts: u64,
}

pub trait Replica {
    /// A sync setting (server, credentials, last success), kept with the data.
    fn setting(&self, key: &str) -> Result<Option<String>>;
    fn set_setting(&mut self, key: &str, value: &str) -> Result<()>;
    fn rules_version(&self) -> String;
    /// The district's rules, as the server sent them.
    fn adopt_rules(&mut self, toml: &str) -> Result<()>;
    fn now_rfc3339(&self) -> String;
    /// Changes not yet sent.
    fn pending_count(&self) -> Result<u64>;
    /// The villages whose records it holds, which an enrolment's area must cover (a hub
    /// holds only what its own area's tablets sent: none to declare).
    fn villages_held(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    /// The oldest changes not yet sent (nor held by a hub), at most `limit`.
    fn outbox(&self, limit: usize) -> Result<Outgoing>;
    /// Held changes after outbox position `after`, at most `limit`: (position, change id).
    fn held(&self, after: i64, limit: usize) -> Result<Vec<(i64, Uuid)>>;
    fn set_held(&mut self, ids: &[Uuid], held: bool) -> Result<()>;
    /// The centre has these: they may go.
    fn acknowledge(&mut self, ids: &[Uuid]) -> Result<()>;
    fn quarantine(&mut self, refused: &[Rejection]) -> Result<()>;
    fn record_conflicts(&mut self, notes: &[ConflictNote]) -> Result<()>;
    fn pull_cursor(&self) -> Result<Option<String>>;
    fn reset_pull_cursor(&mut self) -> Result<()>;
    /// Merges changes of a page (who made each) in one transaction, saving `cursor` with
    /// them when they end the page; with `let_go`, only those taken before it said to stop
    /// (asked after each with how long the replica has been held; `Applied::consumed`).
    /// Merging is idempotent: a page cut between its slices is pulled again from the cursor
    /// before it, and what was merged is skipped.
    fn apply_remote(
        &mut self,
        changes: &[Change],
        origins: &[Option<String>],
        cursor: Option<&str>,
        let_go: Option<&dyn Fn(Duration) -> bool>,
    ) -> Result<Applied>;
    /// The version of the kecamatan's NIK digest held (a device checks registrations
    /// against it offline).
    fn nik_digest_version(&self) -> Result<Option<String>> {
        Ok(None)
    }
    fn adopt_nik_digest(&mut self, _digest: &NikDigest) -> Result<()> {
        Ok(())
    }
}

impl Replica for Store {
    fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(Store::setting(self, key)?)
    }

    fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        Ok(Store::set_setting(self, key, value)?)
    }

    fn rules_version(&self) -> String {
        self.rules().version.clone()
    }

    fn adopt_rules(&mut self, toml: &str) -> Result<()> {
        Ok(Store::adopt_rules(self, toml)?)
    }

    fn now_rfc3339(&self) -> String {
        self.now().to_rfc3339()
    }

    fn pending_count(&self) -> Result<u64> {
        Ok(Store::pending_count(self)?)
    }

    fn villages_held(&self) -> Result<Vec<String>> {
        Ok(Store::villages_held(self)?)
    }

    fn outbox(&self, limit: usize) -> Result<Outgoing> {
        let changes = Store::outbox(self, limit)?;
        Ok(Outgoing {
            origins: vec![None; changes.len()],
            proofs: vec![Proof::Own; changes.len()],
            changes,
        })
    }

    fn held(&self, after: i64, limit: usize) -> Result<Vec<(i64, Uuid)>> {
        Ok(Store::held(self, after, limit)?)
    }

    fn set_held(&mut self, ids: &[Uuid], held: bool) -> Result<()> {
        Store::set_held(self, ids, held)?;
        Ok(())
    }

    fn acknowledge(&mut self, ids: &[Uuid]) -> Result<()> {
        Store::acknowledge(self, ids)?;
        Ok(())
    }

    fn quarantine(&mut self, refused: &[Rejection]) -> Result<()> {
        let refused: Vec<RejectedChange> = refused
            .iter()
            .map(|r| RejectedChange {
                change_id: r.change_id,
                code: r.code,
                message: r.message.clone(),
                field: r.field.clone(),
            })
            .collect();
        Store::quarantine(self, &refused)?;
        Ok(())
    }

    fn record_conflicts(&mut self, notes: &[ConflictNote]) -> Result<()> {
        let found: Vec<ReportedConflict> = notes
            .iter()
            .map(|n| ReportedConflict {
                change_id: n.change_id,
                clash: Clash {
                    entity: n.entity,
                    row_id: n.row_id,
                    field: n.field.clone(),
                    local_value: n.yours.clone(),
                    local_hlc: n.your_hlc,
                    remote_value: n.theirs.clone(),
                    remote_hlc: n.their_hlc,
                    local_wins: n.winner == Winner::Yours,
                },
            })
            .collect();
        Ok(Store::record_conflicts(self, &found)?)
    }

    fn pull_cursor(&self) -> Result<Option<String>> {
        Ok(Store::pull_cursor(self)?)
    }

    fn reset_pull_cursor(&mut self) -> Result<()> {
        Ok(Store::reset_pull_cursor(self)?)
    }

    fn apply_remote(
        &mut self,
        changes: &[Change],
        _origins: &[Option<String>],
        cursor: Option<&str>,
        let_go: Option<&dyn Fn(Duration) -> bool>,
    ) -> Result<Applied> {
        let r = Store::apply_remote_within(self, changes, cursor, let_go)?;
        Ok(Applied {
            consumed: r.consumed,
            applied: r.applied as u64,
            conflicts: r.conflicts as u64,
        })
    }

    fn nik_digest_version(&self) -> Result<Option<String>> {
        Ok(Store::nik_digest_version(self)?)
    }

    fn adopt_nik_digest(&mut self, d: &NikDigest) -> Result<()> {
        Ok(Store::adopt_nik_digest(self, &d.version, &d.salt, &d.buckets)?)
    }
}

pub trait Access: Send {
    type Replica: Replica;
    fn with<T>(&mut self, f: impl FnOnce(&mut Self::Replica) -> T) -> T;

    /// How many others (the app's screens) wait for the replica at this moment, where
    /// others can: a sync merging a page lets go for them, and holds on while nobody does.
    fn waiting(&self) -> Option<Arc<AtomicUsize>> {
        None
    }
}

/// A store the caller owns outright (the command line).
impl Access for &mut Store {
    type Replica = Store;
    fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> T) -> T {
        f(self)
    }
}

/// A store shared with the app's screens. A screen takes it through `lock`, which counts
/// it as waiting until it has it: a sync merging a catch-up then lets go at its next
/// change, and otherwise merges a whole page in one transaction (each commit rewrites the
/// pages it touched, so many small ones made a first sync half as fast).
#[derive(Clone)]
pub struct Shared {
    store: Arc<Mutex<Store>>,
    waiting: Arc<AtomicUsize>,
}

impl Shared {
    pub fn new(store: Store) -> Shared {
        Shared {
            store: Arc::new(Mutex::new(store)),
            waiting: Arc::default(),
        }
    }

    /// The store, for a screen (counted as waiting until it has it).
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        store
    }
}

impl Access for Shared {
    type Replica = Store;
    fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> T) -> T {
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut store)
    }

    fn waiting(&self) -> Option<Arc<AtomicUsize>> {
        Some(self.waiting.clone())
    }
}
