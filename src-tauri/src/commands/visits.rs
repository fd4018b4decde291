use chrono::NaiveDate;
use pendamping_app::AppError;
use pendamping_app::chart::{ChartKind, GrowthChart};
use pendamping_app::strict::{Arg, Strict};
use pendamping_app::visits::{self as app, PersonTimeline, VisitDraft, VisitResult};
use pendamping_core::Visit;
use tauri::State;
use uuid::Uuid;

use crate::WindowState;

#[tauri::command(async)]
pub fn new_visit(
    state: State<WindowState>,
    enrolment_id: Arg<Uuid>,
    date: Arg<Option<NaiveDate>>,
) -> Result<VisitDraft, AppError> {
    let enrolment_id = enrolment_id.open("enrolment_id")?;
    let date = date.open("date")?;
    state.with(|store| app::new_visit(store, enrolment_id, date.unwrap_or_else(|| store.today())))
}

#[tauri::command(async)]
pub fn preview_visit(state: State<WindowState>, visit: Strict<Visit>) -> Result<VisitResult, AppError> {
    let visit = visit.open("visit")?;
    state.with(|s| app::preview_visit(s, &visit))
}

#[tauri::command(async)]
pub fn save_visit(state: State<WindowState>, visit: Strict<Visit>) -> Result<VisitResult, AppError> {
    let visit = visit.open("visit")?;
    state.saved(|s| app::save_visit(s, visit))
}

#[tauri::command(async)]
pub fn timeline(state: State<WindowState>, person_id: Arg<Uuid>) -> Result<PersonTimeline, AppError> {
    let person_id = person_id.open("person_id")?;
    state.with(|s| app::timeline(s, person_id))
}

#[tauri::command(async)]
pub fn growth_chart(
    state: State<WindowState>,
    person_id: Arg<Uuid>,
    kind: Arg<ChartKind>,
) -> Result<GrowthChart, AppError> {
    let person_id = person_id.open("person_id")?;
    let kind = kind.open("kind")?;
    state.with(|s| pendamping_app::chart::growth_chart(s, person_id, kind))
}

#[tauri::command(async)]
pub fn edit_visit(state: State<WindowState>, visit_id: Arg<Uuid>) -> Result<VisitDraft, AppError> {
    let visit_id = visit_id.open("visit_id")?;
    state.with(|s| app::edit_visit(s, visit_id))
}

#[tauri::command(async)]
pub fn correct_visit(
    state: State<WindowState>,
    visit: Strict<Visit>,
    reason: Arg<String>,
) -> Result<VisitResult, AppError> {
    let reason = reason.open("reason")?;
    let visit = visit.open("visit")?;
    state.saved(|s| app::correct_visit(s, visit, &reason))
}

#[tauri::command(async)]
pub fn void_visit(state: State<WindowState>, visit_id: Arg<Uuid>, reason: Arg<String>) -> Result<(), AppError> {
    let visit_id = visit_id.open("visit_id")?;
    let reason = reason.open("reason")?;
    state.saved(|s| app::void_visit(s, visit_id, &reason))
}
