use pendamping_app::home::Home;
use pendamping_app::strict::Arg;
use pendamping_app::{AppError, setup};
use tauri::State;

use crate::WindowState;

#[tauri::command(async)]
pub fn home(state: State<WindowState>) -> Result<Home, AppError> {
    state.with(|store| {
        let village = setup::current_village(store)?;
        pendamping_app::home::home(store, &village, store.today())
    })
}

/// Today in the device's time zone: the UI dates forms and limits date inputs with it,
/// never with the web view's own clock and zone.
#[tauri::command(async)]
pub fn today(state: State<WindowState>) -> Result<chrono::NaiveDate, AppError> {
    state.with(|s| Ok(s.today()))
}

/// The targets behind one of Beranda's counts.
#[tauri::command(async)]
pub fn caseload(
    state: State<WindowState>,
    kind: Arg<pendamping_core::TargetKind>,
) -> Result<Vec<pendamping_store::Caseload>, AppError> {
    let kind = kind.open("kind")?;
    state.with(|store| {
        let village = setup::current_village(store)?;
        pendamping_app::home::caseload(store, &village, store.today(), kind)
    })
}
