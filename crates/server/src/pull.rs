//! Pull: the changes of the caller's area after a cursor, in server order, a page at a
//! time. SQLite has one writer, so a sequence number is never visible before a smaller
//! one: a page never skips a gap that fills in later.

use rusqlite::Connection;

use crate::auth::Device;
use crate::error::Result;

pub struct Page {
    /// The changes as stored: JSON objects, served without re-encoding.
    pub bodies: Vec<String>,
    /// Who made each change (its origin device).
    pub origins: Vec<String>,
    pub next: u64,
    pub more: bool,
    pub remaining: Option<u64>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct CursorAhead {
    pub latest: u64,
}

/// Scopes with up to this many villages read each village's index range; larger ones
/// scan the log in order, a bounded stretch per page.
const PER_VILLAGE_MAX: usize = 64;
const SCAN_PER_PAGE: i64 = 50_000;

pub fn page(conn: &mut Connection, device: &Device, since: u64, limit: usize) -> Result<Result<Page, CursorAhead>> {
    // One read transaction: the page and the high-water mark come from one snapshot.
    let tx = conn.transaction()?;
    let latest: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| r.get(0))?;
    if since > latest as u64 {
        return Ok(Err(CursorAhead { latest: latest as u64 }));
    }
    let since = since as i64;
    let villages = device.scope.villages();
    let mut remaining = None;
    let (seqs, scanned_to, more) = if villages.len() <= PER_VILLAGE_MAX {
        let mut seqs = Vec::new();
        let mut stmt = tx.prepare_cached(
            "SELECT seq FROM changes WHERE area_code = ?1 AND seq > ?2 AND device_id <> ?4 AND via IS NOT ?4 \
             ORDER BY seq LIMIT ?3",
        )?;
        for v in &villages {
            for s in stmt.query_map((v, since, limit as i64 + 1, &device.id), |r| r.get::<_, i64>(0))? {
                seqs.push(s?);
            }
        }
        seqs.sort_unstable();
        let more = seqs.len() > limit;
        seqs.truncate(limit);
        let to = if more { *seqs.last().unwrap_or(&since) } else { latest };
        if more {
            let mut count = tx.prepare_cached(
                "SELECT COUNT(*) FROM changes WHERE area_code = ?1 AND seq > ?2 AND device_id <> ?3 \
                     AND via IS NOT ?3",
            )?;
            let mut n = 0u64;
            for v in &villages {
                n += count.query_row((v, to, &device.id), |r| r.get::<_, i64>(0))? as u64;
            }
            remaining = Some(n);
        } else {
            remaining = Some(0);
        }
        (seqs, to, more)
    } else {
        let mut seqs = Vec::new();
        let mut last = since;
        let mut stmt = tx.prepare_cached(
            "SELECT seq, area_code, device_id, via FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let mut rows = stmt.query((since, SCAN_PER_PAGE))?;
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let area: String = r.get(1)?;
            let from: String = r.get(2)?;
            let via: Option<String> = r.get(3)?;
            last = seq;
            if from != device.id && via.as_deref() != Some(&device.id) && device.scope.contains(&area) {
                seqs.push(seq);
                if seqs.len() == limit {
                    break;
                }
            }
        }
        let more = last < latest;
        (seqs, if more { last } else { latest }, more)
    };
    let (mut bodies, mut origins) = (Vec::with_capacity(seqs.len()), Vec::with_capacity(seqs.len()));
    // A device's own changes (and a hub's relayed ones) are already on it: they were left
    // out above, so as not to spend its bandwidth on them nor count them in `remaining`.
    let mut stmt = tx.prepare_cached("SELECT body, device_id FROM changes WHERE seq = ?1")?;
    for seq in seqs {
        let (body, origin) = stmt.query_row([seq], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        bodies.push(body);
        origins.push(origin);
    }
    Ok(Ok(Page {
        bodies,
        origins,
        next: scanned_to as u64,
        more,
        remaining,
    }))
}
