//! Whether a SQLite file is one of ours: a store of the kind asked for, new, or made by that
//! kind's migrations. Another program's database given by mistake (a path mistyped, two
//! files mixed up, a server's store given to a device's command) is refused before
//! anything is done to it: its bytes, its mode and its journal stay as they were.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::encrypt::is_plain;
use crate::{Result, StoreError};

/// The kinds of store, each known by the table its first migration makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A device's (or a server's view).
    Device,
    /// A server's or a hub's log.
    Server,
}

impl Kind {
    fn marker(self) -> &'static str {
        match self {
            Kind::Device => "households",
            Kind::Server => "changes",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Kind::Device => "bukan store perangkat Pendamping / not a Pendamping device store",
            Kind::Server => "bukan penyimpanan server Pendamping / not a Pendamping server store",
        }
    }
}

/// Refuses what is not a regular file (a folder, a device, a pipe, whose first bytes would
/// be waited for forever) and a plain SQLite file that is not a store of `kind`. Nothing
/// there yet, an empty file or an encrypted one (looked at once keyed: [`foreign`]) passes.
pub fn check(path: &Path, kind: Kind) -> Result<()> {
    let not_ours = |why: &'static str| StoreError::NotOurs {
        path: path.to_path_buf(),
        why,
    };
    match std::fs::metadata(path) {
        Err(_) => return Ok(()),
        Ok(m) if !m.is_file() => return Err(not_ours("bukan berkas biasa / not a regular file")),
        Ok(_) => {}
    }
    if !is_plain(path)? {
        return Ok(());
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    if foreign(&conn, kind)? {
        return Err(not_ours(kind.words()));
    }
    Ok(())
}

/// Whether the database `conn` opens is not a store of `kind`: with no migration of ours it
/// holds something of its own (a table, a view, pages once used, an application id); with
/// one, it lacks the table every migration of that kind starts from.
pub fn foreign(conn: &Connection, kind: Kind) -> Result<bool> {
    let number = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    let version = number("PRAGMA user_version")?;
    Ok(if version == 0 {
        number("SELECT count(*) FROM sqlite_schema")? > 0
            || number("PRAGMA application_id")? != 0
            || number("PRAGMA page_count")? > 1
    } else {
        let marker = format!(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '{}'",
            kind.marker()
        );
        number(&marker)? == 0
    })
}

/// [`check`]'s refusal for `kind`, said of a keyed store.
pub fn refusal(path: &Path, kind: Kind) -> StoreError {
    StoreError::NotOurs {
        path: path.to_path_buf(),
        why: kind.words(),
    }
}
