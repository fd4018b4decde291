use pendamping_app::AppError;
use pendamping_app::authority::{self, ServerAuthority};
use pendamping_app::setup::{self as app, Setup, VillageView};
use pendamping_app::strict::Arg;
use tauri::State;

use crate::WindowState;

#[tauri::command(async)]
pub fn setup(state: State<WindowState>) -> Result<Setup, AppError> {
    state.with(|s| app::setup(s))
}

#[tauri::command(async)]
pub fn find_villages(query: Arg<String>) -> Result<Vec<VillageView>, AppError> {
    Ok(app::find_villages(&query.open("query")?))
}

#[tauri::command(async)]
pub fn villages_of_district(code: Arg<String>) -> Result<Vec<VillageView>, AppError> {
    Ok(app::villages_of_district(&code.open("code")?))
}

#[tauri::command(async)]
pub fn work_offline(state: State<WindowState>, villages: Arg<Vec<String>>) -> Result<Setup, AppError> {
    let villages = villages.open("villages")?;
    state.with(|s| app::work_offline(s, &villages))
}

#[tauri::command(async)]
pub fn choose_villages(state: State<WindowState>, villages: Arg<Vec<String>>) -> Result<Setup, AppError> {
    let villages = villages.open("villages")?;
    state.with(|s| app::choose_villages(s, &villages))
}

#[tauri::command(async)]
pub fn set_current_village(state: State<WindowState>, code: Arg<String>) -> Result<Setup, AppError> {
    let code = code.open("code")?;
    state.with(|s| app::set_current_village(s, &code))
}

#[tauri::command(async)]
pub fn set_tpk(state: State<WindowState>, name: Arg<String>) -> Result<Setup, AppError> {
    let name = name.open("name")?;
    state.with(|s| app::set_tpk(s, &name))
}

/// Enrols with the server; the store is locked only to keep the credentials.
#[tauri::command(async)]
pub async fn enroll(
    state: State<'_, WindowState>,
    server: Arg<String>,
    code: Arg<String>,
    device_name: Arg<String>,
    villages: Arg<Vec<String>>,
) -> Result<Setup, AppError> {
    let server = server.open("server")?;
    let code = code.open("code")?;
    let device_name = device_name.open("device_name")?;
    let villages = villages.open("villages")?;
    let (setup, enrolled) = app::enroll(state.shared()?, &server, &code, &device_name, &villages).await?;
    // The data key sealed to the server's recovery key: a forgotten PIN is recoverable now.
    if let Some(to) = enrolled.recovery_key {
        state.with_key(|door, opened| door.set_recovery(opened, enrolled.device_id, &server, to))?;
    }
    state.sync_now();
    Ok(setup)
}

/// The certificate authority of a hub this device does not trust yet, for the cadre to
/// compare with the hub's screen.
#[tauri::command(async)]
pub async fn server_authority(server: Arg<String>) -> Result<ServerAuthority, AppError> {
    let server = server.open("server")?;
    authority::inspect(&server).await
}

/// Trusts the hub's authority the cadre found on the hub's screen.
#[tauri::command(async)]
pub async fn trust_server(
    state: State<'_, WindowState>,
    server: Arg<String>,
    fingerprint: Arg<String>,
) -> Result<(), AppError> {
    let server = server.open("server")?;
    let fingerprint = fingerprint.open("fingerprint")?;
    authority::trust(&state.dir, &server, &fingerprint).await
}
