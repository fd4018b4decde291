//! Beranda: who is due and overdue this week, how many of each target the cadre
//! accompanies, the risks to act on, and where the device stands with the server.

use chrono::NaiveDate;
use pendamping_core::area::AreaCode;
use pendamping_core::enrolment::Phase;
use pendamping_core::risk::RiskFlag;
use pendamping_core::rules::Urgency;
use pendamping_core::schedule::DueStatus;
use pendamping_core::{Rules, TargetKind};
use pendamping_store::{Caseload, DueItem, Store};
use serde::Serialize;
use uuid::Uuid;

use crate::AppError;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Home {
    pub today: NaiveDate,
    pub overdue: Vec<DueItem>,
    pub due_this_week: Vec<DueItem>,
    /// Every target type, in the programme's order, with how many are accompanied.
    pub counts: Vec<KindCount>,
    /// Most urgent first, then the longest overdue.
    pub alerts: Vec<Alert>,
    /// Enrolments the cadre must settle: a pregnancy past its outcome limit, a wedding
    /// date long past with no confirmation (docs/src/design/domain.md §1.1).
    pub to_resolve: Vec<ToResolve>,
    pub pending: u64,
    pub last_sync: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KindCount {
    pub kind: TargetKind,
    pub count: usize,
    /// For KRS: the village's families at risk by their criteria (what each family's card
    /// shows), of which `count` are accompanied. A family flagged but not yet accompanied
    /// is on its card and in this number, not in `count`.
    pub of: Option<usize>,
}

/// A person whose latest visit raised a risk the cadre must act on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Alert {
    pub person_id: Uuid,
    pub enrolment_id: Uuid,
    pub name: String,
    pub kind: TargetKind,
    /// Most urgent first.
    pub flags: Vec<FlagView>,
    pub days_overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ToResolve {
    pub person_id: Uuid,
    pub enrolment_id: Uuid,
    pub name: String,
    pub kind: TargetKind,
    pub phase: Phase,
}

/// A flag with how urgent it is and what it asks the cadre to do, from the rules file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FlagView {
    pub flag: RiskFlag,
    pub urgency: Urgency,
    pub action_id: String,
    pub action_en: String,
}

impl FlagView {
    pub fn of(flag: RiskFlag, kind: TargetKind, rules: &Rules) -> FlagView {
        let a = rules.advice(flag, kind);
        FlagView {
            flag,
            urgency: a.urgency,
            action_id: a.action_id,
            action_en: a.action_en,
        }
    }

    /// The views of a visit's flags, most urgent first.
    pub fn all(flags: &[RiskFlag], kind: TargetKind, rules: &Rules) -> Vec<FlagView> {
        let mut out: Vec<FlagView> = flags.iter().map(|&f| FlagView::of(f, kind, rules)).collect();
        out.sort_by_key(|f| (f.urgency, f.flag));
        out
    }
}

/// The risks the home screen raises: stunting and wasting, anaemia and KEK, danger signs,
/// and the 4T of a pregnancy (too young, too old, too close, too many).
fn alerting(flag: RiskFlag) -> bool {
    use RiskFlag::*;
    matches!(
        flag,
        Stunted
            | SeverelyStunted
            | Wasted
            | SeverelyWasted
            | SeverelyUnderweight
            | Sam
            | Oedema
            | Anemia
            | AnemiaRefer
            | Kek
            | DangerSign
            | HighBloodPressure
            | TooYoung
            | TooOld
            | TooClose
            | TooMany
    )
}

const KINDS: [TargetKind; 5] = [
    TargetKind::Catin,
    TargetKind::IbuHamil,
    TargetKind::Nifas,
    TargetKind::Anak,
    TargetKind::Krs,
];

pub fn home(store: &Store, area: &AreaCode, today: NaiveDate) -> Result<Home, AppError> {
    let rules = store.rules();
    let caseload = store.caseload(area, today)?;
    // Pregnancies and weddings move on by date, not by a write (docs/src/design/domain.md §1.1): their
    // phase is derived here, so a pregnancy past its outcome limit leaves the due list.
    let mut to_resolve = Vec::new();
    for c in caseload
        .iter()
        .filter(|c| matches!(c.kind, TargetKind::IbuHamil | TargetKind::Catin))
    {
        let (Some(e), Some(p)) = (store.enrolment(c.enrolment_id)?, store.person(c.person_id)?) else {
            continue;
        };
        let phase = e.phase(p.birth_date, today, rules);
        if matches!(phase, Phase::NeedsOutcome | Phase::WeddingUnconfirmed) {
            to_resolve.push(ToResolve {
                person_id: c.person_id,
                enrolment_id: c.enrolment_id,
                name: c.name.clone(),
                kind: c.kind,
                phase,
            });
        }
    }
    let settled = |id: Uuid| {
        to_resolve
            .iter()
            .any(|r| r.enrolment_id == id && r.phase == Phase::NeedsOutcome)
    };
    let due: Vec<DueItem> = store
        .due_list(area, today)?
        .into_iter()
        .filter(|d| !settled(d.target.enrolment_id))
        .collect();
    let days_overdue = |id: Uuid| {
        due.iter()
            .find(|d| d.target.enrolment_id == id)
            .map_or(0, |d| d.days_overdue.max(0))
    };
    let krs_families = store.krs_households(area)?;
    let counts = KINDS
        .iter()
        .map(|&kind| KindCount {
            kind,
            count: caseload.iter().filter(|c| c.kind == kind).count(),
            of: (kind == TargetKind::Krs).then_some(krs_families),
        })
        .collect();
    let mut alerts: Vec<Alert> = caseload
        .into_iter()
        .filter_map(|c| {
            let alerting: Vec<RiskFlag> = c.flags.iter().copied().filter(|f| alerting(*f)).collect();
            (!alerting.is_empty()).then(|| Alert {
                flags: FlagView::all(&alerting, c.kind, rules),
                days_overdue: days_overdue(c.enrolment_id),
                person_id: c.person_id,
                enrolment_id: c.enrolment_id,
                name: c.name,
                kind: c.kind,
            })
        })
        .collect();
    alerts.sort_by(|a, b| {
        (a.flags[0].urgency, -a.days_overdue, &a.name).cmp(&(b.flags[0].urgency, -b.days_overdue, &b.name))
    });
    let (overdue, due_this_week) = due.into_iter().partition(|d| d.status == DueStatus::Overdue);
    let status = pendamping_sync::status(store)?;
    Ok(Home {
        today,
        overdue,
        due_this_week,
        counts,
        alerts,
        to_resolve,
        pending: status.pending,
        last_sync: status.last_success,
    })
}

/// The targets of one type a count on Beranda stands for, by name.
pub fn caseload(store: &Store, area: &AreaCode, today: NaiveDate, kind: TargetKind) -> Result<Vec<Caseload>, AppError> {
    let mut list: Vec<Caseload> = store
        .caseload(area, today)?
        .into_iter()
        .filter(|c| c.kind == kind)
        .collect();
    list.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pendamping_tests::*;

    #[test]
    fn home_shows_who_is_due_the_counts_and_a_stunted_child() {
        let today = d(2026, 11, 23);
        let mut store = store_at(today);
        let (_, _, stunted, e) = family_with_child(&mut store, 100, VILLAGE, d(2025, 5, 1));
        // 16 months old, 72 cm: short for a girl (z ≈ −2.8); weighed two months ago, so overdue.
        store
            .record_visit(&child_visit(110, &e, d(2026, 9, 20), 9.0, 72.0))
            .unwrap();
        let (_, _, well, e2) = family_with_child(&mut store, 200, VILLAGE, d(2025, 5, 1));
        store.record_visit(&child_visit(210, &e2, today, 10.5, 81.0)).unwrap();
        family_with_child(&mut store, 300, OTHER_VILLAGE, d(2025, 5, 1));

        let h = home(&store, &at(VILLAGE), today).unwrap();
        let anak = h.counts.iter().find(|c| c.kind == TargetKind::Anak).unwrap();
        assert_eq!(anak.count, 2, "only this village's children");
        assert_eq!(h.counts.len(), 5);
        assert!(h.overdue.iter().any(|d| d.target.person_id == stunted.id));
        assert!(
            !h.overdue
                .iter()
                .chain(&h.due_this_week)
                .any(|d| d.target.person_id == well.id),
            "weighed today"
        );
        assert_eq!(h.alerts.len(), 1, "{:?}", h.alerts);
        let alert = &h.alerts[0];
        assert_eq!(alert.person_id, stunted.id);
        assert!(
            alert
                .flags
                .iter()
                .any(|f| f.flag == RiskFlag::Stunted && f.urgency == Urgency::High && f.action_id.contains("audit")),
            "{:?}",
            alert.flags
        );
        assert_eq!(
            h.pending,
            2 * 4 + 2 + 4,
            "two families with a visit each, and the other village's family"
        );
        assert_eq!(h.last_sync, None);
    }

    #[test]
    fn the_krs_tile_counts_the_families_whose_card_says_krs_and_how_many_are_accompanied() {
        let today = d(2026, 11, 23);
        let mut store = store_at(today);
        crate::setup::work_offline(&mut store, &[VILLAGE.into()]).unwrap();
        // Drinking water from the river: at risk by its criteria, not (yet) accompanied.
        let mut river = household(400, VILLAGE, "Rahmat");
        river.water_source = Some(pendamping_core::household::WaterSource::AirPermukaan);
        store.save_household(&river).unwrap();
        let toddler = person(
            401,
            &river,
            "Dimas",
            pendamping_core::Sex::Male,
            d(2024, 2, 1),
            pendamping_core::Relationship::Anak,
        );
        store.save_person(&toddler).unwrap();
        let (safe, ..) = family_with_child(&mut store, 500, VILLAGE, d(2025, 5, 1));

        let h = home(&store, &at(VILLAGE), today).unwrap();
        let krs = h.counts.iter().find(|c| c.kind == TargetKind::Krs).unwrap();
        let cards_saying_krs = [river.id, safe.id]
            .into_iter()
            .filter(|id| crate::families::family(&store, *id).unwrap().krs)
            .count();
        assert_eq!(cards_saying_krs, 1, "the river family's card");
        assert_eq!((krs.count, krs.of), (0, Some(cards_saying_krs)));
        assert!(
            h.counts
                .iter()
                .filter(|c| c.kind != TargetKind::Krs)
                .all(|c| c.of.is_none())
        );
    }

    #[test]
    fn urgent_alerts_come_first_and_a_pregnancy_past_45_weeks_leaves_the_due_list() {
        use pendamping_core::visit::{HamilVisit, VisitData};
        use pendamping_core::{EnrolmentDetails, Visit};
        let today = d(2026, 11, 23);
        let mut store = store_at(today);
        // A stunted child, overdue (high), and a pregnant woman with 150/95 (urgent).
        let (_, _, _, e) = family_with_child(&mut store, 100, VILLAGE, d(2025, 5, 1));
        store
            .record_visit(&child_visit(110, &e, d(2026, 9, 20), 9.0, 72.0))
            .unwrap();
        let (h, mother, _, _) = family_with_child(&mut store, 200, VILLAGE, d(2024, 1, 1));
        let hamil = |n: u128, hpht| enrolment(n, &mother, d(2026, 9, 1), EnrolmentDetails::pregnancy(hpht));
        let p = hamil(210, d(2026, 6, 1));
        store.save_enrolment(&p).unwrap();
        store
            .record_visit(&Visit {
                id: uuid::Uuid::from_u128(211),
                enrolment_id: p.id,
                person_id: mother.id,
                household_id: h.id,
                area_code: VILLAGE.into(),
                visit_date: today,
                data: VisitData::IbuHamil(HamilVisit {
                    systolic: Some(150),
                    diastolic: Some(95),
                    ..HamilVisit::default()
                }),
                correction_reason: None,
                recorded_by: None,
            })
            .unwrap();
        let h = home(&store, &at(VILLAGE), today).unwrap();
        assert_eq!(h.alerts.len(), 2, "{:?}", h.alerts);
        assert_eq!(h.alerts[0].flags[0].urgency, Urgency::Urgent);
        assert_eq!(h.alerts[0].flags[0].flag, RiskFlag::HighBloodPressure);
        assert!(h.alerts[0].flags[0].action_id.contains("preeklamsia"));
        assert_eq!(h.alerts[1].flags[0].urgency, Urgency::High);
        assert!(h.alerts[1].days_overdue > 0);
        assert!(h.to_resolve.is_empty());

        // The same pregnancy 46 weeks after HPHT: an outcome to record, not a visit due.
        let later = d(2026, 6, 1) + chrono::Days::new(46 * 7);
        let h = home(&store, &at(VILLAGE), later).unwrap();
        assert_eq!(h.to_resolve.len(), 1);
        assert_eq!(h.to_resolve[0].phase, Phase::NeedsOutcome);
        assert!(
            !h.overdue
                .iter()
                .chain(&h.due_this_week)
                .any(|d| d.target.enrolment_id == p.id),
            "not on the due list"
        );
    }
}
