//! Pull: the changes of the caller's area after a cursor, in the log's order, a page at a
//! time. What a caller sees is decided here (its scope's villages, and not what it made or
//! relayed itself: it has those); how the page is read is the log's (`ChangeLog::page`,
//! with its visibility contract: a page never skips a change that fills in later).

use crate::auth::Device;
use crate::error::Result;
use crate::storage::{ChangeLog, CursorAhead, Page, Reader};

/// `count`: whether the page counts what remains after it (`Reader::count`).
pub fn page(
    log: &mut dyn ChangeLog,
    device: &Device,
    since: u64,
    limit: usize,
    count: bool,
) -> Result<Result<Page, CursorAhead>> {
    let reader = Reader {
        scope: &device.scope,
        device_id: &device.id,
        count,
    };
    Ok(log.page(&reader, since, limit)?)
}
