//! What the server answers from its view of the log: the recap, the lists with names, the
//! indicators, the NIK digest; the view brought up to date with the log first.

use std::sync::Arc;

use pendamping_core::area::AreaCode;

use crate::auth::Device;
use crate::error::ServerError;
use crate::state::AppState;

impl AppState {
    /// The recap of `area` for `month`, from the view brought up to date with the log first.
    /// Blocking.
    pub fn recap(
        &self,
        month: pendamping_core::recap::Month,
        area: &AreaCode,
    ) -> Result<pendamping_core::recap::Recap, ServerError> {
        self.view_current()?;
        self.view().recap(month, area, self.today_in(area.as_str()))
    }

    /// A list with names of `area`, from the same view and walk as the recap; overdue
    /// targets as of today in the area's own zone.
    pub fn name_list(
        &self,
        list: pendamping_core::lists::NameList,
        month: pendamping_core::recap::Month,
        area: &AreaCode,
    ) -> Result<Vec<pendamping_store::ListRow>, ServerError> {
        self.view_current()?;
        self.view().name_list(list, month, area, self.today_in(area.as_str()))
    }

    /// The first month anything was recorded at this server (`None`: nothing yet).
    pub fn first_month(&self) -> Result<Option<pendamping_core::recap::Month>, ServerError> {
        self.view_current()?;
        self.view().first_month()
    }

    /// Today in `area`'s own time zone.
    pub fn today_in(&self, area: &str) -> chrono::NaiveDate {
        let rules = self.rules();
        self.ingest_context(&rules.rules).today_in(area)
    }

    /// The indicators of `area` for `month`, by child area (`key_len` code characters),
    /// from the same view and walk as the recap (blocking).
    pub fn indicators(
        &self,
        month: pendamping_core::recap::Month,
        area: &AreaCode,
        key_len: usize,
    ) -> Result<Arc<std::collections::BTreeMap<String, pendamping_core::indicators::Indicators>>, ServerError> {
        self.view_current()?;
        self.view()
            .indicators(month, area, key_len, self.today_in(area.as_str()))
    }

    /// Brings the view up to date with the log, under the server's rules now (blocking).
    pub(crate) fn view_current(&self) -> Result<u64, ServerError> {
        let rules = self.rules();
        let done = self.view().catch_up(self.storage(), &rules)?;
        if !done.set_aside.is_empty() {
            // Listed for the engineer (`pendamping server quarantine`) and counted; the
            // view's cursor has passed them, so each is found once per view.
            let now = self.now_ms();
            let total = self.storage().writing(|tx| tx.set_aside(&done.set_aside, now))?;
            self.metrics().set_aside(total);
        }
        Ok(done.applied)
    }

    /// The NIK digest for `device` (blocking). The view catches up first: a NIK registered
    /// a moment ago counts.
    pub fn nik_digest(&self, device: &Device) -> Result<pendamping_protocol::NikDigest, ServerError> {
        self.view_current()?;
        self.view().nik_digest(self.nik_salt(), &device.scope)
    }

    /// Brings the view up to date off the request path, `view_follow_secs` after a push
    /// stored something: one catch-up for a whole burst of pushes, so pushes never wait on
    /// it nor share the machine with it while they come in. A recap catches up the rest
    /// itself, so it is never stale.
    pub(crate) fn refresh_view(&self) {
        use std::sync::atomic::Ordering;
        if self.view_busy().swap(true, Ordering::AcqRel) {
            return;
        }
        let state = self.clone();
        let wait = std::time::Duration::from_secs(self.config().view_follow_secs);
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            // Pushes arriving from here on schedule the next catch-up.
            state.view_busy().store(false, Ordering::Release);
            let worker = state.clone();
            let done = tokio::task::spawn_blocking(move || worker.view_current()).await;
            if let Ok(Err(e)) = done {
                tracing::warn!(error = %e, "the view could not catch up; the next recap tries again");
            }
        });
    }
}
