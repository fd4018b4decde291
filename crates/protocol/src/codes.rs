//! The error and rejection codes: stable across versions, one enum each, so that a
//! program matches variants and a misspelt code does not compile. `schema/openapi.yaml`
//! lists exactly these (checked by `tests/tests/openapi.rs`).

use serde::{Deserialize, Serialize};

/// An enum of stable snake_case codes, with `ALL` and `as_str`. A code this build does not
/// know (sent by a newer server) reads as `Other` instead of failing the whole answer.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

code_enum! {
    /// Why a whole request was refused (`ErrorBody::code`).
    ErrorCode {
        Malformed = "malformed",
        BadEncoding = "bad_encoding",
        TooLarge = "too_large",
        TooManyChanges = "too_many_changes",
        Unauthorized = "unauthorized",
        Revoked = "revoked",
        TokenExpired = "token_expired",
        BadEnrollmentCode = "bad_enrollment_code",
        EnrollmentCodeExpired = "enrollment_code_expired",
        EnrollmentCodeUsed = "enrollment_code_used",
        Forbidden = "forbidden",
        /// An area asked for (a recap's, a list's) lies outside the caller's scope.
        ForbiddenArea = "forbidden_area",
        SchemaVersion = "schema_version",
        Resnapshot = "resnapshot",
        NotFound = "not_found",
        Internal = "internal",
        Unavailable = "unavailable",
        /// A request's value is out of its range (an enrolment's name, a list's month).
        Invalid = "invalid",
        /// A recovery code that is unknown, used, expired, or not this device's, or a wrap
        /// that does not open: one code for all, so that guessing teaches nothing.
        RecoveryRefused = "recovery_refused",
        /// Too many requests of one kind (enrolments, recoveries, refused tokens, log-ins)
        /// from one address: wait `Retry-After` seconds.
        RateLimited = "rate_limited",
    }
}

code_enum! {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_as_written_and_an_unknown_one_is_other() {
        for c in ErrorCode::ALL {
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), *c);
            assert_eq!(ErrorCode::parse(c.as_str()), *c);
        }
        assert_eq!(
            serde_json::from_str::<RejectCode>("\"new_in_v9\"").unwrap(),
            RejectCode::Other
        );
        assert_eq!(RejectCode::parse("forbidden"), RejectCode::Other);
    }
}
