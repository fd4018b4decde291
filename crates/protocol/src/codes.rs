//! The error and rejection codes: stable across versions, one enum each, so that a
//! program matches variants and a misspelt code does not compile. `schema/openapi.yaml`
//! lists exactly these (checked by `tests/tests/all/openapi.rs`).

use pendamping_core::code_enum;
pub use pendamping_core::codes::RejectCode;

code_enum! {
    /// Why a whole request was refused (`ErrorBody::code`).
    ErrorCode {
        Malformed = "malformed",
        /// A body that does not decode under its Content-Encoding (broken, truncated).
        BadEncoding = "bad_encoding",
        /// A Content-Encoding this server does not take (identity, gzip and zstd it does).
        UnsupportedEncoding = "unsupported_encoding",
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
        /// The request's body stopped arriving (`408`): send it again.
        RequestTimeout = "request_timeout",
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
