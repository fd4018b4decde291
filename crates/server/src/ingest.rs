//! Push: a batch of changes applied in one transaction. Each change is checked on its
//! own — scope, fields, clock, the record's validity — and a refused change is
//! quarantined and reported, never blocking the good ones beside it.

use chrono::NaiveDate;
use pendamping_core::change::DELETED;
use pendamping_core::merge;
use pendamping_core::record::{Record, RecordError};
use std::collections::BTreeMap;

use pendamping_core::{Change, Entity, Hlc, Rules, area, shape};
use pendamping_protocol::seal::{self, Seal};
use pendamping_protocol::{ConflictNote, PushResponse, RejectCode, Rejection, Winner};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::auth::Device;
use crate::error::Result;
use crate::store::{self, Stored};
use crate::validate;

pub struct Context<'a> {
    pub now_ms: i64,
    /// The zone of an area whose province has none (never for a real code).
    pub utc_offset: chrono::FixedOffset,
    pub rules: &'a Rules,
    pub max_skew_ms: u64,
    /// This server is a hub: what it stores still has to go upstream.
    pub hub: bool,
}

impl Context<'_> {
    /// Today where the record's village lies (DOMAIN.md §5.3): a visit made at 00:30 in
    /// Jayapura is dated a day the server, in WIB, has not reached yet.
    pub fn today_in(&self, area_code: &str) -> NaiveDate {
        let offset = pendamping_core::area::Zone::of_area(area_code)
            .and_then(|z| chrono::FixedOffset::east_opt(z.utc_offset_hours() * 3600))
            .unwrap_or(self.utc_offset);
        chrono::DateTime::from_timestamp_millis(self.now_ms)
            .unwrap_or_default()
            .with_timezone(&offset)
            .date_naive()
    }
}

/// A change as it arrived, its values left as JSON text until something needs them.
/// Borrowed from the request body: field names must be plain (unescaped) text, which
/// every valid field name is.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wire<'a> {
    pub change_id: Uuid,
    pub entity: Entity,
    pub row_id: Uuid,
    #[serde(borrow)]
    pub area_code: std::borrow::Cow<'a, str>,
    pub hlc: Hlc,
    #[serde(borrow)]
    pub fields: BTreeMap<&'a str, &'a RawValue>,
}

impl Wire<'_> {
    fn to_change(&self) -> serde_json::Result<Change> {
        Ok(Change {
            change_id: self.change_id,
            entity: self.entity,
            row_id: self.row_id,
            area_code: self.area_code.to_string(),
            hlc: self.hlc,
            fields: self
                .fields
                .iter()
                .map(|(k, v)| Ok((k.to_string(), serde_json::from_str(v.get())?)))
                .collect::<serde_json::Result<_>>()?,
        })
    }

    /// The record a new row's first change makes (`None` for a tombstone, or for an edit
    /// that arrived before the change that made the row), read straight from the JSON text.
    /// A tombstone or a partial row is checked field by field (`Record::checked`): a field
    /// its record cannot read is refused here, or every reader of the row would fail on it.
    fn record(&self) -> Result<Option<Record>, RecordError> {
        let whole = self.entity.fields().iter().all(|f| self.fields.contains_key(f));
        if !whole || self.fields.get(DELETED).is_some_and(|v| v.get() != "false") {
            let change = self.to_change().map_err(|e| RecordError {
                field: None,
                message: e.to_string(),
            })?;
            let mut state = merge::RowState::new();
            merge::apply(&mut state, &change);
            return Record::checked(self.entity, &self.row_id.to_string(), &state);
        }
        let mut text = String::with_capacity(512);
        text.push_str("{\"id\":\"");
        text.push_str(&self.row_id.to_string());
        text.push('"');
        for (k, v) in &self.fields {
            // Field names were checked against the entity's list: plain identifiers.
            text.push_str(",\"");
            text.push_str(k);
            text.push_str("\":");
            text.push_str(v.get());
        }
        text.push('}');
        Record::from_json(self.entity, &text).map(Some)
    }
}

fn reject(c: &Wire, code: RejectCode, field: Option<&str>, message: String) -> Rejection {
    Rejection {
        change_id: c.change_id,
        code,
        message,
        field: field.map(str::to_string),
    }
}

/// The checks that need no stored state.
fn precheck(c: &Wire, scope: &pendamping_protocol::Scope, ctx: &Context) -> Option<Rejection> {
    if let Some(bad) = c.fields.keys().find(|f| !c.entity.has_field(f)) {
        return Some(reject(
            c,
            RejectCode::UnknownField,
            Some(bad),
            format!("kolom {bad:?} tidak dikenal untuk {}", c.entity.as_str()),
        ));
    }
    if area::lookup(&c.area_code).is_none_or(|a| a.code.len() != 10) {
        return Some(reject(
            c,
            RejectCode::UnknownArea,
            Some("area_code"),
            format!("kode desa {:?} tidak ada dalam daftar Kemendagri", c.area_code),
        ));
    }
    if !scope.contains(&c.area_code) {
        return Some(reject(
            c,
            RejectCode::ForbiddenArea,
            Some("area_code"),
            format!("desa {} di luar wilayah perangkat ini", c.area_code),
        ));
    }
    if let Some(v) = c.fields.get("area_code")
        && serde_json::from_str::<String>(v.get()).ok().as_deref() != Some(&*c.area_code)
    {
        return Some(reject(
            c,
            RejectCode::Invalid,
            Some("area_code"),
            "kode desa dalam data tidak sama dengan kode desa perubahan".into(),
        ));
    }
    if c.hlc.millis > (ctx.now_ms.max(0) as u64).saturating_add(ctx.max_skew_ms) {
        tracing::warn!(change = %c.change_id, hlc = %c.hlc, "change stamped too far in the future; quarantined");
        return Some(reject(
            c,
            RejectCode::ClockSkew,
            Some("hlc"),
            "jam perangkat terlalu jauh di depan; periksa tanggal dan jam perangkat".into(),
        ));
    }
    None
}

fn quarantine(conn: &Connection, body: &str, device: &Device, r: &Rejection, now_ms: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO quarantine (change_id, device_id, code, field, message, body, received_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute((
        r.change_id.to_string(),
        &device.id,
        r.code.as_str(),
        &r.field,
        &r.message,
        body,
        now_ms,
    ))?;
    Ok(())
}

/// A push as received: each change, and its JSON text as sent (stored and served to
/// pulls as is, so it is never re-encoded).
pub struct Batch<'a> {
    pub seen: u64,
    pub changes: Vec<Wire<'a>>,
    pub bodies: &'a [String],
    /// Who made each change, when the pusher relays (`None`: the pusher).
    pub origins: Vec<Option<String>>,
    /// The origins' seals over the changes, each with the changes it covers (`seal::runs`),
    /// for a batch that came over the wire; `None` for changes made or pulled here, which
    /// are not checked again.
    pub seals: Option<Vec<(Seal, std::ops::Range<usize>)>>,
}

/// How a batch arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// Pushed by a device or a hub, checked against the pusher's rights.
    Pushed,
    /// Pulled by this hub from the centre, which checked it: its origins are taken as
    /// they are, and it is confirmed.
    FromUpstream,
}

/// Applies a push in one transaction and says what became of each change.
pub fn push(conn: &mut Connection, device: &Device, req: &Batch, ctx: &Context) -> Result<PushResponse> {
    let tx = conn.transaction()?;
    let out = apply(&tx, device, req, ctx, Arrival::Pushed)?;
    crate::auth::touch(&tx, &device.id, ctx.now_ms)?;
    let detail = format!(
        "accepted {}, duplicates {}, rejected {}",
        out.accepted,
        out.duplicates,
        out.rejected.len()
    );
    crate::audit::record(
        &tx,
        ctx.now_ms,
        &device.id,
        crate::audit::Action::Pushed,
        &device.id,
        &detail,
    )?;
    tx.commit()?;
    Ok(out)
}

/// The origin devices a batch names, looked up once each: their scope, if known here.
#[derive(Default)]
struct Origins {
    known: std::collections::HashMap<String, Option<pendamping_protocol::Scope>>,
}

impl Origins {
    /// The origin and the hub of change `c`, and the scope its rows are checked against
    /// (the origin's: a hub relays no more than its device may do), or why the pusher may
    /// not relay it.
    #[allow(clippy::type_complexity)]
    fn path<'s, 'a: 's>(
        &'s mut self,
        tx: &Connection,
        device: &'a Device,
        origin: Option<&'a str>,
        c: &Wire,
        arrival: Arrival,
    ) -> Result<std::result::Result<(&'a str, Option<&'a str>, &'s pendamping_protocol::Scope), Rejection>> {
        let Some(origin) = origin.filter(|o| *o != device.id) else {
            return Ok(Ok((&device.id, None, &device.scope)));
        };
        if arrival == Arrival::FromUpstream {
            return Ok(Ok((origin, None, &device.scope)));
        }
        let bad = |m: String| Ok(Err(reject(c, RejectCode::BadOrigin, None, m)));
        if !device.scope.role.may_relay() {
            return bad("perangkat ini tidak boleh meneruskan perubahan perangkat lain".into());
        }
        if !self.known.contains_key(origin) {
            let scope = crate::auth::scope_of(tx, origin)?;
            self.known.insert(origin.to_string(), scope);
        }
        match self.known.get(origin).and_then(Option::as_ref) {
            None => bad(format!("perangkat asal {origin} tidak dikenal server ini")),
            Some(s) if !s.contains(&c.area_code) => {
                bad(format!("desa {} di luar wilayah perangkat asal {origin}", c.area_code))
            }
            Some(s) => Ok(Ok((origin, Some(&device.id), s))),
        }
    }
}

/// Why a change is refused, before it is looked at further.
type Refusal = (RejectCode, String);

/// A change's seal (which, and its leaf), `None` for an unsigned change taken as such, or
/// why it is refused.
type Verdict<T> = std::result::Result<Option<T>, Refusal>;

/// What the seals of a pushed batch say of each change: checked once per seal, kept (on a
/// hub) once the first of its changes is stored.
#[derive(Default)]
struct Sealed {
    /// Per change: the seal it is under and its leaf, or why it is refused; `None` when its
    /// origin registered no key (enrolled by an older version).
    each: Vec<Verdict<(usize, u32)>>,
    /// Per seal: its origin and what a relay keeps, and its row here once stored.
    seals: Vec<(String, seal::Kept, Option<i64>)>,
}

impl Sealed {
    fn check(
        tx: &Connection,
        device: &Device,
        req: &Batch,
        seals: &[(Seal, std::ops::Range<usize>)],
    ) -> Result<Sealed> {
        let origin = |i: usize| req.origins.get(i).and_then(Option::as_deref).unwrap_or(&device.id);
        let mut keys: std::collections::HashMap<String, Option<pendamping_vault::PublicKey>> = Default::default();
        let mut key = |o: &str| -> Result<Option<pendamping_vault::PublicKey>> {
            if !keys.contains_key(o) {
                keys.insert(o.to_string(), crate::auth::public_key(tx, o)?);
            }
            Ok(keys[o])
        };
        let mut out = Sealed::default();
        for (seal, span) in seals {
            let span = span.clone();
            if seal.signature.is_none() {
                // Taken only from an origin that registered no key.
                for i in span {
                    out.each.push(match key(origin(i))? {
                        None => Ok(None),
                        Some(_) => Err((
                            RejectCode::Unsigned,
                            format!("perubahan tanpa tanda tangan perangkat asal {}", origin(i)),
                        )),
                    });
                }
                continue;
            }
            let who = origin(span.start);
            let verdict = if span.clone().any(|i| origin(i) != who) {
                Err((
                    RejectCode::BadOrigin,
                    "satu segel untuk perubahan beberapa perangkat".to_string(),
                ))
            } else {
                match key(who)? {
                    None => Err((
                        RejectCode::Unsigned,
                        format!("perangkat asal {who} tidak mendaftarkan kunci tanda tangan"),
                    )),
                    Some(k) => {
                        // The leaves are the changes as `Change` writes them; one that does not
                        // read as one is refused with its seal, never an error of the server's.
                        let changes = req.bodies[span.clone()]
                            .iter()
                            .map(|b| serde_json::from_str::<pendamping_core::Change>(b))
                            .collect::<serde_json::Result<Vec<_>>>();
                        match changes.map(|c| seal::open(seal, who, &k, &c)) {
                            Err(e) => Err((RejectCode::Invalid, format!("perubahan tidak terbaca: {e}"))),
                            Ok(Ok((kept, leaves))) => {
                                out.seals.push((who.to_string(), kept, None));
                                Ok(leaves)
                            }
                            Ok(Err(e)) => Err((
                                RejectCode::BadSignature,
                                format!("tanda tangan perangkat {who} tidak cocok: {e}"),
                            )),
                        }
                    }
                }
            };
            for k in 0..span.len() {
                out.each.push(match &verdict {
                    Ok(leaves) => Ok(Some((out.seals.len() - 1, leaves[k]))),
                    Err(e) => Err(e.clone()),
                });
            }
        }
        Ok(out)
    }

    /// Change `i`'s seal as stored here (kept on a hub only: the centre proves nothing on).
    fn of(&mut self, tx: &Connection, i: usize, hub: bool) -> Result<Verdict<(i64, u32)>> {
        let Some(verdict) = self.each.get(i) else {
            return Ok(Ok(None));
        };
        let (s, leaf) = match verdict {
            Err(e) => return Ok(Err(e.clone())),
            Ok(None) => return Ok(Ok(None)),
            Ok(Some(x)) => *x,
        };
        if !hub {
            return Ok(Ok(None));
        }
        let (origin, kept, row) = &mut self.seals[s];
        if row.is_none() {
            let blob = postcard::to_allocvec(kept).map_err(|e| crate::ServerError::Corrupt(e.to_string()))?;
            tx.prepare_cached("INSERT INTO seals (origin, kept) VALUES (?1, ?2)")?
                .execute((origin.as_str(), blob))?;
            *row = Some(tx.last_insert_rowid());
        }
        Ok(Ok(row.map(|r| (r, leaf))))
    }
}

/// Applies changes already parsed (a hub's pull from the centre, a merge made here) the
/// way a push is applied, inside the caller's transaction.
pub fn apply_changes(
    tx: &Connection,
    device: &Device,
    changes: &[Change],
    origins: &[Option<String>],
    seen: u64,
    ctx: &Context,
    arrival: Arrival,
) -> Result<PushResponse> {
    let bodies: Vec<String> = changes
        .iter()
        .map(serde_json::to_string)
        .collect::<serde_json::Result<_>>()
        .map_err(|e| crate::ServerError::Corrupt(e.to_string()))?;
    let wires: Vec<Wire> = bodies
        .iter()
        .map(|b| serde_json::from_str(b))
        .collect::<serde_json::Result<_>>()
        .map_err(|e| crate::ServerError::Corrupt(e.to_string()))?;
    let batch = Batch {
        seen,
        changes: wires,
        bodies: &bodies,
        origins: origins.to_vec(),
        seals: None,
    };
    apply(tx, device, &batch, ctx, arrival)
}

/// Applies a batch inside the caller's transaction.
pub fn apply(tx: &Connection, device: &Device, req: &Batch, ctx: &Context, arrival: Arrival) -> Result<PushResponse> {
    let mut out = PushResponse {
        held: ctx.hub,
        ..PushResponse::default()
    };
    let mut origins = Origins::default();
    let mut lookups = validate::Lookups::default();
    // A change refused before and accepted now leaves quarantine; most of the time there
    // is nothing there to look for.
    let quarantined: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM quarantine)", [], |r| r.get(0))?;
    let mut sealed = match &req.seals {
        Some(seals) => Sealed::check(tx, device, req, seals)?,
        None => Sealed::default(),
    };
    for (i, (c, body)) in req.changes.iter().zip(req.bodies).enumerate() {
        // The log's door: the text it keeps is read by every reader of it
        // (`shape::read_change`, the readers' own function), or it is not kept.
        if let Err(e) = shape::read_change(body) {
            let r = reject(c, RejectCode::Invalid, None, e.to_string());
            quarantine(tx, body, device, &r, ctx.now_ms)?;
            out.rejected.push(r);
            continue;
        }
        if store::change_known(tx, &c.change_id)? {
            out.accepted += 1;
            out.duplicates += 1;
            continue;
        }
        let seal = match sealed.of(tx, i, ctx.hub)? {
            Ok(s) => s,
            Err((code, message)) => {
                let r = reject(c, code, None, message);
                quarantine(tx, body, device, &r, ctx.now_ms)?;
                out.rejected.push(r);
                continue;
            }
        };
        let origin = req.origins.get(i).and_then(Option::as_deref);
        let (origin, via, scope) = match origins.path(tx, device, origin, c, arrival)? {
            Ok((origin, via, scope)) => (origin, via, scope.clone()),
            Err(r) => {
                quarantine(tx, body, device, &r, ctx.now_ms)?;
                out.rejected.push(r);
                continue;
            }
        };
        let path = store::Path {
            origin,
            via,
            upstream: (!ctx.hub || arrival == Arrival::FromUpstream).then_some(store::CONFIRMED),
            seal,
        };
        let outcome = apply_one(
            tx,
            device,
            req.seen,
            Arriving {
                c,
                body,
                path: &path,
                scope: &scope,
            },
            ctx,
            &mut lookups,
        )?;
        match outcome {
            Ok(conflicts) => {
                if quarantined {
                    tx.prepare_cached("DELETE FROM quarantine WHERE change_id = ?1")?
                        .execute([c.change_id.to_string()])?;
                }
                out.accepted += 1;
                out.conflicts.extend(conflicts);
            }
            Err(r) => {
                quarantine(tx, body, device, &r, ctx.now_ms)?;
                out.rejected.push(r);
            }
        }
    }
    Ok(out)
}

/// A change on its way into the log: as parsed, as sent, the path it took, and the scope
/// its rows are checked against (its origin's).
struct Arriving<'a> {
    c: &'a Wire<'a>,
    body: &'a str,
    path: &'a store::Path<'a>,
    scope: &'a pendamping_protocol::Scope,
}

fn apply_one(
    tx: &Connection,
    device: &Device,
    seen: u64,
    arriving: Arriving,
    ctx: &Context,
    lookups: &mut validate::Lookups,
) -> Result<std::result::Result<Vec<ConflictNote>, Rejection>> {
    let Arriving { c, body, path, scope } = arriving;
    if let Some(r) = precheck(c, scope, ctx) {
        return Ok(Err(r));
    }
    let before = match store::read(tx, c.entity, &c.row_id) {
        Ok(b) => b.unwrap_or_default(),
        // A row whose stored state cannot be read stops its own changes, never the batch.
        Err(crate::ServerError::Corrupt(why)) => {
            tracing::error!(row = %c.row_id, why, "a stored row does not read back; its change is refused");
            return Ok(Err(reject(
                c,
                RejectCode::Invalid,
                None,
                "data tersimpan baris ini tidak terbaca; hubungi admin".into(),
            )));
        }
        Err(e) => return Err(e),
    };
    if !before.area_code.is_empty() && !scope.contains(&before.area_code) {
        return Ok(Err(reject(
            c,
            RejectCode::ForbiddenArea,
            Some("area_code"),
            "data ini milik desa di luar wilayah perangkat ini".into(),
        )));
    }
    let id = c.row_id.to_string();
    if before.state.is_empty() {
        // A new row is its first change: nothing to merge, no conflict possible.
        if let Some(bad) = validate::check(tx, lookups, c.record(), ctx.today_in(&c.area_code), ctx.rules)? {
            return Ok(Err(reject(c, RejectCode::Invalid, bad.field.as_deref(), bad.message)));
        }
        let seq = store::append_change(tx, &c.change_id, &c.area_code, path, ctx.now_ms, body)?;
        store::write_new(tx, c.entity, &c.row_id, &c.area_code, seq)?;
        lookups.forget(c.entity, c.row_id);
        return Ok(Ok(Vec::new()));
    }
    let wire = c;
    let c = &match wire.to_change() {
        Ok(c) => c,
        Err(e) => return Ok(Err(reject(wire, RejectCode::Invalid, None, e.to_string()))),
    };
    let mut after = before.state.clone();
    let won = merge::apply(&mut after, c);
    let record = Record::checked(c.entity, &id, &after);
    if let Some(bad) = validate::check(tx, lookups, record, ctx.today_in(&c.area_code), ctx.rules)? {
        return Ok(Err(reject(
            wire,
            RejectCode::Invalid,
            bad.field.as_deref(),
            bad.message,
        )));
    }
    // A field another device wrote after what this device had seen: both edits were
    // made without knowing of the other. LWW has already picked the winner.
    let mut conflicts = Vec::new();
    for (field, value) in &c.fields {
        let Some(existing) = before.state.get(field) else {
            continue;
        };
        let written_at = before.seqs.get(field).copied().unwrap_or(0);
        if written_at as u64 > seen && existing.hlc.node != c.hlc.node && &existing.value != value {
            conflicts.push(ConflictNote {
                change_id: c.change_id,
                entity: c.entity,
                row_id: c.row_id,
                field: field.clone(),
                yours: value.clone(),
                your_hlc: c.hlc,
                theirs: existing.value.clone(),
                their_hlc: existing.hlc,
                winner: if won.contains(field) {
                    Winner::Yours
                } else {
                    Winner::Theirs
                },
            });
        }
    }
    let seq = store::append_change(tx, &c.change_id, &c.area_code, path, ctx.now_ms, body)?;
    for note in &conflicts {
        record_conflict(tx, note, device, ctx.now_ms)?;
    }
    let area_code = match after.get("area_code").map(|s| &s.value) {
        Some(Value::String(a)) => a.clone(),
        _ => c.area_code.clone(),
    };
    if !won.is_empty() {
        let mut rec = Stored {
            area_code,
            state: after,
            seqs: before.seqs,
        };
        for f in won {
            rec.seqs.insert(f, seq);
        }
        store::write(tx, c.entity, &c.row_id, &rec)?;
        lookups.forget(c.entity, c.row_id);
    }
    Ok(Ok(conflicts))
}

fn record_conflict(tx: &Connection, n: &ConflictNote, device: &Device, now_ms: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO conflicts (entity, row_id, field, pushed_value, pushed_hlc, existing_value, existing_hlc, \
         winner, change_id, device_id, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute((
        n.entity.as_str(),
        n.row_id.to_string(),
        &n.field,
        n.yours.to_string(),
        n.your_hlc.to_string(),
        n.theirs.to_string(),
        n.their_hlc.to_string(),
        match n.winner {
            Winner::Yours => "pushed",
            Winner::Theirs => "existing",
        },
        n.change_id.to_string(),
        &device.id,
        now_ms,
    ))?;
    Ok(())
}
