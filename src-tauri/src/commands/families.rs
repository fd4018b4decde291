use chrono::NaiveDate;
use pendamping_app::families::{self as app, Family};
use pendamping_app::strict::{Arg, Strict};
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
    let household = household.open()?;
    state.saved(|s| app::save_household(s, household))
}

#[tauri::command(async)]
pub fn check_person(state: State<AppState>, person: Strict<Person>) -> Result<Vec<Problem>, AppError> {
    let person = person.open()?;
    state.with(|s| Ok(app::check_person(s, &person)))
}

#[tauri::command(async)]
pub fn save_person(state: State<AppState>, person: Strict<Person>) -> Result<Saved, AppError> {
    let person = person.open()?;
    state.saved(|s| app::save_person(s, person))
}

#[tauri::command(async)]
pub fn remove_household(state: State<AppState>, id: Uuid) -> Result<(), AppError> {
    state.saved(|s| app::remove_household(s, id))
}

#[tauri::command(async)]
pub fn enrol(
    state: State<AppState>,
    person_id: Uuid,
    start: Arg<NaiveDate>,
    details: Strict<EnrolmentDetails>,
) -> Result<Saved, AppError> {
    let (start, details) = (start.open("start")?, details.open()?);
    state.saved(|s| targets::enrol(s, person_id, start, details))
}

#[tauri::command(async)]
pub fn end_enrolment(
    state: State<AppState>,
    id: Uuid,
    date: Arg<NaiveDate>,
    reason: Arg<ExitReason>,
) -> Result<Saved, AppError> {
    let (date, reason) = (date.open("date")?, reason.open("reason")?);
    state.saved(|s| targets::end_enrolment(s, id, date, reason))
}

#[tauri::command(async)]
pub fn record_delivery(
    state: State<AppState>,
    hamil_id: Uuid,
    delivery: Strict<Delivery>,
) -> Result<DeliveryRecorded, AppError> {
    let delivery = delivery.open()?;
    state.saved(|s| targets::record_delivery(s, hamil_id, &delivery))
}

#[tauri::command(async)]
pub fn exit_reasons(kind: TargetKind) -> Vec<ExitReason> {
    targets::exit_reasons(kind)
}
