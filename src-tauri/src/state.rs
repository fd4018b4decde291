//! What the commands share: the device store (behind the mutex the sync also takes, for
//! a moment per step) and the background sync.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use pendamping_app::AppError;
use pendamping_app::hub::Hub;
use pendamping_store::{Options, Store};
use pendamping_sync::{AutoOptions, AutoSync, Shared};
use tauri::{Manager, Runtime};

pub struct AppState {
    pub store: Shared,
    pub auto: AutoSync,
    /// The PLKB hub this laptop may run for its kecamatan (off unless switched on).
    pub hub: Arc<Hub>,
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

impl AppState {
    pub fn open(dir: &Path) -> Result<AppState, Box<dyn std::error::Error>> {
        let path = dir.join("pendamping.db");
        tracing::info!(path = %path.display(), "opening the device store");
        // 8 MB of page cache: the screens read a village at a time; memory is scarce on a tablet.
        let opts = Options {
            cache_mib: 8,
            ..Options::default()
        };
        let mut store = Store::open(&path, opts)?;
        // Today follows the village's zone; before one is chosen, the OS zone if it is
        // one of Indonesia's (a tablet left at UTC would date a morning visit yesterday).
        let os = *chrono::Local::now().offset();
        let fallback = if [7, 8, 9].contains(&(os.local_minus_utc() / 3600)) && os.local_minus_utc() % 3600 == 0 {
            os
        } else {
            pendamping_app::setup::WIB
        };
        pendamping_app::setup::apply_zone(&mut store, fallback)?;
        let store: Shared = Arc::new(Mutex::new(store));
        // The sync task needs a tokio runtime: Tauri's own.
        let auto = tauri::async_runtime::block_on(async { AutoSync::start(store.clone(), AutoOptions::default()) });
        // A hub switched on before runs again, in the background: the window opens at once.
        let hub = Arc::new(Hub::new(dir));
        let resuming = hub.clone();
        tauri::async_runtime::spawn(async move { resuming.resume().await });
        Ok(AppState { store, auto, hub })
    }

    /// The store for one command. A panic elsewhere does not lock the cadre out: SQLite
    /// rolled back whatever was half done.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// After a local save: send it when the server can be reached.
    pub fn saved<T>(&self, r: Result<T, AppError>) -> Result<T, AppError> {
        if r.is_ok() {
            self.auto.sync_now();
        }
        r
    }
}
