use pendamping_app::AppError;
use pendamping_app::export::{self, Exported, Format};
use pendamping_app::recap::{self as app, RecapView};
use pendamping_app::strict::Arg;
use pendamping_core::catalogue::Lang;
use pendamping_core::lists::NameList;
use tauri::{Manager, Runtime, State};

use crate::WindowState;

#[tauri::command(async)]
pub fn recap(state: State<WindowState>, month: Arg<String>) -> Result<RecapView, AppError> {
    let month = month.open("month")?;
    state.with(|s| app::recap(s, &month))
}

/// Writes the recap to the OS documents folder, under `Pendamping/`, or where the OS names
/// no documents folder (a fresh Linux account), to `Pendamping/` in the home folder:
/// created when missing, never a hidden place. The file holds no names or NIKs, only counts.
#[tauri::command(async)]
pub fn export_recap<R: Runtime>(
    app_handle: tauri::AppHandle<R>,
    state: State<WindowState>,
    month: Arg<String>,
    format: Arg<Format>,
    lang: Arg<Lang>,
) -> Result<Exported, AppError> {
    let month = month.open("month")?;
    let format = format.open("format")?;
    let lang = lang.open("lang")?;
    let (bytes, name) = state.with(|s| app::recap_file(s, &month, format, lang))?;
    save(&app_handle, &name, &bytes)
}

/// Writes a list with names of the device's own area, where `export_recap` writes. It
/// holds names: the file is its owner's to read only.
#[tauri::command(async)]
pub fn export_list<R: Runtime>(
    app_handle: tauri::AppHandle<R>,
    state: State<WindowState>,
    list: Arg<NameList>,
    month: Arg<String>,
    format: Arg<Format>,
    lang: Arg<Lang>,
) -> Result<Exported, AppError> {
    let list = list.open("list")?;
    let month = month.open("month")?;
    let format = format.open("format")?;
    let lang = lang.open("lang")?;
    let (bytes, name, rows) = state.with(|s| pendamping_app::lists::list_file(s, list, &month, format, lang))?;
    Ok(Exported {
        rows: Some(rows),
        ..save(&app_handle, &name, &bytes)?
    })
}

fn save<R: Runtime>(app_handle: &tauri::AppHandle<R>, name: &str, bytes: &[u8]) -> Result<Exported, AppError> {
    let paths = app_handle.path();
    let dir = std::env::var_os("PENDAMPING_EXPORT_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| paths.document_dir().ok().map(|d| d.join("Pendamping")))
        .or_else(|| paths.home_dir().ok().map(|d| d.join("Pendamping")))
        .ok_or_else(|| {
            AppError::new(
                "export_failed",
                "Folder untuk menyimpan ekspor tidak ditemukan",
                "No folder was found to save the export in",
            )
        })?;
    export::save(&dir, name, bytes)
}
