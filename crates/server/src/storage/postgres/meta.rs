//! This store's settings, in `meta`.

use super::PgTx;
use crate::storage::{Meta, Result, Setting};

impl Meta for PgTx<'_> {
    fn setting(&mut self, s: Setting) -> Result<Option<String>> {
        Ok(self
            .row("SELECT value FROM meta WHERE key = $1", &[&s.key().as_ref()])?
            .map(|r| r.get(0)))
    }

    fn set_setting(&mut self, s: Setting, value: &str) -> Result<()> {
        self.run(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&s.key().as_ref(), &value],
        )?;
        Ok(())
    }

    fn clear_setting(&mut self, s: Setting) -> Result<()> {
        self.run("DELETE FROM meta WHERE key = $1", &[&s.key().as_ref()])?;
        Ok(())
    }
}
