//! The Pendamping window: a thin Tauri shell. Once a member is in with their PIN, it opens
//! the encrypted device store in the app's data directory, starts the background sync, and exposes the use cases of `pendamping-app`
//! as commands of a few lines each. Errors reach the UI as `{code, message, field}`.

mod commands;
mod state;

use tauri::{Emitter, Manager, Runtime};

pub use state::WindowState;

/// Builds the app on any runtime, so tests can use `tauri::test::mock_builder()`.
pub fn build<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .setup(|app| {
            let dir = state::data_dir(app.handle())?;
            // Nothing of the store opens before a member is in (the log-in screen).
            let state = WindowState::new(&dir);
            forward_sync_state(app.handle().clone(), &state);
            app.manage(state);
            Ok(())
        })
        .invoke_handler(commands::handler())
}

/// Every change of the background sync's state reaches the UI as a `sync-state` event.
fn forward_sync_state<R: Runtime>(app: tauri::AppHandle<R>, state: &WindowState) {
    let mut rx = state.subscribe();
    tauri::async_runtime::spawn(async move {
        while rx.changed().await.is_ok() {
            let s = rx.borrow_and_update().clone();
            let _ = app.emit("sync-state", s);
        }
    });
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PENDAMPING_LOG").unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = build(tauri::Builder::default()).run(tauri::generate_context!()) {
        tracing::error!(error = %e, "Pendamping could not start");
        eprintln!("Pendamping tidak dapat dijalankan: {e}");
        std::process::exit(1);
    }
}
