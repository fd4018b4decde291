//! The audit chain, in `audit` (its triggers refuse an update or a delete through SQL).

use rusqlite::OptionalExtension;

use super::SqliteTx;
use crate::storage::{AuditLog, Entry, Result};

fn entry(r: &rusqlite::Row) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: r.get(0)?,
        at_ms: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        subject: r.get(4)?,
        detail: r.get(5)?,
        hash: r.get(6)?,
    })
}

impl AuditLog for SqliteTx<'_> {
    fn audit_head(&mut self) -> Result<Option<(i64, Vec<u8>)>> {
        Ok(self
            .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn audit_append(&mut self, e: &Entry) -> Result<()> {
        self.prepare_cached(
            "INSERT INTO audit (seq, at_ms, actor, action, subject, detail, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute((e.seq, e.at_ms, &e.actor, &e.action, &e.subject, &e.detail, &e.hash))?;
        Ok(())
    }

    fn audit_recent(&mut self, limit: usize) -> Result<Vec<Entry>> {
        let mut stmt = self
            .prepare("SELECT seq, at_ms, actor, action, subject, detail, hash FROM audit ORDER BY seq DESC LIMIT ?1")?;
        let rows = stmt.query_map([limit as i64], entry)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn audit_walk(&mut self, f: &mut dyn FnMut(Entry) -> bool) -> Result<()> {
        let mut stmt =
            self.prepare("SELECT seq, at_ms, actor, action, subject, detail, hash FROM audit ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            if !f(entry(r)?) {
                break;
            }
        }
        Ok(())
    }
}
