//! What the door keeps: `door_sessions`, `door_counters`.

use super::PgTx;
use crate::storage::{Door, Result};

impl Door for PgTx<'_> {
    fn counter(&mut self, key: &str) -> Result<Option<(u32, i64)>> {
        Ok(self
            .row("SELECT n, at FROM door_counters WHERE key = $1", &[&key])?
            .map(|r| (r.get::<_, i64>(0) as u32, r.get(1))))
    }

    fn set_counter(&mut self, key: &str, n: u32, at_ms: i64) -> Result<()> {
        self.run(
            "INSERT INTO door_counters (key, n, at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET n = excluded.n, at = excluded.at",
            &[&key, &i64::from(n), &at_ms],
        )?;
        Ok(())
    }

    fn forget_counter(&mut self, key: &str) -> Result<()> {
        self.run("DELETE FROM door_counters WHERE key = $1", &[&key])?;
        Ok(())
    }

    fn counters(&mut self, prefix: &str) -> Result<u64> {
        let n: i64 = self
            .one(
                "SELECT COUNT(*) FROM door_counters WHERE starts_with(key, $1)",
                &[&prefix],
            )?
            .get(0);
        Ok(n as u64)
    }

    fn forget_counters(&mut self, prefix: &str, up_to: i64) -> Result<()> {
        self.run(
            "DELETE FROM door_counters WHERE starts_with(key, $1) AND at <= $2",
            &[&prefix, &up_to],
        )?;
        Ok(())
    }

    fn session(&mut self, digest: &str) -> Result<Option<(String, i64)>> {
        Ok(self
            .row("SELECT account, until FROM door_sessions WHERE digest = $1", &[&digest])?
            .map(|r| (r.get(0), r.get(1))))
    }

    fn put_session(&mut self, digest: &str, account: &str, until_ms: i64) -> Result<()> {
        self.run(
            "INSERT INTO door_sessions (digest, account, until) VALUES ($1, $2, $3) \
             ON CONFLICT (digest) DO UPDATE SET account = excluded.account, until = excluded.until",
            &[&digest, &account, &until_ms],
        )?;
        Ok(())
    }

    fn end_session(&mut self, digest: &str) -> Result<()> {
        self.run("DELETE FROM door_sessions WHERE digest = $1", &[&digest])?;
        Ok(())
    }

    fn forget_sessions(&mut self, now_ms: i64) -> Result<()> {
        self.run("DELETE FROM door_sessions WHERE until <= $1", &[&now_ms])?;
        Ok(())
    }
}
