//! Codes that travel and are kept: stable across versions, one enum each, so that a
//! program matches variants and a misspelt code does not compile. The device store keeps
//! a refused change's code as the server sent it; `pendamping_protocol` has the rest.

/// An enum of stable snake_case codes, with `ALL` and `as_str`. A code this build does not
/// know (sent by a newer server) reads as `Other` instead of failing the whole answer.
#[macro_export]
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
            /// A code from a newer version, unknown to this one.
            #[serde(other, rename = "other")]
            Other,
        }

        impl $name {
            /// Every code a server of this version sends.
            pub const ALL: &[$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other => "other",
                }
            }

            /// The code spelt `text`, `Other` for one this version does not know.
            pub fn parse(text: &str) -> Self {
                Self::ALL.iter().copied().find(|c| c.as_str() == text).unwrap_or($name::Other)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

crate::code_enum! {
    /// Why one change of a push was refused and quarantined (`Rejection::code`).
    RejectCode {
        ForbiddenArea = "forbidden_area",
        UnknownArea = "unknown_area",
        UnknownField = "unknown_field",
        ClockSkew = "clock_skew",
        Invalid = "invalid",
        /// A relayed change names an origin device this server does not know, or one whose
        /// area does not cover the change, or the pusher may not relay.
        BadOrigin = "bad_origin",
        /// The change carries no seal of its origin, or its origin has no registered key
        /// (enrolled by an older version: enrol it again).
        Unsigned = "unsigned",
        /// The seal does not match: the change was altered on its way, or signed by a
        /// device other than its origin.
        BadSignature = "bad_signature",
    }
}
