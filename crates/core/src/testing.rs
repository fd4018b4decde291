//! Builders shared by the core's unit tests.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::enrolment::{Enrolment, EnrolmentDetails};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// An open enrolment in Cilangkahan with the given details.
pub fn enrolment(details: EnrolmentDetails, start: NaiveDate) -> Enrolment {
    Enrolment {
        id: Uuid::nil(),
        person_id: Uuid::nil(),
        household_id: Uuid::nil(),
        area_code: "3602012002".into(),
        kind: details.kind(),
        start_date: start,
        end_date: None,
        end_reason: None,
        tpk: None,
        details,
    }
}
