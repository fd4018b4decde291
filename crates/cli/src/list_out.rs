//! Printing a list with names: a table for people, the sheet (CSV or XLSX, the same as
//! the app's and the dashboard's) for spreadsheets.

use std::io::Write;

use pendamping_core::lists::NameList;
use pendamping_core::recap::Month;
use pendamping_report::labels::area_title;
use pendamping_report::lists::{sheet, title};
use pendamping_report::sheet::Cell;
use pendamping_store::ListRow;

use crate::recap_out::{Format, writer};

/// Writes `rows` of `list` as `format` to `output` (a file) or `out`.
pub fn write(
    list: NameList,
    month: Month,
    area: &str,
    rows: &[ListRow],
    format: Format,
    output: Option<&std::path::Path>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let s = sheet(list, month, rows);
    writer(format, output, out, |w| match format {
        Format::Table => {
            writeln!(w, "{} — {} — {month}", title(list), area_title(area))?;
            writeln!(w, "Jumlah: {}", rows.len())?;
            writeln!(w)?;
            writeln!(w, "{}", s.headers.join(" | "))?;
            for row in &s.rows {
                let cells: Vec<String> = row.iter().map(Cell::text).collect();
                writeln!(w, "{}", cells.join(" | "))?;
            }
            Ok(())
        }
        Format::Csv => Ok(w.write_all(&s.csv()?)?),
        Format::Xlsx => Ok(w.write_all(&s.xlsx()?)?),
        Format::Json => Ok(serde_json::to_writer_pretty(w, rows)?),
    })
}
