//! The store encrypted at rest (SQLCipher): every page, the log and the journal, under the
//! data key the device's vault unwraps. A plain store of an earlier version is encrypted
//! once, by copying it into a new encrypted file that then replaces it.

use std::path::{Path, PathBuf};

use pendamping_vault::DataKey;
use rusqlite::Connection;

use crate::{Result, StoreError};

/// The encrypted store's page size. Every dirty page is encrypted and authenticated whole
/// at each commit, so a form save's cost grows with the page (`cargo bench --bench
/// security`, encrypted against plain: 32 KB pages 2.4× a form save and 1.4× a batch;
/// 16 KB 1.8× and 1.4×; 8 KB 1.3× and 1.5×; 4 KB pages cheaper saves but 1.8× a batch).
pub(crate) const CIPHER_PAGE_SIZE: i64 = 8192;

/// How pages are authenticated. HMAC-SHA256 rather than SQLCipher 4's default SHA-512:
/// the SHA extensions of x86 (SHA-NI) and ARMv8 tablets speed up SHA-256 only, and a form
/// save encrypted went from ~1.4× to ~1.2× a plain one (`cargo bench --bench security`).
const HMAC: &str = "HMAC_SHA256";
/// Stores encrypted before that (SQLCipher's default): opened once to be copied over.
const LEGACY_HMAC: &str = "HMAC_SHA512";

/// Keys a connection: the first statement on it. The page size and the HMAC are not in
/// the (encrypted) header, so every open must say them.
pub fn key(conn: &Connection, key: &DataKey) -> Result<()> {
    key_as(conn, key, HMAC)
}

fn key_as(conn: &Connection, key: &DataKey, hmac: &str) -> Result<()> {
    pragma(conn, &format!("PRAGMA key = \"{}\"", key.sqlcipher_key().as_str()))?;
    pragma(conn, &format!("PRAGMA cipher_page_size = {CIPHER_PAGE_SIZE}"))?;
    pragma(conn, &format!("PRAGMA cipher_hmac_algorithm = {hmac}"))?;
    // The key is only tried on the first read: a wrong one fails here, not later.
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
            Err(StoreError::WrongKey)
        }
        Err(e) => Err(e.into()),
    }
}

/// After `key` was refused on the store at `path`: if the key opens it with the earlier
/// HMAC, it is copied into the current format (as `encrypt_file` copies a plain one), and
/// this says so. Nothing happens to a store the key does not open at all.
pub(crate) fn upgrade(path: &Path, key: &DataKey) -> Result<bool> {
    if !path.exists() || is_plain(path)? {
        return Ok(false);
    }
    let tmp = with_suffix(path, ".encrypting");
    let _ = std::fs::remove_file(&tmp);
    {
        let legacy = Connection::open(path)?;
        match key_as(&legacy, key, LEGACY_HMAC) {
            Err(StoreError::WrongKey) => return Ok(false),
            opened => opened?,
        }
        if let Err(e) = copy_into(&legacy, &tmp, key) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    }
    swap(&tmp, path)?;
    tracing::info!(path = %path.display(), "copied the encrypted store into the current format");
    Ok(true)
}

/// Runs a pragma, whatever rows it answers with (SQLCipher's setters answer the value).
fn pragma(conn: &Connection, sql: &str) -> Result<()> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    while rows.next()?.is_some() {}
    Ok(())
}

/// Whether the file at `path` is a plain (unencrypted) SQLite store.
pub fn is_plain(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut head = [0u8; 16];
    match std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)) {
        Ok(()) => Ok(&head == b"SQLite format 3\0"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound || e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Ok(false)
        }
        Err(e) => Err(io(path)(e)),
    }
}

/// A store at `path` left plain (by an earlier version, or by choice) encrypted in place
/// under `key`, as `encrypt_file` does; says whether there was one to encrypt.
pub fn encrypt_if_plain(path: &Path, key: &DataKey) -> Result<bool> {
    if !is_plain(path)? {
        return Ok(false);
    }
    encrypt_file(path, key, || Ok::<(), StoreError>(()))?;
    Ok(true)
}

/// Whether `path` holds a store that is there and not plain SQLite: an encrypted one
/// (SQLCipher's file has no header), which opens only with its key.
pub fn is_encrypted(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() >= 16) && !is_plain(path).unwrap_or(true)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Encrypts the plain store at `path` under `key`, in place. It is copied whole into
/// `<path>.encrypting`, which replaces the plain file only when complete and on disk, so
/// a crash leaves either the plain store or the encrypted one, never half of each.
/// `before_swap` runs between the two (the caller writes the key file there: an encrypted
/// store must never be on disk without its wraps).
pub fn encrypt_file<E: From<StoreError>>(
    path: &Path,
    key: &DataKey,
    before_swap: impl FnOnce() -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let tmp = with_suffix(path, ".encrypting");
    let _ = std::fs::remove_file(&tmp);
    let copied = copy_encrypted(path, &tmp, key)
        .map_err(E::from)
        .and_then(|()| before_swap());
    if let Err(e) = copied {
        // The plain store is untouched; the copy goes.
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    swap(&tmp, path)?;
    tracing::info!(path = %path.display(), "encrypted the plain store");
    Ok(())
}

/// The finished copy `tmp` replaces the store at `path`, its old log with it.
fn swap(tmp: &Path, path: &Path) -> Result<()> {
    for stale in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(path, stale));
    }
    std::fs::rename(tmp, path).map_err(io(path))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

fn copy_encrypted(path: &Path, tmp: &Path, key: &DataKey) -> Result<()> {
    copy_into(&Connection::open(path)?, tmp, key)
}

/// Copies the store open on `conn` (plain, or keyed in an earlier format) into a new file
/// `tmp` encrypted under `key` in the current format, on disk when this returns.
fn copy_into(conn: &Connection, tmp: &Path, key: &DataKey) -> Result<()> {
    // Everything from the log into the file first: the copy reads the file.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    // Made private before SQLCipher writes a page of it.
    pendamping_vault::files::private_store(tmp).map_err(io(tmp))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    conn.execute(
        "ATTACH DATABASE ?1 AS encrypted KEY ?2",
        rusqlite::params![tmp.to_string_lossy(), key.sqlcipher_key().as_str()],
    )?;
    pragma(conn, &format!("PRAGMA encrypted.cipher_page_size = {CIPHER_PAGE_SIZE}"))?;
    pragma(conn, &format!("PRAGMA encrypted.cipher_hmac_algorithm = {HMAC}"))?;
    conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
    conn.execute_batch(&format!(
        "PRAGMA encrypted.user_version = {version}; DETACH DATABASE encrypted;"
    ))?;
    std::fs::File::open(tmp).and_then(|f| f.sync_all()).map_err(io(tmp))
}
