//! Hub mode (SYNC.md, "Relay through the PLKB laptop"): this server's store is also a
//! replica of the centre. It serves its kecamatan's devices with the same /v1 API, and
//! syncs upstream with the same engine a device uses (`pendamping_sync::sync`): its
//! outbox is the changes not yet at the centre, each pushed with its origin device; what it
//! pulls is stored as the centre sent it. Devices keep their changes until the centre has
//! them (`POST /v1/sync/confirm`), so losing the hub loses nothing.

use std::sync::Arc;

use pendamping_core::{Change, Rules};
use pendamping_protocol::{ConflictNote, HubDevices, Rejection, Scope};
use pendamping_sync::{Access, Applied, Outgoing, Proof, Replica, SyncError};
use rusqlite::Connection;
use uuid::Uuid;

use crate::api::{AppState, HeldRules};
use crate::auth::Device;
use crate::error::ServerError;
use crate::{db, ingest, relay, store};

/// Where a hub keeps the centre's rules file, as last adopted.
pub const RULES_KEY: &str = "upstream.rules_toml";
const CURSOR_KEY: &str = "upstream.cursor";
/// The scope of the hub's own enrolment upstream (its kecamatan), as JSON.
pub const SCOPE_KEY: &str = "upstream.scope";

fn local(e: ServerError) -> SyncError {
    SyncError::Local(e.to_string())
}

fn sql(e: rusqlite::Error) -> SyncError {
    SyncError::Local(e.to_string())
}

/// A setting of the hub's upstream sync (`pendamping_sync::keys`), read from its store.
pub fn setting(conn: &Connection, key: &str) -> crate::Result<Option<String>> {
    db::meta_get(conn, &format!("upstream.{key}"))
}

/// The scope the hub was enrolled upstream with (its kecamatan), read from its store;
/// `None` for a centre.
pub fn scope_of(conn: &Connection) -> crate::Result<Option<Scope>> {
    Ok(db::meta_get(conn, SCOPE_KEY)?.and_then(|s| serde_json::from_str(&s).ok()))
}

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
    fn conn<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, SyncError>) -> Result<T, SyncError> {
        let mut conn = self.0.0.writer.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn)
    }

    /// The scope the hub was enrolled upstream with.
    pub fn scope(&self) -> Result<Option<Scope>, SyncError> {
        pendamping_sync::registry::scope(self)
    }
}

impl Replica for Upstream {
    fn setting(&self, key: &str) -> Result<Option<String>, SyncError> {
        self.conn(|c| setting(c, key).map_err(local))
    }

    fn set_setting(&mut self, key: &str, value: &str) -> Result<(), SyncError> {
        self.conn(|c| db::meta_set(c, &format!("upstream.{key}"), value).map_err(local))
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
        self.conn(|c| db::meta_set(c, RULES_KEY, toml).map_err(local))?;
        let held = Arc::new(HeldRules {
            rules,
            toml: toml.to_string(),
        });
        *self.0.0.rules.write().unwrap_or_else(|p| p.into_inner()) = held;
        tracing::info!(version = %self.rules_version(), "hub adopted the centre's rules");
        Ok(())
    }

    fn now_rfc3339(&self) -> String {
        chrono::DateTime::from_timestamp_millis(self.0.0.time.now_millis() as i64)
            .unwrap_or_default()
            .to_rfc3339()
    }

    fn pending_count(&self) -> Result<u64, SyncError> {
        self.conn(|c| {
            c.query_row("SELECT COUNT(*) FROM changes WHERE upstream IS NULL", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(sql)
        })
    }

    /// Each change with its origin, and its proof: the hub's own are signed as they go,
    /// a device's carry the part of its seal kept here.
    fn outbox(&self, limit: usize) -> Result<Outgoing, SyncError> {
        let me = self.setting(pendamping_sync::keys::DEVICE_ID)?;
        self.conn(|c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT c.body, c.device_id, c.seal, c.leaf, s.kept FROM changes c \
                     LEFT JOIN seals s ON s.id = c.seal WHERE c.upstream IS NULL ORDER BY c.seq LIMIT ?1",
                )
                .map_err(sql)?;
            type Row = (String, String, Option<i64>, Option<i64>, Option<Vec<u8>>);
            let rows = stmt
                .query_map([limit as i64], |r| -> rusqlite::Result<Row> {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .map_err(sql)?;
            let mut out = Outgoing::default();
            let mut kept: std::collections::HashMap<i64, Arc<pendamping_protocol::seal::Kept>> = Default::default();
            for row in rows {
                let (body, origin, seal, leaf, blob) = row.map_err(sql)?;
                let c: Change = serde_json::from_str(&body).map_err(|e| SyncError::Local(e.to_string()))?;
                let proof = match (seal, leaf, blob) {
                    _ if me.as_deref() == Some(origin.as_str()) => Proof::Own,
                    (Some(id), Some(leaf), Some(blob)) if !blob.is_empty() => {
                        let k = match kept.get(&id) {
                            Some(k) => k.clone(),
                            None => {
                                let k = Arc::new(
                                    postcard::from_bytes(&blob)
                                        .map_err(|e| SyncError::Local(format!("seal {id}: {e}")))?,
                                );
                                kept.insert(id, Arc::clone(&k));
                                k
                            }
                        };
                        Proof::Kept(k, leaf as u32)
                    }
                    _ => Proof::Unsigned,
                };
                out.changes.push(c);
                out.origins.push(Some(origin));
                out.proofs.push(proof);
            }
            Ok(out)
        })
    }

    fn held(&self, after: i64, limit: usize) -> Result<Vec<(i64, Uuid)>, SyncError> {
        self.conn(|c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT seq, change_id FROM changes WHERE upstream = 1 AND seq > ?1 ORDER BY seq LIMIT ?2",
                )
                .map_err(sql)?;
            let rows = stmt
                .query_map((after, limit as i64), |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
                })
                .map_err(sql)?;
            let mut out = Vec::new();
            for row in rows {
                let (seq, id) = row.map_err(sql)?;
                let id = Uuid::from_slice(&id).map_err(|e| SyncError::Local(e.to_string()))?;
                out.push((seq, id));
            }
            Ok(out)
        })
    }

    fn set_held(&mut self, ids: &[Uuid], held: bool) -> Result<(), SyncError> {
        set_upstream(self, ids, held.then_some(store::HELD))
    }

    fn acknowledge(&mut self, ids: &[Uuid]) -> Result<(), SyncError> {
        set_upstream(self, ids, Some(store::CONFIRMED))
    }

    /// The centre refused these: kept, and handed back to the origin device on its next
    /// confirm, so the person who recorded it can correct it.
    fn quarantine(&mut self, refused: &[Rejection]) -> Result<(), SyncError> {
        let now = self.0.0.time.now_millis() as i64;
        self.conn(|c| {
            let tx = c.transaction().map_err(sql)?;
            for r in refused {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO upstream_rejections (change_id, code, field, message, received_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .and_then(|mut s| s.execute((r.change_id.as_bytes(), r.code.as_str(), &r.field, &r.message, now)))
                .map_err(sql)?;
                tx.prepare_cached("UPDATE changes SET upstream = ?2 WHERE change_id = ?1")
                    .and_then(|mut s| s.execute((r.change_id.as_bytes(), store::REFUSED)))
                    .map_err(sql)?;
            }
            let ids: Vec<Uuid> = refused.iter().map(|r| r.change_id).collect();
            forget_closed_seals(&tx, &ids).map_err(sql)?;
            tx.commit().map_err(sql)
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
        self.conn(|c| db::meta_get(c, CURSOR_KEY).map_err(local))
    }

    fn reset_pull_cursor(&mut self) -> Result<(), SyncError> {
        self.conn(|c| db::meta_delete(c, CURSOR_KEY).map_err(local))
    }

    /// A page from the centre, stored with each change's origin through the same ingest as
    /// a push (merge, validation), confirmed, with the cursor, in one transaction.
    fn apply_remote(
        &mut self,
        changes: &[Change],
        origins: &[Option<String>],
        cursor: Option<&str>,
        // The hub's own store has no window waiting on it: a page is taken whole.
        _budget: Option<std::time::Duration>,
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
        let out = self.conn(|c| {
            let tx = c.transaction().map_err(sql)?;
            // Conflicts among the centre's own changes are the centre's to record.
            let out = ingest::apply_changes(
                &tx,
                &from,
                changes,
                origins,
                u64::MAX,
                &ctx,
                ingest::Arrival::FromUpstream,
            )
            .map_err(local)?;
            if let Some(cursor) = cursor {
                db::meta_set(&tx, CURSOR_KEY, cursor).map_err(local)?;
            }
            tx.commit().map_err(sql)?;
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

fn set_upstream(up: &Upstream, ids: &[Uuid], to: Option<i64>) -> Result<(), SyncError> {
    up.conn(|c| {
        let tx = c.transaction().map_err(sql)?;
        for id in ids {
            tx.prepare_cached("UPDATE changes SET upstream = ?2 WHERE change_id = ?1")
                .and_then(|mut s| s.execute((id.as_bytes(), to)))
                .map_err(sql)?;
        }
        if to == Some(store::CONFIRMED) {
            forget_closed_seals(&tx, ids).map_err(sql)?;
        }
        tx.commit().map_err(sql)
    })
}

/// Forgets what was kept of the seals of `ids` once none of their changes can go upstream
/// again: the centre has or refused each. (A change sent again after all, which nothing
/// does, would go unsigned and be refused by its origin's key.)
fn forget_closed_seals(tx: &Connection, ids: &[Uuid]) -> rusqlite::Result<()> {
    use rusqlite::OptionalExtension;
    let mut seals = std::collections::BTreeSet::new();
    for id in ids {
        let seal: Option<Option<i64>> = tx
            .prepare_cached("SELECT seal FROM changes WHERE change_id = ?1")?
            .query_row([id.as_bytes()], |r| r.get(0))
            .optional()?;
        seals.extend(seal.flatten());
    }
    for s in seals {
        // The row stays (the changes refer to it); its hashes go.
        tx.prepare_cached(
            "UPDATE seals SET kept = x'' WHERE id = ?1 AND length(kept) > 0 AND NOT EXISTS \
             (SELECT 1 FROM changes WHERE seal = ?1 AND (upstream IS NULL OR upstream = 1))",
        )?
        .execute([s])?;
    }
    Ok(())
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
        up.conn(|c| {
            use pendamping_sync::keys::*;
            for key in [SERVER, DEVICE_ID, TOKEN, SCOPE, SIGNING_KEY] {
                db::meta_delete(c, &format!("upstream.{key}")).map_err(local)?;
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
        devices: up.conn(|c| relay::not_uploaded(c).map_err(local))?,
    };
    let (refused, theirs) = pendamping_sync::registry::exchange(&mut up, &mine, &opts.retry).await?;
    let taken: Vec<String> = mine
        .devices
        .iter()
        .map(|d| d.id.clone())
        .filter(|id| !refused.contains(id))
        .collect();
    let now = state.0.time.now_millis() as i64;
    let scope = up
        .scope()?
        .ok_or_else(|| SyncError::Local("the hub has no upstream scope; enrol it again".into()))?;
    up.conn(|c| {
        relay::mark_uploaded(c, &taken, now).map_err(local)?;
        relay::take(c, "centre", &scope, &theirs.devices, relay::Known::Update, now).map_err(local)
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

/// How far the hub's store has gone upstream, for an engineer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backlog {
    pub unsent: u64,
    pub held: u64,
    pub confirmed: u64,
    pub refused: u64,
}

pub fn backlog(conn: &Connection) -> crate::Result<Backlog> {
    let mut b = Backlog::default();
    let mut stmt = conn.prepare("SELECT upstream, COUNT(*) FROM changes GROUP BY upstream")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (state, n) = row?;
        let n = n as u64;
        match state {
            None => b.unsent += n,
            Some(store::HELD) => b.held += n,
            Some(store::CONFIRMED) => b.confirmed += n,
            _ => b.refused += n,
        }
    }
    Ok(b)
}
