//! Connections to the SQLite store: the writer (migrated when opened), the readers, the
//! checkpointer.

use std::path::Path;
use std::sync::Mutex;

use pendamping_store::ours::Kind;
use pendamping_vault::DataKey;
use rusqlite::{Connection, OpenFlags};

use crate::storage::{Result, StorageError};

/// (version, SQL) from schema/server/. Append only.
const MIGRATIONS: &[(u32, &str)] = &[
    (
        1,
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../schema/server/0001_init.sql"
        )),
    ),
    (
        2,
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../schema/server/0002_device_versions.sql"
        )),
    ),
    (
        3,
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/server/0003_hub.sql")),
    ),
    (
        4,
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../schema/server/0004_accounts.sql"
        )),
    ),
    (
        5,
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../schema/server/0005_recovery.sql"
        )),
    ),
    (
        6,
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../schema/server/0006_audit.sql"
        )),
    ),
    (
        7,
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../schema/server/0007_signing.sql"
        )),
    ),
    (
        8,
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../schema/server/0008_seal_pruning.sql"
        )),
    ),
    (
        9,
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../schema/server/0009_set_aside.sql"
        )),
    ),
    (
        10,
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../schema/server/0010_door.sql"
        )),
    ),
];

pub const SCHEMA_VERSION: u32 = MIGRATIONS[MIGRATIONS.len() - 1].0;

fn configure(conn: &Connection, key: Option<&DataKey>) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.set_prepared_statement_cache_capacity(64);
    stable_plans(conn)?;
    // 16 KB pages (effective only when the file is created): a visit's change is ~1.4 KB,
    // so a page holds ten of them, and a batch writes fewer, fuller pages to the log. An
    // encrypted store's pages are the size its key sets.
    if key.is_none() {
        conn.pragma_update(None, "page_size", 16_384)?;
    }
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: an acknowledged push survives a power cut, not only a crash.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "cache_size", -64_000)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Checkpoints run on their own thread (`Checkpointer`), not inside a push's commit.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    Ok(())
}

/// Plans that never depend on bound values. Otherwise SQLite re-prepares a statement
/// whose plan could, after every `clear_bindings`, which the statement cache calls on
/// each reuse (seen as `sqlite3Reprepare` in the device store's profile).
fn stable_plans(conn: &Connection) -> Result<()> {
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

/// A connection to the store at `path`, keyed when it is encrypted.
fn connect(path: &Path, flags: OpenFlags, key: Option<&DataKey>) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    if let Some(key) = key {
        pendamping_store::key_connection(&conn, key)?;
    }
    Ok(conn)
}

/// Who opens a store, which decides what the opening may do to the file beyond using it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// A server starting on it: a plain store is encrypted in place under its key, unless
    /// another server has it open.
    Serve,
    /// An engineer's command beside a server that may be running: it never rewrites the
    /// file (a server would go on writing to the replaced one, and lose what it took).
    Admin,
}

/// Opens the database for writing, creating and migrating it as needed; with a `key`,
/// encrypted (SQLCipher, as a device's store), a plain one of an earlier version first
/// encrypted in place when `opening` may. A SQLite file of something else is refused, never
/// given the server's tables.
pub(super) fn open_writer(path: &Path, key: Option<&DataKey>, opening: Opening) -> Result<Connection> {
    // What is there is looked at before anything is done to it (its mode, its journal, its
    // encryption): a folder, a device, a pipe or another program's SQLite file is refused
    // as it was.
    pendamping_store::ours::check(path, Kind::Server).map_err(|e| StorageError::Open(e.to_string()))?;
    let plain = pendamping_store::is_plain(path)?;
    // Accounts, tokens, the recovery key and everyone's data: the owner's only.
    pendamping_vault::files::private_store(path).map_err(|e| StorageError::Open(format!("{}: {e}", path.display())))?;
    match key {
        Some(_) if plain && opening == Opening::Admin => {
            return Err(StorageError::Open(format!(
                "{p} belum dienkripsi: jalankan server dengan kuncinya sekali untuk mengenkripsinya / {p} is not \
                 encrypted yet: start the server on it once with its key to encrypt it",
                p = path.display()
            )));
        }
        Some(_) if plain && super::Sqlite::serving(path) => {
            return Err(StorageError::Open(format!(
                "{} is served by another process: stop it before it is encrypted",
                path.display()
            )));
        }
        Some(key) => encrypt_if_plain(path, key)?,
        None if pendamping_store::is_encrypted(path) => {
            return Err(StorageError::Open(format!(
                "{} is encrypted: give its key (db_key_file in the config, or PENDAMPING_DB_KEY_FILE)",
                path.display()
            )));
        }
        None => {}
    }
    let mut conn = connect(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        key,
    )?;
    configure(&conn, key)?;
    // The writer's transactions take the write lock when they begin, waiting for it (the
    // busy timeout) while the checkpointer truncates the log. A transaction that read first
    // and wrote then would hold a snapshot the truncation waits for, and SQLite answers its
    // write "database is locked" at once rather than let the two wait on each other: an
    // outside attack saw bursts of 500s on pushes at each truncation.
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    if pendamping_store::ours::foreign(&conn, Kind::Server)? {
        return Err(StorageError::Open(
            pendamping_store::ours::refusal(path, Kind::Server).to_string(),
        ));
    }
    migrate(&mut conn)?;
    Ok(conn)
}

/// A store at `path` left plain by an earlier start, encrypted in place under `key` (a copy
/// that replaces it once complete): the log, and its view beside it.
pub(crate) fn encrypt_if_plain(path: &Path, key: &DataKey) -> Result<()> {
    pendamping_store::encrypt_if_plain(path, key)?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StorageError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "server database migrated");
    }
    Ok(())
}

/// Copies the write-ahead log into the database every second, off the request path,
/// so a push's commit only appends to the log. Stops when dropped.
pub struct Checkpointer {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The write-ahead log's size past which the checkpointer empties it. A passive checkpoint
/// copies the log into the database but cannot start it again from the beginning while a
/// reader is inside it, and under a steady stream of pushes (each followed by the view's
/// catch-up read) one always is: an outside attack grew it to 1 GB beside a 46 MB store.
/// Past this size the checkpointer waits for the readers of the moment and truncates it.
pub const WAL_LIMIT_BYTES: u64 = 64 << 20;

impl Checkpointer {
    pub fn start(path: &Path, key: Option<&DataKey>) -> Result<Checkpointer> {
        Checkpointer::start_with(path, key, WAL_LIMIT_BYTES)
    }

    /// `start`, emptying the log past `limit` bytes.
    pub fn start_with(path: &Path, key: Option<&DataKey>, limit: u64) -> Result<Checkpointer> {
        let conn = connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE, key)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let wal = {
            let mut p = path.as_os_str().to_owned();
            p.push("-wal");
            std::path::PathBuf::from(p)
        };
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("wal-checkpoint".into())
            .spawn(move || {
                let tick = std::time::Duration::from_millis(100);
                let mut waited = std::time::Duration::ZERO;
                while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::sleep(tick);
                    waited += tick;
                    if waited >= std::time::Duration::from_secs(1) {
                        waited = std::time::Duration::ZERO;
                        let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
                        let mode = if size > limit { "TRUNCATE" } else { "PASSIVE" };
                        let sql = format!("PRAGMA wal_checkpoint({mode})");
                        if let Err(e) = conn.query_row(&sql, [], |_| Ok(())) {
                            tracing::warn!(error = %e, mode, "WAL checkpoint failed; will retry");
                        } else if size > limit {
                            tracing::info!(bytes = size, "the write-ahead log was emptied");
                        }
                    }
                }
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            })
            .map_err(|e| StorageError::Open(format!("the checkpoint thread: {e}")))?;
        Ok(Checkpointer {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Read connections, reused. WAL gives each a consistent snapshot beside the writer.
pub(super) struct Readers {
    path: std::path::PathBuf,
    key: Option<DataKey>,
    idle: Mutex<Vec<Connection>>,
    keep: usize,
}

impl Readers {
    pub(super) fn new(path: &Path, keep: usize, key: Option<&DataKey>) -> Readers {
        Readers {
            path: path.to_path_buf(),
            key: key.cloned(),
            idle: Mutex::new(Vec::new()),
            keep: keep.max(1),
        }
    }

    /// An idle reader, or a new one when none is idle.
    pub(super) fn take(&self) -> Result<Connection> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        if let Some(c) = idle {
            return Ok(c);
        }
        let c = connect(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY, self.key.as_ref())?;
        c.busy_timeout(std::time::Duration::from_secs(30))?;
        c.set_prepared_statement_cache_capacity(32);
        stable_plans(&c)?;
        Ok(c)
    }

    /// A reader back in the pool (or closed, past `keep` of them).
    pub(super) fn give_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.keep {
            idle.push(conn);
        }
    }
}
