//! The dashboard's accounts, in `accounts`.

use rusqlite::OptionalExtension;

use super::SqliteTx;
use crate::storage::{AccountRow, Accounts, Result};

fn row(r: &rusqlite::Row) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        name: r.get(0)?,
        role: r.get(1)?,
        areas: r.get(2)?,
        hash: r.get(3)?,
        disabled_at: r.get(4)?,
    })
}

impl Accounts for SqliteTx<'_> {
    fn account(&mut self, name: &str) -> Result<Option<AccountRow>> {
        Ok(self
            .prepare_cached("SELECT name, role, areas, hash, disabled_at FROM accounts WHERE name = ?1")?
            .query_row([name], row)
            .optional()?)
    }

    fn add_account(&mut self, a: &AccountRow, at_ms: i64) -> Result<()> {
        self.prepare_cached(
            "INSERT INTO accounts (name, role, areas, hash, created_at, disabled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute((&a.name, &a.role, &a.areas, &a.hash, at_ms, a.disabled_at))?;
        Ok(())
    }

    fn accounts(&mut self) -> Result<Vec<AccountRow>> {
        let mut stmt = self.prepare("SELECT name, role, areas, hash, disabled_at FROM accounts ORDER BY name")?;
        let rows = stmt.query_map([], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn disable_account(&mut self, name: &str, at_ms: i64) -> Result<bool> {
        let n = self
            .prepare_cached("UPDATE accounts SET disabled_at = ?2 WHERE name = ?1 AND disabled_at IS NULL")?
            .execute((name, at_ms))?;
        Ok(n > 0)
    }
}
