//! The audit chain, in `audit` (its triggers refuse an update, a delete or a truncate).

use super::PgTx;
use crate::storage::{AuditLog, Entry, Result};

const ENTRY: &str = "SELECT seq, at_ms, actor, action, subject, detail, hash FROM audit";

fn entry(r: &postgres::Row) -> Entry {
    Entry {
        seq: r.get(0),
        at_ms: r.get(1),
        actor: r.get(2),
        action: r.get(3),
        subject: r.get(4),
        detail: r.get(5),
        hash: r.get(6),
    }
}

/// Entries read per round trip while walking the chain.
const WALK_PAGE: i64 = 10_000;

impl AuditLog for PgTx<'_> {
    fn audit_head(&mut self) -> Result<Option<(i64, Vec<u8>)>> {
        Ok(self
            .row("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &[])?
            .map(|r| (r.get(0), r.get(1))))
    }

    fn audit_append(&mut self, e: &Entry) -> Result<()> {
        self.run(
            "INSERT INTO audit (seq, at_ms, actor, action, subject, detail, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&e.seq, &e.at_ms, &e.actor, &e.action, &e.subject, &e.detail, &e.hash],
        )?;
        Ok(())
    }

    fn audit_recent(&mut self, limit: usize) -> Result<Vec<Entry>> {
        Ok(self
            .rows(&format!("{ENTRY} ORDER BY seq DESC LIMIT $1"), &[&(limit as i64)])?
            .iter()
            .map(entry)
            .collect())
    }

    fn audit_walk(&mut self, f: &mut dyn FnMut(Entry) -> bool) -> Result<()> {
        // In pages: a chain of millions is never held in memory at once.
        let mut after = i64::MIN;
        loop {
            let rows = self.rows(
                &format!("{ENTRY} WHERE seq > $1 ORDER BY seq LIMIT $2"),
                &[&after, &WALK_PAGE],
            )?;
            for r in &rows {
                let e = entry(r);
                after = e.seq;
                if !f(e) {
                    return Ok(());
                }
            }
            if (rows.len() as i64) < WALK_PAGE {
                return Ok(());
            }
        }
    }
}
