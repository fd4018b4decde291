//! Connections to PostgreSQL, pooled by r2d2, each with the statements it has prepared: a
//! push runs a few statements per change, and preparing each again would double the round
//! trips.

use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement};

use crate::storage::{Result, StorageError};

impl From<postgres::Error> for StorageError {
    fn from(e: postgres::Error) -> StorageError {
        // The server's words when it has them ("duplicate key value violates …"), not the
        // client's "db error".
        match e.as_db_error() {
            Some(db) => StorageError::Backend(format!("{} ({})", db.message(), db.code().code())),
            None => StorageError::Backend(e.to_string()),
        }
    }
}

/// One connection and the statements prepared on it.
pub struct Conn {
    pub(super) client: Client,
    prepared: HashMap<String, Statement>,
}

/// Parameters of a statement.
pub type Params<'a> = [&'a (dyn ToSql + Sync)];

impl Conn {
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let s = off_async(|| self.client.prepare(sql))?;
        self.prepared.insert(sql.to_string(), s.clone());
        Ok(s)
    }

    pub fn rows(&mut self, sql: &str, params: &Params) -> Result<Vec<Row>> {
        let s = self.statement(sql)?;
        Ok(off_async(|| self.client.query(&s, params))?)
    }

    pub fn row(&mut self, sql: &str, params: &Params) -> Result<Option<Row>> {
        let s = self.statement(sql)?;
        Ok(off_async(|| self.client.query_opt(&s, params))?)
    }

    pub fn one(&mut self, sql: &str, params: &Params) -> Result<Row> {
        let s = self.statement(sql)?;
        Ok(off_async(|| self.client.query_one(&s, params))?)
    }

    /// Runs a statement; how many rows it changed.
    pub fn run(&mut self, sql: &str, params: &Params) -> Result<u64> {
        let s = self.statement(sql)?;
        Ok(off_async(|| self.client.execute(&s, params))?)
    }

    /// Runs statements as they are, without parameters (BEGIN, COMMIT, a migration).
    pub fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(off_async(|| self.client.batch_execute(sql))?)
    }
}

/// Runs a call of the blocking client where it may block. On a thread that drives async
/// tasks the client's own `block_on` panics ("Cannot start a runtime from within a
/// runtime"): a hub's upstream sync steps through its store there. On a multi-threaded
/// runtime the call then tells tokio it blocks; on a single-threaded one it runs on a thread
/// of its own. Elsewhere (a blocking task, the command line) it runs as it is.
pub(super) fn off_async<T: Send>(call: impl FnOnce() -> T + Send) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Err(_) => call(),
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(call),
        Ok(_) => std::thread::scope(|s| s.spawn(call).join()).unwrap_or_else(|p| std::panic::resume_unwind(p)),
    }
}

/// Makes the pool's connections.
pub struct Manager {
    pub(super) config: postgres::Config,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = postgres::Error;

    fn connect(&self) -> std::result::Result<Conn, postgres::Error> {
        // TLS to a database on another machine is the network's (a private link, or a
        // PgBouncer beside the server that speaks TLS onward): see docs/src/operator/postgres.md.
        Ok(Conn {
            client: off_async(|| self.config.connect(NoTls))?,
            prepared: HashMap::new(),
        })
    }

    fn is_valid(&self, conn: &mut Conn) -> std::result::Result<(), postgres::Error> {
        off_async(|| conn.client.simple_query("").map(|_| ()))
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.client.is_closed()
    }
}
