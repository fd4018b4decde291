//! Gathers the recap's input for an area and month; the figures come from the core's pure
//! `recap::compute`.

use pendamping_core::area::AreaCode;
use pendamping_core::recap::{self, Month, Recap, RecapEnrolment, RecapHousehold, RecapInput, RecapVisit};
use pendamping_core::visit::{KbppMethod, Services};
use pendamping_core::{ExitReason, TargetKind};

use chrono::NaiveDate;
use rusqlite::OptionalExtension;

use crate::Store;
use crate::derive::parse_flags;
use crate::error::Result;
use crate::query::{date, uuid, word};

/// A row the recap cannot read (a value no door should have let in) is left out of the
/// counts with a warning naming it, never a reason for the whole recap to fail.
fn usable<T>(table: &str, id: &str, read: rusqlite::Result<T>) -> Option<T> {
    read.map_err(|why| tracing::warn!(table, id, %why, "a row the recap cannot read is left out"))
        .ok()
}

impl Store {
    /// The monthly recap of every village under `area` (a village, kecamatan, …), the month
    /// still running counted to this store's today.
    pub fn recap(&self, month: Month, area: &AreaCode) -> Result<Recap> {
        self.recap_as_of(month, area, self.today())
    }

    /// The recap with the month still running counted to `today`: the centre's view serves
    /// every zone, and counts each area to its own day (a WIB kecamatan at 23:00 is still
    /// on the day before the view's).
    pub fn recap_as_of(&self, month: Month, area: &AreaCode, today: NaiveDate) -> Result<Recap> {
        Ok(recap::compute(
            month,
            &self.recap_input_as_of(month, area, today)?,
            &self.opts.rules,
        ))
    }

    /// The district's indicators of `area` in `month`, by child area: the first `key_len`
    /// characters of each village code (a kecamatan's 6, a village's 10).
    pub fn indicators(
        &self,
        month: Month,
        area: &AreaCode,
        key_len: usize,
    ) -> Result<std::collections::BTreeMap<String, pendamping_core::indicators::Indicators>> {
        self.indicators_as_of(month, area, key_len, self.today())
    }

    /// `indicators`, the month still running counted to `today`.
    pub fn indicators_as_of(
        &self,
        month: Month,
        area: &AreaCode,
        key_len: usize,
        today: NaiveDate,
    ) -> Result<std::collections::BTreeMap<String, pendamping_core::indicators::Indicators>> {
        Ok(pendamping_core::indicators::by_area(
            month,
            &self.recap_input_as_of(month, area, today)?,
            &self.opts.rules,
            key_len,
        ))
    }

    /// What the recap of `area` in `month` reads: enrolments overlapping the month, the
    /// month's visits, the area's households. The lists read the same.
    pub fn recap_input(&self, month: Month, area: &AreaCode) -> Result<RecapInput> {
        self.recap_input_as_of(month, area, self.today())
    }

    /// `recap_input`, the month still running counted to `today`.
    pub fn recap_input_as_of(&self, month: Month, area: &AreaCode, today: NaiveDate) -> Result<RecapInput> {
        let (lo, hi) = area.range();
        let (first, last) = (month.first_day().to_string(), month.last_day().to_string());

        let mut stmt = self.conn.prepare_cached(
            // A person merged into another village's survivor is found through the tombstone
            // this device holds (`rows::person_or_alias`). The birth date comes from the
            // covering index: the planner otherwise takes the primary key's and reads each
            // person's row, half of this query's time at a kabupaten (45,000 enrolments).
            "SELECT e.id, e.household_id, e.area_code, e.tpk, e.kind, e.start_date, e.end_date, e.end_reason, \
             e.active_until, COALESCE(p.birth_date, (SELECT m.birth_date FROM persons m WHERE m.merged_into = \
             e.person_id ORDER BY m.id LIMIT 1)) AS birth, e.person_id FROM enrolments e \
             LEFT JOIN persons p INDEXED BY persons_birth ON p.id = e.person_id \
             WHERE e.area_code >= ?1 AND e.area_code < ?2 AND e.deleted = 0 AND e.start_date <= ?4 \
             AND (e.active_until IS NULL OR e.active_until >= ?3) AND birth IS NOT NULL",
        )?;
        let rows = stmt.query_map((&lo, &hi, &first, &last), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, String>(10)?,
            ))
        })?;
        let mut enrolments: Vec<RecapEnrolment> = Vec::new();
        for row in rows {
            let (id, hh, area_code, tpk, kind, start, end, reason, until, birth, person) = row?;
            // A kind from a newer version is not one this recap counts.
            let (Some(kind), Some(start), Some(birth)) = (word(kind, TargetKind::from_word), start, birth) else {
                continue;
            };
            let read = || -> rusqlite::Result<RecapEnrolment> {
                Ok(RecapEnrolment {
                    id: uuid(id.clone())?,
                    person_id: uuid(person)?,
                    household_id: hh.map(uuid).transpose()?.unwrap_or_default(),
                    area_code,
                    tpk,
                    kind,
                    start_date: date(start)?,
                    end_date: end.map(date).transpose()?,
                    end_reason: word(reason, ExitReason::from_word),
                    effective_end: until.map(date).transpose()?,
                    birth_date: date(birth)?,
                    catin: None,
                })
            };
            if let Some(e) = usable("enrolments", &id, read()) {
                enrolments.push(e);
            }
        }
        // A catin's wedding date and first screening (weight, height and LiLA measured), up
        // to the month's end: few rows, read apart so the query above stays on its index.
        let mut wedding = self
            .conn
            .prepare_cached("SELECT json_extract(details, '$.wedding_date') FROM enrolments WHERE id = ?1")?;
        let mut screened = self.conn.prepare_cached(
            "SELECT min(visit_date) FROM visits WHERE enrolment_id = ?1 AND visit_date <= ?2 AND deleted = 0 \
             AND json_extract(data, '$.weight_kg') IS NOT NULL AND json_extract(data, '$.height_cm') IS NOT NULL \
             AND json_extract(data, '$.lila_cm') IS NOT NULL",
        )?;
        for e in enrolments.iter_mut().filter(|e| e.kind == TargetKind::Catin) {
            let id = e.id.to_string();
            let w: Option<String> = wedding.query_row([&id], |r| r.get(0))?;
            let s: Option<String> = screened.query_row((&id, &last), |r| r.get(0))?;
            // A date that does not read counts as not known (the catin is still counted).
            e.catin = Some(pendamping_core::recap::CatinStatus {
                wedding_date: w.and_then(|w| usable("enrolments", &id, date(w))),
                screened_on: s.and_then(|s| usable("visits", &id, date(s))),
            });
        }

        // The month's visits, village by village, so the (area_code, visit_date) index seeks
        // on both columns instead of scanning every visit of the area.
        let mut villages = self
            .conn
            .prepare_cached("SELECT DISTINCT area_code FROM households WHERE area_code >= ?1 AND area_code < ?2")?;
        let villages: Vec<String> = villages
            .query_map((&lo, &hi), |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT enrolment_id, household_id, visit_date, flags, services, ttd_total, kbpp_method FROM visits \
             WHERE area_code = ?1 AND visit_date >= ?2 AND visit_date <= ?3 AND deleted = 0",
        )?;
        let mut visits: Vec<RecapVisit> = Vec::new();
        for village in &villages {
            let rows = stmt.query_map((village, &first, &last), |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, Option<u32>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })?;
            for row in rows {
                let (e, hh, day, flags, services, ttd, kbpp) = row?;
                // A household visit belongs to no target's count.
                let (Some(e), Some(day)) = (e, day) else {
                    continue;
                };
                let bits = services.unwrap_or(0);
                let read = || -> rusqlite::Result<_> { Ok((uuid(e.clone())?, hh.map(uuid).transpose()?, date(day)?)) };
                let Some((enrolment_id, household_id, visit_date)) = usable("visits", &e, read()) else {
                    continue;
                };
                visits.push(RecapVisit {
                    enrolment_id,
                    household_id: household_id.unwrap_or_default(),
                    visit_date,
                    flags: flags.as_deref().map(parse_flags).unwrap_or_default(),
                    services: Services {
                        kie: bits & 1 != 0,
                        referral: bits & 2 != 0,
                        referral_completed: bits & 4 != 0,
                        bansos: bits & 8 != 0,
                    },
                    ttd_total: ttd,
                    kbpp_method: word(kbpp, KbppMethod::from_word),
                    measured: pendamping_core::recap::Measured {
                        weight: bits & crate::derive::WEIGHED != 0,
                        length: bits & crate::derive::LENGTH_MEASURED != 0,
                    },
                });
            }
        }
        // TTD is cumulative: each pregnancy's highest count before the month, per enrolment.
        let mut before = self.conn.prepare_cached(
            "SELECT visit_date, ttd_total FROM visits WHERE enrolment_id = ?1 AND visit_date < ?2 AND deleted = 0 \
             AND ttd_total IS NOT NULL ORDER BY ttd_total DESC LIMIT 1",
        )?;
        for e in enrolments.iter().filter(|e| e.kind == TargetKind::IbuHamil) {
            let row = before
                .query_row((e.id.to_string(), &first), |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))
                })
                .optional()?;
            let row = row.and_then(|(day, ttd)| Some((usable("visits", &e.id.to_string(), date(day))?, ttd)));
            if let Some((visit_date, ttd)) = row {
                visits.push(RecapVisit {
                    enrolment_id: e.id,
                    household_id: e.household_id,
                    visit_date,
                    flags: Vec::new(),
                    services: Services::default(),
                    ttd_total: Some(ttd),
                    kbpp_method: None,
                    measured: Default::default(),
                });
            }
        }

        // With its first target's start: a seek down the enrolments by household each.
        let mut stmt = self.conn.prepare_cached(
            "SELECT h.id, h.area_code, h.krs, (SELECT MIN(e.start_date) FROM enrolments e \
             WHERE e.household_id = h.id AND e.deleted = 0) FROM households h \
             WHERE h.area_code >= ?1 AND h.area_code < ?2 AND h.deleted = 0",
        )?;
        let mut households: Vec<RecapHousehold> = Vec::new();
        let offset = self.opts.utc_offset;
        for row in stmt.query_map((&lo, &hi), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2),
                r.get::<_, Option<String>>(3),
            ))
        })? {
            let (id, area_code, krs, first_start) = row?;
            let read = || {
                let id = uuid(id.clone())?;
                // Registered when its id was made (UUIDv7 carries the moment).
                let registered = id.get_timestamp().and_then(|t| {
                    let (secs, nanos) = t.to_unix();
                    chrono::DateTime::from_timestamp(secs as i64, nanos).map(|d| d.with_timezone(&offset).date_naive())
                });
                let started = first_start?.map(date).transpose()?;
                let known_from = match (registered, started) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                Ok(RecapHousehold {
                    id,
                    area_code,
                    krs: krs?,
                    known_from,
                })
            };
            households.extend(usable("households", &id, read()));
        }

        Ok(RecapInput {
            enrolments,
            visits,
            households,
            as_of: Some(today),
        })
    }
}
