//! Pendamping's sync client: enrol a device, push its outbox, pull its area's changes,
//! over slow and flaky links (docs/src/design/sync.md).

mod access;
mod auto;
mod engine;
mod error;
mod http;
pub mod registry;
mod window;

pub use access::{Access, Applied, Outgoing, Proof, Replica, Shared, Signer};
pub use auto::{AutoOptions, AutoSync, Nudge, State};
pub use engine::{Options, Phase, Progress, Status, Summary, enroll, keys, recover, status, sync};
pub use error::{Result, SyncError, UNTRUSTED_SERVER};
pub use http::{CA_FILE, Retry, authority, trust};
pub use pendamping_protocol::codec::Encoding;
