//! Moving a district's store from SQLite to PostgreSQL (`pendamping server migrate-store`):
//! every table copied as it is, sequences included, so each device's pull cursor and the
//! store's id stay valid and the audit chain still verifies. One read snapshot of the file,
//! one transaction on PostgreSQL (under the writer lock): it lands whole or not at all.
//! The tables and their columns are listed once, here; both stores read them from this list.

use sha2::Digest;

use super::postgres::Postgres;
use super::sqlite::Sqlite;
use super::{Result, Storage, StorageError};

/// How a column is kept where the two stores differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Text,
    Bytes,
    /// A BLOB of 16 bytes in SQLite, `uuid` in PostgreSQL.
    Uuid,
}

/// A table of the server's store.
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
    /// The order rows are read in: `rowid` pages by key; other tables are small.
    pub order: &'static str,
}

use Kind::*;

/// Every table, in an order their references allow.
pub const TABLES: &[Table] = &[
    Table {
        name: "meta",
        columns: &[("key", Text), ("value", Text)],
        order: "key",
    },
    Table {
        name: "devices",
        columns: &[
            ("id", Text),
            ("name", Text),
            ("user_name", Text),
            ("role", Text),
            ("scope", Text),
            ("token_hash", Bytes),
            ("enrolled_at", Int),
            ("expires_at", Int),
            ("revoked_at", Int),
            ("last_seen_at", Int),
            ("rules_version", Text),
            ("tables_version", Text),
            ("home", Text),
            ("uploaded_at", Int),
            ("public_key", Bytes),
        ],
        order: "rowid",
    },
    Table {
        name: "enrollment_codes",
        columns: &[
            ("code_hash", Bytes),
            ("user_name", Text),
            ("role", Text),
            ("scope", Text),
            ("created_at", Int),
            ("expires_at", Int),
            ("used_at", Int),
            ("device_id", Text),
            ("nonce_hash", Bytes),
        ],
        order: "code_hash",
    },
    Table {
        name: "recovery_codes",
        columns: &[
            ("code_hash", Bytes),
            ("device_id", Text),
            ("issued_by", Text),
            ("created_at", Int),
            ("expires_at", Int),
            ("used_at", Int),
            ("reply_to", Text),
        ],
        order: "code_hash",
    },
    Table {
        name: "accounts",
        columns: &[
            ("name", Text),
            ("role", Text),
            ("areas", Text),
            ("hash", Text),
            ("created_at", Int),
            ("disabled_at", Int),
        ],
        order: "name",
    },
    Table {
        name: "audit",
        columns: &[
            ("seq", Int),
            ("at_ms", Int),
            ("actor", Text),
            ("action", Text),
            ("subject", Text),
            ("detail", Text),
            ("hash", Bytes),
        ],
        order: "rowid",
    },
    Table {
        name: "seals",
        columns: &[("id", Int), ("origin", Text), ("kept", Bytes)],
        order: "rowid",
    },
    Table {
        name: "changes",
        columns: &[
            ("seq", Int),
            ("change_id", Uuid),
            ("area_code", Text),
            ("device_id", Text),
            ("via", Text),
            ("upstream", Int),
            ("received_at", Int),
            ("body", Text),
            ("seal", Int),
            ("leaf", Int),
        ],
        order: "rowid",
    },
    Table {
        name: "records",
        columns: &[
            ("entity", Text),
            ("id", Uuid),
            ("area_code", Text),
            ("state", Text),
            ("seqs", Text),
            ("base_seq", Int),
        ],
        order: "rowid",
    },
    Table {
        name: "quarantine",
        columns: &[
            ("change_id", Text),
            ("device_id", Text),
            ("code", Text),
            ("field", Text),
            ("message", Text),
            ("body", Text),
            ("received_at", Int),
        ],
        order: "change_id",
    },
    Table {
        name: "conflicts",
        columns: &[
            ("id", Int),
            ("entity", Text),
            ("row_id", Text),
            ("field", Text),
            ("pushed_value", Text),
            ("pushed_hlc", Text),
            ("existing_value", Text),
            ("existing_hlc", Text),
            ("winner", Text),
            ("change_id", Text),
            ("device_id", Text),
            ("recorded_at", Int),
        ],
        order: "rowid",
    },
    Table {
        name: "upstream_rejections",
        columns: &[
            ("change_id", Uuid),
            ("code", Text),
            ("field", Text),
            ("message", Text),
            ("received_at", Int),
        ],
        order: "change_id",
    },
    Table {
        name: "set_aside",
        columns: &[("seq", Int), ("reason", Text), ("found_at", Int)],
        order: "rowid",
    },
];

/// A value as read from the file.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// Rows read per round.
pub const PAGE: usize = 5_000;

/// What a move did, and what both stores said at its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// Rows per table, equal in both.
    pub rows: Vec<(&'static str, u64)>,
    /// The log's checksum, equal in both ([`log_checksum`]).
    pub checksum: String,
}

/// The log's checksum: SHA-256 over every change's sequence and body, in order. The same
/// walk over either store (the traits' `after`), so a move that dropped, reordered or
/// altered a change shows.
pub fn log_checksum(store: &dyn Storage) -> Result<(u64, String)> {
    let mut h = sha2::Sha256::new();
    let (mut since, mut n) = (0i64, 0u64);
    loop {
        let page = store.reading(|tx| tx.after(since, PAGE))?;
        let Some(last) = page.last() else {
            break;
        };
        since = last.0;
        for (seq, body) in &page {
            h.update(seq.to_le_bytes());
            h.update((body.len() as u64).to_le_bytes());
            h.update(body.as_bytes());
            n += 1;
        }
    }
    Ok((n, hex::encode(h.finalize())))
}

/// Copies the store `from` into the empty PostgreSQL store `to`, then checks both hold the
/// same: rows per table and the log's checksum. `progress` hears each table as it goes.
pub fn migrate(from: &Sqlite, to: &Postgres, progress: &mut dyn FnMut(&str, u64)) -> Result<Moved> {
    let not_empty: Vec<&str> = TABLES
        .iter()
        .map(|t| Ok((t.name, to.count(t.name)?)))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(t, _)| t)
        .collect();
    if !not_empty.is_empty() {
        return Err(StorageError::Open(format!(
            "the PostgreSQL database is not empty ({} hold rows): a move goes into an empty one only",
            not_empty.join(", ")
        )));
    }
    from.export_snapshot(|read| {
        to.import(|write| {
            for t in TABLES {
                let mut after = None;
                let mut copied = 0u64;
                loop {
                    let (rows, last) = read(t, after, PAGE)?;
                    if rows.is_empty() {
                        break;
                    }
                    copied += rows.len() as u64;
                    write(t, &rows)?;
                    progress(t.name, copied);
                    after = last;
                    if after.is_none() {
                        break;
                    }
                }
            }
            Ok(())
        })
    })?;
    let mut rows = Vec::new();
    for t in TABLES {
        let (a, b) = (from.count(t.name)?, to.count(t.name)?);
        if a != b {
            return Err(StorageError::Corrupt(format!(
                "{}: {a} rows in the file, {b} in PostgreSQL",
                t.name
            )));
        }
        rows.push((t.name, a));
    }
    let (there, here) = (log_checksum(from)?, log_checksum(to)?);
    if there != here {
        return Err(StorageError::Corrupt(format!(
            "the log differs after the move: {} changes ({}) in the file, {} ({}) in PostgreSQL",
            there.0, there.1, here.0, here.1
        )));
    }
    Ok(Moved { rows, checksum: here.1 })
}
