//! Server settings: defaults, then a TOML file, then `PENDAMPING_*` variables, then flags
//! (the command line applies those last).

use std::net::SocketAddr;
use std::path::PathBuf;

use pendamping_vault::DataKey;
use serde::{Deserialize, Serialize};

use crate::error::{Result, ServerError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The store: a file (embedded SQLite: a district, a hub), or a PostgreSQL connection
    /// string, `postgres://user:password@host/database` (a province, the country; any
    /// number of server processes on one database: docs/src/operator/postgres.md).
    pub db: PathBuf,
    /// Where this process keeps its view (the queryable replica behind the recap, the lists
    /// and the dashboard): beside a file store by default; with PostgreSQL, each process
    /// keeps its own (`pendamping.view.db` in the working directory by default).
    pub view: Option<PathBuf>,
    /// Connections to PostgreSQL this process keeps at most (not used with a file store).
    pub connections: u32,
    /// A file holding the 32-byte key (64 hex digits) the store and its view are encrypted
    /// under (SQLCipher); a plain store is encrypted in place at the next start. Keep it off
    /// the store's disk (a mounted secret, a USB key): beside the store it protects nothing.
    pub db_key_file: Option<PathBuf>,
    /// The key itself, for a server started in-process (the PLKB hub in the app, with a
    /// key derived from the laptop's own); never read from or written to a file.
    #[serde(skip)]
    pub db_key: Option<DataKey>,
    pub listen: SocketAddr,
    /// Largest request body, compressed and decompressed alike (413 beyond).
    pub max_body_bytes: usize,
    /// Most changes in one push (413 beyond).
    pub max_batch_changes: usize,
    /// How far ahead of the server's clock a change's HLC may be.
    pub max_skew_hours: u64,
    pub enrollment_ttl_hours: u64,
    pub token_ttl_days: u64,
    /// Read connections for pulls (WAL lets them run beside the one writer).
    pub readers: usize,
    /// The district's rules file; the shipped `schema/data/rules.toml` when unset. Devices
    /// receive it on their next sync.
    pub rules_file: Option<PathBuf>,
    /// The centre (or a higher hub) this server relays to: set, the server runs as a
    /// PLKB hub (docs/src/operator/hub.md).
    pub upstream: Option<String>,
    /// How often a hub syncs upstream while it can (and retries while it cannot).
    pub upstream_every_secs: u64,
    /// How long after a push the view (recap, duplicates) catches up, coalescing a burst.
    pub view_follow_secs: u64,
    /// TLS: the certificate chain and its private key (PEM). Without them the server speaks
    /// plain HTTP, which it does only on loopback unless `allow_plain_http`.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// The certificate of the authority that signed `tls_cert` when it is the server's own
    /// (a PLKB hub's, `hub_tls`): served at `/v1/hub/authority` for tablets to recognise.
    pub tls_authority: Option<PathBuf>,
    /// Plain HTTP on a non-loopback address (an office LAN behind its own protection), with
    /// a warning in the log.
    pub allow_plain_http: bool,
    /// A file holding the bearer token a metrics scraper on another machine sends for
    /// `/metrics` (on this machine none is needed; elsewhere, without it, none is served).
    pub metrics_token_file: Option<PathBuf>,
    /// Longest wait for a request's whole head (its line and headers), in seconds.
    pub head_timeout_secs: u64,
    /// Longest wait for the next bytes of a request's body, in seconds (then 408).
    pub body_idle_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            db: PathBuf::from("central.db"),
            view: None,
            connections: 16,
            db_key_file: None,
            db_key: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            max_body_bytes: 8 << 20,
            max_batch_changes: 5000,
            max_skew_hours: 24,
            enrollment_ttl_hours: 72,
            token_ttl_days: 365,
            readers: 4,
            rules_file: None,
            upstream: None,
            upstream_every_secs: 30,
            view_follow_secs: 30,
            tls_cert: None,
            tls_key: None,
            tls_authority: None,
            allow_plain_http: false,
            metrics_token_file: None,
            head_timeout_secs: 10,
            body_idle_secs: 20,
        }
    }
}

/// Where the view of the store file `db` lives by default: beside it.
pub fn view_beside(db: &std::path::Path) -> PathBuf {
    let mut name = db.file_stem().unwrap_or_default().to_os_string();
    name.push(".view.db");
    db.with_file_name(name)
}

/// Where a server's store is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place<'a> {
    File(&'a std::path::Path),
    /// A PostgreSQL connection string (with its password: never print it, see
    /// [`crate::dburl::redacted`]).
    Postgres(&'a str),
}

impl Config {
    /// Where the store is: `db` as a file, or as a PostgreSQL connection string.
    pub fn place(&self) -> Place<'_> {
        match self.db.to_str() {
            Some(url) if crate::dburl::is_url(url) => Place::Postgres(url),
            _ => Place::File(&self.db),
        }
    }

    /// The store, as it may be printed (a connection string without its password).
    pub fn db_shown(&self) -> String {
        match self.place() {
            Place::File(p) => p.display().to_string(),
            Place::Postgres(url) => crate::dburl::redacted(url),
        }
    }

    /// Where this process keeps its view: `view`, else beside a file store, else
    /// `pendamping.view.db` in the working directory.
    pub fn view_path(&self) -> PathBuf {
        match (&self.view, self.place()) {
            (Some(v), _) => v.clone(),
            (None, Place::File(db)) => view_beside(db),
            (None, Place::Postgres(_)) => PathBuf::from("pendamping.view.db"),
        }
    }

    pub fn from_toml(text: &str) -> Result<Config> {
        toml::from_str(text).map_err(|e| ServerError::Config(e.to_string()))
    }

    /// Applies `PENDAMPING_<FIELD>` variables (e.g. `PENDAMPING_MAX_BODY_BYTES`).
    pub fn apply_env(&mut self, vars: impl IntoIterator<Item = (String, String)>) -> Result<()> {
        fn parse<T: std::str::FromStr>(key: &str, v: &str) -> Result<T> {
            v.parse()
                .map_err(|_| ServerError::Config(format!("{key}={v:?} is not a valid value")))
        }
        for (key, v) in vars {
            let Some(name) = key.strip_prefix("PENDAMPING_") else {
                continue;
            };
            match name {
                "DB" => self.db = PathBuf::from(&v),
                "VIEW" => self.view = Some(PathBuf::from(&v)).filter(|_| !v.is_empty()),
                "CONNECTIONS" => self.connections = parse(&key, &v)?,
                "DB_KEY_FILE" => self.db_key_file = Some(PathBuf::from(&v)).filter(|_| !v.is_empty()),
                "LISTEN" => self.listen = parse(&key, &v)?,
                "MAX_BODY_BYTES" => self.max_body_bytes = parse(&key, &v)?,
                "MAX_BATCH_CHANGES" => self.max_batch_changes = parse(&key, &v)?,
                "MAX_SKEW_HOURS" => self.max_skew_hours = parse(&key, &v)?,
                "ENROLLMENT_TTL_HOURS" => self.enrollment_ttl_hours = parse(&key, &v)?,
                "TOKEN_TTL_DAYS" => self.token_ttl_days = parse(&key, &v)?,
                "READERS" => self.readers = parse(&key, &v)?,
                "RULES_FILE" => self.rules_file = Some(PathBuf::from(&v)),
                "UPSTREAM" => self.upstream = Some(v),
                "UPSTREAM_EVERY_SECS" => self.upstream_every_secs = parse(&key, &v)?,
                "VIEW_FOLLOW_SECS" => self.view_follow_secs = parse(&key, &v)?,
                "TLS_CERT" => self.tls_cert = Some(PathBuf::from(&v)),
                "TLS_KEY" => self.tls_key = Some(PathBuf::from(&v)),
                "TLS_AUTHORITY" => self.tls_authority = Some(PathBuf::from(&v)),
                "ALLOW_PLAIN_HTTP" => self.allow_plain_http = parse(&key, &v)?,
                "HEAD_TIMEOUT_SECS" => self.head_timeout_secs = parse(&key, &v)?,
                "BODY_IDLE_SECS" => self.body_idle_secs = parse(&key, &v)?,
                "METRICS_TOKEN_FILE" => self.metrics_token_file = Some(PathBuf::from(&v)).filter(|_| !v.is_empty()),
                _ => {}
            }
        }
        Ok(())
    }

    /// The store's key: `db_key`, else read from `db_key_file`, else none (a plain store).
    pub fn store_key(&self) -> Result<Option<DataKey>> {
        if let Some(key) = &self.db_key {
            return Ok(Some(key.clone()));
        }
        let Some(path) = &self.db_key_file else {
            return Ok(None);
        };
        DataKey::from_key_file(path)
            .map(Some)
            .map_err(|why| ServerError::Config(format!("db_key_file {}: {why}", path.display())))
    }

    /// The metrics token from `metrics_token_file`, at least 16 characters.
    pub fn metrics_token(&self) -> Result<Option<String>> {
        let Some(path) = &self.metrics_token_file else {
            return Ok(None);
        };
        let bad = |why: &str| ServerError::Config(format!("metrics_token_file {}: {why}", path.display()));
        let text = std::fs::read_to_string(path).map_err(|e| bad(&e.to_string()))?;
        let token = text.trim();
        if token.chars().count() < 16 {
            return Err(bad("the token must be at least 16 characters"));
        }
        Ok(Some(token.to_string()))
    }

    pub fn max_skew_ms(&self) -> u64 {
        self.max_skew_hours * 3_600_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment_override_defaults_and_typos_are_refused() {
        let mut c = Config::from_toml("listen = \"0.0.0.0:9000\"\nmax_batch_changes = 100\n").unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.max_body_bytes, Config::default().max_body_bytes);
        c.apply_env([
            ("PENDAMPING_MAX_BATCH_CHANGES".to_string(), "7".to_string()),
            ("HOME".to_string(), "/root".to_string()),
        ])
        .unwrap();
        assert_eq!(c.max_batch_changes, 7);
        assert!(c.apply_env([("PENDAMPING_LISTEN".into(), "nowhere".into())]).is_err());
        assert!(Config::from_toml("max_batch = 1").is_err(), "unknown keys are refused");
    }

    #[test]
    fn the_store_key_comes_from_its_file_and_a_bad_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("central.key");
        let mut c = Config::default();
        assert_eq!(c.store_key().unwrap(), None, "no key: a plain store");
        std::fs::write(&file, format!("{}\n", "ab".repeat(32))).unwrap();
        c.apply_env([("PENDAMPING_DB_KEY_FILE".to_string(), file.display().to_string())])
            .unwrap();
        assert_eq!(c.store_key().unwrap(), Some(DataKey::from_bytes([0xab; 32])));
        std::fs::write(&file, "ab".repeat(31)).unwrap();
        let e = c.store_key().unwrap_err().to_string();
        assert!(e.contains("central.key") && e.contains("64 hex"), "{e}");
        c.apply_env([("PENDAMPING_DB_KEY_FILE".to_string(), String::new())])
            .unwrap();
        assert_eq!(c.store_key().unwrap(), None, "an empty variable is no key file");
        c.db_key_file = Some(dir.path().join("missing.key"));
        assert!(c.store_key().unwrap_err().to_string().contains("missing.key"));
    }

    #[test]
    fn a_connection_string_is_a_postgres_store_shown_without_its_password() {
        let mut c = Config {
            db: PathBuf::from("postgres://pendamping:rahasia@db.internal:5432/prov"),
            ..Config::default()
        };
        assert_eq!(
            c.place(),
            Place::Postgres("postgres://pendamping:rahasia@db.internal:5432/prov")
        );
        assert_eq!(c.db_shown(), "postgres://pendamping:***@db.internal:5432/prov");
        assert!(!c.db_shown().contains("rahasia"));
        assert_eq!(c.view_path(), PathBuf::from("pendamping.view.db"), "each process's own");
        c.apply_env([("PENDAMPING_VIEW".to_string(), "/srv/a.view.db".to_string())])
            .unwrap();
        assert_eq!(c.view_path(), PathBuf::from("/srv/a.view.db"));
        // No password, a socket directory: shown as the client reads it.
        c.db = PathBuf::from("postgresql:///prov?host=/run/postgresql");
        assert!(matches!(c.place(), Place::Postgres(_)));
        assert_eq!(c.db_shown(), "postgres:///prov (socket /run/postgresql:5432)");
        // A file, even one named like a scheme without its slashes, is a file.
        c.db = PathBuf::from("/srv/postgres:central.db");
        assert_eq!(c.place(), Place::File(std::path::Path::new("/srv/postgres:central.db")));
        assert_eq!(c.view_path(), PathBuf::from("/srv/a.view.db"));
        c.view = None;
        assert_eq!(c.view_path(), PathBuf::from("/srv/postgres:central.view.db"));
    }
}
