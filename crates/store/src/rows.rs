//! Generic row I/O for the synced tables: a row as field → (value, HLC), read and written
//! through the column whitelist of `Entity::fields`, so merge works on any entity alike.

use std::collections::BTreeMap;

use pendamping_core::change::DELETED;
use pendamping_core::merge::{RowState, Stamped};
use pendamping_core::{Entity, Hlc};
use rusqlite::types::{Value as Sql, ValueRef};
use rusqlite::{Connection, OptionalExtension, params_from_iter};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::Result;

pub(crate) fn table(e: Entity) -> &'static str {
    match e {
        Entity::Household => "households",
        Entity::Person => "persons",
        Entity::Enrolment => "enrolments",
        Entity::Visit => "visits",
    }
}

/// Columns holding a JSON document rather than a scalar.
fn is_json(col: &str) -> bool {
    matches!(col, "details" | "data")
}

pub(crate) fn to_sql(col: &str, v: &Value) -> Sql {
    match v {
        Value::Null => Sql::Null,
        Value::Bool(b) => Sql::Integer(*b as i64),
        Value::Number(n) => match n.as_i64() {
            Some(i) if !is_json(col) => Sql::Integer(i),
            _ => Sql::Real(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) if !is_json(col) => Sql::Text(s.clone()),
        // `to_string` rather than `Display`: no formatter in between, a visit's data and
        // results are most of the bytes written.
        other => Sql::Text(serde_json::to_string(other).unwrap_or_default()),
    }
}

fn from_sql(col: &str, v: ValueRef) -> Result<Value> {
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) if col == DELETED => Value::Bool(i != 0),
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Text(t) => {
            let s = std::str::from_utf8(t).map_err(|e| rusqlite::Error::Utf8Error(0, e))?;
            if is_json(col) {
                serde_json::from_str(s)?
            } else {
                Value::String(s.to_string())
            }
        }
        ValueRef::Blob(_) => Value::Null,
    })
}

/// SQL text per entity, built once: (select state by id, upsert, select record by id).
fn sql(e: Entity) -> &'static (String, String, String) {
    static SQL: std::sync::OnceLock<Vec<(String, String, String)>> = std::sync::OnceLock::new();
    let all = SQL.get_or_init(|| {
        Entity::ALL
            .iter()
            .map(|e| (select_sql(*e), upsert_sql(*e), record_sql(*e)))
            .collect()
    });
    &all[Entity::ALL.iter().position(|x| *x == e).expect("every entity")]
}

fn select_sql(e: Entity) -> String {
    format!(
        "SELECT clocks, hlc, deleted, {} FROM {} WHERE id = ?1",
        e.fields().join(", "),
        table(e)
    )
}

/// Columns of a synced table that this device derives from the row itself, written with
/// it by the same upsert (values from `derive::row_columns`, in this order).
pub(crate) fn derived_columns(e: Entity) -> &'static [&'static str] {
    match e {
        Entity::Visit => &["kind", "flags", "ttd_total", "kbpp_method", "services", "results"],
        _ => &[],
    }
}

fn record_sql(e: Entity) -> String {
    format!(
        "SELECT deleted, {} FROM {} WHERE id = ?1",
        record_fields(e).collect::<Vec<_>>().join(", "),
        table(e)
    )
}

fn upsert_sql(e: Entity) -> String {
    let fields = e.fields();
    // id, area_code, hlc, deleted, clocks, then every field but area_code, then the
    // derived columns.
    let columns: Vec<&str> = fields
        .iter()
        .filter(|f| **f != "area_code")
        .chain(derived_columns(e))
        .copied()
        .collect();
    let placeholders: Vec<String> = (1..=columns.len() + 5).map(|i| format!("?{i}")).collect();
    let updates: Vec<String> = ["area_code", "hlc", "deleted", "clocks"]
        .iter()
        .chain(columns.iter())
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    // area_code is both a field and the envelope's scope key; the field wins when present.
    format!(
        "INSERT INTO {t} (id, area_code, hlc, deleted, clocks, {cols}) VALUES ({ph}) ON CONFLICT(id) DO UPDATE SET {upd}",
        t = table(e),
        cols = columns.join(", "),
        ph = placeholders.join(", "),
        upd = updates.join(", "),
    )
}

/// Field order of the `clocks` column: the entity's fields, its retired fields (whose
/// slots stay empty), then `deleted`.
fn clock_fields(e: Entity) -> impl Iterator<Item = &'static str> {
    e.fields()
        .iter()
        .chain(e.retired())
        .copied()
        .chain(std::iter::once(DELETED))
}

/// `clocks` holds each field's stamp in field order, comma-separated: empty for a field
/// never written, `=` for the row's own `hlc` (most fields: one change writes them all).
fn encode_clocks(e: Entity, state: &RowState, row_hlc: Hlc) -> String {
    let mut out = String::new();
    for (i, f) in clock_fields(e).enumerate() {
        if i > 0 {
            out.push(',');
        }
        match state.get(f) {
            None => {}
            Some(s) if s.hlc == row_hlc => out.push('='),
            Some(s) => out.push_str(&s.hlc.to_string()),
        }
    }
    out
}

fn decode_clocks(e: Entity, text: &str, row_hlc: Hlc) -> Result<Vec<(&'static str, Hlc)>> {
    let mut out = Vec::new();
    for (f, c) in clock_fields(e).zip(text.split(',')) {
        if e.retired().contains(&f) {
            continue;
        }
        match c {
            "" => {}
            "=" => out.push((f, row_hlc)),
            stamp => out.push((f, stamp.parse()?)),
        }
    }
    Ok(out)
}

/// The row's fields with their stamps, or `None` if the row does not exist.
pub(crate) fn read_state(conn: &Connection, e: Entity, id: &str) -> Result<Option<RowState>> {
    let mut stmt = conn.prepare_cached(&sql(e).0)?;
    let row = stmt
        .query_row([id], |r| {
            let clocks: String = r.get(0)?;
            let hlc: String = r.get(1)?;
            let mut values = BTreeMap::new();
            values.insert(DELETED, Value::Bool(r.get::<_, i64>(2)? != 0));
            for (i, col) in e.fields().iter().enumerate() {
                values.insert(
                    *col,
                    from_sql(col, r.get_ref(i + 3)?).map_err(|err| {
                        rusqlite::Error::FromSqlConversionFailure(i + 3, rusqlite::types::Type::Text, Box::new(err))
                    })?,
                );
            }
            Ok((clocks, hlc, values))
        })
        .optional()?;
    let Some((clocks, hlc, mut values)) = row else {
        return Ok(None);
    };
    let row_hlc: Hlc = hlc.parse()?;
    Ok(Some(
        decode_clocks(e, &clocks, row_hlc)?
            .into_iter()
            .map(|(f, hlc)| {
                let value = values.remove(f).unwrap_or(Value::Null);
                (f.to_string(), Stamped { hlc, value })
            })
            .collect(),
    ))
}

/// Writes a row from its full merged state (insert or update), with its derived columns
/// (`derived`: one value per `derived_columns(e)`).
pub(crate) fn write_state(
    conn: &Connection,
    e: Entity,
    id: &str,
    envelope_area: &str,
    state: &RowState,
    derived: Vec<Sql>,
) -> Result<()> {
    debug_assert_eq!(derived.len(), derived_columns(e).len());
    let fields = e.fields();
    let value = |f: &str| state.get(f).map(|s| &s.value).unwrap_or(&Value::Null);
    let area = match value("area_code") {
        Value::String(s) => s.clone(),
        _ => envelope_area.to_string(),
    };
    let hlc = state.values().map(|s| s.hlc).max().unwrap_or_default();
    let mut params: Vec<Sql> = vec![
        Sql::Text(id.to_string()),
        Sql::Text(area),
        Sql::Text(hlc.to_string()),
        Sql::Integer((value(DELETED) == &Value::Bool(true)) as i64),
        Sql::Text(encode_clocks(e, state, hlc)),
    ];
    params.extend(
        fields
            .iter()
            .filter(|f| **f != "area_code")
            .map(|f| to_sql(f, value(f))),
    );
    params.extend(derived);
    conn.prepare_cached(&sql(e).1)?.execute(params_from_iter(params))?;
    Ok(())
}

/// Reads a row as its typed record; `None` if missing or deleted. Reads the columns
/// straight into the record's JSON form: no stamps, no derived results.
pub(crate) fn read_record<T: DeserializeOwned>(conn: &Connection, e: Entity, id: &str) -> Result<Option<T>> {
    read_record_as(conn, e, id, false)
}

/// The person `id`; or, when this device holds only a tombstone merged into it (the
/// survivor is another village's), that tombstone, which carries the survivor's birth date
/// and sex: what the results, schedule and recap of the re-pointed enrolments need.
pub(crate) fn person_or_alias(conn: &Connection, id: &str) -> Result<Option<pendamping_core::Person>> {
    if let Some(p) = read_record(conn, Entity::Person, id)? {
        return Ok(Some(p));
    }
    let alias: Option<String> = conn
        .prepare_cached("SELECT id FROM persons WHERE merged_into = ?1 ORDER BY id LIMIT 1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    match alias {
        Some(a) => read_record_even_deleted(conn, Entity::Person, &a),
        None => Ok(None),
    }
}

/// A record even when tombstoned (a voided visit, which the timeline shows struck out).
pub(crate) fn read_record_even_deleted<T: DeserializeOwned>(
    conn: &Connection,
    e: Entity,
    id: &str,
) -> Result<Option<T>> {
    read_record_as(conn, e, id, true)
}

fn read_record_as<T: DeserializeOwned>(
    conn: &Connection,
    e: Entity,
    id: &str,
    even_deleted: bool,
) -> Result<Option<T>> {
    let mut stmt = conn.prepare_cached(&sql(e).2)?;
    let object = stmt
        .query_row([id], |r| {
            if r.get::<_, i64>(0)? != 0 && !even_deleted {
                return Ok(None);
            }
            let mut map = serde_json::Map::new();
            for (i, col) in record_fields(e).enumerate() {
                let value = from_sql(col, r.get_ref(i + 1)?).map_err(|err| {
                    rusqlite::Error::FromSqlConversionFailure(i + 1, rusqlite::types::Type::Text, Box::new(err))
                })?;
                map.insert(col.to_string(), value);
            }
            map.insert("id".into(), Value::String(id.to_string()));
            Ok(Some(Value::Object(map)))
        })
        .optional()?
        .flatten();
    let Some(object) = object else {
        return Ok(None);
    };
    // Every field a row holds was checked by its record's type at the door (`Record::checked`),
    // so a row that does not read as its record is one whose other fields have not arrived
    // yet (an edit, or part of a row, that travelled ahead of the rest). It is not there yet
    // for whoever reads it — a visit's results wait for its person — never a reason for a
    // recap, a list or a sync to fail.
    match serde_json::from_value(object) {
        Ok(record) => Ok(Some(record)),
        Err(why) => {
            tracing::debug!(table = table(e), id, %why, "a row not whole yet is read as not there");
            Ok(None)
        }
    }
}

/// The fields of a record.
fn record_fields(e: Entity) -> impl Iterator<Item = &'static str> {
    e.fields().iter().copied()
}
