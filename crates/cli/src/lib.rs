//! The `pendamping` command-line tool: batch z-scores, CSV import and export, the monthly
//! recap and demo data over a device store file; the central server and device sync.

pub mod anthro;
pub mod csvio;
pub mod demo;
pub mod families;
pub mod keys;
pub mod list_out;
pub mod migrate;
pub mod net;
pub mod recap_out;
