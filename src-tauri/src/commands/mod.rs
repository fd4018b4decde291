//! The commands the UI invokes, grouped by screen. Each delegates to `pendamping_app`.
//! All run off the main thread (`command(async)`): a save or a tab waiting for the store
//! while a sync holds it for a step never freezes the window.

mod door;
mod families;
mod home;
mod hub;
mod recap;
mod setup;
mod sync;
mod visits;

use tauri::{Runtime, ipc::Invoke};

pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        door::door,
        door::first_member,
        door::unlock,
        door::recover,
        door::lock,
        door::add_member,
        door::change_pin,
        setup::setup,
        setup::find_villages,
        setup::villages_of_district,
        setup::work_offline,
        setup::choose_villages,
        setup::set_current_village,
        setup::set_tpk,
        setup::enroll,
        setup::server_authority,
        setup::trust_server,
        home::home,
        home::today,
        home::caseload,
        families::households,
        families::search_persons,
        families::family,
        families::save_household,
        families::check_person,
        families::save_person,
        families::remove_household,
        families::enrol,
        families::end_enrolment,
        families::start_enrolment_earlier,
        families::record_delivery,
        families::exit_reasons,
        visits::new_visit,
        visits::preview_visit,
        visits::save_visit,
        visits::edit_visit,
        visits::correct_visit,
        visits::void_visit,
        visits::timeline,
        visits::growth_chart,
        sync::sync_screen,
        sync::sync_state,
        sync::sync_now,
        sync::dismiss_conflict,
        recap::recap,
        recap::export_recap,
        recap::export_list,
        hub::hub_screen,
        hub::hub_start,
        hub::hub_stop,
        hub::hub_relay_now,
        hub::hub_new_code,
        hub::hub_recovery_code,
    ]
}
