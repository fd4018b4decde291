//! The district's lists with names (docs/src/design/domain.md §3.4), over the records this store holds:
//! on a tablet its village, at the hub its kecamatan, at the centre (the server's view)
//! the whole district. A list drawn from a month takes its members from the recap's own
//! walk (`pendamping_core::lists::members`): it has as many rows as the number it explains.

use chrono::NaiveDate;
use pendamping_core::area::AreaCode;
use pendamping_core::assess::VisitResults;
use pendamping_core::lists::{Member, NameList};
use pendamping_core::recap::Month;
use pendamping_core::risk::RiskFlag;
use pendamping_core::visit::VisitData;
use pendamping_core::{Sex, TargetKind};
use rusqlite::OptionalExtension;
use serde::Serialize;
use uuid::Uuid;

use crate::Store;
use crate::error::Result;
use crate::query::{date, uuid, word};

/// One row of a list: who, where, who accompanies them, and why they are on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ListRow {
    pub area_code: String,
    /// The TPK that accompanies the target (or the family).
    pub tpk: String,
    pub household_id: Uuid,
    pub person_id: Option<Uuid>,
    pub enrolment_id: Option<Uuid>,
    pub kind: Option<TargetKind>,
    /// The person's name; for a family, the head's.
    pub name: String,
    pub head_name: String,
    pub rt: Option<String>,
    pub rw: Option<String>,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    /// What put the target on the list, from its visits this month.
    pub flags: Vec<RiskFlag>,
    /// The latest visit up to the month's end (for a family: to anyone of it).
    pub last_visit: Option<NaiveDate>,
    pub last: Measures,
    /// KRS families: visited this month.
    pub accompanied: Option<bool>,
    /// Overdue targets: the day the visit was due.
    pub due: Option<NaiveDate>,
    pub days_overdue: Option<i64>,
    /// A catin's wedding date.
    pub wedding_date: Option<NaiveDate>,
}

/// The measurements of the latest visit that the lists show.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Measures {
    pub weight_kg: Option<f64>,
    pub lenhei_cm: Option<f64>,
    /// Length/height-for-age, weight-for-age, weight-for-length/height (WHO z-scores).
    pub z_len: Option<f64>,
    pub z_wei: Option<f64>,
    pub z_wfl: Option<f64>,
    pub lila_cm: Option<f64>,
    pub hb: Option<f64>,
    pub systolic: Option<u32>,
    pub diastolic: Option<u32>,
}

impl Store {
    /// `list` for `area` (any level) in `month`; `Overdue` as of `today`, most overdue first.
    pub fn name_list(&self, list: NameList, month: Month, area: &AreaCode, today: NaiveDate) -> Result<Vec<ListRow>> {
        // As of the day the month is counted to (today while it runs), like the recap.
        let end = month.last_day().min(today);
        let members = pendamping_core::lists::members(
            list,
            month,
            || self.recap_input_as_of(month, area, today),
            &self.opts.rules,
        )?;
        let Some(members) = members else {
            return match list {
                NameList::PregnantAtRisk => self.at_risk_rows(area, today),
                _ => self.overdue_rows(area, today),
            };
        };
        members
            .into_iter()
            .map(|m| match m {
                Member::Target { enrolment_id, flags } => {
                    let mut row = self.target_row(enrolment_id, end)?;
                    row.flags = flags;
                    Ok(row)
                }
                Member::Family {
                    household_id,
                    accompanied,
                } => {
                    let mut row = self.family_row(household_id, end)?;
                    row.accompanied = Some(accompanied);
                    Ok(row)
                }
            })
            .collect()
    }

    /// Pregnant women accompanied today whose latest visit raised a flag of `AT_RISK_FLAGS`, by TPK
    /// and name: the women at risk now, however long ago that visit was.
    fn at_risk_rows(&self, area: &AreaCode, today: NaiveDate) -> Result<Vec<ListRow>> {
        let mut out = Vec::new();
        for c in self.caseload(area, today)? {
            let flags: Vec<RiskFlag> = c
                .flags
                .iter()
                .copied()
                .filter(|f| NameList::AT_RISK_FLAGS.contains(f))
                .collect();
            if c.kind != TargetKind::IbuHamil || flags.is_empty() {
                continue;
            }
            let mut row = self.target_row(c.enrolment_id, today)?;
            row.flags = flags;
            out.push(row);
        }
        out.sort_by(|a, b| (&a.tpk, &a.name).cmp(&(&b.tpk, &b.name)));
        Ok(out)
    }

    fn overdue_rows(&self, area: &AreaCode, today: NaiveDate) -> Result<Vec<ListRow>> {
        let mut out = Vec::new();
        for item in self.due_list(area, today)? {
            if item.status != pendamping_core::schedule::DueStatus::Overdue {
                continue;
            }
            let mut row = self.target_row(item.target.enrolment_id, today)?;
            row.flags = item.target.flags;
            row.due = Some(item.due);
            row.days_overdue = Some(item.days_overdue);
            out.push(row);
        }
        // By TPK, then the longest overdue first: each team's list for its meeting.
        out.sort_by(|a, b| (&a.tpk, b.days_overdue).cmp(&(&b.tpk, a.days_overdue)));
        Ok(out)
    }

    /// A target's row: the person, the family, and the latest visit up to `end`.
    fn target_row(&self, enrolment_id: Uuid, end: NaiveDate) -> Result<ListRow> {
        let id = enrolment_id.to_string();
        let mut row = self
            .conn
            .prepare_cached(
                "SELECT e.area_code, COALESCE(e.tpk, h.tpk, ''), e.household_id, e.person_id, e.kind, p.name, \
                 h.head_name, h.rt, h.rw, p.sex, p.birth_date, json_extract(e.details, '$.wedding_date') FROM enrolments e \
                 LEFT JOIN persons p ON p.id = e.person_id LEFT JOIN households h ON h.id = e.household_id \
                 WHERE e.id = ?1",
            )?
            .query_row([&id], |r| {
                Ok(ListRow {
                    area_code: r.get(0)?,
                    tpk: r.get(1)?,
                    household_id: r
                        .get::<_, Option<String>>(2)?
                        .map(uuid)
                        .transpose()?
                        .unwrap_or_default(),
                    person_id: r.get::<_, Option<String>>(3)?.map(uuid).transpose()?,
                    enrolment_id: Some(enrolment_id),
                    kind: word(r.get(4)?, TargetKind::from_word),
                    name: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                    head_name: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                    rt: r.get(7)?,
                    rw: r.get(8)?,
                    sex: word(r.get(9)?, Sex::from_word),
                    birth_date: r.get::<_, Option<String>>(10)?.map(date).transpose()?,
                    flags: Vec::new(),
                    last_visit: None,
                    last: Measures::default(),
                    accompanied: None,
                    due: None,
                    days_overdue: None,
                    wedding_date: r.get::<_, Option<String>>(11)?.map(date).transpose()?,
                })
            })?;
        let latest = self
            .conn
            .prepare_cached(
                "SELECT visit_date, data, results FROM visits WHERE enrolment_id = ?1 AND visit_date <= ?2 \
                 AND deleted = 0 ORDER BY visit_date DESC, hlc DESC LIMIT 1",
            )?
            .query_row((&id, end.to_string()), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })
            .optional()?;
        if let Some((day, data, results)) = latest {
            row.last_visit = Some(date(day)?);
            let data: Option<VisitData> = data.map(|d| serde_json::from_str(&d)).transpose()?;
            let results: Option<VisitResults> = results.map(|r| serde_json::from_str(&r)).transpose()?;
            row.last = measures(data.as_ref(), results.as_ref());
        }
        Ok(row)
    }

    /// A family's row: the head, and the latest visit to anyone of it up to `end`.
    fn family_row(&self, household_id: Uuid, end: NaiveDate) -> Result<ListRow> {
        let id = household_id.to_string();
        // The latest visit of each of the family's enrolments, a seek each down the index by
        // enrolment and date: the visits have no index by household (their writes stay fast),
        // and a pass over all the area's visits took 1.4 s at a kabupaten.
        let (area_code, tpk, head, rt, rw, last_visit) = self
            .conn
            .prepare_cached(
                "SELECT h.area_code, COALESCE(h.tpk, ''), h.head_name, h.rt, h.rw, \
                 (SELECT MAX((SELECT v.visit_date FROM visits v WHERE v.enrolment_id = e.id AND v.visit_date <= ?2 \
                 AND v.deleted = 0 ORDER BY v.visit_date DESC LIMIT 1)) FROM enrolments e WHERE e.household_id = h.id) \
                 FROM households h WHERE h.id = ?1",
            )?
            .query_row((&id, end.to_string()), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })?;
        Ok(ListRow {
            area_code,
            tpk,
            household_id,
            person_id: None,
            enrolment_id: None,
            kind: Some(TargetKind::Krs),
            name: head.clone(),
            head_name: head,
            rt,
            rw,
            sex: None,
            birth_date: None,
            flags: Vec::new(),
            last_visit: last_visit.map(date).transpose()?,
            last: Measures::default(),
            accompanied: None,
            due: None,
            days_overdue: None,
            wedding_date: None,
        })
    }
}

fn measures(data: Option<&VisitData>, results: Option<&VisitResults>) -> Measures {
    let anthro = results.and_then(|r| r.anthro.as_ref());
    let mut m = Measures {
        z_len: anthro.and_then(|a| a.len.as_ref()).map(|s| s.z),
        z_wei: anthro.and_then(|a| a.wei.as_ref()).map(|s| s.z),
        z_wfl: anthro.and_then(|a| a.wfl.as_ref()).map(|s| s.z),
        ..Measures::default()
    };
    match data {
        Some(VisitData::Anak(v)) => {
            m.weight_kg = v.weight_kg;
            m.lenhei_cm = v.lenhei_cm;
        }
        Some(VisitData::IbuHamil(v)) => {
            m.weight_kg = v.weight_kg;
            m.lila_cm = v.lila_cm;
            m.hb = v.hb;
            m.systolic = v.systolic;
            m.diastolic = v.diastolic;
        }
        _ => {}
    }
    m
}
