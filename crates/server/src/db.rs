//! The server's embedded SQLite store: one writer, a few readers, migrations.

use std::path::Path;
use std::sync::Mutex;

use pendamping_vault::DataKey;
use rusqlite::{Connection, OpenFlags};

use crate::error::{Result, ServerError};

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

/// Opens the database for writing, creating and migrating it as needed; with a `key`,
/// encrypted (SQLCipher, as a device's store), a plain one of an earlier version first
/// encrypted in place.
pub fn open(path: &Path, key: Option<&DataKey>) -> Result<Connection> {
    // Accounts, tokens, the recovery key and everyone's data: the owner's only.
    pendamping_vault::files::private_store(path)
        .map_err(|e| ServerError::Config(format!("{}: {e}", path.display())))?;
    match key {
        Some(key) => encrypt_if_plain(path, key)?,
        None if pendamping_store::is_encrypted(path) => {
            return Err(ServerError::Config(format!(
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
    migrate(&mut conn)?;
    // The store's identity, made once: a pull cursor counts in one store's sequence.
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', ?1)",
        [uuid::Uuid::new_v4().to_string()],
    )?;
    // The NIK digest's salt: random per store, so a digest's buckets mean nothing elsewhere.
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('nik_salt', ?1)",
        [uuid::Uuid::new_v4().simple().to_string()],
    )?;
    // The recovery key: devices seal their data key to its public half at enrolment.
    if meta_get(&conn, crate::recovery::SECRET_KEY)?.is_none() {
        let secret = pendamping_vault::RecoverySecret::generate().map_err(crate::recovery::vault_err)?;
        meta_set(&conn, crate::recovery::SECRET_KEY, &secret.to_hex())?;
    }
    Ok(conn)
}

/// A store at `path` left plain by an earlier start, encrypted in place under `key` (a copy
/// that replaces it once complete): the log, and its view beside it.
pub(crate) fn encrypt_if_plain(path: &Path, key: &DataKey) -> Result<()> {
    pendamping_store::encrypt_if_plain(path, key)?;
    Ok(())
}

/// The id of this store (`PullResponse::store`).
pub fn store_id(conn: &Connection) -> Result<String> {
    made_at_open(conn, "store_id")
}

/// The salt of this store's NIK digests.
pub fn nik_salt(conn: &Connection) -> Result<String> {
    made_at_open(conn, "nik_salt")
}

/// A meta value `open` makes when it is missing.
fn made_at_open(conn: &Connection, key: &str) -> Result<String> {
    meta_get(conn, key)?.ok_or_else(|| ServerError::Corrupt(format!("meta {key} is missing")))
}

pub fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub fn meta_delete(conn: &Connection, key: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM meta WHERE key = ?1")?.execute([key])?;
    Ok(())
}

pub fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute((key, value))?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(ServerError::NewerSchema {
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
            })?;
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
pub struct Readers {
    path: std::path::PathBuf,
    key: Option<DataKey>,
    idle: Mutex<Vec<Connection>>,
    keep: usize,
}

impl Readers {
    pub fn new(path: &Path, keep: usize, key: Option<&DataKey>) -> Readers {
        Readers {
            path: path.to_path_buf(),
            key: key.cloned(),
            idle: Mutex::new(Vec::new()),
            keep: keep.max(1),
        }
    }

    /// Runs `f` on an idle reader (opening one if none is idle), then puts it back.
    pub fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut conn = match idle {
            Some(c) => c,
            None => {
                let c = connect(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY, self.key.as_ref())?;
                c.busy_timeout(std::time::Duration::from_secs(30))?;
                c.set_prepared_statement_cache_capacity(32);
                stable_plans(&c)?;
                c
            }
        };
        let out = f(&mut conn);
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.keep {
            idle.push(conn);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_ahead_log_that_readers_keep_open_is_emptied_past_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let mut writer = open(&path, None).unwrap();
        writer.execute_batch("CREATE TABLE t (x BLOB)").unwrap();
        let limit = 1 << 20;
        let _checkpoints = Checkpointer::start_with(&path, None, limit).unwrap();
        // A reader always inside the log, as the view's catch-up is under steady pushes.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reading = {
            let (path, stop) = (path.clone(), stop.clone());
            std::thread::spawn(move || {
                let conn = Connection::open(&path).unwrap();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let _: i64 = conn.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).unwrap();
                }
            })
        };
        let wal = dir.path().join("c.db-wal");
        let mut largest = 0;
        for _ in 0..600 {
            // As a push writes: a transaction that reads, then writes. None is refused while
            // the log is truncated under it.
            let tx = writer.transaction().unwrap();
            let _: i64 = tx.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(3));
            tx.execute("INSERT INTO t VALUES (zeroblob(20000))", []).unwrap();
            tx.commit().unwrap();
            largest = largest.max(std::fs::metadata(&wal).unwrap().len());
        }
        assert!(largest > limit, "the log outgrew its limit while written ({largest} B)");
        // Within a few checkpoints it is emptied, though a reader never stops.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::fs::metadata(&wal).unwrap().len() > limit {
            assert!(std::time::Instant::now() < deadline, "the log stays over its limit");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        reading.join().unwrap();
        let n: i64 = writer.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 600, "nothing lost");
    }

    #[test]
    fn migrates_once_and_refuses_a_newer_database() {
        let dir = std::env::temp_dir().join(format!("pendamping-srv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("central.db");
        let _ = std::fs::remove_file(&path);
        drop(open(&path, None).unwrap());
        let conn = open(&path, None).unwrap();
        let v: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        drop(conn);
        assert!(matches!(open(&path, None), Err(ServerError::NewerSchema { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_plain_store_is_encrypted_in_place_when_a_key_comes_and_then_opens_only_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plkb.db");
        meta_set(&open(&path, None).unwrap(), "hub.on", "1").unwrap();
        assert!(pendamping_store::is_plain(&path).unwrap());
        let key = DataKey::random().unwrap();
        let conn = open(&path, Some(&key)).unwrap();
        assert_eq!(meta_get(&conn, "hub.on").unwrap().as_deref(), Some("1"), "kept");
        drop(conn);
        assert!(!pendamping_store::is_plain(&path).unwrap());
        let e = open(&path, None).unwrap_err().to_string();
        assert!(
            e.contains("plkb.db is encrypted") && e.contains("PENDAMPING_DB_KEY_FILE"),
            "{e}"
        );
        assert!(matches!(
            open(&path, Some(&DataKey::random().unwrap())),
            Err(ServerError::Encrypted(pendamping_store::StoreError::WrongKey))
        ));
        // The readers and the checkpointer key their own connections.
        let readers = Readers::new(&path, 1, Some(&key));
        let on = readers.with(|c| meta_get(c, "hub.on")).unwrap();
        assert_eq!(on.as_deref(), Some("1"));
        drop(Checkpointer::start(&path, Some(&key)).unwrap());
        assert!(Readers::new(&path, 1, None).with(|c| meta_get(c, "hub.on")).is_err());
    }
}
