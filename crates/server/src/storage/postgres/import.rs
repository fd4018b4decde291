//! Rows of another store written as they are (`storage::copy`), with COPY: one transaction
//! under the writer lock, committed whole or not at all.

use std::io::Write;

use super::{Postgres, WRITER, regency};
use crate::storage::copy::{Cell, Kind, Table};
use crate::storage::{Result, StorageError};

/// Writes a page of a table's rows.
pub type Writer<'a> = dyn FnMut(&Table, &[Vec<Cell>]) -> Result<()> + 'a;

/// Tables whose ids a sequence hands out, and the column it fills.
const SEQUENCES: &[(&str, &str, &str)] = &[
    ("change_seq", "changes", "seq"),
    ("seals_id_seq", "seals", "id"),
    ("conflicts_id_seq", "conflicts", "id"),
];

impl Postgres {
    /// How many rows `table` holds (a name from `copy::TABLES`).
    pub fn count(&self, table: &str) -> Result<u64> {
        let mut c = self.conn()?;
        let n: i64 = c.one(&format!("SELECT COUNT(*) FROM {table}"), &[])?.get(0);
        Ok(n as u64)
    }

    /// Runs `f` with a writer of rows into any table, in one transaction: committed when
    /// `f` returns `Ok`, with each sequence set past the ids copied.
    pub fn import<T>(&self, f: impl FnOnce(&mut Writer) -> Result<T>) -> Result<T> {
        let mut c = self.conn()?;
        c.batch(&format!("BEGIN; SELECT pg_advisory_xact_lock({WRITER})"))?;
        let done = (|| {
            let mut write = |t: &Table, rows: &[Vec<Cell>]| -> Result<()> {
                let mut cols: Vec<&str> = t.columns.iter().map(|c| c.0).collect();
                // The log's partition key, from each change's village.
                let area = (t.name == "changes")
                    .then(|| cols.iter().position(|c| *c == "area_code"))
                    .flatten();
                if area.is_some() {
                    cols.insert(0, "regency");
                }
                let mut text = Vec::with_capacity(rows.len() * 256);
                for row in rows {
                    if let Some(i) = area {
                        let Cell::Text(a) = &row[i] else {
                            return Err(StorageError::Corrupt(format!("a change without its village: {row:?}")));
                        };
                        escape(regency(a), &mut text);
                        text.push(b'\t');
                    }
                    for (i, (cell, (name, kind))) in row.iter().zip(t.columns).enumerate() {
                        if i > 0 {
                            text.push(b'\t');
                        }
                        encode(cell, *kind, &mut text)
                            .map_err(|why| StorageError::Corrupt(format!("{}.{name}: {why}", t.name)))?;
                    }
                    text.push(b'\n');
                }
                let mut into = c
                    .client
                    .copy_in(&format!("COPY {} ({}) FROM STDIN", t.name, cols.join(", ")))?;
                into.write_all(&text)
                    .map_err(|e| StorageError::Backend(format!("COPY {}: {e}", t.name)))?;
                into.finish()?;
                Ok(())
            };
            let out = f(&mut write)?;
            for (seq, table, column) in SEQUENCES {
                c.batch(&format!(
                    "SELECT setval('{seq}', GREATEST((SELECT COALESCE(MAX({column}), 0) FROM {table}), 1))"
                ))?;
            }
            Ok(out)
        })();
        match done {
            Ok(out) => {
                c.batch("COMMIT")?;
                // Statistics for the planner and the visibility map for index-only reads,
                // at once rather than when autovacuum gets to the copied tables.
                c.batch("VACUUM (ANALYZE)")?;
                Ok(out)
            }
            Err(e) => {
                let _ = c.batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

/// A cell in COPY's text format.
fn encode(cell: &Cell, kind: Kind, out: &mut Vec<u8>) -> std::result::Result<(), String> {
    match (cell, kind) {
        (Cell::Null, _) => out.extend_from_slice(b"\\N"),
        (Cell::Int(n), Kind::Int) => out.extend_from_slice(n.to_string().as_bytes()),
        (Cell::Text(t), Kind::Text) => escape(t, out),
        (Cell::Bytes(b), Kind::Bytes) => {
            out.extend_from_slice(b"\\\\x");
            out.extend_from_slice(hex::encode(b).as_bytes());
        }
        (Cell::Bytes(b), Kind::Uuid) => {
            let id = uuid::Uuid::from_slice(b).map_err(|e| e.to_string())?;
            out.extend_from_slice(id.hyphenated().to_string().as_bytes());
        }
        (Cell::Text(t), Kind::Uuid) => {
            let id = uuid::Uuid::parse_str(t).map_err(|e| e.to_string())?;
            out.extend_from_slice(id.hyphenated().to_string().as_bytes());
        }
        (cell, kind) => return Err(format!("{cell:?} where a {kind:?} belongs")),
    }
    Ok(())
}

/// Text in COPY's text format: backslash, tab, newline and carriage return escaped.
fn escape(t: &str, out: &mut Vec<u8>) {
    for b in t.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}
