//! Pendamping's central server: it merges every device's changes into one embedded
//! store (SQLite now: `storage`), scopes each device to its area, and serves the sync API
//! (the sync protocol: schema/openapi.yaml).

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod auth;
mod codes;
pub mod config;
mod connections;
pub mod dashboard;
pub mod dburl;
mod error;
pub mod family_lists;
mod http;
pub mod hub;
pub mod hub_tls;
mod ingest;
pub mod limits;
mod merge;
mod metrics;
mod pull;
mod push;
pub mod recovery;
mod relay;
mod routes;
mod rules;
pub mod service;
mod services;
mod state;
pub mod storage;
pub mod tls;
mod validate;
pub mod view;

use std::future::Future;
use std::sync::Arc;

use pendamping_core::{Rules, TimeSource};

pub use admin::Admin;
pub use config::Config;
pub use error::{Result, ServerError};
pub use http::ApiError;
pub use push::door_json;
pub use routes::{router, routes};
pub use rules::HeldRules;
pub use state::AppState;
use storage::{Setting, Storage};

/// Makes a store ready the first time it is opened: its identity (a pull cursor counts in
/// one store's sequence), the salt of its NIK digests (random per store, so a digest's
/// buckets mean nothing elsewhere) and its recovery key. Returns the id and the salt.
pub(crate) fn ready(storage: &dyn Storage) -> Result<(String, String)> {
    storage.writing(|tx| {
        let mut made = |s: Setting, new: &dyn Fn() -> String| -> Result<String> {
            if let Some(v) = tx.setting(s)? {
                return Ok(v);
            }
            let v = new();
            tx.set_setting(s, &v)?;
            Ok(v)
        };
        let id = made(Setting::StoreId, &|| uuid::Uuid::new_v4().to_string())?;
        let salt = made(Setting::NikSalt, &|| uuid::Uuid::new_v4().simple().to_string())?;
        recovery::ensure_secret(tx)?;
        Ok((id, salt))
    })
}

/// Opens the store `config` names: a server's (`admin`: an engineer's command beside it,
/// which keeps fewer connections and no background work of its own).
pub fn open_storage(config: &Config, key: Option<&pendamping_vault::DataKey>, admin: bool) -> Result<Box<dyn Storage>> {
    use storage::{postgres::Postgres, sqlite::Sqlite};
    Ok(match config.place() {
        config::Place::File(path) if admin => Box::new(Sqlite::open_for_admin(path, key)?),
        config::Place::File(path) => Box::new(Sqlite::open(path, key, config.readers)?),
        // The log in PostgreSQL is encrypted at rest by the database's disks (see
        // docs/src/operator/postgres.md); the key encrypts this process's view.
        config::Place::Postgres(url) if admin => Box::new(Postgres::open(url, 2)?),
        config::Place::Postgres(url) => Box::new(Postgres::open(url, config.connections)?),
    })
}

/// Whether the store `config` names is there already (a file, or a database with the
/// server's schema), found without making it.
pub fn store_exists(config: &Config) -> Result<bool> {
    Ok(match config.place() {
        // A file with something in it: an empty one (or a folder) is no store yet.
        config::Place::File(path) => std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() > 0),
        config::Place::Postgres(url) => storage::postgres::holds_store(url)?,
    })
}

/// Opens the database (creating and migrating it) and prepares the shared state.
pub fn open(config: Config, time: Arc<dyn TimeSource>) -> Result<AppState> {
    open_as(config, time, false)
}

/// The shared state for an engineer's command beside a server that may be running (a
/// recap, a list, a merge from the command line): its store opened as `Admin` opens it,
/// never rewritten (`storage::sqlite::Opening::Admin`).
pub fn open_beside(config: Config, time: Arc<dyn TimeSource>) -> Result<AppState> {
    open_as(config, time, true)
}

fn open_as(config: Config, time: Arc<dyn TimeSource>, admin: bool) -> Result<AppState> {
    let key = config.store_key()?;
    let metrics_token = config.metrics_token()?;
    let storage = open_storage(&config, key.as_ref(), admin)?;
    // The rules are read once, at start: a bad file stops the server with its reason
    // instead of serving devices half a district's decision. A hub serves the centre's,
    // as last adopted.
    let adopted = storage.reading(|tx| tx.setting(Setting::AdoptedRules))?;
    let toml = match (adopted, &config.rules_file) {
        (Some(t), _) => t,
        (None, Some(p)) => {
            std::fs::read_to_string(p).map_err(|e| ServerError::Config(format!("rules_file {}: {e}", p.display())))?
        }
        (None, None) => pendamping_core::rules::SHIPPED.to_string(),
    };
    let rules = Rules::from_toml(&toml).map_err(|e| ServerError::Config(format!("rules_file: {e}")))?;
    let (store_id, nik_salt) = ready(&*storage)?;
    let shared = matches!(config.place(), config::Place::Postgres(_));
    let view = view::View::open(
        &config.view_path(),
        shared,
        &store_id,
        &rules,
        time.clone(),
        key.as_ref(),
    )?;
    let set_aside = storage.reading(|tx| tx.set_aside_count())?;
    let state = AppState::new(state::Parts {
        storage,
        config,
        time,
        rules: HeldRules { rules, toml },
        store_id,
        nik_salt,
        view,
        metrics_token,
    });
    state.metrics().set_aside(set_aside);
    Ok(state)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight. A push's
/// transaction either commits whole or not at all, so stopping never half-applies one.
pub async fn serve<L>(listener: L, state: AppState, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()>
where
    L: axum::serve::Listener<Addr = std::net::SocketAddr>,
{
    // A 2G link that moves at all moves much faster than these.
    let limits = (
        std::time::Duration::from_secs(state.config().head_timeout_secs.max(1)),
        std::time::Duration::from_secs(state.config().body_idle_secs.max(1)),
    );
    connections::serve(listener, routes::router(state), limits, shutdown).await;
    Ok(())
}
