//! Every integration test across crates, in one binary: one link instead of thirty, which
//! is most of what a test build costs in time and disk. (`memory.rs` stays apart: it
//! installs its own global allocator.)

mod autosync;
mod crash;
mod csv_formulas;
mod csv_import_generated;
mod dashboard;
mod duplicates;
mod encryption;
mod family_list;
mod faults;
mod golden;
mod hostile;
mod hostile_bytes;
mod hostile_generated;
mod hub;
mod hub_tls;
mod links;
mod lists;
mod merge;
mod openapi;
mod poison;
mod postgres;
mod recap;
mod recovery;
mod registry;
mod signing;
mod slow_clients;
mod storage_story;
mod store;
mod sync;
mod tls;
mod truth;
mod upstream_checked;
mod wire;
