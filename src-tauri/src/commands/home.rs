use pendamping_app::home::Home;
use pendamping_app::{AppError, setup};
use tauri::State;

use crate::AppState;

#[tauri::command]
pub fn home(state: State<AppState>) -> Result<Home, AppError> {
    let store = state.store();
    let village = setup::current_village(&store)?;
    pendamping_app::home::home(&store, &village, store.today())
}
