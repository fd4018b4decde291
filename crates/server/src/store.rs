//! Rows of the server database: the change log and the merged state of each record.

use std::collections::BTreeMap;

use pendamping_core::merge::{self, RowState};
use pendamping_core::{Change, Entity};
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::error::{Result, ServerError};

/// A record's merged state and the server sequence of each field's last write.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stored {
    pub area_code: String,
    pub state: RowState,
    pub seqs: BTreeMap<String, i64>,
}

pub fn read(conn: &Connection, entity: Entity, id: &Uuid) -> Result<Option<Stored>> {
    type Row = (String, Option<String>, Option<String>, Option<i64>);
    let row: Option<Row> = conn
        .prepare_cached("SELECT area_code, state, seqs, base_seq FROM records WHERE entity = ?1 AND id = ?2")?
        .query_row((entity.as_str(), id.as_bytes()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let corrupt = |e: String| ServerError::Corrupt(format!("{} {id}: {e}", entity.as_str()));
    match row {
        None => Ok(None),
        Some((area_code, Some(state), Some(seqs), None)) => Ok(Some(Stored {
            area_code,
            state: serde_json::from_str(&state).map_err(|e| corrupt(e.to_string()))?,
            seqs: serde_json::from_str(&seqs).map_err(|e| corrupt(e.to_string()))?,
        })),
        Some((area_code, None, None, Some(seq))) => {
            let body: String = conn
                .prepare_cached("SELECT body FROM changes WHERE seq = ?1")?
                .query_row([seq], |r| r.get(0))?;
            let c: Change = logged(&body).map_err(|e| corrupt(e.to_string()))?;
            let mut state = RowState::new();
            merge::apply(&mut state, &c);
            let seqs = state.keys().map(|k| (k.clone(), seq)).collect();
            Ok(Some(Stored { area_code, state, seqs }))
        }
        Some(_) => Err(corrupt("state and base_seq disagree".into())),
    }
}

/// A change of the log read back: every reader of the log reads through this one check
/// (`shape::read_change`, the one the log's door made), so a row one reader cannot take
/// is one no reader takes, and each sets it aside instead of failing.
pub fn logged(body: &str) -> std::result::Result<Change, pendamping_core::shape::ShapeError> {
    pendamping_core::shape::read_change(body)
}

/// A row made by the change `seq` alone: its state is that change.
pub fn write_new(conn: &Connection, entity: Entity, id: &Uuid, area_code: &str, seq: i64) -> Result<()> {
    conn.prepare_cached("INSERT INTO records (entity, id, area_code, base_seq) VALUES (?1, ?2, ?3, ?4)")?
        .execute((entity.as_str(), id.as_bytes(), area_code, seq))?;
    Ok(())
}

pub fn write(conn: &Connection, entity: Entity, id: &Uuid, rec: &Stored) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO records (entity, id, area_code, state, seqs) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT(entity, id) DO UPDATE SET area_code = excluded.area_code, state = excluded.state, \
         seqs = excluded.seqs, base_seq = NULL",
    )?
    .execute((
        entity.as_str(),
        id.as_bytes(),
        &rec.area_code,
        to_json(&rec.state),
        to_json(&rec.seqs),
    ))?;
    Ok(())
}

/// Serialising maps of plain values cannot fail; this keeps `write` free of unwraps.
fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "{}".into())
}

pub fn change_known(conn: &Connection, change_id: &Uuid) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM changes WHERE change_id = ?1")?
        .query_row([change_id.as_bytes()], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Where a change came from and how far it has gone (`changes.via`, `changes.upstream`).
pub struct Path<'a> {
    /// The device that made it.
    pub origin: &'a str,
    /// The hub it came through, if any.
    pub via: Option<&'a str>,
    /// `None` on a hub until it is sent upstream; `Some(CONFIRMED)` at the centre and for
    /// what a hub pulled from it.
    pub upstream: Option<i64>,
    /// On a hub: the seal (`seals.id`) and the leaf this change is of it, to prove it to
    /// the centre.
    pub seal: Option<(i64, u32)>,
}

/// `changes.upstream`: held by an upstream hub, the centre has it, the centre refused it.
pub const HELD: i64 = 1;
pub const CONFIRMED: i64 = 2;
pub const REFUSED: i64 = 3;

/// Appends a change to the log; returns its server sequence.
pub fn append_change(
    conn: &Connection,
    change_id: &Uuid,
    area_code: &str,
    path: &Path,
    now_ms: i64,
    body: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO changes (change_id, area_code, device_id, via, upstream, received_at, body, seal, leaf) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute((
        change_id.as_bytes(),
        area_code,
        path.origin,
        path.via,
        path.upstream,
        now_ms,
        body,
        path.seal.map(|s| s.0),
        path.seal.map(|s| s.1),
    ))?;
    Ok(conn.last_insert_rowid())
}

/// Notes rows of the log that a reader could not read back (`logged`), with the reason;
/// returns how many are set aside in all.
pub fn set_aside(conn: &Connection, rows: &[(i64, String)], now_ms: i64) -> Result<u64> {
    let mut stmt =
        conn.prepare_cached("INSERT OR IGNORE INTO set_aside (seq, reason, found_at) VALUES (?1, ?2, ?3)")?;
    for (seq, reason) in rows {
        stmt.execute((seq, reason, now_ms))?;
    }
    set_aside_count(conn)
}

/// How many rows of the log are set aside.
pub fn set_aside_count(conn: &Connection) -> Result<u64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM set_aside", [], |r| r.get::<_, i64>(0))? as u64)
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

/// What `pendamping server quarantine` lists: the refused changes, then the rows set aside.
pub fn not_used(conn: &Connection, limit: usize) -> Result<Vec<NotUsed>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT change_id, device_id, code, field, message, received_at FROM quarantine \
         ORDER BY received_at DESC LIMIT ?1",
    )?;
    for row in stmt.query_map([limit as i64], |r| {
        Ok(NotUsed {
            place: "quarantine",
            change_id: r.get(0)?,
            device_id: r.get(1)?,
            code: r.get(2)?,
            field: r.get(3)?,
            message: r.get(4)?,
            at_ms: r.get(5)?,
        })
    })? {
        out.push(row?);
    }
    let mut stmt = conn.prepare(
        "SELECT c.change_id, c.device_id, s.reason, s.found_at FROM set_aside s JOIN changes c ON c.seq = s.seq \
         ORDER BY s.seq LIMIT ?1",
    )?;
    for row in stmt.query_map([limit as i64], |r| {
        let id: Vec<u8> = r.get(0)?;
        Ok(NotUsed {
            place: "set aside",
            change_id: Uuid::from_slice(&id).map(|u| u.to_string()).unwrap_or_default(),
            device_id: r.get(1)?,
            code: "unreadable".into(),
            field: None,
            message: r.get(2)?,
            at_ms: r.get(3)?,
        })
    })? {
        out.push(row?);
    }
    Ok(out)
}
