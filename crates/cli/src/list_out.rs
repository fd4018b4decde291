//! Printing a list with names: a table for people, the sheet (CSV or XLSX, the same as
//! the app's and the dashboard's) for spreadsheets.

use std::io::Write;

use pendamping_core::lists::NameList;
use pendamping_core::recap::Month;
use pendamping_report::labels::{Labelled, area_title, w};
use pendamping_report::lists::sheet;
use pendamping_store::ListRow;

use crate::recap_out::{Format, Output, writer};

/// Writes `rows` of `list` to the output's file or `out`.
pub fn write(
    list: NameList,
    (month, today): (Month, chrono::NaiveDate),
    area: &str,
    rows: &[ListRow],
    to: &Output,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let lang = to.lang;
    let s = sheet(list, month, rows, lang, today);
    // Names leave the store: whoever ran this is told what the file is.
    if let Some(notice) = s.personal {
        eprintln!("{notice}");
    }
    writer(to, out, |f| match to.format {
        Format::Table => {
            writeln!(f, "{} — {} — {month}", list.label(lang), area_title(area))?;
            writeln!(f, "{}: {}", w("Jumlah", "Count").get(lang), rows.len())?;
            writeln!(f)?;
            writeln!(f, "{}", s.headers.join(" | "))?;
            for row in &s.rows {
                let cells: Vec<String> = row.iter().map(|c| c.text(lang)).collect();
                writeln!(f, "{}", cells.join(" | "))?;
            }
            Ok(())
        }
        Format::Csv => Ok(f.write_all(&s.csv()?)?),
        Format::Xlsx => Ok(f.write_all(&s.xlsx()?)?),
        Format::Json => Ok(serde_json::to_writer_pretty(f, rows)?),
    })
}
