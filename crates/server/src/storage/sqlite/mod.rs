//! The server's store on embedded SQLite (a district's server, a PLKB hub): one writer, a
//! few readers, write-ahead logging checkpointed off the request path, encrypted with
//! SQLCipher under the store key when one is given.

mod accounts;
mod audit;
mod connection;
mod devices;
mod door;
mod export;
mod log;
mod meta;

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use pendamping_vault::DataKey;
use rusqlite::Connection;

use super::{Result, Storage, StorageError, Tx};
pub use connection::{Checkpointer, WAL_LIMIT_BYTES};
use connection::{Opening, Readers, open_writer};
pub use export::Reader;

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> StorageError {
        StorageError::Backend(e.to_string())
    }
}

/// The server's store in one SQLite file.
pub struct Sqlite {
    /// Held (shared) while a server serves this store: an engineer's move of it waits for
    /// none (`Sqlite::serving`).
    _serving: Option<std::fs::File>,
    writer: Mutex<Connection>,
    readers: Readers,
    path: PathBuf,
    _checkpoints: Option<Checkpointer>,
}

impl Sqlite {
    /// Opens the store at `path` for serving, creating and migrating it as needed; with a
    /// `key`, encrypted (a plain one of an earlier version is first encrypted in place).
    /// `readers`: how many read connections to keep open. A thread copies the write-ahead
    /// log into the file every second while it is open.
    pub fn open(path: &Path, key: Option<&DataKey>, readers: usize) -> Result<Sqlite> {
        let writer = open_writer(path, key, Opening::Serve)?;
        let serving = crate::view::lock_file(&serving_lock(path)).map_err(|e| StorageError::Open(e.to_string()))?;
        serving
            .lock_shared()
            .map_err(|e| StorageError::Open(format!("{}: {e}", path.display())))?;
        Ok(Sqlite {
            _serving: Some(serving),
            writer: Mutex::new(writer),
            readers: Readers::new(path, readers, key),
            path: path.to_path_buf(),
            _checkpoints: Some(Checkpointer::start(path, key)?),
        })
    }

    /// Opens it for a short task beside a server that may be running (an engineer's
    /// command): no checkpoint thread of its own, one reader.
    pub fn open_for_admin(path: &Path, key: Option<&DataKey>) -> Result<Sqlite> {
        let writer = open_writer(path, key, Opening::Admin)?;
        Ok(Sqlite {
            _serving: None,
            writer: Mutex::new(writer),
            readers: Readers::new(path, 1, key),
            path: path.to_path_buf(),
            _checkpoints: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Is a server serving the store at `path` now (in this process or another)?
    pub fn serving(path: &Path) -> bool {
        // Asked, not made: a file no server ever held has no lock beside it to leave behind.
        let Ok(f) = std::fs::OpenOptions::new().read(true).open(serving_lock(path)) else {
            return false;
        };
        match f.try_lock() {
            Ok(()) => {
                let _ = f.unlock();
                false
            }
            Err(_) => true,
        }
    }
}

/// The file a serving server holds a shared lock on, beside its store.
fn serving_lock(path: &Path) -> PathBuf {
    // Beside the file itself, however it is named (a symbolic link to a served store is the
    // served store). A hard link is another name the lock cannot see: not a way to name a
    // store.
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut name = path.into_os_string();
    name.push(".serving");
    PathBuf::from(name)
}

impl Storage for Sqlite {
    fn write(&self) -> Result<Box<dyn Tx + '_>> {
        let conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        // IMMEDIATE: the write lock is taken at the start (see `open_writer`).
        conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(Box::new(SqliteTx {
            conn: Held::Writer(conn),
            open: true,
        }))
    }

    fn read(&self) -> Result<Box<dyn Tx + '_>> {
        let conn = self.readers.take()?;
        conn.execute_batch("BEGIN")?;
        Ok(Box::new(SqliteTx {
            conn: Held::Reader(Pooled {
                conn: Some(conn),
                pool: &self.readers,
            }),
            open: true,
        }))
    }
}

/// A transaction on the writer or on a reader of the pool.
pub struct SqliteTx<'a> {
    conn: Held<'a>,
    open: bool,
}

enum Held<'a> {
    Writer(MutexGuard<'a, Connection>),
    Reader(Pooled<'a>),
}

/// A reader out of the pool, put back when dropped.
struct Pooled<'a> {
    conn: Option<Connection>,
    pool: &'a Readers,
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            self.pool.give_back(c);
        }
    }
}

impl Deref for SqliteTx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match &self.conn {
            Held::Writer(c) => c,
            Held::Reader(p) => p.conn.as_ref().expect("a pooled reader is held until dropped"),
        }
    }
}

impl Drop for SqliteTx<'_> {
    fn drop(&mut self) {
        if self.open
            && let Err(e) = self.execute_batch("ROLLBACK")
        {
            tracing::warn!(error = %e, "a transaction could not be rolled back");
        }
    }
}

impl Tx for SqliteTx<'_> {
    fn commit(mut self: Box<Self>) -> Result<()> {
        self.execute_batch("COMMIT")?;
        self.open = false;
        Ok(())
    }
}

/// A store in a directory of its own, made ready as a server makes it (for tests).
#[cfg(test)]
pub(crate) fn scratch() -> (tempfile::TempDir, Sqlite) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Sqlite::open_for_admin(&dir.path().join("central.db"), None).expect("a scratch store");
    crate::ready(&store).expect("made ready");
    (dir, store)
}

/// Runs `f` in a write transaction of its own, committed (for tests).
#[cfg(test)]
pub(crate) fn on<T>(s: &Sqlite, f: impl FnOnce(&mut dyn Tx) -> crate::Result<T>) -> crate::Result<T> {
    (s as &dyn Storage).writing(f)
}

#[cfg(test)]
mod tests;
