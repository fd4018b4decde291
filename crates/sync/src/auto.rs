//! Sync without anyone pressing a button (docs/src/design/sync.md, client behaviour): when the device has
//! a connection, on a timer, after a local save, and on "Sinkronkan sekarang". While the
//! server cannot be reached it probes with a growing pause, and it syncs as soon as the
//! server answers. The state is published for the screens (pending changes, last sync,
//! progress).

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::access::{Access, Shared};
use crate::engine::{self, Options, Progress};
use crate::error::SyncError;
use crate::http;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// Not started yet, or the device works offline only.
    NotEnrolled,
    Idle {
        pending: u64,
        last_success: Option<String>,
    },
    Syncing {
        progress: Option<Progress>,
    },
    /// The server cannot be reached; the next try is after `retry_in_ms`.
    Offline {
        pending: u64,
        last_success: Option<String>,
        retry_in_ms: u64,
    },
    /// Connections were made and kept breaking: the link is bad, not the server gone.
    /// `done` of `total` changes got through before this sync gave up.
    LinkDropping {
        pending: u64,
        done: u64,
        total: Option<u64>,
        last_success: Option<String>,
        retry_in_ms: u64,
    },
    /// The server refused (revoked device, app too old) or the store failed: a person
    /// has to act. Tried again on the timer or on request.
    Failed {
        code: String,
        message: String,
        pending: u64,
    },
}

#[derive(Debug, Clone)]
pub struct AutoOptions {
    pub sync: Options,
    /// Between syncs when all is well.
    pub every: Duration,
    /// The pause after the first failed try; it doubles up to `retry_max`.
    pub retry_min: Duration,
    pub retry_max: Duration,
    /// How long a reachability probe may take.
    pub probe_timeout: Duration,
}

impl Default for AutoOptions {
    fn default() -> Self {
        AutoOptions {
            sync: Options::default(),
            every: Duration::from_secs(300),
            retry_min: Duration::from_secs(15),
            retry_max: Duration::from_secs(600),
            probe_timeout: Duration::from_secs(5),
        }
    }
}

/// Asks an [`AutoSync`] to sync now; outlives nothing it needs (a stopped one ignores it).
#[derive(Clone)]
pub struct Nudge(Arc<Notify>);

impl Nudge {
    pub fn sync_now(&self) {
        self.0.notify_one();
    }
}

pub struct AutoSync {
    nudge: Arc<Notify>,
    state: watch::Receiver<State>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl AutoSync {
    /// Starts the background task on the current tokio runtime.
    pub fn start(store: Shared, opts: AutoOptions) -> AutoSync {
        let nudge = Arc::new(Notify::new());
        let (state_tx, state) = watch::channel(State::NotEnrolled);
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(run(store, opts, nudge.clone(), state_tx, stop_rx));
        AutoSync {
            nudge,
            state,
            stop,
            task,
        }
    }

    /// Syncs now (or right after the sync under way): the button, or a local save.
    pub fn sync_now(&self) {
        self.nudge.notify_one();
    }

    /// A handle that asks for a sync from elsewhere: the laptop's own hub, just started,
    /// for the laptop's device that syncs through it.
    pub fn nudger(&self) -> Nudge {
        Nudge(self.nudge.clone())
    }

    pub fn state(&self) -> State {
        self.state.borrow().clone()
    }

    /// Every change of state, for the screens.
    pub fn subscribe(&self) -> watch::Receiver<State> {
        self.state.clone()
    }

    /// Stops after the step under way; what was acknowledged stays acknowledged.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn run(
    mut store: Shared,
    opts: AutoOptions,
    nudge: Arc<Notify>,
    state: watch::Sender<State>,
    mut stop: watch::Receiver<bool>,
) {
    let mut wait = Duration::ZERO;
    let mut failures = 0u32;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = nudge.notified() => {}
            _ = stop.changed() => return,
        }
        let status = store.with(|s| engine::status(s));
        let Ok(status) = status else {
            wait = opts.every;
            continue;
        };
        let Some(server) = status.server.clone() else {
            state.send_replace(State::NotEnrolled);
            wait = opts.every;
            continue;
        };
        let backoff = |failures: u32| {
            opts.retry_min
                .saturating_mul(1 << failures.saturating_sub(1).min(16))
                .min(opts.retry_max)
        };
        if !http::reachable(&server, opts.probe_timeout).await {
            failures += 1;
            wait = backoff(failures);
            state.send_replace(State::Offline {
                pending: status.pending,
                last_success: status.last_success,
                retry_in_ms: wait.as_millis() as u64,
            });
            continue;
        }
        state.send_replace(State::Syncing { progress: None });
        let mut progress = |p: Progress| {
            state.send_replace(State::Syncing { progress: Some(p) });
        };
        let result = engine::sync(store.clone(), &opts.sync, &mut progress).await;
        let status = store.with(|s| engine::status(s)).ok();
        let pending = status.as_ref().map_or(0, |s| s.pending);
        let last_success = status.and_then(|s| s.last_success);
        match result {
            Ok(_) => {
                failures = 0;
                wait = opts.every;
                state.send_replace(State::Idle { pending, last_success });
            }
            Err(SyncError::LinkDropping { done, total, .. }) => {
                // The link carries something: try again soon, without growing the pause.
                failures = 0;
                wait = opts.retry_min;
                state.send_replace(State::LinkDropping {
                    pending,
                    done,
                    total,
                    last_success,
                    retry_in_ms: wait.as_millis() as u64,
                });
            }
            Err(SyncError::Unreachable { .. }) | Err(SyncError::BadAnswer(_)) => {
                failures += 1;
                wait = backoff(failures);
                state.send_replace(State::Offline {
                    pending,
                    last_success,
                    retry_in_ms: wait.as_millis() as u64,
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "automatic sync refused");
                wait = opts.every;
                let code = match &e {
                    SyncError::Untrusted(_) => crate::error::UNTRUSTED_SERVER,
                    e => e.code().map_or("store", pendamping_protocol::ErrorCode::as_str),
                };
                state.send_replace(State::Failed {
                    code: code.to_string(),
                    message: e.to_string(),
                    pending,
                });
            }
        }
    }
}
