//! The server's store on PostgreSQL (a province, the country): any number of server
//! processes on one database.
//!
//! **One writer at a time, whichever process.** A write transaction begins by taking a
//! transaction-scoped advisory lock ([`WRITER`]); it is released when the transaction ends,
//! after its commit is visible. So write transactions commit in the order they took the
//! lock, and the log's sequence (taken inside them) becomes visible in order: a page that
//! shows sequence `s` shows every smaller one that will ever exist, which is the
//! [`crate::storage::ChangeLog`] visibility contract, the same guarantee SQLite's one writer
//! gives. It is also what makes a push whole (one transaction) and a batch that reaches two
//! processes at once stored once (the second sees the first's changes as known). Reads run
//! beside it on snapshots (`REPEATABLE READ READ ONLY`). Why this and not a sequence per
//! regency: docs/src/operator/postgres.md.

mod accounts;
mod audit;
mod devices;
mod door;
mod import;
mod log;
mod meta;
mod pending;
mod pool;

use std::time::Duration;

use super::{Result, Storage, StorageError, Tx};
pub use import::Writer;
pub use pool::Conn;
use pool::Manager;

/// The advisory lock every write transaction holds (an arbitrary number: "pend").
pub const WRITER: i64 = 0x7065_6e64;
/// The advisory lock a process holds while it migrates (two starting at once take turns).
const MIGRATING: i64 = 0x7065_6e65;

const MIGRATIONS: &[(i32, &str)] = &[(
    1,
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../schema/server/postgres/0001_init.sql"
    )),
)];

pub use crate::dburl::{is_url, redacted};

/// The server's store in a PostgreSQL database.
pub struct Postgres {
    /// Always `Some` until dropped (see `Drop`).
    pool: Option<r2d2::Pool<Manager>>,
    /// This process's writers, one at a time before the database's lock: the others wait
    /// here, not on a connection each queued on the lock (64 pushes at once ran a third
    /// slower than 8).
    writers: std::sync::Mutex<()>,
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // A connection closes by blocking on its own runtime, which tokio forbids on an
        // async thread (where a server's state may be dropped): the pool is closed on a
        // thread of its own, and waited for.
        if let Some(pool) = self.pool.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

/// One connection to `url`, with the reason when there is none.
fn connect(url: &str) -> Result<(Manager, Conn)> {
    let mut config: postgres::Config = url
        .parse()
        .map_err(|e| StorageError::Open(format!("{}: {e}", redacted(url))))?;
    // A database host that does not answer at all (down, or frozen) is given up on, not
    // waited for as long as the operating system would.
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(5));
    }
    let manager = Manager { config };
    match r2d2::ManageConnection::connect(&manager) {
        Ok(conn) => Ok((manager, conn)),
        Err(e) => {
            let mut why = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                why.push_str(&format!(": {s}"));
                source = s.source();
            }
            Err(StorageError::Open(format!("PostgreSQL at {}: {why}", redacted(url))))
        }
    }
}

/// Whether the database at `url` holds a server's store (its schema), found without making
/// one: an engineer's command that only reads says so of an empty or mistyped database.
pub fn holds_store(url: &str) -> Result<bool> {
    let (_, mut conn) = connect(url)?;
    Ok(conn
        .one("SELECT to_regclass('schema_version') IS NOT NULL", &[])?
        .get(0))
}

impl Postgres {
    /// Connects to `url`, keeping up to `connections` open, and migrates the database.
    pub fn open(url: &str, connections: u32) -> Result<Postgres> {
        // One connection first, for its reason when there is none (refused, no such
        // database, a wrong password), said at once rather than after the pool's wait.
        let (manager, _) = connect(url)?;
        let pool = r2d2::Pool::builder()
            .max_size(connections.max(2))
            .min_idle(Some(1))
            // A connection is known broken when its socket closed; asking it first would
            // cost a round trip per transaction.
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(15))
            .build(manager)
            .map_err(|e| StorageError::Open(format!("PostgreSQL at {}: {e}", redacted(url))))?;
        let pg = Postgres {
            pool: Some(pool),
            writers: std::sync::Mutex::new(()),
        };
        pg.migrate()?;
        Ok(pg)
    }

    fn conn(&self) -> Result<r2d2::PooledConnection<Manager>> {
        self.pool
            .as_ref()
            .ok_or_else(|| StorageError::Backend("the store is closed".into()))?
            .get()
            .map_err(|e| StorageError::Unavailable(format!("no connection to PostgreSQL: {e}")))
    }

    /// A connection with `begin` run on it. A connection the database closed while it was
    /// idle in the pool (a restart, a failover, `idle_session_timeout`) fails at once, and
    /// so usually do the others idle beside it: each is dropped and the next tried, then a
    /// new one made, so no request pays for them.
    fn begin(&self, begin: &str) -> Result<r2d2::PooledConnection<Manager>> {
        let pooled = self.pool.as_ref().map_or(0, |p| p.state().connections);
        let mut closed = 0;
        loop {
            let mut conn = self.conn()?;
            match conn.batch(begin) {
                Ok(()) => return Ok(conn),
                // At most every pooled connection, and one made after them.
                Err(e) if conn.client.is_closed() && closed <= pooled => {
                    closed += 1;
                    if closed == 1 {
                        tracing::warn!(error = %e, "a PostgreSQL connection was closed while idle; taking another");
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Applies the migrations this database has not had, one process at a time.
    fn migrate(&self) -> Result<()> {
        let mut c = self.conn()?;
        c.batch(&format!("SELECT pg_advisory_lock({MIGRATING})"))?;
        let done = (|| {
            c.batch("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)")?;
            let at: i32 = c
                .one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])?
                .get(0);
            let supported = MIGRATIONS.last().map(|m| m.0).unwrap_or(0);
            if at > supported {
                return Err(StorageError::NewerSchema {
                    found: at as u32,
                    supported: supported as u32,
                });
            }
            for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > at) {
                c.batch("BEGIN")?;
                let step = c
                    .batch(sql)
                    .and_then(|_| c.run("INSERT INTO schema_version (version) VALUES ($1)", &[version]));
                match step {
                    Ok(_) => c.batch("COMMIT")?,
                    Err(e) => {
                        let _ = c.batch("ROLLBACK");
                        return Err(e);
                    }
                }
                tracing::info!(version, "PostgreSQL store migrated");
            }
            Ok(())
        })();
        c.batch(&format!("SELECT pg_advisory_unlock({MIGRATING})"))?;
        done
    }
}

impl Storage for Postgres {
    fn write(&self) -> Result<Box<dyn Tx + '_>> {
        let gate = self.writers.lock().unwrap_or_else(|p| p.into_inner());
        let conn = self.begin(&format!("BEGIN; SELECT pg_advisory_xact_lock({WRITER})"))?;
        Ok(Box::new(PgTx {
            _gate: Some(gate),
            conn,
            open: true,
            pending: Default::default(),
        }))
    }

    fn read(&self) -> Result<Box<dyn Tx + '_>> {
        // Each read planned for its own values: a plan made once for any village and any
        // cursor (PostgreSQL's generic plan) may walk a whole partition by sequence to find
        // one village's next page (seen: a laptop's catch-up of 161,753 rows in 37 s or in
        // 227 s, as the plan fell).
        let conn = self
            .begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL plan_cache_mode = force_custom_plan")?;
        Ok(Box::new(PgTx {
            _gate: None,
            conn,
            open: true,
            pending: Default::default(),
        }))
    }
}

/// A transaction on a pooled connection; rolled back when dropped uncommitted.
pub struct PgTx<'a> {
    /// A writer's turn in this process, held until the transaction has ended (`Drop` runs
    /// before the fields are dropped).
    _gate: Option<std::sync::MutexGuard<'a, ()>>,
    conn: r2d2::PooledConnection<Manager>,
    open: bool,
    /// The log's writes held back, and what a batch was found to be (`pending`).
    pending: pending::Pending,
}

impl std::ops::Deref for PgTx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.conn
    }
}

impl std::ops::DerefMut for PgTx<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.conn
    }
}

impl Drop for PgTx<'_> {
    fn drop(&mut self) {
        if self.open
            && let Err(e) = self.conn.batch("ROLLBACK")
        {
            tracing::warn!(error = %e, "a PostgreSQL transaction could not be rolled back");
        }
    }
}

impl Tx for PgTx<'_> {
    fn commit(mut self: Box<Self>) -> Result<()> {
        // A transaction with a failed statement answers COMMIT with ROLLBACK and no error;
        // every failure returns before this, so a COMMIT here commits.
        self.flush()?;
        self.conn.batch("COMMIT")?;
        self.open = false;
        Ok(())
    }
}

/// The regency of an area code (its first four digits): the log's partition key.
fn regency(area_code: &str) -> &str {
    area_code.get(..4).unwrap_or(area_code)
}
