//! Duplicate persons: the same person registered twice (two villages, two devices).
//! Found by NIK, or for people without one by name, birth date and mother's NIK; merged
//! by normal changes that converge everywhere: the loser becomes a tombstone naming its
//! survivor, and its enrolments, visits and children point at the survivor. Both
//! histories stay (the changes are kept; the loser's row stays as a tombstone).
//!
//! Devices hold only their own villages: they learn of a NIK registered elsewhere in
//! their kecamatan from a digest of keyed, truncated hashes (`pendamping_core::nik`).

use pendamping_core::area::AreaCode;
use std::collections::BTreeMap;

use pendamping_core::change::DELETED;
use pendamping_core::{Entity, Person, nik};
use rusqlite::OptionalExtension;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::{Store, meta_get, meta_set, rows};

/// Why two persons may be one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Likeness {
    /// The same NIK.
    Nik,
    /// No NIK: the same name, birth date and mother's NIK.
    NameBirthMother,
}

/// A pair of persons that may be one, for a person to review.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PossibleDuplicate {
    pub likeness: Likeness,
    pub a: Person,
    pub b: Person,
}

/// What a merge changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Merged {
    pub survivor: Uuid,
    pub merged: Uuid,
    pub enrolments: usize,
    pub visits: usize,
    pub children: usize,
}

const DIGEST_SALT: &str = "nik_digest_salt";
const DIGEST_VERSION: &str = "nik_digest_version";

impl Store {
    /// Pairs of live persons that may be one, where either lies under `area` (`None`: the
    /// whole store, an engineer's view of it).
    pub fn possible_duplicates(&self, area: Option<&AreaCode>) -> Result<Vec<PossibleDuplicate>> {
        let (lo, hi) = crate::query::range_of(area);
        let sql = "SELECT a.id, b.id, 'nik' FROM persons a JOIN persons b ON b.nik = a.nik AND b.id > a.id \
             WHERE a.nik IS NOT NULL AND a.deleted = 0 AND b.deleted = 0 \
             AND ((a.area_code >= ?1 AND a.area_code < ?2) OR (b.area_code >= ?1 AND b.area_code < ?2)) \
             UNION ALL \
             SELECT a.id, b.id, 'name' FROM persons a JOIN persons b ON b.name_key = a.name_key AND b.id > a.id \
             AND b.birth_date = a.birth_date AND b.mother_nik = a.mother_nik \
             WHERE a.nik IS NULL AND b.nik IS NULL AND a.mother_nik IS NOT NULL AND a.deleted = 0 AND b.deleted = 0 \
             AND ((a.area_code >= ?1 AND a.area_code < ?2) OR (b.area_code >= ?1 AND b.area_code < ?2))";
        let mut stmt = self.conn.prepare(sql)?;
        let pairs: Vec<(String, String, String)> = stmt
            .query_map((&lo, &hi), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for (a, b, why) in pairs {
            let (Some(a), Some(b)) = (
                rows::read_record::<Person>(&self.conn, Entity::Person, &a)?,
                rows::read_record::<Person>(&self.conn, Entity::Person, &b)?,
            ) else {
                continue;
            };
            let likeness = if why == "nik" {
                Likeness::Nik
            } else {
                Likeness::NameBirthMother
            };
            out.push(PossibleDuplicate { likeness, a, b });
        }
        Ok(out)
    }

    /// Merges `merged` into `survivor`, in one transaction: `merged` becomes a tombstone
    /// naming `survivor` (and carrying its birth date and sex, which the villages that hold
    /// only the tombstone need), and its enrolments, visits and children point at
    /// `survivor`. Every write is a normal change, so the merge travels and converges.
    pub fn merge_persons(&mut self, survivor: Uuid, merged: Uuid) -> Result<Merged> {
        if survivor == merged {
            return Err(StoreError::Invalid(vec![pendamping_core::Problem::error(
                "merge_self",
                "merged",
                "Seseorang tidak dapat digabung dengan dirinya sendiri".into(),
                "A person cannot be merged with themselves".into(),
            )]));
        }
        self.write(|w| {
            let found = |id: Uuid| -> Result<Person> {
                rows::read_record(w.conn, Entity::Person, &id.to_string())?.ok_or_else(|| StoreError::NotFound {
                    entity: "orang",
                    id: id.to_string(),
                })
            };
            let (keep, gone) = (found(survivor)?, found(merged)?);
            let mut out = Merged {
                survivor,
                merged,
                ..Merged::default()
            };
            let to = Value::String(survivor.to_string());
            let mut tomb = BTreeMap::new();
            tomb.insert(DELETED.to_string(), Value::Bool(true));
            tomb.insert("merged_into".to_string(), to.clone());
            tomb.insert("birth_date".to_string(), Value::String(keep.birth_date.to_string()));
            tomb.insert("sex".to_string(), serde_json::to_value(keep.sex)?);
            w.change(Entity::Person, merged, &gone.area_code, tomb)?;
            let refs = |sql: &str| -> Result<Vec<(String, String)>> {
                let mut stmt = w.conn.prepare(sql)?;
                let rows = stmt.query_map([merged.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            };
            for (table, entity, field) in [
                ("enrolments", Entity::Enrolment, "person_id"),
                ("visits", Entity::Visit, "person_id"),
                ("persons", Entity::Person, "mother_id"),
            ] {
                let sql = format!("SELECT id, area_code FROM {table} WHERE {field} = ?1 AND deleted = 0 ORDER BY id");
                for (id, area) in refs(&sql)? {
                    let id = Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt {
                        table: "persons",
                        id: id.clone(),
                        reason: e.to_string(),
                    })?;
                    let mut fields = BTreeMap::new();
                    fields.insert(field.to_string(), to.clone());
                    w.change(entity, id, &area, fields)?;
                    match entity {
                        Entity::Enrolment => out.enrolments += 1,
                        Entity::Visit => out.visits += 1,
                        _ => out.children += 1,
                    }
                }
            }
            Ok(out)
        })
    }

    /// Takes the kecamatan's NIK digest the server sent (replacing the one held).
    pub fn adopt_nik_digest(&mut self, version: &str, salt: &str, buckets: &[u32]) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM nik_digest", [])?;
        {
            let mut ins = tx.prepare_cached("INSERT OR IGNORE INTO nik_digest (bucket) VALUES (?1)")?;
            for b in buckets {
                ins.execute([b])?;
            }
        }
        meta_set(&tx, DIGEST_SALT, salt)?;
        meta_set(&tx, DIGEST_VERSION, version)?;
        tx.commit()?;
        Ok(())
    }

    pub fn nik_digest_version(&self) -> Result<Option<String>> {
        meta_get(&self.conn, DIGEST_VERSION)
    }

    /// May `nik` be registered in another village of the kecamatan? (A digest bucket
    /// holds it: about one in a hundred NIKs registered nowhere else also says yes.)
    pub fn nik_maybe_elsewhere(&self, nik_digits: &str) -> Result<bool> {
        maybe_elsewhere(&self.conn, nik_digits)
    }
}

/// The warning at capture for a NIK the kecamatan's digest holds (docs/src/design/duplicates.md).
pub fn nik_elsewhere() -> pendamping_core::Problem {
    pendamping_core::Problem::warning(
        "nik_elsewhere",
        "nik",
        "NIK ini mungkin sudah terdaftar di desa lain; PLKB akan memeriksanya".into(),
        "This NIK may already be registered in another village; the PLKB will check".into(),
    )
}

pub(crate) fn maybe_elsewhere(conn: &rusqlite::Connection, nik_digits: &str) -> Result<bool> {
    let Some(salt) = meta_get(conn, DIGEST_SALT)? else {
        return Ok(false);
    };
    let bucket = nik::digest_bucket(&salt, nik_digits);
    Ok(conn
        .prepare_cached("SELECT 1 FROM nik_digest WHERE bucket = ?1")?
        .query_row([bucket], |_| Ok(()))
        .optional()?
        .is_some())
}
