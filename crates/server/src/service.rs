//! A server or hub running in the background of this process. The CLI starts one and
//! waits for a signal; the desktop app starts and stops one with its hub switch. Both go
//! through `start`, so a hub behaves the same whichever way it was started.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use pendamping_core::TimeSource;
use pendamping_protocol::Scope;
use pendamping_sync::SyncError;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::error::{Result, ServerError};
use crate::hub::{self, Relayed, Upstream};
use crate::state::AppState;

/// How the last upstream sync of a hub went, for its status screen (the time of the last
/// success is in its store, `upstream.last_success`).
#[derive(Debug, Clone, Default)]
pub struct UpstreamReport {
    /// What the last one did, when it reached the centre.
    pub last: Option<Relayed>,
    /// Why the last attempt failed; `None` once one succeeds.
    pub error: Option<Arc<SyncError>>,
    /// The upstream sync going on now.
    pub busy: bool,
}

/// The first start of a hub enrols it with the centre.
pub struct Enrol<'a> {
    pub code: &'a str,
    pub name: &'a str,
}

pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    /// The hub's kecamatan (its upstream scope); `None` for a centre.
    pub scope: Option<Scope>,
    stop: watch::Sender<bool>,
    serving: JoinHandle<Result<()>>,
    relay: Option<JoinHandle<()>>,
    wake: Arc<Notify>,
    report: watch::Receiver<UpstreamReport>,
}

/// Binds `config.listen`, opens the store and serves it. With `config.upstream` it runs as
/// a hub: enrolled upstream (with `enrol` the first time), syncing upstream every
/// `upstream_every_secs` and whenever `relay_now` asks.
pub async fn start(config: Config, time: Arc<dyn TimeSource>, enrol: Option<Enrol<'_>>) -> Result<Running> {
    // TLS settings are checked before anything is bound or opened.
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some(crate::tls::acceptor(cert, key)?),
        (None, None) => None,
        _ => return Err(ServerError::Config("tls_cert and tls_key go together".into())),
    };
    if tls.is_none() {
        crate::tls::plain_allowed(config.listen, config.allow_plain_http)?;
    }
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServerError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr()?;
    let upstream = config.upstream.clone();
    // Opening reads and migrates the store: blocking work, off the async threads (the
    // PostgreSQL client refuses to run on them).
    let state = tokio::task::spawn_blocking(move || crate::open(config, time)).await??;
    let scope = match &upstream {
        None => None,
        Some(url) => Some(enrolled(&state, url, enrol).await?),
    };
    let (stop, stopped) = watch::channel(false);
    let (tx, report) = watch::channel(UpstreamReport::default());
    let wake = Arc::new(Notify::new());
    let relay = upstream.is_some().then(|| {
        let (state, wake, mut stopped) = (state.clone(), wake.clone(), stopped.clone());
        tokio::spawn(async move {
            relay_loop(state, wake, tx, async move {
                let _ = stopped.wait_for(|s| *s).await;
            })
            .await
        })
    });
    let serving = {
        let (state, mut stopped) = (state.clone(), stopped);
        let stop = async move {
            let _ = stopped.wait_for(|s| *s).await;
        };
        match tls {
            Some(tls) => {
                let listener = crate::tls::TlsListener::new(listener, tls)?;
                tokio::spawn(crate::serve(listener, state, stop))
            }
            None => tokio::spawn(crate::serve(listener, state, stop)),
        }
    };
    Ok(Running {
        addr,
        state,
        scope,
        stop,
        serving,
        relay,
        wake,
        report,
    })
}

/// The hub's upstream scope: as enrolled before (the address given now wins), or enrolled
/// now with `enrol`.
async fn enrolled(state: &AppState, url: &str, enrol: Option<Enrol<'_>>) -> Result<Scope> {
    let mut up = Upstream(state.clone());
    if let Some(scope) = up.scope()? {
        pendamping_sync::Replica::set_setting(&mut up, "server", url.trim_end_matches('/'))?;
        return Ok(scope);
    }
    let Some(e) = enrol else {
        return Err(ServerError::HubNotEnrolled);
    };
    Ok(hub::enroll(state, url, e.code, e.name).await?)
}

impl Running {
    /// Syncs upstream now (the hub's "kirim ke pusat sekarang").
    pub fn relay_now(&self) {
        self.wake.notify_one();
    }

    pub fn upstream(&self) -> UpstreamReport {
        self.report.borrow().clone()
    }

    /// Waits until the serving task ends (it ends only on `stop` or an I/O failure).
    pub async fn wait(&mut self) -> Result<()> {
        match (&mut self.serving).await {
            Ok(r) => r,
            Err(e) => Err(ServerError::Io(std::io::Error::other(e))),
        }
    }

    /// Stops serving after the requests in flight, and the upstream sync at its next wait:
    /// each of its steps commits whole or not at all, so what it had done stays.
    pub async fn stop(mut self) -> Result<()> {
        let _ = self.stop.send(true);
        if let Some(relay) = self.relay.take() {
            let _ = relay.await;
        }
        self.wait().await
    }
}

/// Syncs upstream every `upstream_every_secs` until `stop`: a hub with no uplink keeps
/// serving its devices and catches up when the link comes back.
async fn relay_loop(
    state: AppState,
    wake: Arc<Notify>,
    report: watch::Sender<UpstreamReport>,
    stop: impl std::future::Future<Output = ()>,
) {
    let every = Duration::from_secs(state.config().upstream_every_secs.max(1));
    let opts = pendamping_sync::Options::default();
    tokio::pin!(stop);
    loop {
        report.send_modify(|r| r.busy = true);
        let result = tokio::select! {
            _ = &mut stop => return,
            r = hub::sync_once(&state, &opts) => r,
        };
        report.send_modify(|r| {
            r.busy = false;
            match result {
                Ok(done) => {
                    tracing::info!(
                        devices_up = done.devices_up,
                        devices_down = done.devices_down,
                        sum = %done.sync,
                        "hub synced upstream"
                    );
                    r.last = Some(done);
                    r.error = None;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "hub could not sync upstream; will retry");
                    r.error = Some(Arc::new(e));
                }
            }
        });
        tokio::select! {
            _ = &mut stop => return,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(every) => {}
        }
    }
}
