//! The recap and the lists with names as sheets a person opens in a spreadsheet, and the
//! Indonesian words they use: one definition for the app's exports, the `pendamping` CLI
//! and the district's dashboard, so a number and its column read the same everywhere.

pub mod labels;
pub mod lists;
pub mod recap;
pub mod sheet;
pub mod sheet_in;
