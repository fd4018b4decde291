//! What the screens of the app ask for, as plain functions over the device store that
//! return serialisable DTOs. The Tauri commands only call these, so every screen's logic
//! is tested without a window.

pub mod chart;
mod error;
pub mod home;
pub mod syncing;

pub use error::AppError;
