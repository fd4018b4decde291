//! What the screens of the app ask for, as plain functions over the device store that
//! return serialisable DTOs. The Tauri commands only call these, so every screen's logic
//! is tested without a window.

pub mod authority;
pub mod chart;
pub mod door;
mod error;
pub mod export;
pub mod families;
pub mod home;
pub mod hub;
pub mod lists;
pub mod recap;
pub mod setup;
pub mod strict;
pub mod syncing;
pub mod targets;
pub mod visits;

pub use error::AppError;
