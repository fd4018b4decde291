//! The dashboard's accounts, in `accounts`.

use super::PgTx;
use crate::storage::{AccountRow, Accounts, Result};

const ACCOUNT: &str = "SELECT name, role, areas, hash, disabled_at FROM accounts";

fn row(r: &postgres::Row) -> AccountRow {
    AccountRow {
        name: r.get(0),
        role: r.get(1),
        areas: r.get(2),
        hash: r.get(3),
        disabled_at: r.get(4),
    }
}

impl Accounts for PgTx<'_> {
    fn account(&mut self, name: &str) -> Result<Option<AccountRow>> {
        Ok(self
            .row(&format!("{ACCOUNT} WHERE name = $1"), &[&name])?
            .as_ref()
            .map(row))
    }

    fn add_account(&mut self, a: &AccountRow, at_ms: i64) -> Result<()> {
        self.run(
            "INSERT INTO accounts (name, role, areas, hash, created_at, disabled_at) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&a.name, &a.role, &a.areas, &a.hash, &at_ms, &a.disabled_at],
        )?;
        Ok(())
    }

    fn accounts(&mut self) -> Result<Vec<AccountRow>> {
        Ok(self
            .rows(&format!("{ACCOUNT} ORDER BY name"), &[])?
            .iter()
            .map(row)
            .collect())
    }

    fn disable_account(&mut self, name: &str, at_ms: i64) -> Result<bool> {
        let n = self.run(
            "UPDATE accounts SET disabled_at = $2 WHERE name = $1 AND disabled_at IS NULL",
            &[&name, &at_ms],
        )?;
        Ok(n > 0)
    }
}
