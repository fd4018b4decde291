//! The packed batch: changes laid out by entity and by field, for 2G links (docs/src/design/sync.md,
//! economy). The JSON form of a change repeats its keys, spells its ids and stamps in
//! hex and its numbers in decimal text; here each column of a batch sits together (every
//! visit's weight, then every visit's length…), numbers are varints, dates are days from
//! the change's own day, and UUIDv7 ids are split into their parts: the 62-bit salt is
//! named once per batch and an id becomes a small time difference and a count
//! (`pendamping_core::ids`). HTTP compression (zstd) then works on runs of like values.
//!
//! Exact: `unpack(pack(changes)) == changes` for every change, whatever its values (a
//! value the columns cannot say exactly travels as its JSON text). Hostile input is a
//! `WireError`, never a panic: every count and index is checked before use.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate};
use pendamping_core::ids::{SESSION_BITS, salt, v7_from_parts, v7_parts};
use pendamping_core::shape::{self, MAX_PATH_PARTS};
use pendamping_core::{Change, Entity, Hlc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};
use uuid::Uuid;

/// The media type of a packed push body and of a packed pull answer.
pub const MEDIA_TYPE: &str = "application/vnd.pendamping.batch";

/// The media type of a pull answer that streams its pages: each page a packed batch (head
/// `PullHead`), framed by its length, the whole body compressed as one stream and flushed
/// after every page (`codec::StreamEncoder`). One request for the whole pull; a cut costs
/// only the page that was on the wire, every page before it is applied and its cursor kept.
pub const PAGES_MEDIA_TYPE: &str = "application/vnd.pendamping.pages";

/// A page framed for a `PAGES_MEDIA_TYPE` body: its length (4 bytes, little-endian), then it.
pub fn frame(page: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(page.len() + 4);
    out.extend_from_slice(&(page.len() as u32).to_le_bytes());
    out.extend_from_slice(page);
    out
}

/// Takes the first whole frame off `buf`, if it has one. A frame longer than `max` is an
/// error: nothing that large is ever sent.
pub fn next_frame(buf: &mut Vec<u8>, max: usize) -> Result<Option<Vec<u8>>, WireError> {
    let Some(len) = buf.get(..4) else {
        return Ok(None);
    };
    let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
    if len > max {
        return Err(WireError::Inconsistent("a frame longer than any page"));
    }
    if buf.len() < 4 + len {
        return Ok(None);
    }
    let page = buf[4..4 + len].to_vec();
    buf.drain(..4 + len);
    Ok(Some(page))
}

/// The first bytes of a packed body, with the layout's version.
const MAGIC: &[u8; 4] = b"PDB1";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("not a packed batch (wrong magic bytes)")]
    Magic,
    #[error("packed batch does not decode: {0}")]
    Decode(String),
    #[error("packed batch is inconsistent: {0}")]
    Inconsistent(&'static str),
    #[error("packed batch holds more than {0} changes")]
    TooMany(usize),
    #[error("packed batch would take more memory than its size allows")]
    TooLarge,
}

/// A packed body: `head` (the request's or answer's own fields), then the changes.
#[derive(Serialize, Deserialize)]
struct Packed<H> {
    head: H,
    #[serde(deserialize_with = "budgeted")]
    nodes: Vec<u64>,
    salts: Salts,
    #[serde(deserialize_with = "budgeted")]
    areas: Vec<String>,
    /// The ids field values name (a visit's enrolment, person, household), each once,
    /// in order, each relative to the one before: a value is then an index here.
    refs: Ids,
    #[serde(deserialize_with = "budgeted")]
    groups: Vec<Group>,
}

/// The changes of one entity, column by column, in batch order.
#[derive(Serialize, Deserialize)]
struct Group {
    entity: Entity,
    /// Each change's HLC milliseconds, as the difference from the change before.
    #[serde(deserialize_with = "budgeted")]
    millis: Vec<i64>,
    #[serde(deserialize_with = "budgeted")]
    counters: Vec<u32>,
    #[serde(deserialize_with = "budgeted")]
    nodes: Vec<u32>,
    #[serde(deserialize_with = "budgeted")]
    areas: Vec<u32>,
    /// Where each change sits in the batch (the difference from the one before, minus
    /// one): the batch keeps its order across groups.
    #[serde(deserialize_with = "budgeted")]
    order: Vec<u32>,
    /// Relative to each change's HLC milliseconds.
    change_ids: Ids,
    row_ids: Ids,
    #[serde(deserialize_with = "budgeted")]
    columns: Vec<Column>,
}

/// The `rand_b` values of a batch's ids (`pendamping_core::ids`): each device part once,
/// then each salt as (device part's index, session part).
#[derive(Default, Serialize, Deserialize)]
struct Salts {
    #[serde(deserialize_with = "budgeted")]
    devices: Vec<u64>,
    #[serde(deserialize_with = "budgeted")]
    salts: Vec<(u32, u32)>,
}

impl Salts {
    fn of(all: &[u64]) -> Salts {
        let mut devices = Table::new();
        let salts = all
            .iter()
            .map(|b| (devices.of(&(b >> SESSION_BITS)), (b & ((1 << SESSION_BITS) - 1)) as u32))
            .collect();
        Salts {
            devices: devices.items,
            salts,
        }
    }

    fn read(&self) -> Result<Vec<u64>, WireError> {
        self.salts
            .iter()
            .map(|(d, session)| {
                let device = get(&self.devices, *d, "salt device index")?;
                if device >> (62 - SESSION_BITS) != 0 || *session >> SESSION_BITS != 0 {
                    return Err(WireError::Inconsistent("salt"));
                }
                Ok(salt(device, *session))
            })
            .collect()
    }
}

/// A column of UUIDs, each relative to a time of reference, part by part so that like
/// parts sit together: a UUIDv7's milliseconds (as a difference), its `rand_a`, and its
/// `rand_b` as an index into the batch's salts. An id that is not a UUIDv7 has `NOT_V7`
/// for its salt and its bytes, in turn, in `other`.
#[derive(Default, Serialize, Deserialize)]
struct Ids {
    #[serde(deserialize_with = "budgeted")]
    ms: Vec<i64>,
    #[serde(deserialize_with = "budgeted")]
    a: Vec<u16>,
    #[serde(deserialize_with = "budgeted")]
    salt: Vec<u32>,
    #[serde(deserialize_with = "budgeted")]
    other: Vec<[u8; 16]>,
}

const NOT_V7: u32 = u32::MAX;

impl Ids {
    fn len(&self) -> usize {
        self.salt.len()
    }

    fn check(&self) -> Result<(), WireError> {
        let v7 = self.salt.iter().filter(|s| **s != NOT_V7).count();
        if self.ms.len() != v7 || self.a.len() != v7 || self.other.len() != self.len() - v7 {
            return Err(WireError::Inconsistent("an id column's parts"));
        }
        Ok(())
    }
}

/// Reads an `Ids` column in order.
struct IdReader<'a> {
    ids: &'a Ids,
    v7: usize,
    other: usize,
    at: usize,
}

impl<'a> IdReader<'a> {
    fn new(ids: &'a Ids) -> Result<IdReader<'a>, WireError> {
        ids.check()?;
        Ok(IdReader {
            ids,
            v7: 0,
            other: 0,
            at: 0,
        })
    }

    fn next(&mut self, base_ms: u64, salts: &[u64]) -> Result<Uuid, WireError> {
        let salt = *self
            .ids
            .salt
            .get(self.at)
            .ok_or(WireError::Inconsistent("too few ids"))?;
        self.at += 1;
        if salt == NOT_V7 {
            self.other += 1;
            return Ok(Uuid::from_bytes(self.ids.other[self.other - 1]));
        }
        let (ms, a) = (self.ids.ms[self.v7], self.ids.a[self.v7]);
        self.v7 += 1;
        let ms = (base_ms as i64)
            .checked_add(ms)
            .and_then(|t| u64::try_from(t).ok())
            .filter(|t| *t < 1 << 48)
            .ok_or(WireError::Inconsistent("id time"))?;
        if a > 0xFFF {
            return Err(WireError::Inconsistent("id count"));
        }
        Ok(v7_from_parts(ms, a, get(salts, salt, "salt index")?))
    }
}

/// One field (or a field inside a JSON object, `data.weight_kg`) over a group's rows.
#[derive(Serialize, Deserialize)]
struct Column {
    path: String,
    /// The rows that have it, as differences minus one; `None`: every row.
    #[serde(deserialize_with = "budgeted_rows")]
    rows: Option<Vec<u32>>,
    #[serde(deserialize_with = "budgeted")]
    values: Vec<Val>,
}

#[derive(Serialize, Deserialize)]
enum Val {
    Null,
    False,
    True,
    Int(i64),
    /// A decimal of a few places, exactly: 8.5 is (85, 1).
    Dec(i64, u8),
    Float(f64),
    Str(String),
    /// A `YYYY-MM-DD` date, as days from the change's own day.
    Date(i32),
    /// A UUID, by its index in the batch's `refs`.
    Ref(u32),
    /// Anything else (an array, an empty object, a number beyond i64), as JSON text.
    Json(String),
}

/// What decoding a packed body may still allocate, in the units of `cost` (what the
/// changes will take once built): charged element by element as each is decoded, so a body
/// that would build more than its bounds allow is refused before the rest of it is read,
/// and decoding never allocates by a count the body merely states.
mod budget {
    use std::cell::Cell;

    thread_local! {
        /// What is left to spend; `None` outside `within` (nothing is counted).
        static LEFT: Cell<Option<usize>> = const { Cell::new(None) };
        static EXHAUSTED: Cell<bool> = const { Cell::new(false) };
    }

    /// Runs `f` with `bytes` to spend; its result, and whether it ran out.
    pub fn within<T>(bytes: usize, f: impl FnOnce() -> T) -> (T, bool) {
        let before = (LEFT.replace(Some(bytes)), EXHAUSTED.replace(false));
        let out = f();
        LEFT.set(before.0);
        (out, EXHAUSTED.replace(before.1))
    }

    /// Takes `n` from what is left; false when there is not that much.
    pub fn charge(n: usize) -> bool {
        match LEFT.get() {
            None => true,
            Some(left) if left >= n => {
                LEFT.set(Some(left - n));
                true
            }
            Some(_) => {
                EXHAUSTED.set(true);
                false
            }
        }
    }
}

/// What an element will cost once the changes are built (`cost`'s units).
trait Weigh {
    fn weight(&self) -> usize {
        std::mem::size_of_val(self)
    }
}

impl Weigh for u64 {}
impl Weigh for i64 {}
impl Weigh for u32 {}
impl Weigh for u16 {}
impl Weigh for (u32, u32) {}
impl Weigh for [u8; 16] {}
impl Weigh for String {
    fn weight(&self) -> usize {
        std::mem::size_of::<String>() + self.len()
    }
}
impl Weigh for Group {
    fn weight(&self) -> usize {
        std::mem::size_of::<Group>()
    }
}
impl Weigh for Column {
    fn weight(&self) -> usize {
        std::mem::size_of::<Column>() + self.path.len() * (1 + self.values.len())
    }
}
/// A cell, once built: its value and its entry in a map (`cost`).
const CELL_COST: usize = std::mem::size_of::<Value>() + 160;

impl Weigh for Val {
    fn weight(&self) -> usize {
        CELL_COST
            + match self {
                Val::Str(s) => s.len(),
                Val::Json(text) => 32 * text.len(),
                _ => 0,
            }
    }
}

/// A sequence decoded element by element, each charged to the budget before the next.
fn budgeted<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Weigh,
{
    struct Seq<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de> + Weigh> serde::de::Visitor<'de> for Seq<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a sequence")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            // A stated count is a claim: grow as elements arrive, from a small start.
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
            while let Some(item) = seq.next_element::<T>()? {
                if !budget::charge(item.weight()) {
                    return Err(serde::de::Error::custom(OVER_BUDGET));
                }
                out.push(item);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Seq(std::marker::PhantomData))
}

fn budgeted_rows<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<u32>>, D::Error> {
    #[derive(Deserialize)]
    struct Rows(#[serde(deserialize_with = "budgeted")] Vec<u32>);
    Ok(Option::<Rows>::deserialize(d)?.map(|r| r.0))
}

const OVER_BUDGET: &str = "over its budget";

/// Interns values into a table, by index.
struct Table<T> {
    items: Vec<T>,
    index: HashMap<T, u32>,
}

impl<T: std::hash::Hash + Eq + Clone> Table<T> {
    fn new() -> Self {
        Table {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }

    fn of(&mut self, v: &T) -> u32 {
        if let Some(i) = self.index.get(v) {
            return *i;
        }
        let i = self.items.len() as u32;
        self.items.push(v.clone());
        self.index.insert(v.clone(), i);
        i
    }
}

struct Packer {
    nodes: Table<u64>,
    salts: Table<u64>,
    areas: Table<String>,
    /// Ids named in values, as first met; sorted and renumbered at the end.
    refs: Table<Uuid>,
}

fn day_of(ms: u64) -> NaiveDate {
    DateTime::from_timestamp_millis(ms as i64)
        .unwrap_or_default()
        .date_naive()
}

impl Packer {
    fn id(&mut self, into: &mut Ids, id: Uuid, base_ms: u64) {
        match v7_parts(id) {
            Some((ms, a, b)) => {
                into.ms.push(ms as i64 - base_ms as i64);
                into.a.push(a);
                into.salt.push(self.salts.of(&b));
            }
            None => {
                into.salt.push(NOT_V7);
                into.other.push(*id.as_bytes());
            }
        }
    }

    fn val(&mut self, v: &Value, base_ms: u64) -> Val {
        match v {
            Value::Null => Val::Null,
            Value::Bool(false) => Val::False,
            Value::Bool(true) => Val::True,
            Value::Number(n) => number(n),
            Value::String(s) => {
                if let Ok(id) = Uuid::try_parse(s)
                    && id.hyphenated().to_string() == *s
                {
                    return Val::Ref(self.refs.of(&id));
                }
                if s.len() == 10
                    && let Ok(d) = s.parse::<NaiveDate>()
                    && d.to_string() == *s
                {
                    return Val::Date((d - day_of(base_ms)).num_days() as i32);
                }
                Val::Str(s.clone())
            }
            other => Val::Json(other.to_string()),
        }
    }
}

/// A number as the most compact value that gives it back exactly.
fn number(n: &Number) -> Val {
    if let Some(i) = n.as_i64() {
        return Val::Int(i);
    }
    if n.is_u64() {
        return Val::Json(n.to_string());
    }
    let f = n.as_f64().unwrap_or_default();
    for places in 1..=4u8 {
        let scale = 10f64.powi(places as i32);
        let m = (f * scale).round();
        if m.abs() < 1e15 && m / scale == f {
            return Val::Dec(m as i64, places);
        }
    }
    Val::Float(f)
}

/// A field's value as (path, leaf) pairs: a non-empty object whose keys are plain is
/// split into its members, anything else is one leaf.
fn leaves<'v>(path: String, v: &'v Value, out: &mut Vec<(String, &'v Value)>) {
    match v {
        Value::Object(m) if !m.is_empty() && m.keys().all(|k| !k.is_empty() && !k.contains('.')) => {
            for (k, x) in m {
                leaves(format!("{path}.{k}"), x, out);
            }
        }
        _ => out.push((path, v)),
    }
}

/// A column being filled: the rows that have the field, and their values.
type Cells = (Vec<u32>, Vec<Val>);

/// Packs `changes` with `head` (a request's or an answer's own fields).
pub fn pack<H: Serialize>(head: H, changes: &[Change]) -> Vec<u8> {
    let mut p = Packer {
        nodes: Table::new(),
        salts: Table::new(),
        areas: Table::new(),
        refs: Table::new(),
    };
    let mut groups: Vec<Group> = Vec::new();
    // Per group: its columns by path, and where each group last put a change.
    let mut columns: Vec<BTreeMap<String, Cells>> = Vec::new();
    let mut last: Vec<(i64, u64)> = Vec::new();
    for (pos, c) in changes.iter().enumerate() {
        let g = match groups.iter().position(|g| g.entity == c.entity) {
            Some(g) => g,
            None => {
                groups.push(Group {
                    entity: c.entity,
                    millis: Vec::new(),
                    counters: Vec::new(),
                    nodes: Vec::new(),
                    areas: Vec::new(),
                    order: Vec::new(),
                    change_ids: Ids::default(),
                    row_ids: Ids::default(),
                    columns: Vec::new(),
                });
                columns.push(BTreeMap::new());
                last.push((-1, 0));
                groups.len() - 1
            }
        };
        let row = groups[g].millis.len() as u32;
        let (last_pos, last_ms) = last[g];
        let ms = c.hlc.millis;
        let node = p.nodes.of(&c.hlc.node);
        let area = p.areas.of(&c.area_code);
        let group = &mut groups[g];
        p.id(&mut group.change_ids, c.change_id, ms);
        p.id(&mut group.row_ids, c.row_id, ms);
        group.order.push((pos as i64 - last_pos - 1) as u32);
        group.millis.push(ms as i64 - last_ms as i64);
        group.counters.push(c.hlc.counter);
        group.nodes.push(node);
        group.areas.push(area);
        last[g] = (pos as i64, ms);
        let mut flat = Vec::new();
        for (name, v) in &c.fields {
            leaves(name.clone(), v, &mut flat);
        }
        for (path, v) in flat {
            let val = p.val(v, ms);
            let (rows, values) = columns[g].entry(path).or_default();
            rows.push(row);
            values.push(val);
        }
    }
    // Ids in time order (v7 ids sort by time), each relative to the one before.
    let mut sorted: Vec<(Uuid, u32)> = p.refs.items.iter().copied().zip(0..).collect();
    sorted.sort_unstable();
    let mut renumber = vec![0u32; sorted.len()];
    let mut refs = Ids::default();
    let mut prev_ms = 0;
    for (new, (id, old)) in sorted.into_iter().enumerate() {
        renumber[old as usize] = new as u32;
        p.id(&mut refs, id, prev_ms);
        prev_ms = v7_parts(id).map_or(prev_ms, |(ms, ..)| ms);
    }
    for (group, cols) in groups.iter_mut().zip(columns) {
        let n = group.millis.len();
        for (path, (rows, mut values)) in cols {
            for v in values.iter_mut() {
                if let Val::Ref(i) = v {
                    *i = renumber[*i as usize];
                }
            }
            let rows = (rows.len() != n).then(|| {
                let mut prev = -1i64;
                rows.iter()
                    .map(|r| {
                        let d = (*r as i64 - prev - 1) as u32;
                        prev = *r as i64;
                        d
                    })
                    .collect()
            });
            group.columns.push(Column { path, rows, values });
        }
    }
    let packed = Packed {
        head,
        nodes: p.nodes.items,
        salts: Salts::of(&p.salts.items),
        areas: p.areas.items,
        refs,
        groups,
    };
    let mut out = MAGIC.to_vec();
    // Serializing plain data into a Vec cannot fail.
    out.extend(postcard::to_allocvec(&packed).unwrap_or_default());
    out
}

fn get<T: Copy>(items: &[T], i: u32, what: &'static str) -> Result<T, WireError> {
    items.get(i as usize).copied().ok_or(WireError::Inconsistent(what))
}

struct Unpacker {
    refs: Vec<Uuid>,
}

impl Unpacker {
    fn val(&self, v: &Val, base_ms: u64) -> Result<Value, WireError> {
        Ok(match v {
            Val::Null => Value::Null,
            Val::False => Value::Bool(false),
            Val::True => Value::Bool(true),
            Val::Int(i) => Value::from(*i),
            Val::Dec(m, places) => {
                if *places == 0 || *places > 4 {
                    return Err(WireError::Inconsistent("decimal places"));
                }
                Value::from(*m as f64 / 10f64.powi(*places as i32))
            }
            Val::Float(f) => Number::from_f64(*f)
                .map(Value::Number)
                .ok_or(WireError::Inconsistent("number"))?,
            Val::Str(s) => Value::String(s.clone()),
            Val::Date(days) => {
                let d = day_of(base_ms)
                    .checked_add_signed(chrono::Duration::days(*days as i64))
                    .ok_or(WireError::Inconsistent("date"))?;
                Value::String(d.to_string())
            }
            Val::Ref(i) => Value::String(
                self.refs
                    .get(*i as usize)
                    .ok_or(WireError::Inconsistent("id index"))?
                    .to_string(),
            ),
            Val::Json(text) => {
                // Checked as the log's door checks a change, before a parser recurses into it.
                shape::check_text(text).map_err(|e| WireError::Decode(e.to_string()))?;
                serde_json::from_str(text).map_err(|e| WireError::Decode(e.to_string()))?
            }
        })
    }
}

/// Puts a leaf back at its path in a change's fields. Every path was checked against
/// `shape::MAX_PATH_PARTS` in `unpack_within` before anything is built: a deep path would
/// make a value that overflows the stack when written or dropped.
fn place(fields: &mut BTreeMap<String, Value>, path: &str, v: Value) -> Result<(), WireError> {
    let mut parts = path.split('.');
    let first = parts.next().unwrap_or_default().to_string();
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty() {
        if fields.insert(first, v).is_some() {
            return Err(WireError::Inconsistent("a field twice"));
        }
        return Ok(());
    }
    let mut at = fields.entry(first).or_insert_with(|| Value::Object(Map::new()));
    for (i, key) in rest.iter().enumerate() {
        let Value::Object(map) = at else {
            return Err(WireError::Inconsistent("a member of a value that is not an object"));
        };
        if i + 1 == rest.len() {
            if map.insert(key.to_string(), v).is_some() {
                return Err(WireError::Inconsistent("a member twice"));
            }
            return Ok(());
        }
        at = map.entry(key.to_string()).or_insert_with(|| Value::Object(Map::new()));
    }
    Ok(())
}

/// Most changes in one packed body: a push (`max_batch_changes` at most) or a pull page
/// (`PULL_LIMIT_MAX`).
pub const MAX_CHANGES: usize = 5000;

/// What unpacking a body may build, checked on the decoded columns before a single change
/// is made: a count stated in a batch is never trusted for an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Most changes.
    pub changes: usize,
    /// Most bytes the changes may take once built (`Bounds::cost` estimates them from
    /// above).
    pub bytes: usize,
}

impl Bounds {
    /// Bounds in proportion to what came over the wire: `wire` bytes, compressed or not,
    /// may build `BYTES_PER_WIRE_BYTE` times as much, plus a floor for a small batch. A
    /// hostile body then costs what an honest one of the same size does.
    pub fn for_wire(wire: usize, changes: usize) -> Bounds {
        Bounds {
            changes: changes.min(MAX_CHANGES),
            bytes: FLOOR_BYTES.saturating_add(wire.saturating_mul(BYTES_PER_WIRE_BYTE)),
        }
    }
}

/// An honest batch of a tablet's visits, packed and compressed with zstd, is estimated at
/// some 750 bytes per byte on the wire (and builds some 450: `tests/tests/memory.rs`
/// measures both and prints them); this leaves room.
pub const BYTES_PER_WIRE_BYTE: usize = 1024;
const FLOOR_BYTES: usize = 1 << 20;

/// An upper estimate of what building the changes of `packed` takes, from the decoded
/// columns alone: each change (its slot and its map of fields), each cell (a map entry,
/// its key and its value), each object a path opens (a map per row), each string, and each
/// JSON text parsed (a value is at most 32 bytes for each byte of its text).
fn cost<H>(packed: &Packed<H>) -> usize {
    // A B-tree node of (String, Value) entries is some 630 bytes and holds up to 11.
    const MAP: usize = 768;
    const CHANGE: usize = 2 * std::mem::size_of::<Change>() + MAP;
    let mut total = packed.refs.len().saturating_mul(16);
    for g in &packed.groups {
        let n = g.millis.len();
        total = total.saturating_add(n.saturating_mul(CHANGE + 8));
        let mut prefixes = std::collections::HashSet::new();
        for col in &g.columns {
            let mut end = 0;
            while let Some(dot) = col.path[end..].find('.') {
                end += dot + 1;
                prefixes.insert(&col.path[..end - 1]);
            }
            // Each cell as decoding charged it, and its path as a key.
            total = total.saturating_add(col.values.len().saturating_mul(2 * col.path.len()));
            for v in &col.values {
                total = total.saturating_add(v.weight());
            }
        }
        total = total.saturating_add(prefixes.len().saturating_mul(n).saturating_mul(MAP));
    }
    total
}

/// The head and the changes of a packed body, within `MAX_CHANGES` and no bound on the
/// bytes built (a pull page from this device's own server).
pub fn unpack<H: DeserializeOwned>(bytes: &[u8]) -> Result<(H, Vec<Change>), WireError> {
    unpack_within(
        bytes,
        Bounds {
            changes: MAX_CHANGES,
            bytes: usize::MAX,
        },
    )
}

/// The head and the changes of a packed body, refused as `TooLarge` before anything is
/// built when it holds more than `bounds` allow.
pub fn unpack_within<H: DeserializeOwned>(bytes: &[u8], bounds: Bounds) -> Result<(H, Vec<Change>), WireError> {
    let body = bytes.strip_prefix(MAGIC.as_slice()).ok_or(WireError::Magic)?;
    // Decoding allocates for elements actually present, each charged to the bounds as it
    // is decoded (`budget`): a body that would build more than they allow stops here.
    let (packed, exhausted) = budget::within(bounds.bytes, || postcard::take_from_bytes::<Packed<H>>(body));
    if exhausted {
        return Err(WireError::TooLarge);
    }
    let (packed, rest) = packed.map_err(|e| WireError::Decode(e.to_string()))?;
    // A body is exactly one batch: bytes after it mean it was read with the wrong layout.
    if !rest.is_empty() {
        return Err(WireError::Inconsistent("bytes after the batch"));
    }
    let total = packed
        .groups
        .iter()
        .try_fold(0usize, |n, g| n.checked_add(g.millis.len()))
        .unwrap_or(usize::MAX);
    if total > bounds.changes {
        return Err(WireError::TooMany(bounds.changes));
    }
    let parts = |path: &str| path.bytes().filter(|b| *b == b'.').count() + 1;
    if packed
        .groups
        .iter()
        .any(|g| g.columns.iter().any(|c| parts(&c.path) > MAX_PATH_PARTS))
    {
        return Err(WireError::Inconsistent("a field path deeper than a change may nest"));
    }
    if cost(&packed) > bounds.bytes {
        return Err(WireError::TooLarge);
    }
    let salts = packed.salts.read()?;
    let mut u = Unpacker {
        refs: Vec::with_capacity(packed.refs.len()),
    };
    let mut refs = IdReader::new(&packed.refs)?;
    let mut prev_ms = 0;
    for _ in 0..packed.refs.len() {
        let id = refs.next(prev_ms, &salts)?;
        prev_ms = v7_parts(id).map_or(prev_ms, |(ms, ..)| ms);
        u.refs.push(id);
    }
    let mut slots: Vec<Option<Change>> = (0..total).map(|_| None).collect();
    for g in &packed.groups {
        let n = g.millis.len();
        if [
            g.counters.len(),
            g.nodes.len(),
            g.areas.len(),
            g.order.len(),
            g.change_ids.len(),
            g.row_ids.len(),
        ]
        .iter()
        .any(|l| *l != n)
        {
            return Err(WireError::Inconsistent("columns of unequal length"));
        }
        // Where each of the group's rows sits in the batch.
        let mut at_pos: Vec<usize> = Vec::with_capacity(n);
        let (mut change_ids, mut row_ids) = (IdReader::new(&g.change_ids)?, IdReader::new(&g.row_ids)?);
        let (mut pos, mut ms) = (-1i64, 0i64);
        for i in 0..n {
            pos += g.order[i] as i64 + 1;
            ms = ms.checked_add(g.millis[i]).ok_or(WireError::Inconsistent("HLC time"))?;
            let millis = u64::try_from(ms).map_err(|_| WireError::Inconsistent("HLC time"))?;
            let area = packed
                .areas
                .get(g.areas[i] as usize)
                .ok_or(WireError::Inconsistent("area index"))?;
            let hlc = Hlc {
                millis,
                counter: g.counters[i],
                node: get(&packed.nodes, g.nodes[i], "node index")?,
            };
            // The stamp must read back from the text the log keeps of it.
            if !hlc.is_writable() {
                return Err(WireError::Inconsistent("HLC"));
            }
            let change = Change {
                change_id: change_ids.next(millis, &salts)?,
                entity: g.entity,
                row_id: row_ids.next(millis, &salts)?,
                area_code: area.clone(),
                hlc,
                fields: BTreeMap::new(),
            };
            let p = usize::try_from(pos).map_err(|_| WireError::Inconsistent("order"))?;
            let slot = slots.get_mut(p).ok_or(WireError::Inconsistent("order"))?;
            if slot.replace(change).is_some() {
                return Err(WireError::Inconsistent("two changes in one place"));
            }
            at_pos.push(p);
        }
        for col in &g.columns {
            // The rows that have this field, in order, each checked before it is used.
            let mut next_row = -1i64;
            let rows = col.rows.as_ref();
            let count = rows.map_or(n, Vec::len);
            if count != col.values.len() {
                return Err(WireError::Inconsistent("a column's rows"));
            }
            for (k, v) in col.values.iter().enumerate() {
                next_row = match rows {
                    None => k as i64,
                    Some(deltas) => next_row + deltas[k] as i64 + 1,
                };
                let r = usize::try_from(next_row)
                    .ok()
                    .filter(|r| *r < n)
                    .ok_or(WireError::Inconsistent("a column's rows"))?;
                let change = slots[at_pos[r]].as_mut().ok_or(WireError::Inconsistent("order"))?;
                let value = u.val(v, change.hlc.millis)?;
                place(&mut change.fields, &col.path, value)?;
            }
        }
    }
    let changes = slots
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .ok_or(WireError::Inconsistent("a gap in the order"))?;
    Ok((packed.head, changes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(entity: Entity, n: u64, fields: Value) -> Change {
        let mut maker = pendamping_core::ids::IdMaker::new(0xabcdef);
        let ms = 1_795_000_000_000 + n * 1000;
        Change {
            change_id: maker.next(ms),
            entity,
            row_id: if n.is_multiple_of(3) {
                Uuid::new_v4()
            } else {
                maker.next(ms)
            },
            area_code: "3602012002".into(),
            hlc: Hlc {
                millis: ms,
                counter: n as u32,
                node: 0xb948_60a1_2f68_45e0,
            },
            fields: serde_json::from_value(fields).unwrap(),
        }
    }

    #[test]
    fn packs_and_unpacks_exactly_whatever_the_values() {
        let changes = vec![
            change(
                Entity::Visit,
                1,
                json!({"data": {"kind": "anak", "weight_kg": 8.5, "lenhei_cm": 73.4, "immunisations": [],
                    "services": {"kie": true, "referral": false}, "odd": 0.1234567, "big": 18446744073709551615u64,
                    "neg": -3, "tiny": 1e-300, "nothing": null, "empty": {}},
                    "visit_date": "2024-12-12", "person_id": "018b46f2-d000-72e7-8e5c-f1403521acb8",
                    "enrolment_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "deleted": false,
                    "not_a_date": "2024-13-45", "upper": "018B46F2-D000-72E7-8E5C-F1403521ACB8"}),
            ),
            change(
                Entity::Household,
                2,
                json!({"head_name": "Agus", "rt": "011", "deleted": false}),
            ),
            change(
                Entity::Visit,
                3,
                json!({"deleted": true, "correction_reason": "salah orang"}),
            ),
            change(
                Entity::Person,
                4,
                json!({"birth_date": "1981-07-10", "dotted": {"a.b": 1}}),
            ),
            change(Entity::Visit, 5, json!({"data": {"kind": "krs"}})),
        ];
        let packed = pack(7u64, &changes);
        let (head, back): (u64, Vec<Change>) = unpack(&packed).unwrap();
        assert_eq!(head, 7);
        assert_eq!(back, changes);
        assert_eq!(unpack::<u64>(&pack(0u64, &[])).unwrap().1, vec![]);
    }

    #[test]
    fn frames_come_off_whole_whatever_the_bytes_arrive_in() {
        let pages: Vec<Vec<u8>> = (1..4u8).map(|n| vec![n; n as usize * 100]).collect();
        let stream: Vec<u8> = pages.iter().flat_map(|p| frame(p)).collect();
        let (mut buf, mut got) = (Vec::new(), Vec::new());
        for chunk in stream.chunks(33) {
            buf.extend_from_slice(chunk);
            while let Some(p) = next_frame(&mut buf, 1000).unwrap() {
                got.push(p);
            }
        }
        assert_eq!(got, pages);
        assert!(buf.is_empty());
        let mut huge = frame(&[0; 10]);
        huge[3] = 0x7f;
        assert!(next_frame(&mut huge, 1 << 20).is_err());
    }

    #[test]
    fn a_hostile_body_is_an_error_never_a_panic() {
        let changes: Vec<Change> = (0..20)
            .map(|n| {
                change(
                    Entity::Visit,
                    n,
                    json!({"data": {"weight_kg": 8.5}, "visit_date": "2024-12-12"}),
                )
            })
            .collect();
        let good = pack(1u64, &changes);
        assert_eq!(unpack::<u64>(b"{\"changes\":[]}").unwrap_err(), WireError::Magic);
        for cut in 0..good.len() {
            let _ = unpack::<u64>(&good[..cut]);
        }
        for i in 4..good.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bad = good.clone();
                bad[i] ^= flip;
                let _ = unpack::<u64>(&bad);
            }
        }
    }
}
