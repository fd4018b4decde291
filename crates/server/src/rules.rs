//! The district's rules as the server holds them: read once at start, or adopted from the
//! centre by a hub.

use pendamping_core::Rules;

/// The district's rules, and the file as read, served to devices as it is.
pub struct HeldRules {
    pub rules: Rules,
    pub toml: String,
}
