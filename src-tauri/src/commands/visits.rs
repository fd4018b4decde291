use chrono::NaiveDate;
use pendamping_app::AppError;
use pendamping_app::chart::{ChartKind, GrowthChart};
use pendamping_app::visits::{self as app, PersonTimeline, VisitDraft, VisitResult};
use pendamping_core::Visit;
use tauri::State;
use uuid::Uuid;

use crate::AppState;

#[tauri::command(async)]
pub fn new_visit(state: State<AppState>, enrolment_id: Uuid, date: Option<NaiveDate>) -> Result<VisitDraft, AppError> {
    let store = state.store();
    app::new_visit(&store, enrolment_id, date.unwrap_or_else(|| store.today()))
}

#[tauri::command(async)]
pub fn preview_visit(state: State<AppState>, visit: Visit) -> Result<VisitResult, AppError> {
    app::preview_visit(&mut state.store(), &visit)
}

#[tauri::command(async)]
pub fn save_visit(state: State<AppState>, visit: Visit) -> Result<VisitResult, AppError> {
    state.saved(app::save_visit(&mut state.store(), visit))
}

#[tauri::command(async)]
pub fn timeline(state: State<AppState>, person_id: Uuid) -> Result<PersonTimeline, AppError> {
    app::timeline(&state.store(), person_id)
}

#[tauri::command(async)]
pub fn growth_chart(state: State<AppState>, person_id: Uuid, kind: ChartKind) -> Result<GrowthChart, AppError> {
    pendamping_app::chart::growth_chart(&state.store(), person_id, kind)
}

#[tauri::command(async)]
pub fn edit_visit(state: State<AppState>, visit_id: Uuid) -> Result<VisitDraft, AppError> {
    app::edit_visit(&state.store(), visit_id)
}

#[tauri::command(async)]
pub fn correct_visit(state: State<AppState>, visit: Visit, reason: String) -> Result<VisitResult, AppError> {
    state.saved(app::correct_visit(&mut state.store(), visit, &reason))
}

#[tauri::command(async)]
pub fn void_visit(state: State<AppState>, visit_id: Uuid, reason: String) -> Result<(), AppError> {
    state.saved(app::void_visit(&mut state.store(), visit_id, &reason))
}
