//! The lists with names of the device's own area, as files (the sheets are
//! pendamping-report's: the same columns as `pendamping list` and the dashboard).

use pendamping_core::catalogue::Lang;
use pendamping_core::lists::NameList;
use pendamping_report::lists::{file_name, sheet};
use pendamping_store::Store;

use crate::AppError;
use crate::export::Format;
use crate::recap::{month_of, recap_area};

/// A list of the device's own area (a cadre's village, a PLKB's kecamatan) as a file, the
/// name to save it under, and how many rows it holds.
pub fn list_file(
    store: &Store,
    list: NameList,
    month: &str,
    format: Format,
    lang: Lang,
) -> Result<(Vec<u8>, String, u32), AppError> {
    let area = recap_area(store)?;
    let m = month_of(store, month)?;
    let rows = store.name_list(list, m, &area, store.today())?;
    Ok((
        sheet(list, m, &rows, lang, store.today()).to_bytes(format)?,
        crate::export::named_in(&file_name(list, &area, (m, store.today()), format), lang),
        rows.len() as u32,
    ))
}
