//! What the commands share: the door (who is in), and once a member is in, the device
//! store (behind the mutex the sync also takes, for a moment per step) and its background
//! sync. Locked, nothing of the store is in memory: no key, no connection, no sync.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use pendamping_app::AppError;
use pendamping_app::door::{Door, Opened};
use pendamping_app::hub::Hub;
use pendamping_store::{Options, Store};
use pendamping_sync::{AutoOptions, AutoSync, Shared};
use tauri::{Manager, Runtime};
use tokio::sync::watch;

/// A member's time in the app: the open store and its sync.
struct Session {
    opened: Opened,
    store: Shared,
    auto: AutoSync,
}

pub struct WindowState {
    pub door: Door,
    session: RwLock<Option<Session>>,
    /// The sync's state for the window, whoever is in (NotEnrolled while locked).
    sync_state: watch::Sender<pendamping_sync::State>,
    /// The PLKB hub this laptop may run for its kecamatan (off unless switched on).
    pub hub: Arc<Hub>,
    /// The app's data directory (the key file, the store, a trusted hub's authority).
    pub dir: PathBuf,
}

/// `PENDAMPING_DATA_DIR` when set (tests, a second profile), else the OS app-data directory
/// (`~/.local/share/id.pendamping.app` on Linux; the app's private storage on Android).
pub fn data_dir<R: Runtime>(app: &tauri::AppHandle<R>) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let dir = match std::env::var_os("PENDAMPING_DATA_DIR") {
        Some(d) => PathBuf::from(d),
        None => app.path().app_data_dir()?,
    };
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

impl WindowState {
    pub fn new(dir: &Path) -> WindowState {
        // A hub trusted before is trusted again before anything reaches it (a PIN's
        // recovery, at the door, may).
        if let Err(e) = pendamping_app::authority::restore(dir) {
            tracing::warn!(error = %e.message, "the trusted hub's certificate");
        }
        let hub = Arc::new(Hub::new(dir));
        WindowState {
            door: Door::new(&dir.join("pendamping.db")),
            session: RwLock::new(None),
            sync_state: watch::channel(pendamping_sync::State::NotEnrolled).0,
            hub,
            dir: dir.to_path_buf(),
        }
    }

    /// Opens the store for a member who got in, and starts its sync.
    pub fn open(&self, opened: Opened) -> Result<(), AppError> {
        tracing::info!(path = %self.door.store_path().display(), "opening the device store");
        // 8 MB of page cache: the screens read a village at a time; memory is scarce on a tablet.
        let opts = Options {
            cache_mib: 8,
            ..Options::default()
        };
        let mut store = self.door.open_store(&opened, opts)?;
        // Today follows the village's zone; before one is chosen, the OS zone if it is
        // one of Indonesia's (a tablet left at UTC would date a morning visit yesterday).
        let os = *chrono::Local::now().offset();
        let fallback = if [7, 8, 9].contains(&(os.local_minus_utc() / 3600)) && os.local_minus_utc() % 3600 == 0 {
            os
        } else {
            pendamping_app::setup::WIB
        };
        pendamping_app::setup::apply_zone(&mut store, fallback)?;
        store.set_author(Some(opened.name.clone()));
        let store = Shared::new(store);
        // The sync task needs a tokio runtime: Tauri's own (entered, not blocked on: this
        // runs inside a command, which may already be on it).
        let runtime = tauri::async_runtime::handle();
        let _entered = runtime.inner().enter();
        let auto = AutoSync::start(store.clone(), AutoOptions::default());
        let mut rx = auto.subscribe();
        let tx = self.sync_state.clone();
        tauri::async_runtime::spawn(async move {
            let _ = tx.send(rx.borrow_and_update().clone());
            while rx.changed().await.is_ok() {
                let _ = tx.send(rx.borrow_and_update().clone());
            }
        });
        // A hub switched on before runs again once its key is here, in the background; the
        // laptop's own device, which may sync through it, tries again at once rather than
        // after its back-off from the first try, made before the hub was up.
        self.hub.unlock(&opened.key);
        let resuming = self.hub.clone();
        let nudge = auto.nudger();
        tauri::async_runtime::spawn(async move {
            if resuming.resume().await {
                nudge.sync_now();
            }
        });
        let session = Session { opened, store, auto };
        let old = self.session.write().unwrap_or_else(|p| p.into_inner()).replace(session);
        if let Some(old) = old {
            tauri::async_runtime::spawn(old.auto.stop());
        }
        Ok(())
    }

    /// Locks: the store is closed and its key dropped; the sync stops after its step.
    pub fn lock(&self) {
        let old = self.session.write().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(old) = old {
            tracing::info!("locked");
            let _ = self.sync_state.send(pendamping_sync::State::NotEnrolled);
            tauri::async_runtime::spawn(old.auto.stop());
        }
    }

    /// The member in, or `locked`: for what touches no store but is not for anyone who
    /// walks up to a locked laptop (the hub's codes).
    pub fn require_member(&self) -> Result<(uuid::Uuid, String), AppError> {
        self.member().ok_or_else(AppError::locked)
    }

    /// The member in, if any. (The window locks after idle time: it sees the touches.)
    pub fn member(&self) -> Option<(uuid::Uuid, String)> {
        self.live(|s| (s.opened.member, s.opened.name.clone())).ok()
    }

    fn live<T>(&self, f: impl FnOnce(&Session) -> T) -> Result<T, AppError> {
        let guard = self.session.read().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().map(f).ok_or_else(AppError::locked)
    }

    /// Runs one command on the store. A panic elsewhere does not lock the cadre out:
    /// SQLite rolled back whatever was half done.
    pub fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, AppError>) -> Result<T, AppError> {
        let shared = self.shared()?;
        let mut store = shared.lock();
        f(&mut store)
    }

    /// A local save: then send it when the server can be reached.
    pub fn saved<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, AppError>) -> Result<T, AppError> {
        let r = self.with(f)?;
        self.sync_now();
        Ok(r)
    }

    /// The store itself, for a command that holds it across awaits (enrolment).
    pub fn shared(&self) -> Result<Shared, AppError> {
        self.live(|s| s.store.clone())
    }

    /// Runs `f` with the member's opened key (enrolment seals it for recovery).
    pub fn with_key<T>(&self, f: impl FnOnce(&Door, &Opened) -> Result<T, AppError>) -> Result<T, AppError> {
        self.live(|s| f(&self.door, &s.opened))?
    }

    pub fn sync_now(&self) {
        let _ = self.live(|s| s.auto.sync_now());
    }

    pub fn sync_state(&self) -> pendamping_sync::State {
        self.sync_state.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<pendamping_sync::State> {
        self.sync_state.subscribe()
    }
}
