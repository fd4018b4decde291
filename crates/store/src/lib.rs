//! Pendamping's device store over embedded SQLite: migrations, repositories, the outbox,
//! merge of incoming changes, and the queries the screens and the recap need.
//!
//! Every local mutation writes the row and its outbox change in one transaction, so a
//! confirmed save is durable and queued together, or not at all.

mod derive;
mod duplicates;
mod encrypt;
mod error;
mod family_list;
mod import;
mod lists;
mod migrate;
pub mod ours;
mod query;
mod recap;
mod rows;
mod sync;
pub mod text;
mod write;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use pendamping_core::Rules;
use pendamping_core::hlc::{HlcClock, TimeSource};
use pendamping_core::ids::IdMaker;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use uuid::Uuid;

pub use duplicates::{Likeness, Merged, PossibleDuplicate, nik_elsewhere};
pub use encrypt::{encrypt_file, encrypt_if_plain, is_encrypted, is_plain, key as key_connection};
pub use error::{Result, StoreError};
pub use import::{Batch, BatchCounts, BatchProblem, ImportError, Sourced};
pub use lists::{ListRow, Measures};
pub use migrate::SCHEMA_VERSION;
pub use pendamping_vault::DataKey;
pub use query::*;
pub use sync::{ApplyReport, Clash, Conflict, Refused, RejectedChange, ReportedConflict};
pub use write::{Delivery, DeliveryRecorded, Saved, VisitOutcome};

/// The wall clock, for production. Tests inject `ManualTime`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemTime;

impl TimeSource for SystemTime {
    fn now_millis(&self) -> u64 {
        Utc::now().timestamp_millis().max(0) as u64
    }
}

/// Parses a rules file (TOML, the shape of `schema/data/rules.toml`).
pub fn rules_from_toml(text: &str) -> Result<Rules> {
    Rules::from_toml(text).map_err(|e| StoreError::Rules(e.0))
}

pub struct Options {
    pub time: Arc<dyn TimeSource>,
    pub rules: Rules,
    /// The device's time zone, for "today" (WIB +07:00 by default).
    pub utc_offset: FixedOffset,
    /// SQLite page cache, in MB.
    pub cache_mib: u32,
    /// The data key of an encrypted store (SQLCipher); None for a plain one (the server's,
    /// tests). A device's store is always encrypted (`pendamping_app::door`).
    pub key: Option<DataKey>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            time: Arc::new(SystemTime),
            rules: Rules::default(),
            utc_offset: FixedOffset::east_opt(7 * 3600).expect("valid offset"),
            cache_mib: 32,
            key: None,
        }
    }
}

pub struct Store {
    conn: Connection,
    clock: HlcClock,
    device_id: Uuid,
    opts: Options,
    /// Row and change ids of this session (`pendamping_core::ids`).
    ids: std::sync::Mutex<IdMaker>,
    /// The team member logged in (`set_author`): the visits they record carry their name.
    author: Option<String>,
}

impl Store {
    /// Opens (creating if needed) a store file: WAL, foreign keys, full sync on commit.
    pub fn open(path: impl AsRef<Path>, opts: Options) -> Result<Store> {
        let path = path.as_ref();
        ours::check(path, ours::Kind::Device)?;
        // Names, NIKs, the device's token and keys: the owner's only, log files included.
        pendamping_vault::files::private_store(path).map_err(|source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let connect = || -> Result<Connection> {
            let conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            if let Some(key) = &opts.key {
                encrypt::key(&conn, key)?;
            }
            Ok(conn)
        };
        // A key refused may be a store of the earlier format: carried over, then opened again.
        let conn = match (connect(), &opts.key) {
            (Err(StoreError::WrongKey), Some(key)) if encrypt::upgrade(path, key)? => connect()?,
            (conn, _) => conn?,
        };
        if ours::foreign(&conn, ours::Kind::Device)? {
            return Err(ours::refusal(path, ours::Kind::Device));
        }
        Store::init(conn, opts)
    }

    /// A private in-memory store, for tests.
    pub fn open_in_memory(opts: Options) -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        if let Some(key) = &opts.key {
            encrypt::key(&conn, key)?;
        }
        Store::init(conn, opts)
    }

    /// Sets up a connection already keyed (when the store is encrypted).
    fn init(mut conn: Connection, opts: Options) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Every transaction of the store writes: it takes the write lock as it begins, so
        // that another process writing meanwhile (a sync from the command line during an
        // import) makes it wait its turn. Begun as a reader, it failed at its first write
        // with "database is locked" whenever the other committed first: no wait helps a
        // reader whose snapshot is gone.
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        // One visit save runs ~25 distinct statements; the default cache of 16 would
        // re-prepare them on every save.
        conn.set_prepared_statement_cache_capacity(128);
        // SQLite marks a statement whose plan could depend on a bound value, and then
        // re-prepares it after every `clear_bindings`, which the statement cache calls on
        // each reuse: over a tenth of a visit save's time went to re-parsing one SELECT. With
        // the planner's stability guarantee, plans never depend on bound values.
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        // 32 KB pages, for stores created from now on (an existing file keeps its own). The
        // log is written a page per system call: a batch of 1,000 visits wrote ~2,400 pages
        // of 4 KB, most of them index pages touched by one or two entries, and ran at
        // ~15,000 visits/s; with 32 KB pages it writes far fewer and runs at ~22,000/s.
        // A single form save costs ~0.55 ms instead of ~0.4 ms, which nobody sees.
        if opts.key.is_none() {
            conn.pragma_update(None, "page_size", PAGE_SIZE)?;
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a confirmed save survives a power cut, not only a crash of the app.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Page cache (default 2 MB): 32 MB keeps a batch's indexes in memory instead of
        // re-reading and spilling them mid-transaction; the app, one save at a time on a
        // tablet with little memory, asks for less.
        conn.pragma_update(None, "cache_size", -(i64::from(opts.cache_mib) * 1000))?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Checkpoint every ~40 MB of log instead of 4 MB: pages a batch rewrites again and
        // again (indexes, enrolments) are copied back once, not ten times.
        // An encrypted store's page size is the one every open sets; a plain file keeps the
        // one it was made with.
        let page_size: i64 = match opts.key {
            Some(_) => encrypt::CIPHER_PAGE_SIZE,
            None => conn.pragma_query_value(None, "page_size", |r| r.get(0))?,
        };
        conn.pragma_update(None, "wal_autocheckpoint", 40_000_000 / page_size.max(512))?;
        migrate::migrate_to(&mut conn, SCHEMA_VERSION)?;
        let device_id = match meta_get(&conn, "device_id")? {
            Some(id) => Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt {
                table: "meta",
                id: "device_id".into(),
                reason: e.to_string(),
            })?,
            None => {
                // Random, not time-ordered: its first bytes are the device's HLC node, which
                // must differ between devices made in the same millisecond.
                let id = Uuid::new_v4();
                meta_set(&conn, "device_id", &id.to_string())?;
                id
            }
        };
        // The district's rules, received from the server, replace the shipped ones (a rules
        // file given by the caller, as the CLI's --rules, wins over both).
        let mut opts = opts;
        if opts.rules == Rules::default()
            && let Some(text) = meta_get(&conn, RULES_KEY)?
        {
            match Rules::from_toml(&text) {
                Ok(rules) => opts.rules = rules,
                Err(e) => tracing::warn!(error = %e, "the stored rules file is not usable; using the shipped one"),
            }
        }
        let mut clock = HlcClock::new(node_of(device_id));
        if let Some(last) = meta_get(&conn, "hlc")? {
            clock.resume_after(last.parse()?);
        }
        let ids = std::sync::Mutex::new(IdMaker::new(id_salt(&conn)?));
        Ok(Store {
            conn,
            clock,
            device_id,
            opts,
            ids,
            author: None,
        })
    }

    pub fn device_id(&self) -> Uuid {
        self.device_id
    }

    /// Who records from now on (the member who logged in), None for no one in particular.
    pub fn set_author(&mut self, author: Option<String>) {
        self.author = author;
    }

    pub fn rules(&self) -> &Rules {
        &self.opts.rules
    }

    pub fn set_rules(&mut self, rules: Rules) {
        self.opts.rules = rules;
    }

    /// Takes the rules file the server sent: checked whole, kept for the next start, and
    /// every visit's results, flags and due dates computed again under it, in one
    /// transaction (results never travel; each replica derives them with its rules). A
    /// file that does not parse changes nothing.
    ///
    /// The file is checked like a district's own (`Rules::from_toml`), and its version may
    /// only move forward (`Rules::may_replace`): a server or hub cannot hand this device
    /// older rules. A refused file leaves the rules held as they were.
    pub fn adopt_rules(&mut self, toml: &str) -> Result<()> {
        let rules = rules_from_toml(toml)?;
        if !Rules::may_replace(&rules.version, &self.opts.rules.version) {
            return Err(StoreError::Rules(format!(
                "versi aturan {} lebih lama dari {} yang dipakai perangkat ini",
                rules.version, self.opts.rules.version
            )));
        }
        self.take_rules(rules, toml)
    }

    /// Takes a rules file whatever its version: the server's own view, which follows the
    /// server it mirrors (a district may go back to an earlier file there).
    pub fn follow_rules(&mut self, toml: &str) -> Result<()> {
        let rules = rules_from_toml(toml)?;
        self.take_rules(rules, toml)
    }

    fn take_rules(&mut self, rules: Rules, toml: &str) -> Result<()> {
        let today = self.today();
        let tx = self.conn.transaction()?;
        meta_set(&tx, RULES_KEY, toml)?;
        derive::everything(&tx, &rules, today)?;
        tx.commit()?;
        tracing::info!(version = %rules.version, "adopted the server's rules");
        self.opts.rules = rules;
        Ok(())
    }

    pub fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.opts.time.now_millis() as i64).unwrap_or_default()
    }

    /// Sets the device's time zone (its village's, docs/src/design/domain.md §5.3).
    pub fn set_utc_offset(&mut self, offset: FixedOffset) {
        self.opts.utc_offset = offset;
    }

    /// Today in the device's time zone.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&self.opts.utc_offset).date_naive()
    }

    /// A new UUIDv7 from the injected clock and this session's salt.
    pub fn new_id(&self) -> Uuid {
        next_id(&self.ids, self.opts.time.as_ref())
    }

    /// `PRAGMA integrity_check` says "ok".
    pub fn integrity_ok(&self) -> Result<bool> {
        let r: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(r == "ok")
    }

    /// For tests and tools that need raw SQL (read-only use expected).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// Where the server's rules file is kept.
const RULES_KEY: &str = "rules_toml";

/// The page size of a new store file.
const PAGE_SIZE: i64 = 32_768;

/// A UUIDv7: time from the injected clock, then a counter, then random bits. The counter
/// (RFC 9562's monotonic method) keeps ids made in one millisecond in the order they were
/// made, so rows and outbox entries are appended to their indexes instead of landing at
/// random pages: a batch rewrote every page of three indexes before.
/// The salt of this session's ids (`pendamping_core::ids`): the store's device part, drawn
/// once and kept, and session bits drawn at every opening.
fn id_salt(conn: &Connection) -> Result<u64> {
    let device = match meta_get(conn, "id_salt")?.and_then(|s| s.parse().ok()) {
        Some(d) => d,
        None => {
            let d = Uuid::new_v4().as_u128() as u64 & ((1 << 40) - 1);
            meta_set(conn, "id_salt", &d.to_string())?;
            d
        }
    };
    Ok(pendamping_core::ids::salt(device, Uuid::new_v4().as_u128() as u32))
}

pub(crate) fn next_id(ids: &std::sync::Mutex<IdMaker>, time: &dyn TimeSource) -> Uuid {
    ids.lock().unwrap_or_else(|p| p.into_inner()).next(time.now_millis())
}

/// The HLC node of a device: the first 8 bytes of its id.
fn node_of(id: Uuid) -> u64 {
    u64::from_be_bytes(id.as_bytes()[..8].try_into().expect("8 bytes"))
}

pub(crate) fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub(crate) fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}

#[cfg(test)]
mod tests;
