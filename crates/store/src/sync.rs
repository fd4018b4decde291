//! The store's side of sync: the outbox, acknowledgements, the pull cursor, and merging
//! incoming changes with the one LWW rule, recording conflicts with unsynced local edits.

use std::collections::BTreeMap;

use pendamping_core::codes::RejectCode;
use pendamping_core::merge::{self, RowState};
use pendamping_core::record::{Record, RecordError};
use pendamping_core::{Change, Entity, Hlc};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::error::Result;
use crate::{Store, derive, meta_get, meta_set, rows};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ApplyReport {
    /// How many of the changes given were taken (all, unless a time budget ran out).
    pub consumed: usize,
    pub applied: usize,
    /// Already seen here (replays, and our own changes coming back).
    pub skipped: usize,
    pub conflicts: usize,
    pub rejected: Vec<RejectedChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RejectedChange {
    pub change_id: Uuid,
    pub code: RejectCode,
    pub message: String,
    pub field: Option<String>,
}

/// Two writes of one field made without knowing of each other, as this device sees them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Clash {
    pub entity: Entity,
    pub row_id: Uuid,
    pub field: String,
    pub local_value: Value,
    pub local_hlc: Hlc,
    pub remote_value: Value,
    pub remote_hlc: Hlc,
    /// This device's value won (LWW); otherwise the other device's did.
    pub local_wins: bool,
}

/// A clash kept for review.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Conflict {
    pub id: i64,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub clash: Clash,
    pub recorded_at: String,
}

impl std::ops::Deref for Conflict {
    type Target = Clash;
    fn deref(&self) -> &Clash {
        &self.clash
    }
}

/// Does the merged row still read as its record? Every field a row holds is checked by its
/// record's type, a partial row's (still arriving) and a tombstone's too (`Record::checked`):
/// a change that breaks a row that read fine before (or a new one) is refused, as the
/// server's log refuses it, so no reader here meets a field it cannot read.
fn breaks_row(e: Entity, id: &str, before: &RowState, after: &RowState) -> Option<RecordError> {
    match (Record::checked(e, id, before), Record::checked(e, id, after)) {
        (Ok(_), Err(why)) => Some(why),
        _ => None,
    }
}

/// A change id as the outbox keeps it (text).
fn outbox_id(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|e| crate::StoreError::Corrupt {
        table: "outbox",
        id: text.to_string(),
        reason: e.to_string(),
    })
}

/// Fields of `row_id` with local edits not yet sent: field → (value, HLC). (A change a hub
/// holds was sent; the server it reached has seen it.)
fn pending_fields(conn: &Connection, row_id: &str) -> Result<BTreeMap<String, (Value, Hlc)>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM outbox WHERE row_id = ?1 AND held = 0 ORDER BY seq")?;
    let mut out = BTreeMap::new();
    for body in stmt.query_map([row_id], |r| r.get::<_, String>(0))? {
        let c: Change = serde_json::from_str(&body?)?;
        for (k, v) in c.fields {
            out.insert(k, (v, c.hlc));
        }
    }
    Ok(out)
}

/// How the conflicts table spells the winner.
fn winner_text(local_wins: bool) -> &'static str {
    if local_wins { "local" } else { "remote" }
}

fn insert_conflict(conn: &Connection, c: &ReportedConflict, at: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO conflicts (entity, row_id, field, local_value, local_hlc, remote_value, remote_hlc, \
         remote_change_id, winner, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute((
        c.entity.as_str(),
        c.row_id.to_string(),
        &c.field,
        c.local_value.to_string(),
        c.local_hlc.to_string(),
        c.remote_value.to_string(),
        c.remote_hlc.to_string(),
        c.change_id.to_string(),
        winner_text(c.local_wins),
        at,
    ))?;
    Ok(())
}

fn seen(conn: &Connection, change_id: &str) -> Result<bool> {
    let applied = conn
        .prepare_cached("SELECT 1 FROM applied_changes WHERE change_id = ?1")?
        .query_row([change_id], |_| Ok(()))
        .optional()?
        .is_some();
    let own = conn
        .prepare_cached("SELECT 1 FROM outbox WHERE change_id = ?1")?
        .query_row([change_id], |_| Ok(()))
        .optional()?
        .is_some();
    Ok(applied || own)
}

impl Store {
    /// Merges a page of incoming changes and saves the pull cursor, in one transaction.
    /// Replays are skipped; a bad change is rejected on its own and never blocks the rest.
    pub fn apply_remote(&mut self, changes: &[Change], cursor: Option<&str>) -> Result<ApplyReport> {
        self.apply_remote_within(changes, cursor, None)
    }

    /// Like `apply_remote`, but stops early (after at least one change) once `let_go`,
    /// asked after each change with how long the store has been held, says to, so that a
    /// screen waiting for the store has it soon; `consumed` says how many were taken. The
    /// cursor is saved only with the last of them.
    pub fn apply_remote_within(
        &mut self,
        changes: &[Change],
        cursor: Option<&str>,
        let_go: Option<&dyn Fn(std::time::Duration) -> bool>,
    ) -> Result<ApplyReport> {
        // Merged changes need not reach the disk before the commit returns: lost in a power
        // cut, they are lost with the cursor saved beside them and pulled again, and the next
        // save (synchronous FULL) makes them durable with it. The wait for the disk was a
        // tenth of a first sync, and every screen waiting for the store waited for it too.
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let merged = self.merge_remote(changes, cursor, let_go);
        let restored = self.conn.pragma_update(None, "synchronous", "FULL");
        let report = merged?;
        restored?;
        Ok(report)
    }

    fn merge_remote(
        &mut self,
        changes: &[Change],
        cursor: Option<&str>,
        let_go: Option<&dyn Fn(std::time::Duration) -> bool>,
    ) -> Result<ApplyReport> {
        let started = std::time::Instant::now();
        let today = self.today();
        let now_ms = self.opts.time.now_millis();
        let recorded_at = self.now().to_rfc3339();
        let tx = self.conn.transaction()?;
        let mut clock = self.clock;
        let mut report = ApplyReport::default();
        let mut dependents = derive::Dependents::default();
        for c in changes {
            if report.consumed > 0 && let_go.is_some_and(|go| go(started.elapsed())) {
                break;
            }
            report.consumed += 1;
            let mut owned;
            let c = if c.entity.retired().iter().any(|f| c.fields.contains_key(*f)) {
                owned = c.clone();
                owned.drop_retired();
                &owned
            } else {
                c
            };
            let id = c.change_id.to_string();
            if seen(&tx, &id)? {
                report.skipped += 1;
                continue;
            }
            let reject = |code: RejectCode, message: String, field: Option<&str>| RejectedChange {
                change_id: c.change_id,
                code,
                message,
                field: field.map(str::to_string),
            };
            if let Some(bad) = c.fields.keys().find(|f| !c.entity.has_field(f)) {
                report.rejected.push(reject(
                    RejectCode::UnknownField,
                    format!("unknown field {bad:?}"),
                    Some(bad),
                ));
                continue;
            }
            if let Err(e) = clock.observe(c.hlc, now_ms) {
                tracing::warn!(change = %c.change_id, "remote change stamped too far ahead; refused");
                report.rejected.push(reject(RejectCode::ClockSkew, e.to_string(), None));
                continue;
            }
            let row = c.row_id.to_string();
            let before = rows::read_state(&tx, c.entity, &row)?.unwrap_or_default();
            let pending = pending_fields(&tx, &row)?;
            let mut after = before.clone();
            merge::apply(&mut after, c);
            if let Some(why) = breaks_row(c.entity, &row, &before, &after) {
                report
                    .rejected
                    .push(reject(RejectCode::Invalid, why.message, why.field.as_deref()));
                continue;
            }
            for (field, remote) in &c.fields {
                let Some((local, local_hlc)) = pending.get(field) else {
                    continue;
                };
                if local == remote {
                    continue;
                }
                let found = ReportedConflict {
                    change_id: c.change_id,
                    clash: Clash {
                        entity: c.entity,
                        row_id: c.row_id,
                        field: field.clone(),
                        local_value: local.clone(),
                        local_hlc: *local_hlc,
                        remote_value: remote.clone(),
                        remote_hlc: c.hlc,
                        local_wins: after.get(field).is_none_or(|s| s.hlc != c.hlc),
                    },
                };
                insert_conflict(&tx, &found, &recorded_at)?;
                report.conflicts += 1;
            }
            if after != before {
                let derived = derive::row_columns(&tx, &self.opts.rules, today, c.entity, &row, &after)?;
                rows::write_state(&tx, c.entity, &row, &c.area_code, &after, derived)?;
                dependents.note(&tx, c.entity, &row)?;
            }
            tx.prepare_cached("INSERT INTO applied_changes (change_id) VALUES (?1)")?
                .execute([&id])?;
            report.applied += 1;
        }
        dependents.derive(&tx, &self.opts.rules, today)?;
        if let Some(cursor) = cursor.filter(|_| report.consumed == changes.len()) {
            meta_set(&tx, "pull_cursor", cursor)?;
        }
        meta_set(&tx, "hlc", &clock.tick(now_ms).to_string())?;
        tx.commit()?;
        self.clock = clock;
        if !report.rejected.is_empty() {
            tracing::warn!(rejected = report.rejected.len(), "incoming changes refused");
        }
        Ok(report)
    }

    /// The oldest local changes not yet sent (nor held by a hub), in the order they were made.
    pub fn outbox(&self, limit: usize) -> Result<Vec<Change>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT body FROM outbox WHERE held = 0 ORDER BY seq LIMIT ?1")?;
        let rows = stmt.query_map([limit as i64], |r| r.get::<_, String>(0))?;
        rows.map(|b| Ok(serde_json::from_str(&b?)?)).collect()
    }

    /// Like `outbox`, as (change id, the change's JSON text): a push sends the text as is.
    pub fn outbox_json(&self, limit: usize) -> Result<Vec<(Uuid, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT change_id, body FROM outbox WHERE held = 0 ORDER BY seq LIMIT ?1")?;
        let rows = stmt.query_map([limit as i64], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, body) = row?;
            let id = outbox_id(&id)?;
            out.push((id, body));
        }
        Ok(out)
    }

    /// Local changes not yet sent.
    pub fn pending_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM outbox WHERE held = 0", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Local changes a hub holds that the centre has not confirmed yet: still kept here.
    pub fn held_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM outbox WHERE held = 1", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// The oldest held changes' ids (after `after`, the last id of the previous call's
    /// answer, in outbox order), to ask which the centre now has.
    pub fn held(&self, after_seq: i64, limit: usize) -> Result<Vec<(i64, Uuid)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, change_id FROM outbox WHERE held = 1 AND seq > ?1 ORDER BY seq LIMIT ?2")?;
        let rows = stmt.query_map((after_seq, limit as i64), |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, id) = row?;
            let id = outbox_id(&id)?;
            out.push((seq, id));
        }
        Ok(out)
    }

    /// Marks changes as held by a hub (`held`), or as to be sent again (`!held`: the
    /// server they reach next does not know them). They stay in the outbox either way.
    pub fn set_held(&mut self, change_ids: &[Uuid], held: bool) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let mut n = 0;
        for id in change_ids {
            n += tx
                .prepare_cached("UPDATE outbox SET held = ?2 WHERE change_id = ?1")?
                .execute((id.to_string(), held as i64))?;
        }
        tx.commit()?;
        Ok(n)
    }

    /// Removes acknowledged changes from the outbox. Only the server's acknowledgement
    /// may do this; an echo of the same change later is then skipped as already seen.
    pub fn acknowledge(&mut self, change_ids: &[Uuid]) -> Result<usize> {
        let tx = self.conn.transaction()?;
        let mut n = 0;
        for id in change_ids {
            let id = id.to_string();
            n += tx
                .prepare_cached("DELETE FROM outbox WHERE change_id = ?1")?
                .execute([&id])?;
            tx.prepare_cached("INSERT OR IGNORE INTO applied_changes (change_id) VALUES (?1)")?
                .execute([&id])?;
        }
        tx.commit()?;
        Ok(n)
    }

    pub fn pull_cursor(&self) -> Result<Option<String>> {
        meta_get(&self.conn, "pull_cursor")
    }

    pub fn conflicts(&self, open_only: bool) -> Result<Vec<Conflict>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, entity, row_id, field, local_value, local_hlc, remote_value, remote_hlc, winner, recorded_at \
             FROM conflicts WHERE resolved = 0 OR ?1 = 0 ORDER BY id",
        )?;
        let rows = stmt.query_map([open_only], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
            ))
        })?;
        let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or(Value::Null);
        let mut out = Vec::new();
        for row in rows {
            let (id, entity, row_id, field, lv, lh, rv, rh, winner, at) = row?;
            out.push(Conflict {
                id,
                clash: Clash {
                    entity: Entity::from_word(&entity).ok_or_else(|| crate::StoreError::Corrupt {
                        table: "conflicts",
                        id: id.to_string(),
                        reason: format!("unknown entity {entity:?}"),
                    })?,
                    row_id: crate::query::uuid(row_id)?,
                    field,
                    local_value: json(lv),
                    local_hlc: lh.parse()?,
                    remote_value: json(rv),
                    remote_hlc: rh.parse()?,
                    local_wins: match winner.as_str() {
                        "local" => true,
                        "remote" => false,
                        other => {
                            return Err(crate::StoreError::Corrupt {
                                table: "conflicts",
                                id: id.to_string(),
                                reason: format!("winner {other:?}"),
                            });
                        }
                    },
                },
                recorded_at: at,
            });
        }
        Ok(out)
    }

    /// Marks a conflict reviewed. To keep the losing value, the user saves it again,
    /// which makes a new, later change.
    pub fn resolve_conflict(&mut self, id: i64) -> Result<bool> {
        Ok(self
            .conn
            .execute("UPDATE conflicts SET resolved = 1 WHERE id = ?1", [id])?
            > 0)
    }
}

/// A clash the server found when this device's change (`change_id`) met another device's
/// write, or this device found applying another's change.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportedConflict {
    pub change_id: Uuid,
    pub clash: Clash,
}

impl std::ops::Deref for ReportedConflict {
    type Target = Clash;
    fn deref(&self) -> &Clash {
        &self.clash
    }
}

/// A local change the server refused, kept for the user to correct the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Refused {
    pub change: Change,
    pub code: RejectCode,
    pub field: Option<String>,
    pub message: String,
    pub rejected_at: String,
}

impl Store {
    /// A sync setting (server address, credentials, last sync time), kept in the store so
    /// it travels with the data it belongs to.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        meta_get(&self.conn, &format!("sync.{key}"))
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        meta_set(&self.conn, &format!("sync.{key}"), value)
    }

    /// A preference of the app on this device (its villages, the language), kept apart
    /// from the sync settings.
    pub fn preference(&self, key: &str) -> Result<Option<String>> {
        meta_get(&self.conn, &format!("app.{key}"))
    }

    pub fn set_preference(&mut self, key: &str, value: &str) -> Result<()> {
        meta_set(&self.conn, &format!("app.{key}"), value)
    }

    /// Forgets the pull cursor, so the next pull starts from the beginning (the server
    /// asked for a re-snapshot). Merge is idempotent, so nothing is applied twice.
    pub fn reset_pull_cursor(&mut self) -> Result<()> {
        self.conn.execute("DELETE FROM meta WHERE key = 'pull_cursor'", [])?;
        Ok(())
    }

    /// Moves refused changes out of the outbox, so they never block the ones behind them.
    pub fn quarantine(&mut self, refused: &[RejectedChange]) -> Result<usize> {
        let at = self.now().to_rfc3339();
        let tx = self.conn.transaction()?;
        let mut n = 0;
        for r in refused {
            let id = r.change_id.to_string();
            let body: Option<String> = tx
                .prepare_cached("SELECT body FROM outbox WHERE change_id = ?1")?
                .query_row([&id], |row| row.get(0))
                .optional()?;
            let Some(body) = body else { continue };
            let c: Change = serde_json::from_str(&body)?;
            tx.prepare_cached(
                "INSERT OR REPLACE INTO rejected_changes (change_id, entity, row_id, body, code, field, message, \
                 rejected_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute((
                &id,
                c.entity.as_str(),
                c.row_id.to_string(),
                &body,
                r.code.as_str(),
                &r.field,
                &r.message,
                &at,
            ))?;
            n += tx
                .prepare_cached("DELETE FROM outbox WHERE change_id = ?1")?
                .execute([&id])?;
        }
        tx.commit()?;
        Ok(n)
    }

    /// Local changes the server refused, newest first.
    pub fn refused(&self) -> Result<Vec<Refused>> {
        let mut stmt = self.conn.prepare(
            "SELECT body, code, field, message, rejected_at FROM rejected_changes ORDER BY rejected_at DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (body, code, field, message, rejected_at) = row?;
            out.push(Refused {
                change: serde_json::from_str(&body)?,
                // A code a newer server sent reads as `Other`; its message says it as written.
                code: RejectCode::parse(&code),
                field,
                message,
                rejected_at,
            });
        }
        Ok(out)
    }

    /// Records conflicts the server reported for this device's changes.
    pub fn record_conflicts(&mut self, found: &[ReportedConflict]) -> Result<()> {
        let at = self.now().to_rfc3339();
        let tx = self.conn.transaction()?;
        for c in found {
            insert_conflict(&tx, c, &at)?;
        }
        tx.commit()?;
        Ok(())
    }
}
