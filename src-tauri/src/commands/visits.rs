use chrono::NaiveDate;
use pendamping_app::AppError;
use pendamping_app::chart::{ChartKind, GrowthChart};
use pendamping_app::visits::{self as app, PersonTimeline, VisitDraft, VisitResult};
use pendamping_core::Visit;
use tauri::State;
use uuid::Uuid;

use crate::AppState;

#[tauri::command]
pub fn new_visit(
    state: State<AppState>,
    enrolment_id: Uuid,
    date: Option<NaiveDate>,
) -> Result<VisitDraft, AppError> {
    let store = state.store();
    app::new_visit(&store, enrolment_id, date.unwrap_or_else(|| store.today()))
}

#[tauri::command]
pub fn preview_visit(state: State<AppState>, visit: Visit) -> Result<VisitResult, AppError> {
    app::preview_visit(&mut state.store(), &visit)
}

#[tauri::command]
pub fn save_visit(state: State<AppState>, visit: Visit) -> Result<VisitResult, AppError> {
    state.saved(app::save_visit(&mut state.store(), visit))
}

#[tauri::command]
pub fn timeline(state: State<AppState>, person_id: Uuid) -> Result<PersonTimeline, AppError> {
    app::timeline(&state.store(), person_id)
}

#[tauri::command]
pub fn growth_chart(state: State<AppState>, person_id: Uuid, kind: ChartKind) -> Result<GrowthChart, AppError> {
    pendamping_app::chart::growth_chart(&state.store(), person_id, kind)
}
