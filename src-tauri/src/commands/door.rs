//! The log-in screen: members, PINs, recovery, locking.

use pendamping_app::AppError;
use pendamping_app::door::{DoorView, MemberView};
use pendamping_app::strict::Arg;
use tauri::State;
use uuid::Uuid;

use crate::WindowState;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Who may come in, and who is in.
#[tauri::command(async)]
pub fn door(state: State<WindowState>) -> Result<DoorView, AppError> {
    state.door.view(now_ms(), state.member().map(|(id, _)| id))
}

/// The first member of a new device (or of a plain store, encrypted now).
#[tauri::command(async)]
pub fn first_member(
    state: State<WindowState>,
    name: Arg<String>,
    pin: Arg<String>,
    pin_again: Arg<String>,
) -> Result<(), AppError> {
    let name = name.open("name")?;
    let pin = pin.open("pin")?;
    let pin_again = pin_again.open("pin_again")?;
    let opened = state.door.create(&name, &pin, &pin_again)?;
    state.open(opened)
}

#[tauri::command(async)]
pub fn unlock(state: State<WindowState>, member: Arg<Uuid>, pin: Arg<String>) -> Result<(), AppError> {
    let member = member.open("member")?;
    let pin = pin.open("pin")?;
    let opened = state.door.unlock(member, &pin, now_ms())?;
    state.open(opened)
}

#[tauri::command(async)]
pub async fn recover(
    state: State<'_, WindowState>,
    member: Arg<Uuid>,
    code: Arg<String>,
    pin: Arg<String>,
    pin_again: Arg<String>,
) -> Result<(), AppError> {
    let member = member.open("member")?;
    let code = code.open("code")?;
    let pin = pin.open("pin")?;
    let pin_again = pin_again.open("pin_again")?;
    let opened = state.door.recover(member, &code, &pin, &pin_again).await?;
    state.open(opened)
}

#[tauri::command(async)]
pub fn lock(state: State<WindowState>) {
    state.lock();
}

#[tauri::command(async)]
pub fn add_member(
    state: State<WindowState>,
    name: Arg<String>,
    pin: Arg<String>,
    pin_again: Arg<String>,
) -> Result<MemberView, AppError> {
    let name = name.open("name")?;
    let pin = pin.open("pin")?;
    let pin_again = pin_again.open("pin_again")?;
    state.with_key(|door, opened| door.add_member(opened, &name, &pin, &pin_again))
}

#[tauri::command(async)]
pub fn change_pin(
    state: State<WindowState>,
    old_pin: Arg<String>,
    pin: Arg<String>,
    pin_again: Arg<String>,
) -> Result<(), AppError> {
    let old_pin = old_pin.open("old_pin")?;
    let pin = pin.open("pin")?;
    let pin_again = pin_again.open("pin_again")?;
    state.with_key(|door, opened| door.change_pin(opened, &old_pin, &pin, &pin_again, now_ms()))
}
