//! Duplicate persons at the centre and at a hub: the pairs the view finds, and the merge a
//! person decides. A merge is made on the view (the device store's own `merge_persons`),
//! and its changes go into the log as this server's own, checked as any push: so they
//! reach every device of the areas, and from a hub the centre, like any other change.

use pendamping_protocol::{Role, Scope};
use pendamping_store::{Merged, PossibleDuplicate};
use uuid::Uuid;

use crate::auth::Device;
use crate::error::{Result, ServerError};
use crate::state::AppState;
use crate::storage::{Setting, Tx};
use crate::{hub, ingest};

impl AppState {
    /// Pairs of persons under `area` that may be one (the view brought up to date first).
    pub fn possible_duplicates(
        &self,
        area: Option<&pendamping_core::area::AreaCode>,
    ) -> Result<Vec<PossibleDuplicate>> {
        self.view_current()?;
        self.view().possible_duplicates(area)
    }

    /// Merges `merged` into `survivor` (blocking).
    pub fn merge_persons(&self, survivor: Uuid, merged: Uuid) -> Result<Merged> {
        self.view_current()?;
        let rules = self.rules();
        let (out, changes) = self
            .view()
            .with_store(|s| {
                let out = s.merge_persons(survivor, merged)?;
                let changes = s.outbox(100_000)?;
                Ok::<_, pendamping_store::StoreError>((out, changes))
            })
            .map_err(|e| ServerError::View(e.to_string()))?;
        let ctx = self.ingest_context(&rules.rules);
        self.storage().writing(|tx| {
            let me = self.own_device(tx, &changes)?;
            let origins = vec![None; changes.len()];
            let stored = ingest::apply_changes(tx, &me, &changes, &origins, u64::MAX, &ctx, ingest::Arrival::Pushed)?;
            if let Some(r) = stored.rejected.first() {
                return Err(ServerError::View(format!("penggabungan ditolak: {}", r.message)));
            }
            let subject = format!("{merged} -> {survivor}");
            crate::audit::record(tx, ctx.now_ms, "admin", crate::audit::Action::Merged, &subject, "")
        })?;
        let ids: Vec<Uuid> = changes.iter().map(|c| c.change_id).collect();
        self.view()
            .with_store(|s| s.acknowledge(&ids))
            .map_err(|e| ServerError::View(e.to_string()))?;
        tracing::info!(enrolments = out.enrolments, visits = out.visits, "persons merged");
        Ok(out)
    }

    /// Who this server's own changes come from: a hub, its enrolment upstream (so the
    /// centre takes them as the hub's); the centre, itself, over the areas changed.
    fn own_device(&self, tx: &mut dyn Tx, changes: &[pendamping_core::Change]) -> Result<Device> {
        let id = tx.setting(Setting::Upstream(pendamping_sync::keys::DEVICE_ID))?;
        if let (Some(id), Some(scope)) = (id, hub::scope_of(tx)?) {
            return Ok(Device { id, scope });
        }
        let regencies: Vec<&str> = changes.iter().filter_map(|c| c.area_code.get(..4)).collect();
        Ok(Device {
            id: format!("centre:{}", self.store_id()),
            scope: Scope::new(Role::Admin, &regencies)?,
        })
    }
}
