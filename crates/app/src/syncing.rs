//! The Sinkronisasi screen: where the device stands with the server, the conflicts to
//! review side by side, and the changes the server refused, to fix.

use pendamping_core::{Entity, Hlc};
use pendamping_store::{Conflict, Store};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::AppError;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncScreen {
    pub enrolled: bool,
    pub server: Option<String>,
    /// The villages or kecamatan this device may see.
    pub scope: Vec<pendamping_core::area::AreaCode>,
    /// The same, named: "36.02.01.2002 Cilangkahan".
    pub scope_titles: Vec<String>,
    pub pending: u64,
    /// Sent to the PLKB hub, which holds them until the centre has them: kept here till then.
    pub held: u64,
    pub last_success: Option<String>,
    pub conflicts: Vec<ConflictView>,
    pub refused: Vec<RefusedView>,
}

/// Which value of a conflict stands: the one made on this device, or the other device's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Kept {
    Here,
    There,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConflictView {
    pub id: i64,
    pub entity: Entity,
    pub row_id: Uuid,
    pub field: String,
    /// This device's value and the other device's, side by side.
    pub here: Value,
    pub there: Value,
    pub here_hlc: Hlc,
    pub there_hlc: Hlc,
    /// "here" or "there": the value now in force everywhere.
    pub kept: Kept,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RefusedView {
    pub change_id: Uuid,
    pub entity: Entity,
    pub row_id: Uuid,
    pub code: pendamping_protocol::RejectCode,
    pub field: Option<String>,
    pub message: String,
    pub refused_at: String,
    /// Whose record it is: the person's name, or a household's head.
    pub name: Option<String>,
    /// Correcting the record on its screen can make the server take it (a value it found
    /// invalid); not a record outside the device's area, a wrong clock or a broken seal.
    pub fixable: bool,
    /// Where the cadre fixes it: the person's screen, or for a household the family's.
    pub person_id: Option<Uuid>,
    pub household_id: Option<Uuid>,
}

/// The screen on which a refused record can be corrected.
fn where_to_fix(store: &Store, entity: Entity, id: Uuid) -> (Option<Uuid>, Option<Uuid>) {
    match entity {
        Entity::Household => (None, Some(id)),
        Entity::Person => (Some(id), None),
        Entity::Enrolment => (store.enrolment(id).ok().flatten().map(|e| e.person_id), None),
        Entity::Visit => (store.visit(id).ok().flatten().map(|v| v.person_id), None),
    }
}

pub fn sync_screen(store: &Store) -> Result<SyncScreen, AppError> {
    let status = pendamping_sync::status(store)?;
    let conflicts = store
        .conflicts(true)?
        .into_iter()
        .map(|Conflict { id, clash: c, .. }| ConflictView {
            id,
            entity: c.entity,
            row_id: c.row_id,
            field: c.field,
            here: c.local_value,
            there: c.remote_value,
            here_hlc: c.local_hlc,
            there_hlc: c.remote_hlc,
            kept: if c.local_wins { Kept::Here } else { Kept::There },
        })
        .collect();
    let refused = store
        .refused()?
        .into_iter()
        .map(|r| {
            let (person_id, household_id) = where_to_fix(store, r.change.entity, r.change.row_id);
            let name = match (person_id, household_id) {
                (Some(p), _) => store.person(p).ok().flatten().map(|p| p.name),
                (_, Some(h)) => store.household(h).ok().flatten().map(|h| h.head_name),
                _ => None,
            };
            RefusedView {
                name,
                fixable: r.code == pendamping_protocol::RejectCode::Invalid,
                change_id: r.change.change_id,
                entity: r.change.entity,
                row_id: r.change.row_id,
                code: r.code,
                field: r.field,
                message: r.message,
                refused_at: r.rejected_at,
                person_id,
                household_id,
            }
        })
        .collect();
    let scope = status.scope.map(|s| s.areas).unwrap_or_default();
    Ok(SyncScreen {
        enrolled: status.server.is_some(),
        server: status.server,
        scope_titles: scope.iter().map(|c| crate::recap::area_title(c.as_str())).collect(),
        scope,
        pending: status.pending,
        held: status.held,
        last_success: status.last_success,
        conflicts,
        refused,
    })
}

/// Marks a conflict reviewed. To keep the other value, the user edits the record again.
pub fn dismiss_conflict(store: &mut Store, id: i64) -> Result<(), AppError> {
    if store.resolve_conflict(id)? {
        Ok(())
    } else {
        Err(AppError::not_found("Konflik ini", "conflict"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pendamping_protocol::Role;
    use pendamping_tests::net::*;
    use pendamping_tests::*;

    async fn sync(s: &mut Store) {
        pendamping_sync::sync(s, &fast_options(), &mut |_| {}).await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_screen_shows_refused_changes_and_conflicts_to_review() {
        let today = d(2026, 11, 23);
        let dir = tempfile::tempdir().unwrap();
        let server = TestServer::start(dir.path(), clock_at(today), |_| {}).await;
        let (ca, cb) = (clock_at(today), clock_at(today));
        let mut a = enrolled_device(&server, ca, Role::Cadre, &[VILLAGE]).await;
        let mut b = enrolled_device(&server, cb.clone(), Role::Cadre, &[VILLAGE]).await;
        let (_, mother, _, _) = family_with_child(&mut a, 100, VILLAGE, d(2025, 5, 1));
        // A family registered in a village this device does not cover.
        family_with_child(&mut a, 200, OTHER_VILLAGE, d(2025, 5, 1));
        sync(&mut a).await;
        sync(&mut b).await;
        let screen = sync_screen(&a).unwrap();
        assert!(screen.enrolled && screen.pending == 0);
        assert_eq!(
            screen.scope,
            vec![pendamping_core::area::AreaCode::parse(VILLAGE).unwrap()]
        );
        assert_eq!(screen.scope_titles, vec!["36.02.01.2002 Cilangkahan".to_string()]);
        assert_eq!(screen.refused.len(), 4, "household, two persons, enrolment");
        assert!(screen.refused.iter().all(
            |r| r.code == pendamping_protocol::RejectCode::ForbiddenArea && r.field.as_deref() == Some("area_code")
        ));
        // Each refused record leads to the screen where it can be fixed.
        for r in &screen.refused {
            let to = match r.entity {
                Entity::Household => r.household_id,
                _ => r.person_id,
            };
            assert!(to.is_some(), "{r:?}");
        }

        // Both edit the phone; b pushes second and has the conflict to review.
        let mut on_a = mother.clone();
        on_a.phone = Some("081111111111".into());
        a.save_person(&on_a).unwrap();
        sync(&mut a).await;
        cb.advance(60_000);
        let mut on_b = mother.clone();
        on_b.phone = Some("082222222222".into());
        b.save_person(&on_b).unwrap();
        sync(&mut b).await;
        let screen = sync_screen(&b).unwrap();
        assert_eq!(screen.conflicts.len(), 1);
        let c = &screen.conflicts[0];
        assert_eq!(
            (c.field.as_str(), c.here.as_str(), c.there.as_str()),
            ("phone", Some("082222222222"), Some("081111111111"))
        );
        assert_eq!(c.kept, Kept::Here, "b's later edit wins");
        dismiss_conflict(&mut b, c.id).unwrap();
        assert!(sync_screen(&b).unwrap().conflicts.is_empty());
        dismiss_conflict(&mut b, c.id).expect("dismissing twice is harmless");
        assert_eq!(dismiss_conflict(&mut b, 9_999).unwrap_err().code, "not_found");
        server.stop().await;
    }
}
