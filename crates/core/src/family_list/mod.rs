//! The government's family lists: the by-name-by-address (BNBA) lists of families from the
//! family census (Pendataan Keluarga, PK21/PK23) that BKKBN hands a district every year,
//! with each family's risk factors, for the TPK to verify in the field (*verifikasi dan
//! validasi KRS*). A list arrives as a spreadsheet whose columns differ by source: a
//! `Mapping` names what each column holds, `read_row` reads one row into a `Listed` family
//! or the problems of its cells, and `preview` checks a whole list — bad cells, rows given
//! twice, rows outside the importer's area, families already known — before anything is
//! written. No I/O: the spreadsheet's cells come in as text.

mod cells;
pub mod column;
pub mod listed;
pub mod preview;

pub use column::{Column, Mapping, MappingError};
pub use listed::{Listed, RowProblem, read_row};
pub use preview::{Known, Match, Plan, Planned, Preview, preview};

#[cfg(test)]
mod tests;
