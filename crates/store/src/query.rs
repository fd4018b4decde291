//! Read models for the screens: village lists, search, the due list, a person's timeline
//! and a child's growth series. Every query is scoped to an area code prefix.

use chrono::NaiveDate;
use pendamping_core::assess::VisitResults;
use pendamping_core::krs::KrsCriterion;
use pendamping_core::risk::RiskFlag;
use pendamping_core::schedule::{self, DueStatus};
use pendamping_core::visit::VisitData;
use pendamping_core::{Enrolment, Entity, Household, Person, Relationship, Sex, TargetKind, Visit, nik};
use rusqlite::{OptionalExtension, Row};
use serde::Serialize;
use uuid::Uuid;

use pendamping_core::area::AreaCode;

use crate::derive::parse_flags;

/// The codes within `area` as a range of text for an index seek; `None`, every code.
pub(crate) fn range_of(area: Option<&AreaCode>) -> (String, String) {
    area.map_or_else(|| (String::new(), "~".to_string()), AreaCode::range)
}
use crate::error::{Result, StoreError};
use crate::{Store, rows, text};

/// A stored id. A malformed one is a corrupt row (an error naming it), never a nil id a
/// screen would then act on.
pub(crate) fn uuid(s: String) -> rusqlite::Result<Uuid> {
    Uuid::parse_str(&s).map_err(|e| unreadable(e, s))
}

/// A stored date (YYYY-MM-DD), the same way.
pub(crate) fn date(s: String) -> rusqlite::Result<chrono::NaiveDate> {
    s.parse().map_err(|e| unreadable(e, s))
}

fn unreadable(e: impl std::error::Error + Send + Sync + 'static, value: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, format!("{value:?}: {e}").into())
}

/// A stored word of a closed vocabulary (`pendamping_core::word_enum!`): `None` for none,
/// and for a word a newer version wrote that this one does not know.
pub(crate) fn word<T>(s: Option<String>, from_word: fn(&str) -> Option<T>) -> Option<T> {
    s.as_deref().and_then(from_word)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HouseholdSummary {
    pub id: Uuid,
    pub area_code: String,
    pub head_name: String,
    pub kk_masked: Option<String>,
    pub rt: Option<String>,
    pub rw: Option<String>,
    pub address: Option<String>,
    pub members: u32,
    pub krs: bool,
    pub krs_criteria: Vec<KrsCriterion>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonSummary {
    pub id: Uuid,
    pub household_id: Uuid,
    pub area_code: String,
    pub name: String,
    /// Lists never show a whole NIK.
    pub nik_masked: Option<String>,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    pub relationship: Option<Relationship>,
}

/// Active enrolments of an area; the due list and the caseload add their own conditions.
const ACTIVE_ENROLMENTS: &str = "SELECT e.id, e.person_id, e.household_id, e.area_code, p.name, e.kind, e.next_due, \
     e.last_flags FROM enrolments e JOIN persons p ON p.id = e.person_id \
     WHERE e.area_code >= ?1 AND e.area_code < ?2 AND e.deleted = 0 AND e.end_date IS NULL \
     AND (e.active_until IS NULL OR e.active_until >= ?3) AND p.deleted = 0";

/// A target under active accompaniment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Caseload {
    pub enrolment_id: Uuid,
    pub person_id: Uuid,
    pub household_id: Uuid,
    pub area_code: String,
    pub name: String,
    pub kind: TargetKind,
    pub next_due: Option<NaiveDate>,
    /// Of the latest visit.
    pub flags: Vec<RiskFlag>,
}

/// A target whose next visit falls within the due window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DueItem {
    #[serde(flatten)]
    pub target: Caseload,
    pub due: NaiveDate,
    pub status: DueStatus,
    pub days_overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VisitRecord {
    pub visit: Visit,
    pub results: Option<VisitResults>,
    /// Voided with a reason (`visit.correction_reason`): shown struck out, counted nowhere.
    pub voided: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Timeline {
    pub person: Person,
    pub enrolments: Vec<Enrolment>,
    /// Newest first.
    pub visits: Vec<VisitRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GrowthPoint {
    pub visit_id: Uuid,
    pub date: NaiveDate,
    pub age_days: i64,
    pub weight_kg: Option<f64>,
    pub lenhei_cm: Option<f64>,
    /// Length/height as WHO uses it (after the 0.7 cm adjustment).
    pub clenhei_cm: Option<f64>,
    pub z_len: Option<f64>,
    pub z_wei: Option<f64>,
    pub z_wfl: Option<f64>,
    pub oedema: bool,
}

fn person_summary(r: &Row) -> rusqlite::Result<PersonSummary> {
    let nik: Option<String> = r.get(3)?;
    Ok(PersonSummary {
        id: uuid(r.get(0)?)?,
        household_id: r
            .get::<_, Option<String>>(1)?
            .map(uuid)
            .transpose()?
            .unwrap_or_default(),
        area_code: r.get(2)?,
        nik_masked: nik.as_deref().map(nik::mask),
        name: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
        sex: word(r.get(5)?, Sex::from_word),
        birth_date: r.get::<_, Option<String>>(6)?.and_then(|d| d.parse().ok()),
        relationship: word(r.get(7)?, Relationship::from_word),
    })
}

const HOUSEHOLD_SUMMARY: &str = "SELECT h.id, h.area_code, h.head_name, h.kk_number, h.rt, h.rw, h.address, h.krs, \
     h.krs_criteria, (SELECT COUNT(*) FROM persons p WHERE p.household_id = h.id AND p.deleted = 0) FROM households h";

fn household_summary(r: &Row) -> rusqlite::Result<HouseholdSummary> {
    let kk: Option<String> = r.get(3)?;
    Ok(HouseholdSummary {
        id: uuid(r.get(0)?)?,
        area_code: r.get(1)?,
        head_name: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
        kk_masked: kk.as_deref().map(nik::mask),
        rt: r.get(4)?,
        rw: r.get(5)?,
        address: r.get(6)?,
        krs: r.get(7)?,
        krs_criteria: r
            .get::<_, Option<String>>(8)?
            .and_then(|c| serde_json::from_str(&c).ok())
            .unwrap_or_default(),
        members: r.get(9)?,
    })
}

/// A prefix with at least this many name words is searched in name order.
const COMMON_PREFIX: i64 = 500;

const PERSON_COLS: &str = "p.id, p.household_id, p.area_code, p.nik, p.name, p.sex, p.birth_date, p.relationship";

impl Store {
    pub fn household(&self, id: Uuid) -> Result<Option<Household>> {
        rows::read_record(&self.conn, Entity::Household, &id.to_string())
    }
    pub fn person(&self, id: Uuid) -> Result<Option<Person>> {
        rows::read_record(&self.conn, Entity::Person, &id.to_string())
    }
    pub fn enrolment(&self, id: Uuid) -> Result<Option<Enrolment>> {
        rows::read_record(&self.conn, Entity::Enrolment, &id.to_string())
    }
    pub fn visit(&self, id: Uuid) -> Result<Option<Visit>> {
        rows::read_record(&self.conn, Entity::Visit, &id.to_string())
    }

    /// A live record as its JSON object (for export), whatever its entity.
    /// A record as JSON (the export's row); `None` for a row not whole yet, which is no
    /// record to export (an import would refuse it).
    pub fn record_json(&self, entity: Entity, id: Uuid) -> Result<Option<serde_json::Value>> {
        let row: Option<serde_json::Value> = rows::read_record(&self.conn, entity, &id.to_string())?;
        Ok(row.filter(|v| pendamping_core::record::Record::reads(entity, v)))
    }

    /// Every NIK in the store (to keep generated ones unique).
    pub fn all_niks(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT nik FROM persons WHERE nik IS NOT NULL")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Ids of the live records of an area (`None`: of the whole store), for export.
    pub fn ids(&self, entity: Entity, area: Option<&AreaCode>) -> Result<Vec<Uuid>> {
        let (lo, hi) = range_of(area);
        let mut stmt = self.conn.prepare(&format!(
            "SELECT id FROM {} WHERE area_code >= ?1 AND area_code < ?2 AND deleted = 0 ORDER BY id",
            rows::table(entity)
        ))?;
        let rows = stmt.query_map((lo, hi), |r| uuid(r.get(0)?))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The villages this device holds households of (recorded here or received), in code
    /// order: what an enrolment's area must cover.
    pub fn villages_held(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT area_code FROM households WHERE deleted = 0 ORDER BY area_code")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many households of an area are at risk of stunting (KRS) by their criteria, as
    /// each family's card says.
    pub fn krs_households(&self, area: &AreaCode) -> Result<usize> {
        let (lo, hi) = area.range();
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT COUNT(*) FROM households WHERE area_code >= ?1 AND area_code < ?2 AND deleted = 0 \
                 AND head_name IS NOT NULL AND krs = 1",
            )?
            .query_row((lo, hi), |r| r.get(0))?;
        Ok(n as usize)
    }

    /// Households of an area, by head's name, a page at a time.
    pub fn households_in(&self, area: &AreaCode, offset: usize, limit: usize) -> Result<Vec<HouseholdSummary>> {
        let (lo, hi) = area.range();
        let mut stmt = self.conn.prepare_cached(&format!(
            // A family whose registration has not arrived yet (an edit came first) has no
            // head's name: it is listed once it has.
            "{HOUSEHOLD_SUMMARY} WHERE h.area_code >= ?1 AND h.area_code < ?2 AND h.deleted = 0 \
             AND h.head_name IS NOT NULL \
             ORDER BY h.head_name COLLATE NOCASE, h.id LIMIT ?3 OFFSET ?4"
        ))?;
        let rows = stmt.query_map((lo, hi, limit as i64, offset as i64), household_summary)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn household_summary(&self, id: Uuid) -> Result<Option<HouseholdSummary>> {
        Ok(self
            .conn
            .prepare_cached(&format!("{HOUSEHOLD_SUMMARY} WHERE h.id = ?1 AND h.deleted = 0"))?
            .query_row([id.to_string()], household_summary)
            .optional()?)
    }

    pub fn members(&self, household_id: Uuid) -> Result<Vec<PersonSummary>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PERSON_COLS} FROM persons p WHERE p.household_id = ?1 AND p.deleted = 0 ORDER BY p.birth_date"
        ))?;
        let rows = stmt.query_map([household_id.to_string()], person_summary)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Search by name (each word a prefix; case and accents ignored) or by NIK (digits),
    /// within `area` (`None`: the whole store, an engineer's search).
    pub fn search_persons(&self, query: &str, area: Option<&AreaCode>, limit: usize) -> Result<Vec<PersonSummary>> {
        let (lo, hi) = range_of(area);
        let digits: String = query.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT {PERSON_COLS} FROM persons p WHERE p.nik >= ?1 AND p.nik < ?2 \
                 AND p.area_code >= ?3 AND p.area_code < ?4 AND p.deleted = 0 ORDER BY p.nik LIMIT ?5"
            ))?;
            let rows = stmt.query_map(
                (&digits, text::prefix_end(&digits), lo, hi, limit as i64),
                person_summary,
            )?;
            return Ok(rows.collect::<Result<_, _>>()?);
        }
        let words = text::fold(query);
        let words: Vec<&str> = words.split(' ').filter(|w| !w.is_empty()).collect();
        // Scan by the longest word (fewest candidates), then check the others against the name.
        let Some(first) = words.iter().max_by_key(|w| w.len()) else {
            return Ok(vec![]);
        };
        // A short, common prefix ("a", "si") matches thousands of names: walk the names in
        // order instead and stop at the page. A rare one is quicker through the word index.
        let common: i64 = self
            .conn
            .prepare_cached(
                "SELECT COUNT(*) FROM (SELECT 1 FROM person_names WHERE token >= ?1 AND token < ?2 LIMIT ?3)",
            )?
            .query_row((first, text::prefix_end(first), COMMON_PREFIX), |r| r.get(0))?;
        if common >= COMMON_PREFIX {
            return self.search_in_name_order(&words, &lo, &hi, limit);
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT DISTINCT {PERSON_COLS}, p.name_key FROM person_names t JOIN persons p ON p.id = t.person_id \
             WHERE t.token >= ?1 AND t.token < ?2 AND p.area_code >= ?3 AND p.area_code < ?4 AND p.deleted = 0 \
             ORDER BY p.name_key LIMIT ?5"
        ))?;
        // Fetch extra candidates when other words must also match.
        let fetch = if words.len() > 1 { limit * 20 } else { limit };
        let rows = stmt.query_map((first, text::prefix_end(first), lo, hi, fetch as i64), |r| {
            Ok((person_summary(r)?, r.get::<_, Option<String>>(8)?.unwrap_or_default()))
        })?;
        let whole = words.join(" ");
        let mut out = Vec::new();
        for row in rows {
            let (p, key) = row?;
            let name_words: Vec<&str> = key.split(' ').collect();
            if words.iter().all(|w| name_words.iter().any(|n| n.starts_with(w))) {
                // Names that begin with what was typed, in that order, come first.
                out.push((!key.starts_with(&whole), p));
            }
        }
        out.sort_by_key(|(later, _)| *later);
        Ok(out.into_iter().take(limit).map(|(_, p)| p).collect())
    }

    /// Search by walking the name index: names that begin with what was typed first (one
    /// range of the index), then every other name with a word for each word typed.
    fn search_in_name_order(&self, words: &[&str], lo: &str, hi: &str, limit: usize) -> Result<Vec<PersonSummary>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PERSON_COLS}, p.name_key FROM persons p WHERE p.name_key >= ?1 AND p.name_key < ?2 \
             AND p.area_code >= ?3 AND p.area_code < ?4 AND p.deleted = 0 ORDER BY p.name_key"
        ))?;
        let whole = words.join(" ");
        let matches = |key: &str| words.iter().all(|w| key.split(' ').any(|n| n.starts_with(w)));
        let mut out = Vec::new();
        for (from, to, begins) in [
            (whole.clone(), text::prefix_end(&whole), true),
            (String::new(), text::prefix_end(""), false),
        ] {
            let mut rows = stmt.query((&from, &to, lo, hi))?;
            while out.len() < limit {
                let Some(row) = rows.next()? else { break };
                let key: String = row.get::<_, Option<String>>(8)?.unwrap_or_default();
                // The second pass skips the names the first one took.
                if key.starts_with(&whole) != begins || !matches(&key) {
                    continue;
                }
                out.push(person_summary(row)?);
            }
        }
        Ok(out)
    }

    /// Who is overdue or due within the rules' window, most overdue first.
    pub fn due_list(&self, area: &AreaCode, today: NaiveDate) -> Result<Vec<DueItem>> {
        let horizon = today + chrono::Days::new(self.opts.rules.cadence.due_window_days.max(0) as u64);
        let sql = format!("{ACTIVE_ENROLMENTS} AND e.next_due <= ?4 ORDER BY e.next_due, p.name");
        let rows = self.active_enrolments(&sql, area, today, Some(horizon))?;
        Ok(rows
            .into_iter()
            .filter_map(|c| {
                let due = c.next_due?;
                Some(DueItem {
                    target: c,
                    due,
                    status: schedule::status(due, today, &self.opts.rules),
                    days_overdue: (today - due).num_days().max(0),
                })
            })
            .collect())
    }

    /// Every target under active accompaniment in an area, by name, with the risk flags of
    /// the latest visit: the counts and alerts of the home screen.
    pub fn caseload(&self, area: &AreaCode, today: NaiveDate) -> Result<Vec<Caseload>> {
        self.active_enrolments(&format!("{ACTIVE_ENROLMENTS} ORDER BY p.name"), area, today, None)
    }

    fn active_enrolments(
        &self,
        sql: &str,
        area: &AreaCode,
        today: NaiveDate,
        horizon: Option<NaiveDate>,
    ) -> Result<Vec<Caseload>> {
        let (lo, hi) = area.range();
        let mut stmt = self.conn.prepare_cached(sql)?;
        let today = today.to_string();
        let mut params: Vec<&dyn rusqlite::ToSql> = vec![&lo, &hi, &today];
        let horizon = horizon.map(|h| h.to_string());
        if let Some(h) = &horizon {
            params.push(h);
        }
        let rows = stmt.query_map(params.as_slice(), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, person, household, area_code, name, kind, due, flags) = row?;
            // A kind from a newer version is not one this list shows.
            let Some(kind) = word(kind, TargetKind::from_word) else {
                continue;
            };
            out.push(Caseload {
                enrolment_id: uuid(id)?,
                person_id: uuid(person)?,
                household_id: household.map(uuid).transpose()?.unwrap_or_default(),
                area_code,
                name: name.unwrap_or_default(),
                kind,
                next_due: due.and_then(|d| d.parse().ok()),
                flags: flags.as_deref().map(parse_flags).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// The first month anything was recorded in this store (its earliest enrolment), if any:
    /// a month before it has no data, and must not be shown as if it held zeros. Of the whole
    /// store, not of one area: a village with no targets yet in a month the others have is a
    /// village of zeros, not a month without data.
    pub fn first_month(&self) -> Result<Option<pendamping_core::recap::Month>> {
        let first: Option<String> = self
            .conn
            .prepare_cached("SELECT MIN(start_date) FROM enrolments WHERE deleted = 0")?
            .query_row([], |r| r.get(0))?;
        Ok(first
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .map(pendamping_core::recap::Month::of))
    }

    /// The TPK most of a village's enrolments carry (the team a device joins there).
    pub fn most_used_tpk(&self, area_code: &str) -> Result<Option<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT tpk FROM enrolments WHERE area_code = ?1 AND deleted = 0 AND tpk IS NOT NULL \
             AND tpk <> '' GROUP BY tpk ORDER BY COUNT(*) DESC, tpk LIMIT 1",
        )?;
        Ok(stmt.query_row([area_code], |r| r.get::<_, String>(0)).optional()?)
    }

    /// The enrolments of a household's members (ended ones too), oldest first.
    pub fn household_enrolments(&self, household_id: Uuid) -> Result<Vec<Enrolment>> {
        let mut stmt = self.conn.prepare_cached(
            // Through the members: enrolments are indexed by person, not by household.
            "SELECT id FROM enrolments WHERE person_id IN (SELECT id FROM persons WHERE household_id = ?1) \
             AND deleted = 0 ORDER BY start_date, id",
        )?;
        let ids = stmt.query_map([household_id.to_string()], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for id in ids {
            out.extend(rows::read_record(&self.conn, Entity::Enrolment, &id?)?);
        }
        Ok(out)
    }

    /// Everything recorded about a person: enrolments and visits with their results.
    pub fn timeline(&self, person_id: Uuid) -> Result<Timeline> {
        let person = self.person(person_id)?.ok_or_else(|| StoreError::NotFound {
            entity: "orang",
            id: person_id.to_string(),
        })?;
        let ids = |sql: &str| -> Result<Vec<String>> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt.query_map([person_id.to_string()], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let enrolments = ids("SELECT id FROM enrolments WHERE person_id = ?1 AND deleted = 0 ORDER BY start_date")?
            .into_iter()
            .filter_map(|id| rows::read_record(&self.conn, Entity::Enrolment, &id).ok().flatten())
            .collect();
        let mut visits = Vec::new();
        // Through the enrolments: visits have no index by person (migration 6).
        // Voided visits too: a visit is a fact, and its void is shown with its reason.
        for id in ids("SELECT v.id FROM enrolments e JOIN visits v ON v.enrolment_id = e.id \
             WHERE e.person_id = ?1 ORDER BY v.visit_date DESC, v.id")?
        {
            let Some(visit) = rows::read_record_even_deleted::<Visit>(&self.conn, Entity::Visit, &id)? else {
                continue;
            };
            let (results, deleted): (Option<String>, bool) =
                self.conn
                    .query_row("SELECT results, deleted FROM visits WHERE id = ?1", [&id], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })?;
            visits.push(VisitRecord {
                visit,
                results: results.and_then(|r| serde_json::from_str(&r).ok()),
                voided: deleted,
            });
        }
        Ok(Timeline {
            person,
            enrolments,
            visits,
        })
    }

    /// A child's measurements in date order, with the z-scores computed when recorded.
    pub fn growth_series(&self, person_id: Uuid) -> Result<Vec<GrowthPoint>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.id, v.visit_date, v.data, v.results FROM enrolments e JOIN visits v ON v.enrolment_id = e.id \
             WHERE e.person_id = ?1 AND v.kind = 'anak' AND v.deleted = 0 ORDER BY v.visit_date, v.id",
        )?;
        let rows = stmt.query_map([person_id.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, date, data, results) = row?;
            let Some(VisitData::Anak(v)) = data.and_then(|d| serde_json::from_str(&d).ok()) else {
                continue;
            };
            let results: Option<VisitResults> = results.and_then(|r| serde_json::from_str(&r).ok());
            let anthro = results.as_ref().and_then(|r| r.anthro.clone()).unwrap_or_default();
            out.push(GrowthPoint {
                visit_id: uuid(id)?,
                date: date.parse().map_err(|e: chrono::ParseError| StoreError::Corrupt {
                    table: "visits",
                    id: date.clone(),
                    reason: e.to_string(),
                })?,
                age_days: results.as_ref().and_then(|r| r.age_days).unwrap_or_default(),
                weight_kg: v.weight_kg,
                lenhei_cm: v.lenhei_cm,
                clenhei_cm: anthro.clenhei,
                z_len: anthro.len.map(|s| s.z),
                z_wei: anthro.wei.map(|s| s.z),
                z_wfl: anthro.wfl.map(|s| s.z),
                oedema: v.oedema,
            });
        }
        Ok(out)
    }
}
