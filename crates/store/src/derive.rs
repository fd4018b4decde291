//! Columns this device derives from synced data, refreshed after every write or merge:
//! search tokens, KRS status, next due date, and the visit columns lists and the recap read.

use chrono::NaiveDate;
use pendamping_core::assess::{self, VisitContext, VisitResults};
use pendamping_core::krs::{self, Member};
use pendamping_core::merge::RowState;
use pendamping_core::record::Record;
use pendamping_core::risk::PersonFacts;
use pendamping_core::risk::RiskFlag;
use pendamping_core::schedule::{self, DueInput};
use pendamping_core::visit::Visit;
use pendamping_core::visit::VisitData;
use pendamping_core::{Enrolment, Entity, Household, Person, Relationship, Rules, Sex, TargetKind};
use std::collections::BTreeSet;

use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;
use crate::{rows, text};

/// Refreshes what depends on one row, after it changed (a save here).
pub(crate) fn refresh(conn: &Connection, rules: &Rules, today: NaiveDate, entity: Entity, id: &str) -> Result<()> {
    let mut dependents = Dependents::default();
    dependents.note(conn, entity, id)?;
    dependents.derive(conn, rules, today)
}

/// What depends on rows that changed, gathered while a page of incoming changes is merged
/// and derived once at its end: a first sync brings an enrolment's visits together, and
/// each used to derive the enrolment again, as each edit of a person did the visits of
/// their whole household.
#[derive(Default)]
pub(crate) struct Dependents {
    /// Enrolments whose visits' results are computed again (a person or the enrolment changed).
    revisit: BTreeSet<String>,
    /// Enrolments whose schedule and end are derived again.
    enrolments: BTreeSet<String>,
    /// Households whose KRS status is derived again.
    households: BTreeSet<String>,
}

impl Dependents {
    /// Notes what depends on one row, after it changed (its own name tokens at once).
    pub(crate) fn note(&mut self, conn: &Connection, entity: Entity, id: &str) -> Result<()> {
        match entity {
            Entity::Household => {
                self.households.insert(id.to_string());
            }
            Entity::Person => {
                let household_id = person(conn, id)?;
                // The birth date and sex feed the results and the schedule of this person's
                // enrolments; the number of children, those of the women of the household.
                let sql = "SELECT id FROM enrolments WHERE person_id = ?1 OR household_id = ?2";
                let mut stmt = conn.prepare_cached(sql)?;
                for e in stmt.query_map((id, household_id.as_deref()), |r| r.get::<_, String>(0))? {
                    let e = e?;
                    self.revisit.insert(e.clone());
                    self.enrolments.insert(e);
                }
                self.households.extend(household_id);
            }
            Entity::Enrolment => {
                self.revisit.insert(id.to_string());
                self.enrolments.insert(id.to_string());
            }
            Entity::Visit => {
                // A visit's derived columns were written with it; what depends on it is its enrolment.
                let enrolment_id: Option<Option<String>> = conn
                    .prepare_cached("SELECT enrolment_id FROM visits WHERE id = ?1")?
                    .query_row([id], |r| r.get(0))
                    .optional()?;
                self.enrolments.extend(enrolment_id.flatten());
            }
        }
        Ok(())
    }

    /// Derives each noted dependent once: visits' results first, then the schedules that
    /// read them, then the households, which read the enrolments.
    pub(crate) fn derive(self, conn: &Connection, rules: &Rules, today: NaiveDate) -> Result<()> {
        for e in &self.revisit {
            revisit(conn, rules, today, e)?;
        }
        let mut households = self.households;
        for e in &self.enrolments {
            households.extend(enrolment(conn, rules, e)?);
        }
        for h in &households {
            household(conn, rules, today, h)?;
        }
        Ok(())
    }
}

/// Everything derived, computed again (under new rules).
pub(crate) fn everything(conn: &Connection, rules: &Rules, today: NaiveDate) -> Result<()> {
    for e in ids(conn, "SELECT id FROM enrolments WHERE ?1 = ?1", "")? {
        revisit(conn, rules, today, &e)?;
        enrolment(conn, rules, &e)?;
    }
    for h in ids(conn, "SELECT id FROM households WHERE ?1 = ?1", "")? {
        household(conn, rules, today, &h)?;
    }
    Ok(())
}

fn ids(conn: &Connection, sql: &str, arg: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([arg], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Name tokens for search; returns the person's household.
fn person(conn: &Connection, id: &str) -> Result<Option<String>> {
    let row: Option<(Option<String>, Option<String>, bool)> = conn
        .prepare_cached("SELECT name, household_id, deleted FROM persons WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((name, household_id, deleted)) = row else {
        return Ok(None);
    };
    conn.prepare_cached("DELETE FROM person_names WHERE person_id = ?1")?
        .execute([id])?;
    let name = name.unwrap_or_default();
    if !deleted {
        let mut ins = conn.prepare_cached("INSERT OR IGNORE INTO person_names (token, person_id) VALUES (?1, ?2)")?;
        for t in text::tokens(&name) {
            ins.execute((t, id))?;
        }
    }
    conn.prepare_cached("UPDATE persons SET name_key = ?2 WHERE id = ?1")?
        .execute((id, text::fold(&name)))?;
    Ok(household_id)
}

fn household(conn: &Connection, rules: &Rules, today: NaiveDate, id: &str) -> Result<()> {
    let Ok(Some(h)) = rows::read_record::<Household>(conn, Entity::Household, id) else {
        conn.prepare_cached("UPDATE households SET krs = 0, krs_criteria = NULL WHERE id = ?1")?
            .execute([id])?;
        return Ok(());
    };
    let mut stmt = conn.prepare_cached(
        "SELECT p.sex, p.birth_date, p.relationship, EXISTS (SELECT 1 FROM enrolments e WHERE e.person_id = p.id \
         AND e.kind = 'ibu_hamil' AND e.deleted = 0 AND e.end_date IS NULL) \
         FROM persons p WHERE p.household_id = ?1 AND p.deleted = 0",
    )?;
    let rows = stmt
        .query_map([id], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // A member not yet registered in full (no sex, birth date or relationship) cannot count
    // for the 4T criteria; a row that does not read is an error, not a missing member.
    let members: Vec<Member> = rows
        .into_iter()
        .filter_map(|(sex, birth, rel, pregnant)| {
            Some(Member {
                sex: Sex::from_word(&sex?)?,
                birth_date: birth?.parse().ok()?,
                relationship: Relationship::from_word(&rel?)?,
                pregnant,
            })
        })
        .collect();
    let status = krs::status(&h, &members, today, rules);
    conn.prepare_cached("UPDATE households SET krs = ?2, krs_criteria = ?3 WHERE id = ?1")?
        .execute((id, status.at_risk(), serde_json::to_string(&status.criteria)?))?;
    Ok(())
}

/// Living children of a woman, for "too many": children linked to her, else the
/// household's children when she is the head's wife.
pub(crate) fn children_count(conn: &Connection, p: &Person) -> Result<Option<u32>> {
    let linked: u32 = conn
        .prepare_cached("SELECT COUNT(*) FROM persons WHERE mother_id = ?1 AND deleted = 0")?
        .query_row([p.id.to_string()], |r| r.get(0))?;
    if linked > 0 {
        return Ok(Some(linked));
    }
    if matches!(p.relationship, Relationship::Istri | Relationship::KepalaKeluarga) {
        let n: u32 = conn
            .prepare_cached(
                "SELECT COUNT(*) FROM persons WHERE household_id = ?1 AND relationship = 'anak' AND deleted = 0",
            )?
            .query_row([p.household_id.to_string()], |r| r.get(0))?;
        return Ok((n > 0).then_some(n));
    }
    Ok(None)
}

/// Derives an enrolment's schedule and end; returns the household whose KRS status it
/// feeds (a pregnancy's), for the caller to derive after.
fn enrolment(conn: &Connection, rules: &Rules, id: &str) -> Result<Option<String>> {
    // A row still incomplete (its other fields not yet merged) does not read as a record:
    // nothing is derived from it until it does.
    let e = rows::read_record::<Enrolment>(conn, Entity::Enrolment, id)
        .ok()
        .flatten();
    let person = match &e {
        Some(e) => rows::person_or_alias(conn, &e.person_id.to_string()).ok().flatten(),
        None => None,
    };
    let (Some(e), Some(person)) = (e, person) else {
        conn.prepare_cached("UPDATE enrolments SET next_due = NULL, active_until = NULL WHERE id = ?1")?
            .execute([id])?;
        return Ok(None);
    };
    schedule(conn, rules, &e, &person)?;
    conn.prepare_cached("UPDATE enrolments SET active_until = ?2 WHERE id = ?1")?
        .execute((id, e.effective_end(person.birth_date, rules).map(|d| d.to_string())))?;
    Ok((e.kind == TargetKind::IbuHamil).then(|| e.household_id.to_string()))
}

/// Recomputes an enrolment's next due date and its last visit's flags from its visits;
/// returns the date. (A visit changes nothing else of its enrolment: its end date is
/// refreshed with the enrolment, and leaving it out of the UPDATE spares an index.)
pub(crate) fn schedule(conn: &Connection, rules: &Rules, e: &Enrolment, person: &Person) -> Result<Option<NaiveDate>> {
    let id = e.id.to_string();
    // The schedule needs every visit day only for the KF windows of nifas (a handful);
    // otherwise the latest visit is enough, however long the history.
    let sql = if e.kind == TargetKind::Nifas {
        "SELECT visit_date, flags FROM visits WHERE enrolment_id = ?1 AND deleted = 0 ORDER BY visit_date"
    } else {
        "SELECT visit_date, flags FROM visits WHERE enrolment_id = ?1 AND deleted = 0 ORDER BY visit_date DESC LIMIT 1"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let visits: Vec<(NaiveDate, Option<String>)> = stmt
        .query_map([&id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))?
        .filter_map(|row| row.ok())
        .filter_map(|(d, f)| Some((d.parse().ok()?, f)))
        .collect();
    let dates: Vec<NaiveDate> = visits.iter().map(|(d, _)| *d).collect();
    let last_flags: Vec<RiskFlag> = visits
        .last()
        .and_then(|(_, f)| f.as_deref())
        .map(parse_flags)
        .unwrap_or_default();
    let due = schedule::next_due(
        DueInput {
            enrolment: e,
            birth_date: person.birth_date,
            visit_dates: &dates,
            last_flags: &last_flags,
        },
        rules,
    );
    conn.prepare_cached("UPDATE enrolments SET next_due = ?2, last_flags = ?3 WHERE id = ?1")?
        .execute((&id, due.map(|d| d.to_string()), join_flags(&last_flags)))?;
    Ok(due)
}

/// The derived columns of a row (`rows::derived_columns`), from its merged state.
pub(crate) fn row_columns(
    conn: &Connection,
    rules: &Rules,
    today: NaiveDate,
    e: Entity,
    id: &str,
    state: &RowState,
) -> Result<Vec<Sql>> {
    if e != Entity::Visit {
        return Ok(Vec::new());
    }
    let visit = match Record::from_state_even_deleted(e, id, state) {
        Ok(Record::Visit(v)) => Some(v),
        _ => None,
    };
    let results = match &visit {
        Some(v) => visit_results(conn, rules, today, v)?,
        None => None,
    };
    Ok(visit_columns(visit.as_ref().map(|v| &v.data), results.as_ref()))
}

/// A visit's results (z-scores, indicators, flags), computed here from its raw values and
/// the facts of its enrolment and person, with this device's rules and tables: results
/// never travel. `None` while the enrolment or the person has not arrived yet; they are
/// computed when it does (`revisit`).
pub(crate) fn visit_results(
    conn: &Connection,
    rules: &Rules,
    today: NaiveDate,
    v: &Visit,
) -> Result<Option<VisitResults>> {
    let Some(enrolment) = rows::read_record::<Enrolment>(conn, Entity::Enrolment, &v.enrolment_id.to_string())? else {
        return Ok(None);
    };
    let Some(person) = rows::person_or_alias(conn, &enrolment.person_id.to_string())? else {
        return Ok(None);
    };
    let ctx = VisitContext {
        person: PersonFacts {
            sex: person.sex,
            birth_date: person.birth_date,
            children: children_count(conn, &person)?,
        },
        enrolment: &enrolment,
        today,
    };
    Ok(Some(assess::assess(v.visit_date, &v.data, &ctx, rules).results))
}

/// Computes again the results of an enrolment's visits, after the enrolment or its
/// person changed (or arrived after its visits).
fn revisit(conn: &Connection, rules: &Rules, today: NaiveDate, enrolment_id: &str) -> Result<()> {
    for id in ids(conn, "SELECT id FROM visits WHERE enrolment_id = ?1", enrolment_id)? {
        let Some(v) = rows::read_record_even_deleted::<Visit>(conn, Entity::Visit, &id)? else {
            continue;
        };
        let results = visit_results(conn, rules, today, &v)?;
        let flags = results.as_ref().map(|r| r.flags.as_slice()).unwrap_or_default();
        conn.prepare_cached(
            "UPDATE visits SET flags = ?2, results = ?3, services = (coalesce(services, 0) & ?5) | ?4 WHERE id = ?1",
        )?
        .execute((
            &id,
            join_flags(flags),
            results_json(results.as_ref())?,
            measured_bits(results.as_ref()),
            SERVICES,
        ))?;
    }
    Ok(())
}

/// The bits of `visits.services` above the services themselves: what of a child was
/// measured (a z-score computed), for the prevalences' denominators. Migration 0009 sets
/// them on visits stored before.
pub(crate) const WEIGHED: i64 = 16;
pub(crate) const LENGTH_MEASURED: i64 = 32;
const SERVICES: i64 = 15;

fn measured_bits(results: Option<&VisitResults>) -> i64 {
    let a = results.and_then(|r| r.anthro.as_ref());
    let weighed = a.is_some_and(|a| a.wei.is_some());
    let length = a.is_some_and(|a| a.len.is_some());
    (weighed as i64 * WEIGHED) | (length as i64 * LENGTH_MEASURED)
}

fn results_json(results: Option<&VisitResults>) -> Result<Option<String>> {
    Ok(match results {
        Some(r) => Some(serde_json::to_string(r)?),
        None => None,
    })
}

/// What lists and the recap read of a visit without parsing its JSON: kind, flags, TTD
/// total, KB method, the services as bits, and the results themselves.
pub(crate) fn visit_columns(data: Option<&VisitData>, results: Option<&VisitResults>) -> Vec<Sql> {
    let text = |s: Option<String>| s.map_or(Sql::Null, Sql::Text);
    let int = |i: Option<i64>| i.map_or(Sql::Null, Sql::Integer);
    let flags = results.map(|r| r.flags.as_slice()).unwrap_or_default();
    let measured = measured_bits(results);
    let results = text(results.and_then(|r| serde_json::to_string(r).ok()));
    let Some(d) = data else {
        return vec![
            Sql::Null,
            text(join_flags(flags)),
            Sql::Null,
            Sql::Null,
            Sql::Null,
            results,
        ];
    };
    let s = d.services();
    let bits = s.kie as i64
        | (s.referral as i64) << 1
        | (s.referral_completed as i64) << 2
        | (s.bansos as i64) << 3
        | measured;
    let (ttd, kbpp) = match d {
        VisitData::IbuHamil(h) => (h.ttd_total, None),
        VisitData::Nifas(n) => (None, n.kbpp_method),
        _ => (None, None),
    };
    let kbpp = kbpp.map(|k| k.as_str().to_string());
    vec![
        Sql::Text(d.kind().as_str().to_string()),
        text(join_flags(flags)),
        int(ttd.map(i64::from)),
        text(kbpp),
        Sql::Integer(bits),
        results,
    ]
}

pub(crate) fn join_flags(flags: &[RiskFlag]) -> Option<String> {
    if flags.is_empty() {
        return None;
    }
    Some(flags.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(","))
}

pub(crate) fn parse_flags(s: &str) -> Vec<RiskFlag> {
    s.split(',')
        .filter(|t| !t.is_empty())
        .filter_map(RiskFlag::from_word)
        .collect()
}
