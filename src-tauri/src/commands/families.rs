use chrono::NaiveDate;
use pendamping_app::families::{self as app, Family};
use pendamping_app::strict::{Arg, Strict};
use pendamping_app::{AppError, targets};
use pendamping_core::enrolment::{EnrolmentDetails, ExitReason};
use pendamping_core::{Household, Person, Problem, TargetKind};
use pendamping_store::{Delivery, DeliveryRecorded, HouseholdSummary, Saved};
use tauri::State;
use uuid::Uuid;

use crate::WindowState;

#[tauri::command(async)]
pub fn households(
    state: State<WindowState>,
    offset: Arg<usize>,
    limit: Arg<usize>,
) -> Result<Vec<HouseholdSummary>, AppError> {
    let offset = offset.open("offset")?;
    let limit = limit.open("limit")?;
    state.with(|s| app::households(s, offset, limit))
}

#[tauri::command(async)]
pub fn search_persons(
    state: State<WindowState>,
    query: Arg<String>,
) -> Result<Vec<pendamping_app::families::Found>, AppError> {
    let query = query.open("query")?;
    state.with(|s| app::search(s, &query))
}

#[tauri::command(async)]
pub fn family(state: State<WindowState>, id: Arg<Uuid>) -> Result<Family, AppError> {
    let id = id.open("id")?;
    state.with(|s| app::family(s, id))
}

#[tauri::command(async)]
pub fn save_household(state: State<WindowState>, household: Strict<Household>) -> Result<Saved, AppError> {
    let household = household.open("household")?;
    state.saved(|s| app::save_household(s, household))
}

#[tauri::command(async)]
pub fn check_person(state: State<WindowState>, person: Strict<Person>) -> Result<Vec<Problem>, AppError> {
    let person = person.open("person")?;
    state.with(|s| Ok(app::check_person(s, &person)))
}

#[tauri::command(async)]
pub fn save_person(state: State<WindowState>, person: Strict<Person>) -> Result<Saved, AppError> {
    let person = person.open("person")?;
    state.saved(|s| app::save_person(s, person))
}

#[tauri::command(async)]
pub fn remove_household(state: State<WindowState>, id: Arg<Uuid>) -> Result<(), AppError> {
    let id = id.open("id")?;
    state.saved(|s| app::remove_household(s, id))
}

#[tauri::command(async)]
pub fn enrol(
    state: State<WindowState>,
    person_id: Arg<Uuid>,
    start: Arg<NaiveDate>,
    details: Strict<EnrolmentDetails>,
) -> Result<Saved, AppError> {
    let person_id = person_id.open("person_id")?;
    let (start, details) = (start.open("start")?, details.open("details")?);
    state.saved(|s| targets::enrol(s, person_id, start, details))
}

#[tauri::command(async)]
pub fn start_enrolment_earlier(
    state: State<WindowState>,
    id: Arg<Uuid>,
    date: Arg<NaiveDate>,
) -> Result<Saved, AppError> {
    let (id, date) = (id.open("id")?, date.open("date")?);
    state.saved(|s| targets::start_earlier(s, id, date))
}

#[tauri::command(async)]
pub fn end_enrolment(
    state: State<WindowState>,
    id: Arg<Uuid>,
    date: Arg<NaiveDate>,
    reason: Arg<ExitReason>,
) -> Result<Saved, AppError> {
    let id = id.open("id")?;
    let (date, reason) = (date.open("date")?, reason.open("reason")?);
    state.saved(|s| targets::end_enrolment(s, id, date, reason))
}

#[tauri::command(async)]
pub fn record_delivery(
    state: State<WindowState>,
    hamil_id: Arg<Uuid>,
    delivery: Strict<Delivery>,
) -> Result<DeliveryRecorded, AppError> {
    let hamil_id = hamil_id.open("hamil_id")?;
    let delivery = delivery.open("delivery")?;
    state.saved(|s| targets::record_delivery(s, hamil_id, &delivery))
}

#[tauri::command(async)]
pub fn exit_reasons(kind: Arg<TargetKind>) -> Result<Vec<ExitReason>, AppError> {
    Ok(targets::exit_reasons(kind.open("kind")?))
}
