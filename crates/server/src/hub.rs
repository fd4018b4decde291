//! Hub mode (docs/src/design/sync.md, "Relay through a hub"): this server's store is also a
//! replica of the centre. It serves its kecamatan's devices with the same /v1 API, and
//! syncs upstream with the same engine a device uses (`pendamping_sync::sync`): its
//! outbox is the changes not yet at the centre, each pushed with its origin device; what it
//! pulls is stored as the centre sent it. Devices keep their changes until the centre has
//! them (`POST /v1/sync/confirm`), so losing the hub loses nothing.

use std::sync::Arc;

use pendamping_core::{Change, Rules};
use pendamping_protocol::{ConflictNote, HubDevices, Rejection, Scope};
use pendamping_sync::{Access, Applied, Outgoing, Proof, Replica, SyncError};
use uuid::Uuid;

use crate::auth::Device;
use crate::error::ServerError;
use crate::rules::HeldRules;
use crate::state::AppState;
use crate::storage::{Setting, Tx, Unsent, Upstream as Sent};
use crate::{ingest, relay};

fn local(e: impl Into<ServerError>) -> SyncError {
    SyncError::Local(e.into().to_string())
}

pub use crate::auth::hub_scope as scope_of;

/// The hub's store as the sync engine's replica. Each step takes the writer briefly.
#[derive(Clone)]
pub struct Upstream(pub AppState);

impl Access for Upstream {
    type Replica = Upstream;
    fn with<T>(&mut self, f: impl FnOnce(&mut Upstream) -> T) -> T {
        f(self)
    }
}

impl Upstream {
    /// Runs `f` in a write transaction of the hub's store, committed when it returns `Ok`.
    fn tx<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, ServerError>) -> Result<T, SyncError> {
        self.0.storage().writing(f).map_err(local)
    }

    /// The scope the hub was enrolled upstream with.
    pub fn scope(&self) -> Result<Option<Scope>, SyncError> {
        pendamping_sync::registry::scope(self)
    }
}

impl Replica for Upstream {
    fn setting(&self, key: &str) -> Result<Option<String>, SyncError> {
        self.tx(|t| Ok(t.setting(Setting::Upstream(key))?))
    }

    fn set_setting(&mut self, key: &str, value: &str) -> Result<(), SyncError> {
        self.tx(|t| Ok(t.set_setting(Setting::Upstream(key), value)?))
    }

    fn rules_version(&self) -> String {
        self.0.rules().rules.version.clone()
    }

    /// The centre's rules: kept, and served to this hub's devices from now on.
    fn adopt_rules(&mut self, toml: &str) -> Result<(), SyncError> {
        let rules = Rules::from_toml(toml).map_err(|e| SyncError::BadAnswer(format!("rules: {e}")))?;
        let held = self.rules_version();
        if !Rules::may_replace(&rules.version, &held) {
            return Err(SyncError::BadAnswer(format!(
                "rules: version {} is older than the {held} this hub holds",
                rules.version
            )));
        }
        self.tx(|t| Ok(t.set_setting(Setting::AdoptedRules, toml)?))?;
        self.0.hold_rules(HeldRules {
            rules,
            toml: toml.to_string(),
        });
        tracing::info!(version = %self.rules_version(), "hub adopted the centre's rules");
        Ok(())
    }

    fn now_rfc3339(&self) -> String {
        chrono::DateTime::from_timestamp_millis(self.0.now_ms())
            .unwrap_or_default()
            .to_rfc3339()
    }

    fn pending_count(&self) -> Result<u64, SyncError> {
        self.tx(|t| Ok(t.unsent_count()?))
    }

    /// Each change with its origin, and its proof: the hub's own are signed as they go,
    /// a device's carry the part of its seal kept here.
    fn outbox(&self, limit: usize) -> Result<Outgoing, SyncError> {
        let me = self.setting(pendamping_sync::keys::DEVICE_ID)?;
        let rows = self.tx(|t| Ok(t.unsent(limit)?))?;
        let mut out = Outgoing::default();
        let mut kept: std::collections::HashMap<i64, Arc<pendamping_protocol::seal::Kept>> = Default::default();
        for Unsent { body, origin, seal } in rows {
            let c: Change = serde_json::from_str(&body).map_err(|e| SyncError::Local(e.to_string()))?;
            let proof = match seal {
                _ if me.as_deref() == Some(origin.as_str()) => Proof::Own,
                Some((id, leaf, blob)) if !blob.is_empty() => {
                    let k = match kept.get(&id) {
                        Some(k) => k.clone(),
                        None => {
                            let k = Arc::new(
                                postcard::from_bytes(&blob).map_err(|e| SyncError::Local(format!("seal {id}: {e}")))?,
                            );
                            kept.insert(id, Arc::clone(&k));
                            k
                        }
                    };
                    Proof::Kept(k, leaf)
                }
                _ => Proof::Unsigned,
            };
            out.changes.push(c);
            out.origins.push(Some(origin));
            out.proofs.push(proof);
        }
        Ok(out)
    }

    fn held(&self, after: i64, limit: usize) -> Result<Vec<(i64, Uuid)>, SyncError> {
        self.tx(|t| Ok(t.held(after, limit)?))
    }

    fn set_held(&mut self, ids: &[Uuid], held: bool) -> Result<(), SyncError> {
        self.tx(|t| Ok(t.set_upstream(ids, held.then_some(Sent::Held))?))
    }

    fn acknowledge(&mut self, ids: &[Uuid]) -> Result<(), SyncError> {
        self.tx(|t| {
            t.set_upstream(ids, Some(Sent::Confirmed))?;
            Ok(t.forget_closed_seals(ids)?)
        })
    }

    /// The centre refused these: kept, and handed back to the origin device on its next
    /// confirm, so the person who recorded it can correct it.
    fn quarantine(&mut self, refused: &[Rejection]) -> Result<(), SyncError> {
        let now = self.0.now_ms();
        self.tx(|t| {
            t.refused_upstream(refused, now)?;
            let ids: Vec<Uuid> = refused.iter().map(|r| r.change_id).collect();
            Ok(t.forget_closed_seals(&ids)?)
        })?;
        if !refused.is_empty() {
            tracing::warn!(
                n = refused.len(),
                "the centre refused relayed changes; their devices will be told"
            );
        }
        Ok(())
    }

    /// Conflicts the centre found are the origin devices' to review; the hub only notes them.
    fn record_conflicts(&mut self, notes: &[ConflictNote]) -> Result<(), SyncError> {
        if !notes.is_empty() {
            tracing::info!(n = notes.len(), "the centre reported conflicts on relayed changes");
        }
        Ok(())
    }

    fn pull_cursor(&self) -> Result<Option<String>, SyncError> {
        self.tx(|t| Ok(t.setting(Setting::UpstreamCursor)?))
    }

    fn reset_pull_cursor(&mut self) -> Result<(), SyncError> {
        self.tx(|t| Ok(t.clear_setting(Setting::UpstreamCursor)?))
    }

    /// A page from the centre, stored with each change's origin through the same ingest as
    /// a push (merge, validation), confirmed, with the cursor, in one transaction.
    fn apply_remote(
        &mut self,
        changes: &[Change],
        origins: &[Option<String>],
        cursor: Option<&str>,
        // The hub's own store has no window waiting on it: a page is taken whole.
        _let_go: Option<&dyn Fn(std::time::Duration) -> bool>,
    ) -> Result<Applied, SyncError> {
        let scope = self
            .scope()?
            .ok_or_else(|| SyncError::Local("the hub has no upstream scope; enrol it again".into()))?;
        let from = Device {
            id: String::new(),
            scope,
        };
        let rules = self.0.rules();
        let ctx = self.0.ingest_context(&rules.rules);
        let out = self.tx(|t| {
            // Conflicts among the centre's own changes are the centre's to record.
            let out = ingest::apply_changes(
                t,
                &from,
                changes,
                origins,
                u64::MAX,
                &ctx,
                ingest::Arrival::FromUpstream,
            )?;
            if let Some(cursor) = cursor {
                t.set_setting(Setting::UpstreamCursor, cursor)?;
            }
            Ok(out)
        })?;
        if !out.rejected.is_empty() {
            tracing::warn!(
                n = out.rejected.len(),
                "changes from the centre refused by this hub's checks"
            );
        }
        Ok(Applied {
            consumed: changes.len(),
            applied: (out.accepted - out.duplicates) as u64,
            conflicts: 0,
        })
    }
}

/// What one upstream sync did.
#[derive(Debug, Clone, Default)]
pub struct Relayed {
    pub devices_up: usize,
    pub devices_down: usize,
    pub sync: pendamping_sync::Summary,
}

/// Enrols this hub with the centre, with a code made there for a PLKB (or admin).
pub async fn enroll(state: &AppState, upstream: &str, code: &str, name: &str) -> Result<Scope, SyncError> {
    let up = Upstream(state.clone());
    let resp = pendamping_sync::enroll(up.clone(), upstream, code, name).await?;
    if !resp.scope.role.may_relay() {
        // Forget the enrolment just kept, or the next start would run as this cadre.
        up.tx(|t| {
            use pendamping_sync::keys::*;
            for key in [SERVER, DEVICE_ID, TOKEN, SCOPE, SIGNING_KEY] {
                t.clear_setting(Setting::Upstream(key))?;
            }
            Ok(())
        })?;
        return Err(SyncError::Refused {
            status: 403,
            code: pendamping_protocol::ErrorCode::Forbidden,
            message: "kode ini untuk kader; hub memerlukan kode PLKB (kecamatan) atau admin".into(),
        });
    }
    Ok(resp.scope)
}

/// One upstream sync: the device registry both ways, then the changes (confirm, push,
/// pull, rules) through the sync engine.
pub async fn sync_once(state: &AppState, opts: &pendamping_sync::Options) -> Result<Relayed, SyncError> {
    let mut up = Upstream(state.clone());
    let mine = HubDevices {
        devices: up.tx(|t| relay::not_uploaded(t))?,
    };
    let (refused, theirs) = pendamping_sync::registry::exchange(&mut up, &mine, &opts.retry).await?;
    let taken: Vec<String> = mine
        .devices
        .iter()
        .map(|d| d.id.clone())
        .filter(|id| !refused.contains(id))
        .collect();
    let now = state.now_ms();
    let scope = up
        .scope()?
        .ok_or_else(|| SyncError::Local("the hub has no upstream scope; enrol it again".into()))?;
    up.tx(|t| {
        t.mark_uploaded(&taken, now)?;
        relay::take(t, "centre", &scope, &theirs.devices, relay::Home::Upstream, now)
    })?;
    let sync = pendamping_sync::sync(up, opts, &mut |_| {}).await?;
    if sync.pulled > 0 {
        state.refresh_view();
    }
    Ok(Relayed {
        devices_up: taken.len(),
        devices_down: theirs.devices.len(),
        sync,
    })
}

pub use crate::storage::Backlog;

/// How far the hub's store has gone upstream, for an engineer.
pub fn backlog(log: &mut dyn crate::storage::ChangeLog) -> crate::Result<Backlog> {
    Ok(log.backlog()?)
}
