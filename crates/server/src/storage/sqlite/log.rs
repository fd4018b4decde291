//! The change log: `changes` (the log itself), `records` (each record's merged state),
//! `quarantine`, `conflicts`, `set_aside`, and on a hub `seals` and `upstream_rejections`.

use pendamping_core::Entity;
use pendamping_protocol::{ConflictNote, Rejection, Winner};
use rusqlite::OptionalExtension;
use uuid::Uuid;

use super::SqliteTx;
use crate::storage::paging::{self, Scanned, Source};
use crate::storage::rows::{self, Kept, to_json};
use crate::storage::{
    Backlog, ChangeLog, CursorAhead, NewChange, NotUsed, Page, Quarantined, Reader, Result, StorageError, Stored,
    Unsent, Upstream,
};

impl ChangeLog for SqliteTx<'_> {
    fn latest(&mut self) -> Result<u64> {
        let n: i64 = self
            .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM changes")?
            .query_row([], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn change_known(&mut self, change_id: &Uuid) -> Result<bool> {
        Ok(self
            .prepare_cached("SELECT 1 FROM changes WHERE change_id = ?1")?
            .query_row([change_id.as_bytes()], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn change_path(&mut self, change_id: &Uuid) -> Result<Option<(String, Option<Upstream>)>> {
        Ok(self
            .prepare_cached("SELECT device_id, upstream FROM changes WHERE change_id = ?1")?
            .query_row([change_id.as_bytes()], |r| {
                Ok((r.get::<_, String>(0)?, Upstream::of_code(r.get(1)?)))
            })
            .optional()?)
    }

    fn append(&mut self, c: &NewChange) -> Result<i64> {
        self.prepare_cached(
            "INSERT INTO changes (change_id, area_code, device_id, via, upstream, received_at, body, seal, leaf) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute((
            c.change_id.as_bytes(),
            c.area_code,
            c.origin,
            c.via,
            Upstream::code(c.upstream),
            c.received_at,
            c.body,
            c.seal.map(|s| s.0),
            c.seal.map(|s| s.1),
        ))?;
        Ok(self.last_insert_rowid())
    }

    fn record(&mut self, entity: Entity, id: &Uuid) -> Result<Option<Stored>> {
        type Row = (String, Option<String>, Option<String>, Option<i64>);
        let row: Option<Row> = self
            .prepare_cached("SELECT area_code, state, seqs, base_seq FROM records WHERE entity = ?1 AND id = ?2")?
            .query_row((entity.as_str(), id.as_bytes()), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let Some((area_code, state, seqs, base_seq)) = row else {
            return Ok(None);
        };
        let body = |seq: i64| -> Result<String> {
            Ok(self
                .prepare_cached("SELECT body FROM changes WHERE seq = ?1")?
                .query_row([seq], |r| r.get(0))?)
        };
        rows::stored(entity, id, area_code, Kept::of_columns(state, seqs, base_seq), body).map(Some)
    }

    fn put_first(&mut self, entity: Entity, id: &Uuid, area_code: &str, seq: i64) -> Result<()> {
        self.prepare_cached("INSERT INTO records (entity, id, area_code, base_seq) VALUES (?1, ?2, ?3, ?4)")?
            .execute((entity.as_str(), id.as_bytes(), area_code, seq))?;
        Ok(())
    }

    fn put_record(&mut self, entity: Entity, id: &Uuid, rec: &Stored) -> Result<()> {
        self.prepare_cached(
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

    fn page(&mut self, reader: &Reader, since: u64, limit: usize) -> Result<Result<Page, CursorAhead>> {
        paging::page(self, reader, since, limit)
    }

    fn after(&mut self, since: i64, limit: usize) -> Result<Vec<(i64, String)>> {
        let mut stmt = self.prepare_cached("SELECT seq, body FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
        let rows = stmt.query_map((since, limit as i64), |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn quarantine(&mut self, q: &Quarantined) -> Result<()> {
        let r = q.rejection;
        self.prepare_cached(
            "INSERT OR REPLACE INTO quarantine (change_id, device_id, code, field, message, body, received_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute((
            r.change_id.to_string(),
            q.device_id,
            r.code.as_str(),
            &r.field,
            &r.message,
            q.body,
            q.received_at,
        ))?;
        Ok(())
    }

    fn any_quarantined(&mut self) -> Result<bool> {
        Ok(self
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM quarantine)")?
            .query_row([], |r| r.get(0))?)
    }

    fn release(&mut self, change_id: &Uuid) -> Result<()> {
        self.prepare_cached("DELETE FROM quarantine WHERE change_id = ?1")?
            .execute([change_id.to_string()])?;
        Ok(())
    }

    fn refusal(&mut self, change_id: &Uuid, device_id: &str) -> Result<Option<Rejection>> {
        Ok(self
            .prepare_cached("SELECT code, field, message FROM quarantine WHERE change_id = ?1 AND device_id = ?2")?
            .query_row((change_id.to_string(), device_id), |r| rejection(r, change_id))
            .optional()?)
    }

    fn note_conflict(&mut self, n: &ConflictNote, device_id: &str, at_ms: i64) -> Result<()> {
        self.prepare_cached(
            "INSERT INTO conflicts (entity, row_id, field, pushed_value, pushed_hlc, existing_value, existing_hlc, \
             winner, change_id, device_id, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute((
            n.entity.as_str(),
            n.row_id.to_string(),
            &n.field,
            n.yours.to_string(),
            n.your_hlc.to_string(),
            n.theirs.to_string(),
            n.their_hlc.to_string(),
            match n.winner {
                Winner::Yours => "pushed",
                Winner::Theirs => "existing",
            },
            n.change_id.to_string(),
            device_id,
            at_ms,
        ))?;
        Ok(())
    }

    fn set_aside(&mut self, rows: &[(i64, String)], at_ms: i64) -> Result<u64> {
        let mut stmt =
            self.prepare_cached("INSERT OR IGNORE INTO set_aside (seq, reason, found_at) VALUES (?1, ?2, ?3)")?;
        for (seq, reason) in rows {
            stmt.execute((seq, reason, at_ms))?;
        }
        drop(stmt);
        self.set_aside_count()
    }

    fn set_aside_count(&mut self) -> Result<u64> {
        Ok(self
            .prepare_cached("SELECT COUNT(*) FROM set_aside")?
            .query_row([], |r| r.get::<_, i64>(0))? as u64)
    }

    fn not_used(&mut self, limit: usize) -> Result<Vec<NotUsed>> {
        let mut out = Vec::new();
        let mut stmt = self.prepare(
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
        let mut stmt = self.prepare(
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

    fn keep_seal(&mut self, origin: &str, kept: &[u8]) -> Result<i64> {
        self.prepare_cached("INSERT INTO seals (origin, kept) VALUES (?1, ?2)")?
            .execute((origin, kept))?;
        Ok(self.last_insert_rowid())
    }

    fn forget_closed_seals(&mut self, ids: &[Uuid]) -> Result<()> {
        let mut seals = std::collections::BTreeSet::new();
        for id in ids {
            let seal: Option<Option<i64>> = self
                .prepare_cached("SELECT seal FROM changes WHERE change_id = ?1")?
                .query_row([id.as_bytes()], |r| r.get(0))
                .optional()?;
            seals.extend(seal.flatten());
        }
        for s in seals {
            // The row stays (the changes refer to it); its hashes go.
            self.prepare_cached(
                "UPDATE seals SET kept = x'' WHERE id = ?1 AND length(kept) > 0 AND NOT EXISTS \
                 (SELECT 1 FROM changes WHERE seal = ?1 AND (upstream IS NULL OR upstream = 1))",
            )?
            .execute([s])?;
        }
        Ok(())
    }

    fn unsent(&mut self, limit: usize) -> Result<Vec<Unsent>> {
        let mut stmt = self.prepare_cached(
            "SELECT c.body, c.device_id, c.seal, c.leaf, s.kept FROM changes c \
             LEFT JOIN seals s ON s.id = c.seal WHERE c.upstream IS NULL ORDER BY c.seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            let (seal, leaf, kept): (Option<i64>, Option<i64>, Option<Vec<u8>>) = (r.get(2)?, r.get(3)?, r.get(4)?);
            Ok(Unsent {
                body: r.get(0)?,
                origin: r.get(1)?,
                seal: match (seal, leaf, kept) {
                    (Some(s), Some(l), Some(k)) => Some((s, l as u32, k)),
                    _ => None,
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn unsent_count(&mut self) -> Result<u64> {
        Ok(self
            .prepare_cached("SELECT COUNT(*) FROM changes WHERE upstream IS NULL")?
            .query_row([], |r| r.get::<_, i64>(0))? as u64)
    }

    fn held(&mut self, after: i64, limit: usize) -> Result<Vec<(i64, Uuid)>> {
        let mut stmt = self.prepare_cached(
            "SELECT seq, change_id FROM changes WHERE upstream = 1 AND seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map((after, limit as i64), |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, id) = row?;
            let id = Uuid::from_slice(&id).map_err(|e| StorageError::Corrupt(format!("change {seq}: {e}")))?;
            out.push((seq, id));
        }
        Ok(out)
    }

    fn set_upstream(&mut self, ids: &[Uuid], to: Option<Upstream>) -> Result<()> {
        let mut stmt = self.prepare_cached("UPDATE changes SET upstream = ?2 WHERE change_id = ?1")?;
        for id in ids {
            stmt.execute((id.as_bytes(), Upstream::code(to)))?;
        }
        Ok(())
    }

    fn refused_upstream(&mut self, refused: &[Rejection], at_ms: i64) -> Result<()> {
        for r in refused {
            self.prepare_cached(
                "INSERT OR REPLACE INTO upstream_rejections (change_id, code, field, message, received_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute((r.change_id.as_bytes(), r.code.as_str(), &r.field, &r.message, at_ms))?;
        }
        let ids: Vec<Uuid> = refused.iter().map(|r| r.change_id).collect();
        self.set_upstream(&ids, Some(Upstream::Refused))
    }

    fn upstream_refusal(&mut self, change_id: &Uuid) -> Result<Option<Rejection>> {
        Ok(self
            .prepare_cached("SELECT code, field, message FROM upstream_rejections WHERE change_id = ?1")?
            .query_row([change_id.as_bytes()], |r| rejection(r, change_id))
            .optional()?)
    }

    fn backlog(&mut self) -> Result<Backlog> {
        let mut b = Backlog::default();
        let mut stmt = self.prepare("SELECT upstream, COUNT(*) FROM changes GROUP BY upstream")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, Option<i16>>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (state, n) = row?;
            let n = n as u64;
            match Upstream::of_code(state) {
                None => b.unsent += n,
                Some(Upstream::Held) => b.held += n,
                Some(Upstream::Confirmed) => b.confirmed += n,
                Some(Upstream::Refused) => b.refused += n,
            }
        }
        Ok(b)
    }
}

fn rejection(r: &rusqlite::Row, change_id: &Uuid) -> rusqlite::Result<Rejection> {
    Ok(rows::rejection(
        change_id,
        &r.get::<_, String>(0)?,
        r.get(1)?,
        r.get(2)?,
    ))
}

impl Source for SqliteTx<'_> {
    fn latest(&mut self) -> Result<u64> {
        ChangeLog::latest(self)
    }

    fn village_seqs(&mut self, village: &str, since: i64, limit: i64, me: &str) -> Result<Vec<i64>> {
        let mut stmt = self.prepare_cached(
            "SELECT seq FROM changes WHERE area_code = ?1 AND seq > ?2 AND device_id <> ?4 AND via IS NOT ?4 \
             ORDER BY seq LIMIT ?3",
        )?;
        let rows = stmt.query_map((village, since, limit, me), |r| r.get::<_, i64>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn village_count(&mut self, village: &str, since: i64, me: &str) -> Result<u64> {
        Ok(self
            .prepare_cached(
                "SELECT COUNT(*) FROM changes WHERE area_code = ?1 AND seq > ?2 AND device_id <> ?3 \
                 AND via IS NOT ?3",
            )?
            .query_row((village, since, me), |r| r.get::<_, i64>(0))? as u64)
    }

    fn scan(&mut self, since: i64, limit: i64) -> Result<Vec<Scanned>> {
        let mut stmt = self.prepare_cached(
            "SELECT seq, area_code, device_id, via FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map((since, limit), |r| {
            Ok(Scanned {
                seq: r.get(0)?,
                area_code: r.get(1)?,
                origin: r.get(2)?,
                via: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn bodies(&mut self, seqs: &[(i64, &str)]) -> Result<Vec<(String, String)>> {
        let mut stmt = self.prepare_cached("SELECT body, device_id FROM changes WHERE seq = ?1")?;
        let mut out = Vec::with_capacity(seqs.len());
        for (seq, _) in seqs {
            out.push(stmt.query_row([seq], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?);
        }
        Ok(out)
    }
}
