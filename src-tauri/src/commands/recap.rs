use pendamping_app::AppError;
use pendamping_app::recap::{self as app, RecapView};
use tauri::{Manager, Runtime, State};

use crate::AppState;

#[tauri::command]
pub fn recap(state: State<AppState>, month: String) -> Result<RecapView, AppError> {
    app::recap(&state.store(), &month)
}

/// Writes the recap as CSV to the Downloads folder (the app's data folder where there is
/// none, as on a tablet) and returns where, for the screen to say.
#[tauri::command]
pub fn export_recap_csv<R: Runtime>(
    app_handle: tauri::AppHandle<R>,
    state: State<AppState>,
    month: String,
) -> Result<String, AppError> {
    let (text, name) = app::recap_csv(&state.store(), &month)?;
    let dir = std::env::var_os("PENDAMPING_EXPORT_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| app_handle.path().download_dir().ok())
        .or_else(|| app_handle.path().app_data_dir().ok())
        .ok_or_else(|| AppError::new("export_failed", "Folder untuk menyimpan ekspor tidak ditemukan"))?;
    let path = dir.join(name);
    std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::write(&path, text))
        .map_err(|e| AppError::new("export_failed", format!("Ekspor CSV gagal: {e}")))?;
    Ok(path.display().to_string())
}
