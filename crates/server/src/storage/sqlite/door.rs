//! What the door keeps: `door_sessions`, `door_counters`.

use rusqlite::OptionalExtension;

use super::SqliteTx;
use crate::storage::{Door, Result};

/// The first key after every key that starts with `prefix`.
fn past(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

impl Door for SqliteTx<'_> {
    fn counter(&mut self, key: &str) -> Result<Option<(u32, i64)>> {
        Ok(self
            .prepare_cached("SELECT n, at FROM door_counters WHERE key = ?1")?
            .query_row([key], |r| Ok((r.get::<_, i64>(0)? as u32, r.get(1)?)))
            .optional()?)
    }

    fn set_counter(&mut self, key: &str, n: u32, at_ms: i64) -> Result<()> {
        self.prepare_cached(
            "INSERT INTO door_counters (key, n, at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (key) DO UPDATE SET n = excluded.n, at = excluded.at",
        )?
        .execute((key, i64::from(n), at_ms))?;
        Ok(())
    }

    fn forget_counter(&mut self, key: &str) -> Result<()> {
        self.prepare_cached("DELETE FROM door_counters WHERE key = ?1")?
            .execute([key])?;
        Ok(())
    }

    fn counters(&mut self, prefix: &str) -> Result<u64> {
        Ok(self
            .prepare_cached("SELECT COUNT(*) FROM door_counters WHERE key >= ?1 AND key < ?2")?
            .query_row((prefix, past(prefix)), |r| r.get::<_, i64>(0))? as u64)
    }

    fn forget_counters(&mut self, prefix: &str, up_to: i64) -> Result<()> {
        self.prepare_cached("DELETE FROM door_counters WHERE key >= ?1 AND key < ?2 AND at <= ?3")?
            .execute((prefix, past(prefix), up_to))?;
        Ok(())
    }

    fn session(&mut self, digest: &str) -> Result<Option<(String, i64)>> {
        Ok(self
            .prepare_cached("SELECT account, until FROM door_sessions WHERE digest = ?1")?
            .query_row([digest], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn put_session(&mut self, digest: &str, account: &str, until_ms: i64) -> Result<()> {
        self.prepare_cached("INSERT OR REPLACE INTO door_sessions (digest, account, until) VALUES (?1, ?2, ?3)")?
            .execute((digest, account, until_ms))?;
        Ok(())
    }

    fn end_session(&mut self, digest: &str) -> Result<()> {
        self.prepare_cached("DELETE FROM door_sessions WHERE digest = ?1")?
            .execute([digest])?;
        Ok(())
    }

    fn forget_sessions(&mut self, now_ms: i64) -> Result<()> {
        self.prepare_cached("DELETE FROM door_sessions WHERE until <= ?1")?
            .execute([now_ms])?;
        Ok(())
    }
}
