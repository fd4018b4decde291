use chrono::NaiveDate;
use pendamping_app::families::{self as app, Family};
use pendamping_app::strict::Strict;
use pendamping_app::{AppError, targets};
use pendamping_core::enrolment::{EnrolmentDetails, ExitReason};
use pendamping_core::{Household, Person, Problem, TargetKind};
use pendamping_store::{Delivery, DeliveryRecorded, HouseholdSummary, Saved};
use tauri::State;
use uuid::Uuid;

use crate::AppState;

#[tauri::command(async)]
pub fn households(state: State<AppState>, offset: usize, limit: usize) -> Result<Vec<HouseholdSummary>, AppError> {
    state.with(|s| app::households(s, offset, limit))
}

#[tauri::command(async)]
pub fn search_persons(state: State<AppState>, query: String) -> Result<Vec<pendamping_app::families::Found>, AppError> {
    state.with(|s| app::search(s, &query))
}

#[tauri::command(async)]
pub fn family(state: State<AppState>, id: Uuid) -> Result<Family, AppError> {
    state.with(|s| app::family(s, id))
}

#[tauri::command(async)]
pub fn save_household(state: State<AppState>, household: Strict<Household>) -> Result<Saved, AppError> {
    state.saved(|s| app::save_household(s, household.0))
}

#[tauri::command(async)]
pub fn check_person(state: State<AppState>, person: Strict<Person>) -> Result<Vec<Problem>, AppError> {
    state.with(|s| Ok(app::check_person(s, &person.0)))
}

#[tauri::command(async)]
pub fn save_person(state: State<AppState>, person: Strict<Person>) -> Result<Saved, AppError> {
    state.saved(|s| app::save_person(s, person.0))
}

#[tauri::command(async)]
pub fn remove_household(state: State<AppState>, id: Uuid) -> Result<(), AppError> {
    state.saved(|s| app::remove_household(s, id))
}

#[tauri::command(async)]
pub fn enrol(
    state: State<AppState>,
    person_id: Uuid,
    start: NaiveDate,
    details: Strict<EnrolmentDetails>,
) -> Result<Saved, AppError> {
    state.saved(|s| targets::enrol(s, person_id, start, details.0))
}

#[tauri::command(async)]
pub fn end_enrolment(state: State<AppState>, id: Uuid, date: NaiveDate, reason: ExitReason) -> Result<Saved, AppError> {
    state.saved(|s| targets::end_enrolment(s, id, date, reason))
}

#[tauri::command(async)]
pub fn record_delivery(
    state: State<AppState>,
    hamil_id: Uuid,
    delivery: Strict<Delivery>,
) -> Result<DeliveryRecorded, AppError> {
    state.saved(|s| targets::record_delivery(s, hamil_id, &delivery.0))
}

#[tauri::command(async)]
pub fn exit_reasons(kind: TargetKind) -> Vec<ExitReason> {
    targets::exit_reasons(kind)
}
