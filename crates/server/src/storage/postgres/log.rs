//! The change log: `changes` (partitioned by regency), `records`, `quarantine`,
//! `conflicts`, `set_aside`, and on a hub `seals` and `upstream_rejections`.

use pendamping_core::Entity;
use pendamping_protocol::{ConflictNote, Rejection, Winner};
use uuid::Uuid;

use super::{PgTx, pending, regency};
use crate::storage::paging::{self, Scanned, Source};
use crate::storage::rows::{self, Kept, to_json};
use crate::storage::{
    Backlog, ChangeLog, CursorAhead, NewChange, NotUsed, Page, Quarantined, Reader, Result, Stored, Unsent, Upstream,
};

impl ChangeLog for PgTx<'_> {
    fn expect(&mut self, changes: &[(Uuid, Entity, Uuid)]) -> Result<()> {
        self.read_ahead(changes)
    }

    fn latest(&mut self) -> Result<u64> {
        self.flush()?;
        let n: i64 = self.one("SELECT COALESCE(MAX(seq), 0) FROM changes", &[])?.get(0);
        Ok(n as u64)
    }

    fn change_known(&mut self, change_id: &Uuid) -> Result<bool> {
        // Held in this transaction, or answered by the batch's read-ahead: one round trip
        // per change was a fifth of a push's time.
        if self.pending.by_id.contains_key(change_id) || self.pending.known.contains(change_id) {
            return Ok(true);
        }
        if self.pending.asked.contains(change_id) {
            return Ok(false);
        }
        Ok(self
            .row("SELECT 1 FROM changes WHERE change_id = $1", &[change_id])?
            .is_some())
    }

    fn change_path(&mut self, change_id: &Uuid) -> Result<Option<(String, Option<Upstream>)>> {
        Ok(self
            .row(
                "SELECT device_id, upstream FROM changes WHERE change_id = $1",
                &[change_id],
            )?
            .map(|r| (r.get(0), Upstream::of_code(r.get(1)))))
    }

    fn append(&mut self, c: &NewChange) -> Result<i64> {
        self.hold_change(c)
    }

    fn record(&mut self, entity: Entity, id: &Uuid) -> Result<Option<Stored>> {
        // Written in this transaction, read before the batch, or asked now.
        let (area_code, kept) = if let Some(r) = self.pending.records.get(&(entity, *id)) {
            (r.area_code.clone(), Some(r.kept.clone()))
        } else if let Some(found) = self.pending.found.get(&(entity, *id)) {
            match found.clone() {
                Some(f) => f,
                None => return Ok(None),
            }
        } else {
            let Some(r) = self.row(
                "SELECT area_code, state, seqs, base_seq FROM records WHERE entity = $1 AND id = $2",
                &[&entity.as_str(), id],
            )?
            else {
                return Ok(None);
            };
            (r.get::<_, String>(0), Kept::of_columns(r.get(1), r.get(2), r.get(3)))
        };
        // The change a record never changed since is: this transaction's, or the log's.
        if let Some(Kept::First { seq }) = &kept
            && let Some(i) = self.pending.by_seq.get(seq)
        {
            let body = self.pending.changes[*i].body.clone();
            return rows::stored(entity, id, area_code, kept, |_| Ok(body)).map(Some);
        }
        // A record never changed since its first change is in that change's regency.
        let part = regency(&area_code).to_string();
        let body = |seq: i64| -> Result<String> {
            Ok(self
                .one(
                    "SELECT body FROM changes WHERE regency = $1 AND seq = $2",
                    &[&part, &seq],
                )?
                .get(0))
        };
        rows::stored(entity, id, area_code, kept, body).map(Some)
    }

    fn put_first(&mut self, entity: Entity, id: &Uuid, area_code: &str, seq: i64) -> Result<()> {
        self.pending.records.insert(
            (entity, *id),
            pending::Record {
                area_code: area_code.to_string(),
                kept: Kept::First { seq },
            },
        );
        Ok(())
    }

    fn put_record(&mut self, entity: Entity, id: &Uuid, rec: &Stored) -> Result<()> {
        self.pending.records.insert(
            (entity, *id),
            pending::Record {
                area_code: rec.area_code.clone(),
                kept: Kept::State {
                    state: to_json(&rec.state),
                    seqs: to_json(&rec.seqs),
                },
            },
        );
        Ok(())
    }

    fn page(&mut self, reader: &Reader, since: u64, limit: usize) -> Result<Result<Page, CursorAhead>> {
        self.flush()?;
        paging::page(self, reader, since, limit)
    }

    fn after(&mut self, since: i64, limit: usize) -> Result<Vec<(i64, String)>> {
        self.flush()?;
        Ok(self
            .rows(
                "SELECT seq, body FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&since, &(limit as i64)],
            )?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn quarantine(&mut self, q: &Quarantined) -> Result<()> {
        let r = q.rejection;
        self.run(
            "INSERT INTO quarantine (change_id, device_id, code, field, message, body, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (change_id) DO UPDATE SET device_id = excluded.device_id, \
             code = excluded.code, field = excluded.field, message = excluded.message, body = excluded.body, \
             received_at = excluded.received_at",
            &[
                &r.change_id.to_string(),
                &q.device_id,
                &r.code.as_str(),
                &r.field,
                &r.message,
                &q.body,
                &q.received_at,
            ],
        )?;
        Ok(())
    }

    fn any_quarantined(&mut self) -> Result<bool> {
        Ok(self.one("SELECT EXISTS (SELECT 1 FROM quarantine)", &[])?.get(0))
    }

    fn release(&mut self, change_id: &Uuid) -> Result<()> {
        self.run("DELETE FROM quarantine WHERE change_id = $1", &[&change_id.to_string()])?;
        Ok(())
    }

    fn refusal(&mut self, change_id: &Uuid, device_id: &str) -> Result<Option<Rejection>> {
        Ok(self
            .row(
                "SELECT code, field, message FROM quarantine WHERE change_id = $1 AND device_id = $2",
                &[&change_id.to_string(), &device_id],
            )?
            .map(|r| rows::rejection(change_id, r.get(0), r.get(1), r.get(2))))
    }

    fn note_conflict(&mut self, n: &ConflictNote, device_id: &str, at_ms: i64) -> Result<()> {
        self.run(
            "INSERT INTO conflicts (entity, row_id, field, pushed_value, pushed_hlc, existing_value, existing_hlc, \
             winner, change_id, device_id, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                &n.entity.as_str(),
                &n.row_id.to_string(),
                &n.field,
                &n.yours.to_string(),
                &n.your_hlc.to_string(),
                &n.theirs.to_string(),
                &n.their_hlc.to_string(),
                &match n.winner {
                    Winner::Yours => "pushed",
                    Winner::Theirs => "existing",
                },
                &n.change_id.to_string(),
                &device_id,
                &at_ms,
            ],
        )?;
        Ok(())
    }

    fn set_aside(&mut self, rows: &[(i64, String)], at_ms: i64) -> Result<u64> {
        self.flush()?;
        for (seq, reason) in rows {
            self.run(
                "INSERT INTO set_aside (seq, reason, found_at) VALUES ($1, $2, $3) ON CONFLICT (seq) DO NOTHING",
                &[seq, reason, &at_ms],
            )?;
        }
        self.set_aside_count()
    }

    fn set_aside_count(&mut self) -> Result<u64> {
        let n: i64 = self.one("SELECT COUNT(*) FROM set_aside", &[])?.get(0);
        Ok(n as u64)
    }

    fn not_used(&mut self, limit: usize) -> Result<Vec<NotUsed>> {
        self.flush()?;
        let limit = limit as i64;
        let mut out: Vec<NotUsed> = self
            .rows(
                "SELECT change_id, device_id, code, field, message, received_at FROM quarantine \
                 ORDER BY received_at DESC LIMIT $1",
                &[&limit],
            )?
            .iter()
            .map(|r| NotUsed {
                place: "quarantine",
                change_id: r.get(0),
                device_id: r.get(1),
                code: r.get(2),
                field: r.get(3),
                message: r.get(4),
                at_ms: r.get(5),
            })
            .collect();
        out.extend(
            self.rows(
                "SELECT c.change_id, c.device_id, s.reason, s.found_at FROM set_aside s JOIN changes c ON c.seq = s.seq \
                 ORDER BY s.seq LIMIT $1",
                &[&limit],
            )?
            .iter()
            .map(|r| NotUsed {
                place: "set aside",
                change_id: r.get::<_, Uuid>(0).to_string(),
                device_id: r.get(1),
                code: "unreadable".into(),
                field: None,
                message: r.get(2),
                at_ms: r.get(3),
            }),
        );
        Ok(out)
    }

    fn keep_seal(&mut self, origin: &str, kept: &[u8]) -> Result<i64> {
        Ok(self
            .one(
                "INSERT INTO seals (origin, kept) VALUES ($1, $2) RETURNING id",
                &[&origin, &kept],
            )?
            .get(0))
    }

    fn forget_closed_seals(&mut self, ids: &[Uuid]) -> Result<()> {
        self.flush()?;
        // The rows stay (the changes refer to them); their hashes go.
        self.run(
            "UPDATE seals SET kept = '\\x'::bytea WHERE length(kept) > 0 \
             AND id IN (SELECT seal FROM changes WHERE change_id = ANY($1) AND seal IS NOT NULL) \
             AND NOT EXISTS (SELECT 1 FROM changes c WHERE c.seal = seals.id AND (c.upstream IS NULL OR c.upstream = 1))",
            &[&ids],
        )?;
        Ok(())
    }

    fn unsent(&mut self, limit: usize) -> Result<Vec<Unsent>> {
        self.flush()?;
        Ok(self
            .rows(
                "SELECT c.body, c.device_id, c.seal, c.leaf, s.kept FROM changes c \
                 LEFT JOIN seals s ON s.id = c.seal WHERE c.upstream IS NULL ORDER BY c.seq LIMIT $1",
                &[&(limit as i64)],
            )?
            .iter()
            .map(|r| {
                let (seal, leaf, kept): (Option<i64>, Option<i64>, Option<Vec<u8>>) = (r.get(2), r.get(3), r.get(4));
                Unsent {
                    body: r.get(0),
                    origin: r.get(1),
                    seal: match (seal, leaf, kept) {
                        (Some(s), Some(l), Some(k)) => Some((s, l as u32, k)),
                        _ => None,
                    },
                }
            })
            .collect())
    }

    fn unsent_count(&mut self) -> Result<u64> {
        self.flush()?;
        let n: i64 = self
            .one("SELECT COUNT(*) FROM changes WHERE upstream IS NULL", &[])?
            .get(0);
        Ok(n as u64)
    }

    fn held(&mut self, after: i64, limit: usize) -> Result<Vec<(i64, Uuid)>> {
        self.flush()?;
        Ok(self
            .rows(
                "SELECT seq, change_id FROM changes WHERE upstream = 1 AND seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &(limit as i64)],
            )?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn set_upstream(&mut self, ids: &[Uuid], to: Option<Upstream>) -> Result<()> {
        self.flush()?;
        self.run(
            "UPDATE changes SET upstream = $2 WHERE change_id = ANY($1)",
            &[&ids, &Upstream::code(to)],
        )?;
        Ok(())
    }

    fn refused_upstream(&mut self, refused: &[Rejection], at_ms: i64) -> Result<()> {
        for r in refused {
            self.run(
                "INSERT INTO upstream_rejections (change_id, code, field, message, received_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (change_id) DO UPDATE SET code = excluded.code, \
                 field = excluded.field, message = excluded.message, received_at = excluded.received_at",
                &[&r.change_id, &r.code.as_str(), &r.field, &r.message, &at_ms],
            )?;
        }
        let ids: Vec<Uuid> = refused.iter().map(|r| r.change_id).collect();
        self.set_upstream(&ids, Some(Upstream::Refused))
    }

    fn upstream_refusal(&mut self, change_id: &Uuid) -> Result<Option<Rejection>> {
        Ok(self
            .row(
                "SELECT code, field, message FROM upstream_rejections WHERE change_id = $1",
                &[change_id],
            )?
            .map(|r| rows::rejection(change_id, r.get(0), r.get(1), r.get(2))))
    }

    fn backlog(&mut self) -> Result<Backlog> {
        self.flush()?;
        let mut b = Backlog::default();
        for r in self.rows("SELECT upstream, COUNT(*) FROM changes GROUP BY upstream", &[])? {
            let n = r.get::<_, i64>(1) as u64;
            match Upstream::of_code(r.get(0)) {
                None => b.unsent += n,
                Some(Upstream::Held) => b.held += n,
                Some(Upstream::Confirmed) => b.confirmed += n,
                Some(Upstream::Refused) => b.refused += n,
            }
        }
        Ok(b)
    }
}

impl Source for PgTx<'_> {
    fn latest(&mut self) -> Result<u64> {
        ChangeLog::latest(self)
    }

    fn village_seqs(&mut self, village: &str, since: i64, limit: i64, me: &str) -> Result<Vec<i64>> {
        // The regency names the one partition to read.
        Ok(self
            .rows(
                "SELECT seq FROM changes WHERE regency = $1 AND area_code = $2 AND seq > $3 AND device_id <> $4 \
                 AND via IS DISTINCT FROM $4 ORDER BY seq LIMIT $5",
                &[&regency(village), &village, &since, &me, &limit],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn village_count(&mut self, village: &str, since: i64, me: &str) -> Result<u64> {
        let n: i64 = self
            .one(
                "SELECT COUNT(*) FROM changes WHERE regency = $1 AND area_code = $2 AND seq > $3 AND device_id <> $4 \
                 AND via IS DISTINCT FROM $4",
                &[&regency(village), &village, &since, &me],
            )?
            .get(0);
        Ok(n as u64)
    }

    fn scan(&mut self, since: i64, limit: i64) -> Result<Vec<Scanned>> {
        Ok(self
            .rows(
                "SELECT seq, area_code, device_id, via FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&since, &limit],
            )?
            .iter()
            .map(|r| Scanned {
                seq: r.get(0),
                area_code: r.get(1),
                origin: r.get(2),
                via: r.get(3),
            })
            .collect())
    }

    fn bodies(&mut self, seqs: &[(i64, &str)]) -> Result<Vec<(String, String)>> {
        // One round trip per regency (most pages have one), each reading one partition.
        let mut by_regency: std::collections::BTreeMap<&str, Vec<i64>> = Default::default();
        for (seq, village) in seqs {
            by_regency.entry(regency(village)).or_default().push(*seq);
        }
        let mut found = std::collections::HashMap::with_capacity(seqs.len());
        for (part, wanted) in by_regency {
            for r in self.rows(
                "SELECT seq, body, device_id FROM changes WHERE regency = $1 AND seq = ANY($2)",
                &[&part, &wanted],
            )? {
                found.insert(r.get::<_, i64>(0), (r.get::<_, String>(1), r.get::<_, String>(2)));
            }
        }
        seqs.iter()
            .map(|(seq, _)| {
                found
                    .remove(seq)
                    .ok_or_else(|| crate::storage::StorageError::Corrupt(format!("change {seq} is not in the log")))
            })
            .collect()
    }
}
