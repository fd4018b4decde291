use pendamping_app::AppError;
use pendamping_app::setup::{self as app, Setup, VillageView};
use tauri::State;

use crate::AppState;

#[tauri::command(async)]
pub fn setup(state: State<AppState>) -> Result<Setup, AppError> {
    app::setup(&state.store())
}

#[tauri::command(async)]
pub fn find_villages(query: String) -> Vec<VillageView> {
    app::find_villages(&query)
}

#[tauri::command(async)]
pub fn villages_of_district(code: String) -> Vec<VillageView> {
    app::villages_of_district(&code)
}

#[tauri::command(async)]
pub fn work_offline(state: State<AppState>, villages: Vec<String>) -> Result<Setup, AppError> {
    app::work_offline(&mut state.store(), &villages)
}

#[tauri::command(async)]
pub fn choose_villages(state: State<AppState>, villages: Vec<String>) -> Result<Setup, AppError> {
    app::choose_villages(&mut state.store(), &villages)
}

#[tauri::command(async)]
pub fn set_current_village(state: State<AppState>, code: String) -> Result<Setup, AppError> {
    app::set_current_village(&mut state.store(), &code)
}

/// Enrols with the server; the store is locked only to keep the credentials.
#[tauri::command(async)]
pub async fn enroll(
    state: State<'_, AppState>,
    server: String,
    code: String,
    device_name: String,
    villages: Vec<String>,
) -> Result<Setup, AppError> {
    let setup = app::enroll(state.store.clone(), &server, &code, &device_name, &villages).await?;
    state.auto.sync_now();
    Ok(setup)
}
