//! Beranda: who is due and overdue this week, how many of each target the cadre
//! accompanies, the risks to act on, and where the device stands with the server.

use chrono::NaiveDate;
use pendamping_core::TargetKind;
use pendamping_core::risk::RiskFlag;
use pendamping_core::schedule::DueStatus;
use pendamping_store::{DueItem, Store};
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
    pub alerts: Vec<Alert>,
    pub pending: u64,
    pub last_sync: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KindCount {
    pub kind: TargetKind,
    pub label: &'static str,
    pub count: usize,
}

/// A person whose latest visit raised a risk the cadre must act on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Alert {
    pub person_id: Uuid,
    pub enrolment_id: Uuid,
    pub name: String,
    pub kind: TargetKind,
    pub flags: Vec<FlagView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FlagView {
    pub flag: RiskFlag,
    pub label: &'static str,
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

pub fn home(store: &Store, area: &str, today: NaiveDate) -> Result<Home, AppError> {
    let due = store.due_list(area, today)?;
    let (overdue, due_this_week) = due.into_iter().partition(|d| d.status == DueStatus::Overdue);
    let caseload = store.caseload(area, today)?;
    let counts = KINDS
        .iter()
        .map(|&kind| KindCount {
            kind,
            label: kind.label_id(),
            count: caseload.iter().filter(|c| c.kind == kind).count(),
        })
        .collect();
    let alerts = caseload
        .into_iter()
        .filter_map(|c| {
            let flags: Vec<FlagView> = c
                .flags
                .iter()
                .filter(|f| alerting(**f))
                .map(|&flag| FlagView {
                    flag,
                    label: flag.label_id(),
                })
                .collect();
            (!flags.is_empty()).then_some(Alert {
                person_id: c.person_id,
                enrolment_id: c.enrolment_id,
                name: c.name,
                kind: c.kind,
                flags,
            })
        })
        .collect();
    let status = pendamping_sync::status(store)?;
    Ok(Home {
        today,
        overdue,
        due_this_week,
        counts,
        alerts,
        pending: status.pending,
        last_sync: status.last_success,
    })
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

        let h = home(&store, VILLAGE, today).unwrap();
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
                .any(|f| f.flag == RiskFlag::Stunted && f.label == "Pendek (stunting)"),
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
}
