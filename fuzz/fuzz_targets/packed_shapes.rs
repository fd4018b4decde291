//! A packed push built by structure, as an attacker crafts one rather than as bytes damage
//! it: field paths of any depth, JSON values nested thousands deep, columns of any density,
//! rows and counts that lie about what follows. The decoder must refuse or bound it (the
//! run's `-rss_limit_mb` and `-timeout` catch a bound that does not hold), and what it
//! gives back, once written as the log's text, either fails the log's door or reads back
//! through every reader (`shape::read_change`): the door and the readers agree.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use pendamping_core::Entity;
use pendamping_core::shape;
use pendamping_protocol::{PushHead, SCHEMA_VERSION, wire};
use serde::Serialize;

/// The packed layout (`wire::Packed`), field for field, so any shape of it can be written.
#[derive(Serialize)]
struct Packed {
    head: PushHead,
    nodes: Vec<u64>,
    salts: (Vec<u64>, Vec<(u32, u32)>),
    areas: Vec<String>,
    refs: Ids,
    groups: Vec<Group>,
}

#[derive(Serialize, Default)]
struct Ids {
    ms: Vec<i64>,
    a: Vec<u16>,
    salt: Vec<u32>,
    other: Vec<[u8; 16]>,
}

#[derive(Serialize)]
struct Group {
    entity: Entity,
    millis: Vec<i64>,
    counters: Vec<u32>,
    nodes: Vec<u32>,
    areas: Vec<u32>,
    order: Vec<u32>,
    change_ids: Ids,
    row_ids: Ids,
    columns: Vec<Column>,
}

#[derive(Serialize)]
struct Column {
    path: String,
    rows: Option<Vec<u32>>,
    values: Vec<Val>,
}

#[derive(Serialize)]
#[allow(dead_code)]
enum Val {
    Null,
    False,
    True,
    Int(i64),
    Dec(i64, u8),
    Float(f64),
    Str(String),
    Date(i32),
    Ref(u32),
    Json(String),
}

#[derive(Arbitrary, Debug)]
struct Plan {
    entity: u8,
    rows: u16,
    columns: Vec<ColumnPlan>,
    /// Where to overwrite a count with a huge one, if at all (an offset into the bytes).
    lie_at: Option<u16>,
    groups: u8,
}

#[derive(Arbitrary, Debug)]
struct ColumnPlan {
    /// Parts of the path (`name.a.a…`).
    depth: u16,
    /// Nesting of a JSON value (0: a plain value).
    json_depth: u16,
    /// Length of a string value.
    text: u16,
    /// Only every nth row has the field (0: every row).
    every: u8,
    kind: u8,
}

fn ids(n: usize) -> Ids {
    Ids {
        ms: vec![1; n],
        a: vec![1; n],
        salt: vec![0; n],
        other: Vec::new(),
    }
}

fn value(c: &ColumnPlan, i: usize) -> Val {
    // Deep and long values in the first row only: the plan, not the decoder, would run out
    // of memory otherwise.
    if c.json_depth > 0 && i == 0 {
        let d = c.json_depth as usize;
        return Val::Json(format!("{}1{}", "[".repeat(d), "]".repeat(d)));
    }
    match c.kind % 6 {
        0 => Val::Null,
        1 => Val::Int(i as i64),
        2 => Val::Dec(85, 1),
        3 if i == 0 => Val::Str("é".repeat(c.text as usize)),
        3 => Val::Str("x".into()),
        4 => Val::Date(i as i32),
        _ => Val::Ref(0),
    }
}

fn build(plan: &Plan) -> Vec<u8> {
    let entities = [Entity::Household, Entity::Person, Entity::Enrolment, Entity::Visit];
    let n = plan.rows as usize % 6000;
    let groups = (0..=plan.groups % 3)
        .map(|g| {
            let columns = plan
                .columns
                .iter()
                .take(64)
                .map(|c| {
                    let every = c.every as usize;
                    let at: Vec<usize> = (0..n).filter(|r| every == 0 || r % every == 0).collect();
                    let rows = (every != 0).then(|| {
                        let mut prev = -1i64;
                        at.iter()
                            .map(|r| {
                                let d = (*r as i64 - prev - 1) as u32;
                                prev = *r as i64;
                                d
                            })
                            .collect()
                    });
                    let field = entities[plan.entity as usize % 4].fields()[0];
                    Column {
                        path: format!("{field}{}", ".a".repeat(c.depth as usize % 20_000)),
                        rows,
                        values: at.iter().map(|r| value(c, *r)).collect(),
                    }
                })
                .collect();
            Group {
                entity: entities[(plan.entity as usize + g as usize) % 4],
                millis: vec![1_795_000_000_000; n],
                counters: vec![0; n],
                nodes: vec![0; n],
                areas: vec![0; n],
                order: vec![if g == 0 { 0 } else { 1 }; n],
                change_ids: ids(n),
                row_ids: ids(n),
                columns,
            }
        })
        .collect();
    let packed = Packed {
        head: PushHead {
            schema_version: SCHEMA_VERSION,
            seen: 0,
            origins: Vec::new(),
            seals: Vec::new(),
        },
        nodes: vec![7],
        salts: (vec![1], vec![(0, 1)]),
        areas: vec!["3602012002".into()],
        refs: ids(1),
        groups,
    };
    let mut bytes = b"PDB1".to_vec();
    bytes.extend(postcard::to_allocvec(&packed).unwrap_or_default());
    if let Some(at) = plan.lie_at.map(|a| a as usize).filter(|a| *a + 1 < bytes.len()) {
        let mut lied = bytes[..at].to_vec();
        lied.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
        lied.extend_from_slice(&bytes[at + 1..]);
        bytes = lied;
    }
    bytes
}

fuzz_target!(|plan: Plan| {
    let bytes = build(&plan);
    let bounds = wire::Bounds::for_wire(bytes.len(), wire::MAX_CHANGES);
    let Ok((_, changes)) = PushHead::unpack_within(&bytes, bounds) else {
        return;
    };
    for c in &changes {
        let text = serde_json::to_string(c).expect("a change is written as JSON");
        if shape::check_text(&text).is_ok() {
            let back = shape::read_change(&text).expect("what passes the door reads back");
            assert_eq!(&back, c);
            assert_eq!(shape::check_change(c), Ok(()), "the parsed check agrees with the text's");
        }
    }
});
