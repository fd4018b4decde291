//! A reader's page of the log, the same walk in every store over a few plain queries
//! ([`Source`]): a small scope reads each of its villages' index ranges, a large one scans
//! the log in order, a bounded stretch per page.

use super::{CursorAhead, Page, Reader, Result};

/// Scopes with up to this many villages read each village's index range; larger ones
/// scan the log in order, a bounded stretch per page.
pub const PER_VILLAGE_MAX: usize = 64;
/// How much of the log a page of a large scope scans at most.
pub const SCAN_PER_PAGE: i64 = 50_000;

/// A row of the log as a scan sees it.
pub struct Scanned {
    pub seq: i64,
    pub area_code: String,
    pub origin: String,
    pub via: Option<String>,
}

/// The queries a page is made of. Each runs in the transaction the page is read in.
pub trait Source {
    fn latest(&mut self) -> Result<u64>;
    /// The sequences of `village` after `since` not made by, nor relayed by, `me`; at most
    /// `limit`, in order.
    fn village_seqs(&mut self, village: &str, since: i64, limit: i64, me: &str) -> Result<Vec<i64>>;
    /// How many of those there are after `since`.
    fn village_count(&mut self, village: &str, since: i64, me: &str) -> Result<u64>;
    /// The log after `since`, at most `limit` rows, in order.
    fn scan(&mut self, since: i64, limit: i64) -> Result<Vec<Scanned>>;
    /// The body and origin of each change of `seqs`, in that order.
    fn bodies(&mut self, seqs: &[(i64, &str)]) -> Result<Vec<(String, String)>>;
}

/// The changes `reader` may see after `since`, at most `limit`.
pub fn page(src: &mut dyn Source, reader: &Reader, since: u64, limit: usize) -> Result<Result<Page, CursorAhead>> {
    // One transaction (the caller's): the page and the high-water mark come from one
    // snapshot, and the store makes sequences visible in order (its visibility contract).
    let latest = src.latest()? as i64;
    if since > latest as u64 {
        return Ok(Err(CursorAhead { latest: latest as u64 }));
    }
    let since = since as i64;
    let villages = reader.scope.villages();
    let me = reader.device_id;
    let remaining;
    // Each chosen sequence with its village (a store may find a row faster knowing it).
    let (chosen, scanned_to, more): (Vec<(i64, String)>, i64, bool) = if villages.len() <= PER_VILLAGE_MAX {
        let mut seqs = Vec::new();
        for v in &villages {
            for s in src.village_seqs(v, since, limit as i64 + 1, me)? {
                seqs.push((s, v.clone()));
            }
        }
        seqs.sort_unstable();
        let more = seqs.len() > limit;
        seqs.truncate(limit);
        let to = if more {
            seqs.last().map(|s| s.0).unwrap_or(since)
        } else {
            latest
        };
        remaining = if !more {
            Some(0)
        } else if reader.count {
            let mut n = 0;
            for v in &villages {
                n += src.village_count(v, to, me)?;
            }
            Some(n)
        } else {
            None
        };
        (seqs, to, more)
    } else {
        remaining = None;
        let mut seqs = Vec::new();
        let mut last = since;
        for r in src.scan(since, SCAN_PER_PAGE)? {
            last = r.seq;
            if r.origin != me && r.via.as_deref() != Some(me) && reader.scope.contains(&r.area_code) {
                seqs.push((r.seq, r.area_code));
                if seqs.len() == limit {
                    break;
                }
            }
        }
        let more = last < latest;
        (seqs, if more { last } else { latest }, more)
    };
    let wanted: Vec<(i64, &str)> = chosen.iter().map(|(s, v)| (*s, v.as_str())).collect();
    let (bodies, origins) = src.bodies(&wanted)?.into_iter().unzip();
    Ok(Ok(Page {
        bodies,
        origins,
        next: scanned_to as u64,
        more,
        remaining,
    }))
}
