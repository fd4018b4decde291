//! What every request shares: the store, the view, the rules, the limits, the sessions.
//! Its fields are private; the rest of the server reads them through the methods below.

use std::sync::{Arc, RwLock};

use chrono::FixedOffset;
use pendamping_core::{Rules, TimeSource};

use crate::config::Config;
use crate::error::ServerError;
use crate::ingest;
use crate::metrics::Metrics;
use crate::rules::HeldRules;
use crate::storage::{Storage, Tx};

struct Inner {
    storage: Box<dyn Storage>,
    config: Config,
    time: Arc<dyn TimeSource>,
    /// A hub adopts the centre's rules on its upstream sync, so they can change.
    rules: RwLock<Arc<HeldRules>>,
    metrics: Metrics,
    /// The zone of an area whose province has none (never for a real code).
    utc_offset: FixedOffset,
    /// This store's id (`PullResponse::store`).
    store_id: String,
    /// The salt of this store's NIK digests.
    nik_salt: String,
    /// The queryable replica of the log (recap).
    view: crate::view::View,
    /// A background catch-up of the view is running.
    view_busy: std::sync::atomic::AtomicBool,
    /// The bearer token that lets a scraper elsewhere read `/metrics` (`metrics_token_file`).
    metrics_token: Option<String>,
}

/// What a server is made of when it starts (`crate::open`).
pub(crate) struct Parts {
    pub storage: Box<dyn Storage>,
    pub config: Config,
    pub time: Arc<dyn TimeSource>,
    pub rules: HeldRules,
    pub store_id: String,
    pub nik_salt: String,
    pub view: crate::view::View,
    pub metrics_token: Option<String>,
}

/// The server's shared state: cheap to clone, one per server.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    pub(crate) fn new(p: Parts) -> AppState {
        AppState(Arc::new(Inner {
            storage: p.storage,
            config: p.config,
            time: p.time,
            rules: RwLock::new(Arc::new(p.rules)),
            metrics: Metrics::default(),
            utc_offset: FixedOffset::east_opt(7 * 3600).expect("valid offset"),
            store_id: p.store_id,
            nik_salt: p.nik_salt,
            view: p.view,
            view_busy: Default::default(),
            metrics_token: p.metrics_token,
        }))
    }

    /// The server's store (blocking: call it off the async threads).
    pub fn storage(&self) -> &(dyn Storage + 'static) {
        &*self.0.storage
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    pub(crate) fn utc_offset(&self) -> FixedOffset {
        self.0.utc_offset
    }

    /// This store's id (`PullResponse::store`).
    pub fn store_id(&self) -> &str {
        &self.0.store_id
    }

    pub(crate) fn nik_salt(&self) -> &str {
        &self.0.nik_salt
    }

    pub(crate) fn view(&self) -> &crate::view::View {
        &self.0.view
    }

    pub(crate) fn view_busy(&self) -> &std::sync::atomic::AtomicBool {
        &self.0.view_busy
    }

    pub(crate) fn metrics_token(&self) -> Option<&str> {
        self.0.metrics_token.as_deref()
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.0.time.now_millis() as i64
    }

    pub fn rules(&self) -> Arc<HeldRules> {
        self.0.rules.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Serves `rules` from now on (a hub adopting the centre's).
    pub(crate) fn hold_rules(&self, rules: HeldRules) {
        *self.0.rules.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(rules);
    }

    /// What a batch's checks go by, now.
    pub(crate) fn ingest_context<'a>(&self, rules: &'a Rules) -> ingest::Context<'a> {
        ingest::Context {
            now_ms: self.now_ms(),
            utc_offset: self.utc_offset(),
            rules,
            max_skew_ms: self.config().max_skew_ms(),
            hub: self.is_hub(),
        }
    }

    /// Is this server a hub (it syncs upstream)?
    pub fn is_hub(&self) -> bool {
        self.config().upstream.is_some()
    }

    /// Appends to the audit log in a transaction of its own (blocking): for what has no
    /// transaction of its own to record in (a log-in, an export).
    pub fn audit(
        &self,
        actor: &str,
        action: crate::audit::Action,
        subject: &str,
        detail: &str,
    ) -> Result<(), ServerError> {
        let now = self.now_ms();
        self.storage()
            .writing(|tx| crate::audit::record(tx, now, actor, action, subject, detail))
    }

    /// Runs `f` in a write transaction, off the async threads; committed when it returns `Ok`.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T, ServerError> + Send + 'static,
    ) -> Result<T, ServerError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || state.storage().writing(f)).await?
    }

    /// Runs `f` on a read snapshot, off the async threads.
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T, ServerError> + Send + 'static,
    ) -> Result<T, ServerError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || state.storage().reading(f)).await?
    }

    /// Runs `f` off the async threads (a recap, a merge: work that reads the view).
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&AppState) -> Result<T, ServerError> + Send + 'static,
    ) -> Result<T, ServerError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || f(&state)).await?
    }
}
