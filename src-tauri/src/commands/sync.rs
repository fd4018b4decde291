use pendamping_app::AppError;
use pendamping_app::syncing::{self as app, SyncScreen};
use tauri::State;

use crate::AppState;

#[tauri::command(async)]
pub fn sync_screen(state: State<AppState>) -> Result<SyncScreen, AppError> {
    app::sync_screen(&state.store())
}

/// The background sync's state now; later changes arrive as `sync-state` events.
#[tauri::command(async)]
pub fn sync_state(state: State<AppState>) -> pendamping_sync::State {
    state.auto.state()
}

#[tauri::command(async)]
pub fn sync_now(state: State<AppState>) {
    state.auto.sync_now();
}

#[tauri::command(async)]
pub fn dismiss_conflict(state: State<AppState>, id: i64) -> Result<(), AppError> {
    app::dismiss_conflict(&mut state.store(), id)
}
