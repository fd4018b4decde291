//! What a write transaction holds back: the log's new changes and records, sent in one
//! statement each when something must see them (`PgTx::flush`) or at commit, and what a
//! batch's changes and records were found to be before it (`ChangeLog::expect`). A push of
//! 500 changes is then a handful of round trips instead of some 2,500. Every answer stays
//! true for the transaction: it is the one writer (`super::WRITER`).

use std::collections::{HashMap, HashSet, VecDeque};

use pendamping_core::Entity;
use uuid::Uuid;

use super::{PgTx, regency};
use crate::storage::rows::Kept;
use crate::storage::{NewChange, Result, Upstream};

/// A change appended in this transaction, not yet sent.
pub(super) struct Change {
    pub seq: i64,
    pub change_id: Uuid,
    pub area_code: String,
    pub origin: String,
    pub via: Option<String>,
    pub upstream: Option<Upstream>,
    pub received_at: i64,
    pub body: String,
    pub seal: Option<(i64, u32)>,
}

/// A record as this transaction last wrote it.
pub(super) struct Record {
    pub area_code: String,
    pub kept: Kept,
}

/// A record as read before the batch: its area and how it is kept.
pub(super) type Found = Option<(String, Option<Kept>)>;

#[derive(Default)]
pub(super) struct Pending {
    pub changes: Vec<Change>,
    /// Index in `changes` by change id, and by sequence.
    pub by_id: HashMap<Uuid, usize>,
    pub by_seq: HashMap<i64, usize>,
    pub records: HashMap<(Entity, Uuid), Record>,
    seqs: VecDeque<i64>,
    /// Changes asked about before the batch, and those of them the log held.
    pub asked: HashSet<Uuid>,
    pub known: HashSet<Uuid>,
    /// Records read before the batch (`None`: there was none).
    pub found: HashMap<(Entity, Uuid), Found>,
}

impl Pending {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.records.is_empty()
    }
}

impl PgTx<'_> {
    /// The next sequence number: one taken ahead for the batch, else a new one.
    pub(super) fn next_seq(&mut self) -> Result<i64> {
        if self.pending.seqs.is_empty() {
            self.take_seqs(1)?;
        }
        Ok(self.pending.seqs.pop_front().unwrap_or_default())
    }

    /// Takes `n` sequence numbers ahead, in one round trip. Those a batch does not use
    /// (its refused changes) are gaps, which a cursor passes over.
    fn take_seqs(&mut self, n: usize) -> Result<()> {
        let rows = self.rows(
            "SELECT nextval('change_seq') FROM generate_series(1::int8, $1::int8)",
            &[&(n as i64)],
        )?;
        self.pending.seqs.extend(rows.iter().map(|r| r.get::<_, i64>(0)));
        Ok(())
    }

    pub(super) fn hold_change(&mut self, c: &NewChange) -> Result<i64> {
        let seq = self.next_seq()?;
        let i = self.pending.changes.len();
        self.pending.by_id.insert(*c.change_id, i);
        self.pending.by_seq.insert(seq, i);
        self.pending.changes.push(Change {
            seq,
            change_id: *c.change_id,
            area_code: c.area_code.to_string(),
            origin: c.origin.to_string(),
            via: c.via.map(str::to_string),
            upstream: c.upstream,
            received_at: c.received_at,
            body: c.body.to_string(),
            seal: c.seal,
        });
        Ok(seq)
    }

    /// Reads what a batch's changes and records were before it, in two round trips.
    pub(super) fn read_ahead(&mut self, changes: &[(Uuid, Entity, Uuid)]) -> Result<()> {
        let ids: Vec<Uuid> = changes.iter().map(|c| c.0).collect();
        let mut new = ids.len();
        for r in self.rows("SELECT change_id FROM changes WHERE change_id = ANY($1)", &[&ids])? {
            self.pending.known.insert(r.get(0));
            new -= 1;
        }
        if new > self.pending.seqs.len() {
            self.take_seqs(new - self.pending.seqs.len())?;
        }
        self.pending.asked.extend(ids);
        let (entities, rows): (Vec<&str>, Vec<Uuid>) = changes.iter().map(|c| (c.1.as_str(), c.2)).unzip();
        let mut found: HashMap<(Entity, Uuid), Found> = changes.iter().map(|c| ((c.1, c.2), None)).collect();
        for r in self.rows(
            "SELECT r.entity, r.id, r.area_code, r.state, r.seqs, r.base_seq FROM records r \
             JOIN UNNEST($1::text[], $2::uuid[]) AS k(entity, id) ON r.entity = k.entity AND r.id = k.id",
            &[&entities, &rows],
        )? {
            let entity: String = r.get(0);
            if let Some(e) = Entity::from_word(&entity) {
                found.insert(
                    (e, r.get(1)),
                    Some((r.get(2), Kept::of_columns(r.get(3), r.get(4), r.get(5)))),
                );
            }
        }
        self.pending.found.extend(found);
        Ok(())
    }

    /// Sends what this transaction holds back: its changes, then its records.
    pub(super) fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let changes = std::mem::take(&mut self.pending.changes);
        self.pending.by_id.clear();
        self.pending.by_seq.clear();
        // What was read before the batch stays true only for what was not written since.
        self.pending.known.extend(changes.iter().map(|c| c.change_id));
        if !changes.is_empty() {
            let regencies: Vec<&str> = changes.iter().map(|c| regency(&c.area_code)).collect();
            let ids: Vec<Uuid> = changes.iter().map(|c| c.change_id).collect();
            let seqs: Vec<i64> = changes.iter().map(|c| c.seq).collect();
            let areas: Vec<&str> = changes.iter().map(|c| c.area_code.as_str()).collect();
            let origins: Vec<&str> = changes.iter().map(|c| c.origin.as_str()).collect();
            let vias: Vec<Option<&str>> = changes.iter().map(|c| c.via.as_deref()).collect();
            let upstreams: Vec<Option<i16>> = changes.iter().map(|c| Upstream::code(c.upstream)).collect();
            let received: Vec<i64> = changes.iter().map(|c| c.received_at).collect();
            let bodies: Vec<&str> = changes.iter().map(|c| c.body.as_str()).collect();
            let seals: Vec<Option<i64>> = changes.iter().map(|c| c.seal.map(|s| s.0)).collect();
            let leaves: Vec<Option<i64>> = changes.iter().map(|c| c.seal.map(|s| i64::from(s.1))).collect();
            self.run(
                "INSERT INTO changes (regency, change_id, seq, area_code, device_id, via, upstream, received_at, \
                 body, seal, leaf) SELECT * FROM UNNEST($1::text[], $2::uuid[], $3::int8[], $4::text[], $5::text[], \
                 $6::text[], $7::int2[], $8::int8[], $9::text[], $10::int8[], $11::int8[])",
                &[
                    &regencies, &ids, &seqs, &areas, &origins, &vias, &upstreams, &received, &bodies, &seals, &leaves,
                ],
            )?;
        }
        let records = std::mem::take(&mut self.pending.records);
        for key in records.keys() {
            self.pending.found.remove(key);
        }
        if !records.is_empty() {
            let mut entities = Vec::with_capacity(records.len());
            let mut ids = Vec::with_capacity(records.len());
            let mut areas = Vec::with_capacity(records.len());
            let mut states: Vec<Option<String>> = Vec::with_capacity(records.len());
            let mut seqs: Vec<Option<String>> = Vec::with_capacity(records.len());
            let mut bases: Vec<Option<i64>> = Vec::with_capacity(records.len());
            for ((entity, id), r) in records {
                entities.push(entity.as_str());
                ids.push(id);
                areas.push(r.area_code);
                match r.kept {
                    Kept::State { state, seqs: s } => {
                        states.push(Some(state));
                        seqs.push(Some(s));
                        bases.push(None);
                    }
                    Kept::First { seq } => {
                        states.push(None);
                        seqs.push(None);
                        bases.push(Some(seq));
                    }
                }
            }
            self.run(
                "INSERT INTO records (entity, id, area_code, state, seqs, base_seq) SELECT * FROM \
                 UNNEST($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::int8[]) \
                 ON CONFLICT (entity, id) DO UPDATE SET area_code = excluded.area_code, state = excluded.state, \
                 seqs = excluded.seqs, base_seq = excluded.base_seq",
                &[&entities, &ids, &areas, &states, &seqs, &bases],
            )?;
        }
        Ok(())
    }
}
