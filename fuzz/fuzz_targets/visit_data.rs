//! A visit's data and its enrolment as JSON (what an import, a sync or the window hands
//! over): assessed with the shipped rules — problems, flags and z-scores — never a panic.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use pendamping_core::assess::{self, VisitContext};
use pendamping_core::enrolment::EnrolmentDetails;
use pendamping_core::risk::PersonFacts;
use pendamping_core::visit::VisitData;
use pendamping_core::{Enrolment, Rules, Sex};

fuzz_target!(|bytes: &[u8]| {
    // [sex, days since 2020-01-01 (2 bytes), days after that of the visit (2 bytes)], then
    // the enrolment's details, a 0 byte, and the visit's data.
    let Some((head, rest)) = bytes.split_first_chunk::<5>() else {
        return;
    };
    let mut parts = rest.splitn(2, |b| *b == 0);
    let (Some(details), Some(data)) = (parts.next(), parts.next()) else {
        return;
    };
    let (Ok(details), Ok(data)) = (
        serde_json::from_slice::<EnrolmentDetails>(details),
        serde_json::from_slice::<VisitData>(data),
    ) else {
        return;
    };
    let base = NaiveDate::from_ymd_opt(2020, 1, 1).expect("a date");
    let birth = base + chrono::Days::new(u16::from_le_bytes([head[1], head[2]]) as u64);
    let on = birth + chrono::Days::new(u16::from_le_bytes([head[3], head[4]]) as u64);
    let enrolment = Enrolment {
        id: uuid::Uuid::from_u128(1),
        person_id: uuid::Uuid::from_u128(2),
        household_id: uuid::Uuid::from_u128(3),
        area_code: "3602012002".into(),
        kind: details.kind(),
        start_date: birth,
        end_date: None,
        end_reason: None,
        tpk: None,
        details,
    };
    let ctx = VisitContext {
        person: PersonFacts {
            sex: if head[0] & 1 == 0 { Sex::Female } else { Sex::Male },
            birth_date: birth,
            children: Some(head[0] as u32 >> 1),
        },
        enrolment: &enrolment,
        today: on,
    };
    let _ = assess::assess(on, &data, &ctx, &Rules::default());
});
