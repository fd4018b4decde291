//! Pendamping's central server: it merges every device's changes into one embedded
//! SQLite store, scopes each device to its area, and serves the sync API
//! (SYNC.md, schema/openapi.yaml).

pub mod accounts;
mod api;
pub mod audit;
pub mod auth;
pub mod config;
mod connections;
pub mod dashboard;
pub mod db;
mod error;
pub mod hub;
pub mod hub_tls;
mod ingest;
pub mod limits;
mod merge;
mod metrics;
mod pull;
pub mod recovery;
mod relay;
pub mod service;
pub mod store;
pub mod tls;
mod validate;
pub mod view;

use std::future::Future;
use std::sync::{Arc, Mutex};

use chrono::FixedOffset;
use pendamping_core::{Rules, TimeSource};

pub use api::{ApiError, AppState, door_json, routes};
pub use config::Config;
pub use error::{Result, ServerError};

/// Opens the database (creating and migrating it) and prepares the shared state.
pub fn open(config: Config, time: Arc<dyn TimeSource>) -> Result<AppState> {
    let key = config.store_key()?;
    let metrics_token = config.metrics_token()?;
    let writer = db::open(&config.db, key.as_ref())?;
    // The rules are read once, at start: a bad file stops the server with its reason
    // instead of serving devices half a district's decision. A hub serves the centre's,
    // as last adopted.
    let adopted = db::meta_get(&writer, hub::RULES_KEY)?;
    let toml = match (adopted, &config.rules_file) {
        (Some(t), _) => t,
        (None, Some(p)) => {
            std::fs::read_to_string(p).map_err(|e| ServerError::Config(format!("rules_file {}: {e}", p.display())))?
        }
        (None, None) => pendamping_core::rules::SHIPPED.to_string(),
    };
    let rules = Rules::from_toml(&toml).map_err(|e| ServerError::Config(format!("rules_file: {e}")))?;
    let store_id = db::store_id(&writer)?;
    let nik_salt = db::nik_salt(&writer)?;
    let view = view::View::open(&config.db, &store_id, &rules, time.clone(), key.as_ref())?;
    let readers = db::Readers::new(&config.db, config.readers, key.as_ref());
    let checkpoints = db::Checkpointer::start(&config.db, key.as_ref())?;
    let metrics = metrics::Metrics::default();
    metrics.set_aside(store::set_aside_count(&writer)?);
    Ok(AppState(Arc::new(api::Inner {
        _checkpoints: checkpoints,
        writer: Mutex::new(writer),
        readers,
        config,
        time,
        rules: std::sync::RwLock::new(Arc::new(api::HeldRules { rules, toml })),
        metrics,
        utc_offset: FixedOffset::east_opt(7 * 3600).expect("valid offset"),
        store_id,
        nik_salt,
        view,
        view_busy: Default::default(),
        sessions: Default::default(),
        limits: Default::default(),
        metrics_token,
    })))
}

pub fn router(state: AppState) -> axum::Router {
    api::router(state)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight. A push's
/// transaction either commits whole or not at all, so stopping never half-applies one.
pub async fn serve<L>(listener: L, state: AppState, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()>
where
    L: axum::serve::Listener<Addr = std::net::SocketAddr>,
{
    // A 2G link that moves at all moves much faster than these.
    let limits = (
        std::time::Duration::from_secs(state.0.config.head_timeout_secs.max(1)),
        std::time::Duration::from_secs(state.0.config.body_idle_secs.max(1)),
    );
    connections::serve(listener, api::router(state), limits, shutdown).await;
    Ok(())
}
