//! The PLKB hub switch (README, "A PLKB hub"): start, stop, status, codes for tablets.

use pendamping_app::AppError;
use pendamping_app::hub::{HubCode, HubScreen, HubStart};
use tauri::State;

use crate::AppState;

#[tauri::command(async)]
pub async fn hub_screen(state: State<'_, AppState>) -> Result<HubScreen, AppError> {
    state.hub.screen().await
}

#[tauri::command(async)]
pub async fn hub_start(state: State<'_, AppState>, form: HubStart) -> Result<HubScreen, AppError> {
    state.hub.start(form).await
}

#[tauri::command(async)]
pub async fn hub_stop(state: State<'_, AppState>) -> Result<HubScreen, AppError> {
    state.hub.stop().await
}

#[tauri::command(async)]
pub async fn hub_relay_now(state: State<'_, AppState>) -> Result<(), AppError> {
    state.hub.relay_now().await;
    Ok(())
}

#[tauri::command(async)]
pub fn hub_new_code(state: State<AppState>, user_name: String, villages: Vec<String>) -> Result<HubCode, AppError> {
    state.hub.new_code(&user_name, &villages)
}
