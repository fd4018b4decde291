//! This store's settings, in `meta`.

use rusqlite::OptionalExtension;

use super::SqliteTx;
use crate::storage::{Meta, Result, Setting};

impl Meta for SqliteTx<'_> {
    fn setting(&mut self, s: Setting) -> Result<Option<String>> {
        Ok(self
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([s.key()], |r| r.get(0))
            .optional()?)
    }

    fn set_setting(&mut self, s: Setting, value: &str) -> Result<()> {
        self.prepare_cached(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )?
        .execute((s.key(), value))?;
        Ok(())
    }

    fn clear_setting(&mut self, s: Setting) -> Result<()> {
        self.prepare_cached("DELETE FROM meta WHERE key = ?1")?
            .execute([s.key()])?;
        Ok(())
    }
}
