//! The packed batch gives back exactly what was packed, whatever the changes hold.

use std::collections::BTreeMap;

use pendamping_core::ids::v7_from_parts;
use pendamping_core::{Change, Entity, Hlc};
use pendamping_protocol::{PushHead, wire};
use proptest::prelude::*;
use serde_json::{Value, json};
use uuid::Uuid;

fn id() -> impl Strategy<Value = Uuid> {
    prop_oneof![
        // v7 ids of a few devices and sessions, as the app makes them
        (1_600_000_000_000u64..1_900_000_000_000, 0u16..0x1000, 0u64..4).prop_map(|(ms, a, s)| v7_from_parts(
            ms,
            a,
            0x2a5_1234_5678 << 22 | s
        )),
        // anything else: v4, nil, arbitrary bytes
        any::<[u8; 16]>().prop_map(Uuid::from_bytes),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-100_000i64..100_000, 0u32..5).prop_map(|(m, p)| Value::from(m as f64 / 10f64.powi(p as i32))),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-zA-Z .,'-]{0,20}".prop_map(Value::String),
        (1900i32..2100, 1u32..13, 1u32..29).prop_map(|(y, m, d)| Value::String(format!("{y:04}-{m:02}-{d:02}"))),
        id().prop_map(|u| Value::String(u.to_string())),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_.]{0,8}", inner, 0..5).prop_map(|m| json!(m)),
        ]
    })
}

fn change() -> impl Strategy<Value = Change> {
    (
        id(),
        prop::sample::select(Entity::ALL.to_vec()),
        id(),
        prop::sample::select(vec!["3602012002", "3602012003", "x"]),
        (
            // Every stamp a change can carry: one its text form says (`Hlc::is_writable`).
            0u64..=pendamping_core::hlc::MAX_MILLIS,
            0u32..=pendamping_core::hlc::MAX_COUNTER,
            prop::sample::select(vec![1u64, 0xb948_60a1_2f68_45e0]),
        ),
        prop::collection::btree_map("[a-z_]{1,12}", value(), 0..8),
    )
        .prop_map(
            |(change_id, entity, row_id, area, (millis, counter, node), fields)| Change {
                change_id,
                entity,
                row_id,
                area_code: area.to_string(),
                hlc: Hlc { millis, counter, node },
                fields: fields.into_iter().collect::<BTreeMap<_, _>>(),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn unpack_gives_back_exactly_what_was_packed(changes in prop::collection::vec(change(), 0..30), seen in any::<u64>()) {
        let head = PushHead {
            schema_version: 1,
            seen,
            origins: Vec::new(),
            seals: Vec::new(),
        };
        let (back_head, back): (PushHead, Vec<Change>) = wire::unpack(&wire::pack(head.clone(), &changes)).unwrap();
        prop_assert_eq!(back_head, head);
        prop_assert_eq!(back, changes);
    }
}
