//! Push: a batch of changes applied in one transaction. Each change is checked on its
//! own — scope, fields, clock, the record's validity — and a refused change is
//! quarantined and reported, never blocking the good ones beside it.

use chrono::NaiveDate;
use pendamping_core::change::DELETED;
use pendamping_core::merge;
use pendamping_core::record::Record;

use pendamping_core::{Change, Entity, Rules, area, shape};
use pendamping_protocol::seal::{self, Seal};
use pendamping_protocol::{ConflictNote, PushResponse, RejectCode, Rejection, Winner};
use serde_json::Value;
use uuid::Uuid;

use crate::auth::Device;
use crate::error::Result;
use crate::storage::{ChangeLog, NewChange, Quarantined, Stored, Tx, Upstream};
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
    /// Today where the record's village lies (docs/src/design/domain.md §5.3): a visit made at 00:30 in
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

/// A change of a batch, decoded once at the door (`crate::push`): the change, and its text
/// as the log keeps it (written once from the change, checked by the scan every reader of
/// the log reads through), or why it cannot be taken.
pub enum Decoded {
    Taken(Arrived),
    /// Its text does not pass the log's door: quarantined with its reason, never stored.
    /// `leaf`: its leaf in its origin's seal, when it reads as a change at all (a change the
    /// door refuses must not take the good ones under the same seal with it).
    Unreadable {
        change_id: Uuid,
        body: String,
        why: String,
        leaf: Option<seal::Digest>,
    },
}

/// A change that passed the door.
pub struct Arrived {
    pub change: Change,
    /// The text the log keeps, served to pulls as it is: a JSON push's change as sent (the
    /// door read it), or `change` written once.
    pub body: String,
    /// `body` is `change` as `Change` writes it (its seal's leaf is the body's hash).
    pub written: bool,
}

impl Arrived {
    /// The change's leaf in its origin's seal: over `Change`'s own writing of it.
    fn leaf(&self) -> seal::Digest {
        if self.written {
            seal::leaf_of_text(self.body.as_bytes())
        } else {
            seal::leaf(&self.change)
        }
    }
}

impl Decoded {
    /// `change` taken at the door: written once as the log's text, which is scanned as
    /// every reader of the log scans it (`shape::check_text`).
    pub fn of(change: Change) -> Decoded {
        // Writing plain data cannot fail.
        let body = serde_json::to_string(&change).unwrap_or_default();
        match shape::check_text(&body) {
            Ok(()) => Decoded::Taken(Arrived {
                change,
                body,
                written: true,
            }),
            Err(e) => Decoded::Unreadable {
                change_id: change.change_id,
                leaf: Some(seal::leaf_of_text(body.as_bytes())),
                body,
                why: e.to_string(),
            },
        }
    }

    /// The text the log would keep (or the text that was refused), and whether it was taken.
    pub fn text(&self) -> (&str, bool) {
        match self {
            Decoded::Taken(a) => (&a.body, true),
            Decoded::Unreadable { body, .. } => (body, false),
        }
    }
}

/// Why a row as merged is refused, if it is: every field it holds read by its record's
/// type (`Record::checked`: a field its record cannot read is refused here, or every reader
/// of the row would fail on it), then the record's checks, or, for a row not whole yet, the
/// checks of the fields it holds (`validate::check_partial`).
fn check_row(
    tx: &mut dyn Tx,
    lookups: &mut validate::Lookups,
    c: &Change,
    state: &merge::RowState,
    ctx: &Context,
) -> Result<Option<validate::Invalid>> {
    let record = Record::checked(c.entity, &c.row_id.to_string(), state);
    Ok(
        match validate::check(tx, lookups, record, ctx.today_in(&c.area_code), ctx.rules)? {
            None => validate::check_partial(c.entity, &c.row_id, state),
            bad => bad,
        },
    )
}

/// Why a new row's first change is refused, if it is. A whole, live row is read straight
/// from the change's values; a tombstone or an edit that arrived before the change that made
/// the row is checked as the row it makes.
fn check_first(
    tx: &mut dyn Tx,
    lookups: &mut validate::Lookups,
    c: &Change,
    ctx: &Context,
) -> Result<Option<validate::Invalid>> {
    let whole = c.entity.fields().iter().all(|f| c.fields.contains_key(*f));
    if whole && c.fields.get(DELETED).is_none_or(|v| v == &Value::Bool(false)) {
        let record = Record::from_fields(c.entity, &c.row_id, &c.fields).map(Some);
        return validate::check(tx, lookups, record, ctx.today_in(&c.area_code), ctx.rules);
    }
    let mut state = merge::RowState::new();
    merge::apply(&mut state, c);
    check_row(tx, lookups, c, &state, ctx)
}

fn reject(change_id: Uuid, code: RejectCode, field: Option<&str>, message: String) -> Rejection {
    Rejection {
        change_id,
        code,
        message,
        field: field.map(str::to_string),
    }
}

/// The checks that need no stored state.
fn precheck(c: &Change, scope: &pendamping_protocol::Scope, ctx: &Context) -> Option<Rejection> {
    if let Some(bad) = c.fields.keys().find(|f| !c.entity.has_field(f)) {
        return Some(reject(
            c.change_id,
            RejectCode::UnknownField,
            Some(bad),
            format!("kolom {bad:?} tidak dikenal untuk {}", c.entity.as_str()),
        ));
    }
    if area::lookup(&c.area_code).is_none_or(|a| a.code.len() != 10) {
        return Some(reject(
            c.change_id,
            RejectCode::UnknownArea,
            Some("area_code"),
            format!("kode desa {:?} tidak ada dalam daftar Kemendagri", c.area_code),
        ));
    }
    if !scope.contains(&c.area_code) {
        return Some(reject(
            c.change_id,
            RejectCode::ForbiddenArea,
            Some("area_code"),
            format!("desa {} di luar wilayah perangkat ini", c.area_code),
        ));
    }
    if let Some(v) = c.fields.get("area_code")
        && v.as_str() != Some(c.area_code.as_str())
    {
        return Some(reject(
            c.change_id,
            RejectCode::Invalid,
            Some("area_code"),
            "kode desa dalam data tidak sama dengan kode desa perubahan".into(),
        ));
    }
    if c.hlc.millis > (ctx.now_ms.max(0) as u64).saturating_add(ctx.max_skew_ms) {
        tracing::warn!(change = %c.change_id, hlc = %c.hlc, "change stamped too far in the future; quarantined");
        return Some(reject(
            c.change_id,
            RejectCode::ClockSkew,
            Some("hlc"),
            "jam perangkat terlalu jauh di depan; periksa tanggal dan jam perangkat".into(),
        ));
    }
    None
}

fn quarantine(log: &mut dyn ChangeLog, body: &str, device: &Device, r: &Rejection, now_ms: i64) -> Result<()> {
    log.quarantine(&Quarantined {
        rejection: r,
        device_id: &device.id,
        body,
        received_at: now_ms,
    })?;
    Ok(())
}

/// A push as decoded: each change, and its text as the log keeps it.
pub struct Batch {
    pub seen: u64,
    pub changes: Vec<Decoded>,
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

/// What a batch did: the answer to its pusher, and where each change it appended went in
/// the log (its sequence, and its index in the batch), for the view to take as decoded.
pub struct Applied {
    pub response: PushResponse,
    pub appended: Vec<(i64, usize)>,
}

/// Applies a push in the caller's transaction and says what became of each change.
pub fn push(tx: &mut dyn Tx, device: &Device, req: &Batch, ctx: &Context) -> Result<Applied> {
    let applied = apply(tx, device, req, ctx, Arrival::Pushed)?;
    let out = &applied.response;
    tx.touch(&device.id, ctx.now_ms)?;
    let detail = format!(
        "accepted {}, duplicates {}, rejected {}",
        out.accepted,
        out.duplicates,
        out.rejected.len()
    );
    crate::audit::record(
        tx,
        ctx.now_ms,
        &device.id,
        crate::audit::Action::Pushed,
        &device.id,
        &detail,
    )?;
    Ok(applied)
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
        tx: &mut dyn Tx,
        device: &'a Device,
        origin: Option<&'a str>,
        c: &Change,
        arrival: Arrival,
    ) -> Result<std::result::Result<(&'a str, Option<&'a str>, &'s pendamping_protocol::Scope), Rejection>> {
        let Some(origin) = origin.filter(|o| *o != device.id) else {
            return Ok(Ok((&device.id, None, &device.scope)));
        };
        if arrival == Arrival::FromUpstream {
            return Ok(Ok((origin, None, &device.scope)));
        }
        let bad = |m: String| Ok(Err(reject(c.change_id, RejectCode::BadOrigin, None, m)));
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
        tx: &mut dyn Tx,
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
                        // The leaves are the changes as `Change` writes them: the log's text. One
                        // the door refused is refused with its seal, never an error of the
                        // server's.
                        let leaves = req.changes[span.clone()]
                            .iter()
                            .map(|d| match d {
                                Decoded::Taken(a) => Ok(a.leaf()),
                                Decoded::Unreadable { leaf: Some(l), .. } => Ok(*l),
                                Decoded::Unreadable { why, .. } => Err(why.clone()),
                            })
                            .collect::<std::result::Result<Vec<_>, String>>();
                        match leaves.map(|l| seal::open_leaves(seal, who, &k, l)) {
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
    fn of(&mut self, tx: &mut dyn Tx, i: usize, hub: bool) -> Result<Verdict<(i64, u32)>> {
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
            *row = Some(tx.keep_seal(origin, &blob)?);
        }
        Ok(Ok(row.map(|r| (r, leaf))))
    }
}

/// Applies changes already parsed (a hub's pull from the centre, a merge made here) the
/// way a push is applied, inside the caller's transaction.
pub fn apply_changes(
    tx: &mut dyn Tx,
    device: &Device,
    changes: &[Change],
    origins: &[Option<String>],
    seen: u64,
    ctx: &Context,
    arrival: Arrival,
) -> Result<PushResponse> {
    let batch = Batch {
        seen,
        changes: changes.iter().cloned().map(Decoded::of).collect(),
        origins: origins.to_vec(),
        seals: None,
    };
    Ok(apply(tx, device, &batch, ctx, arrival)?.response)
}

/// Applies a batch inside the caller's transaction.
pub fn apply(tx: &mut dyn Tx, device: &Device, req: &Batch, ctx: &Context, arrival: Arrival) -> Result<Applied> {
    let mut appended = Vec::new();
    let mut out = PushResponse {
        held: ctx.hub,
        ..PushResponse::default()
    };
    let mut origins = Origins::default();
    let mut lookups = validate::Lookups::default();
    // A change refused before and accepted now leaves quarantine; most of the time there
    // is nothing there to look for.
    let quarantined = tx.any_quarantined()?;
    let mut sealed = match &req.seals {
        Some(seals) => Sealed::check(tx, device, req, seals)?,
        None => Sealed::default(),
    };
    let expected: Vec<(Uuid, Entity, Uuid)> = req
        .changes
        .iter()
        .filter_map(|d| match d {
            Decoded::Taken(a) => Some((a.change.change_id, a.change.entity, a.change.row_id)),
            Decoded::Unreadable { .. } => None,
        })
        .collect();
    tx.expect(&expected)?;
    for (i, decoded) in req.changes.iter().enumerate() {
        let (c, body) = match decoded {
            Decoded::Taken(a) => (&a.change, a.body.as_str()),
            // The log's door: the text it keeps is read by every reader of it, or it is
            // not kept.
            Decoded::Unreadable {
                change_id, body, why, ..
            } => {
                let r = reject(*change_id, RejectCode::Invalid, None, why.clone());
                quarantine(tx, body, device, &r, ctx.now_ms)?;
                out.rejected.push(r);
                continue;
            }
        };
        if tx.change_known(&c.change_id)? {
            out.accepted += 1;
            out.duplicates += 1;
            continue;
        }
        let seal = match sealed.of(tx, i, ctx.hub)? {
            Ok(s) => s,
            Err((code, message)) => {
                let r = reject(c.change_id, code, None, message);
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
        let path = Path {
            origin,
            via,
            upstream: (!ctx.hub || arrival == Arrival::FromUpstream).then_some(Upstream::Confirmed),
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
            Ok((conflicts, seq)) => {
                if quarantined {
                    tx.release(&c.change_id)?;
                }
                out.accepted += 1;
                out.conflicts.extend(conflicts);
                appended.push((seq, i));
            }
            Err(r) => {
                quarantine(tx, body, device, &r, ctx.now_ms)?;
                out.rejected.push(r);
            }
        }
    }
    Ok(Applied {
        response: out,
        appended,
    })
}

/// A change on its way into the log: as parsed, as sent, the path it took, and the scope
/// its rows are checked against (its origin's).
struct Arriving<'a> {
    c: &'a Change,
    body: &'a str,
    path: &'a Path<'a>,
    scope: &'a pendamping_protocol::Scope,
}

fn apply_one(
    tx: &mut dyn Tx,
    device: &Device,
    seen: u64,
    arriving: Arriving,
    ctx: &Context,
    lookups: &mut validate::Lookups,
) -> Result<std::result::Result<(Vec<ConflictNote>, i64), Rejection>> {
    let Arriving { c, body, path, scope } = arriving;
    if let Some(r) = precheck(c, scope, ctx) {
        return Ok(Err(r));
    }
    let before = match tx.record(c.entity, &c.row_id).map_err(crate::ServerError::from) {
        Ok(b) => b.unwrap_or_default(),
        // A row whose stored state cannot be read stops its own changes, never the batch.
        Err(crate::ServerError::Corrupt(why)) => {
            tracing::error!(row = %c.row_id, why, "a stored row does not read back; its change is refused");
            return Ok(Err(reject(
                c.change_id,
                RejectCode::Invalid,
                None,
                "data tersimpan baris ini tidak terbaca; hubungi admin".into(),
            )));
        }
        Err(e) => return Err(e),
    };
    if !before.area_code.is_empty() && !scope.contains(&before.area_code) {
        return Ok(Err(reject(
            c.change_id,
            RejectCode::ForbiddenArea,
            Some("area_code"),
            "data ini milik desa di luar wilayah perangkat ini".into(),
        )));
    }
    if before.state.is_empty() {
        // A new row is its first change: nothing to merge, no conflict possible.
        if let Some(bad) = check_first(tx, lookups, c, ctx)? {
            return Ok(Err(reject(
                c.change_id,
                RejectCode::Invalid,
                bad.field.as_deref(),
                bad.message,
            )));
        }
        let seq = tx.append(&path.change(&c.change_id, &c.area_code, ctx.now_ms, body))?;
        tx.put_first(c.entity, &c.row_id, &c.area_code, seq)?;
        lookups.forget(c.entity, c.row_id);
        return Ok(Ok((Vec::new(), seq)));
    }
    let mut after = before.state.clone();
    let won = merge::apply(&mut after, c);
    if let Some(bad) = check_row(tx, lookups, c, &after, ctx)? {
        return Ok(Err(reject(
            c.change_id,
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
    let seq = tx.append(&path.change(&c.change_id, &c.area_code, ctx.now_ms, body))?;
    for note in &conflicts {
        tx.note_conflict(note, &device.id, ctx.now_ms)?;
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
        tx.put_record(c.entity, &c.row_id, &rec)?;
        lookups.forget(c.entity, c.row_id);
    }
    Ok(Ok((conflicts, seq)))
}

/// Where a change came from and how far it has gone, as the log keeps it.
struct Path<'a> {
    /// The device that made it.
    origin: &'a str,
    /// The hub it came through, if any.
    via: Option<&'a str>,
    /// `None` on a hub until it is sent upstream; confirmed at the centre and for what a
    /// hub pulled from it.
    upstream: Option<Upstream>,
    /// On a hub: the seal and the leaf this change is of it, to prove it to the centre.
    seal: Option<(i64, u32)>,
}

impl Path<'_> {
    fn change<'b>(&'b self, change_id: &'b Uuid, area_code: &'b str, now_ms: i64, body: &'b str) -> NewChange<'b> {
        NewChange {
            change_id,
            area_code,
            origin: self.origin,
            via: self.via,
            upstream: self.upstream,
            seal: self.seal,
            received_at: now_ms,
            body,
        }
    }
}
