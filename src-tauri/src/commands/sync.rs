use pendamping_app::AppError;
use pendamping_app::strict::Arg;
use pendamping_app::syncing::{self as app, SyncScreen};
use tauri::State;

use crate::WindowState;

#[tauri::command(async)]
pub fn sync_screen(state: State<WindowState>) -> Result<SyncScreen, AppError> {
    state.with(|s| app::sync_screen(s))
}

/// The background sync's state now; later changes arrive as `sync-state` events.
#[tauri::command(async)]
pub fn sync_state(state: State<WindowState>) -> pendamping_sync::State {
    state.sync_state()
}

#[tauri::command(async)]
pub fn sync_now(state: State<WindowState>) {
    state.sync_now();
}

#[tauri::command(async)]
pub fn dismiss_conflict(state: State<WindowState>, id: Arg<i64>) -> Result<(), AppError> {
    let id = id.open("id")?;
    state.with(|s| app::dismiss_conflict(s, id))
}
