//! The PLKB hub switch (docs/src/operator/hub.md): start, stop, status, codes for tablets.

use pendamping_app::AppError;
use pendamping_app::hub::{HubCode, HubRecoveryCode, HubScreen, HubStart};
use pendamping_app::strict::{Arg, Strict};
use tauri::State;

use crate::WindowState;

#[tauri::command(async)]
pub async fn hub_screen(state: State<'_, WindowState>) -> Result<HubScreen, AppError> {
    state.require_member()?;
    state.hub.screen().await
}

#[tauri::command(async)]
pub async fn hub_start(state: State<'_, WindowState>, form: Strict<HubStart>) -> Result<HubScreen, AppError> {
    let form = form.open("form")?;
    state.require_member()?;
    state.hub.start(form).await
}

#[tauri::command(async)]
pub async fn hub_stop(state: State<'_, WindowState>) -> Result<HubScreen, AppError> {
    state.require_member()?;
    state.hub.stop().await
}

#[tauri::command(async)]
pub async fn hub_relay_now(state: State<'_, WindowState>) -> Result<(), AppError> {
    state.require_member()?;
    state.hub.relay_now().await;
    Ok(())
}

#[tauri::command(async)]
pub fn hub_new_code(
    state: State<WindowState>,
    user_name: Arg<String>,
    villages: Arg<Vec<String>>,
) -> Result<HubCode, AppError> {
    let user_name = user_name.open("user_name")?;
    let villages = villages.open("villages")?;
    state.require_member()?;
    state.hub.new_code(&user_name, &villages)
}

/// A PIN recovery code for one of the hub's tablets, issued by the member in.
#[tauri::command(async)]
pub fn hub_recovery_code(state: State<WindowState>, device_id: Arg<String>) -> Result<HubRecoveryCode, AppError> {
    let device_id = device_id.open("device_id")?;
    let (_, by) = state.require_member()?;
    state.hub.recovery_code(&device_id, &by)
}
