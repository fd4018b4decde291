//! The file's tables read as they are, for a move to PostgreSQL (`storage::copy`).

use rusqlite::types::ValueRef;

use super::Sqlite;
use crate::storage::copy::{Cell, Table};
use crate::storage::{Result, StorageError};

/// Reads a page of a table: its rows, and where to go on from (`None`: the end).
pub type Reader<'a> = dyn FnMut(&Table, Option<i64>, usize) -> Result<(Vec<Vec<Cell>>, Option<i64>)> + 'a;

impl Sqlite {
    /// How many rows `table` holds (a name from `copy::TABLES`).
    pub fn count(&self, table: &str) -> Result<u64> {
        let conn = self.readers.take()?;
        let n: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
        self.readers.give_back(conn);
        Ok(n as u64)
    }

    /// Runs `f` with a reader of pages of any table, all from one snapshot.
    pub fn export_snapshot<T>(&self, f: impl FnOnce(&mut Reader) -> Result<T>) -> Result<T> {
        let conn = self.readers.take()?;
        conn.execute_batch("BEGIN")?;
        let mut read = |t: &Table, after: Option<i64>, limit: usize| -> Result<(Vec<Vec<Cell>>, Option<i64>)> {
            let cols: Vec<&str> = t.columns.iter().map(|c| c.0).collect();
            // A rowid table pages by its rowid; the others (small) by their order's offset.
            let (sql, from) = if t.order == "rowid" {
                (
                    format!(
                        "SELECT rowid, {} FROM {} WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
                        cols.join(", "),
                        t.name
                    ),
                    after.unwrap_or(i64::MIN),
                )
            } else {
                (
                    format!(
                        "SELECT 0, {} FROM {} ORDER BY {} LIMIT ?2 OFFSET ?1",
                        cols.join(", "),
                        t.name,
                        t.order
                    ),
                    after.unwrap_or(0),
                )
            };
            let mut stmt = conn.prepare_cached(&sql)?;
            let mut rows = stmt.query((from, limit as i64))?;
            let (mut out, mut last) = (Vec::new(), from);
            while let Some(r) = rows.next()? {
                last = r.get(0)?;
                let mut cells = Vec::with_capacity(cols.len());
                for (i, col) in cols.iter().enumerate() {
                    cells.push(match r.get_ref(i + 1)? {
                        ValueRef::Null => Cell::Null,
                        ValueRef::Integer(n) => Cell::Int(n),
                        ValueRef::Text(text) => Cell::Text(
                            String::from_utf8(text.to_vec())
                                .map_err(|e| StorageError::Corrupt(format!("{}.{col}: {e}", t.name)))?,
                        ),
                        ValueRef::Blob(b) => Cell::Bytes(b.to_vec()),
                        ValueRef::Real(x) => {
                            return Err(StorageError::Corrupt(format!("{}.{col}: a real {x}", t.name)));
                        }
                    });
                }
                out.push(cells);
            }
            let next = if out.len() < limit {
                None
            } else if t.order == "rowid" {
                Some(last)
            } else {
                Some(from + out.len() as i64)
            };
            Ok((out, next))
        };
        let out = f(&mut read);
        let _ = conn.execute_batch("ROLLBACK");
        self.readers.give_back(conn);
        out
    }
}
