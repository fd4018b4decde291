//! A JSON push built by structure, as an attacker crafts one: changes whose field values
//! nest to any depth (past what a reader takes), strings long and odd (lone escapes,
//! astral and combining characters), keys given twice. The server's door (`door_json`)
//! either refuses the body or gives each change's text as the log would keep it with its
//! verdict, and what it lets in reads back through every reader of the log.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use pendamping_core::shape;

#[derive(Arbitrary, Debug)]
struct Plan {
    changes: Vec<ChangePlan>,
}

#[derive(Arbitrary, Debug)]
struct ChangePlan {
    entity: u8,
    fields: Vec<FieldPlan>,
    /// Give the first field twice (the last one wins in a map: what is kept is one value).
    twice: bool,
}

#[derive(Arbitrary, Debug)]
struct FieldPlan {
    which: u8,
    depth: u16,
    text: u16,
    odd: u8,
    object: bool,
}

const ENTITIES: [(&str, &[&str]); 4] = [
    ("household", &["head_name", "address", "rt", "welfare_decile"]),
    ("person", &["name", "nik", "birth_date", "phone"]),
    ("enrolment", &["kind", "details", "start_date", "tpk"]),
    ("visit", &["data", "visit_date", "correction_reason", "recorded_by"]),
];

/// Odd texts, as JSON string contents.
const ODD: [&str; 6] = ["a", "\\u0000", "\\ud83d\\ude00", "e\\u0301", "\\\\\\\"", "\u{202e}x"];

fn value(f: &FieldPlan) -> String {
    let leaf = format!("\"{}\"", ODD[f.odd as usize % ODD.len()].repeat(f.text as usize % 5000 + 1));
    let d = f.depth as usize % 200;
    if f.object {
        format!("{}{leaf}{}", "{\"k\":".repeat(d), "}".repeat(d))
    } else {
        format!("{}{leaf}{}", "[".repeat(d), "]".repeat(d))
    }
}

fn build(plan: &Plan) -> String {
    let changes: Vec<String> = plan
        .changes
        .iter()
        .take(50)
        .enumerate()
        .map(|(i, c)| {
            let (entity, names) = ENTITIES[c.entity as usize % 4];
            let mut fields: Vec<String> = c
                .fields
                .iter()
                .take(8)
                .map(|f| format!("\"{}\":{}", names[f.which as usize % names.len()], value(f)))
                .collect();
            if c.twice && let Some(first) = fields.first().cloned() {
                fields.push(first.replace("\":", "\":[") + "]");
            }
            format!(
                "{{\"change_id\":\"0193a0a0-0000-7000-8000-{i:012}\",\"entity\":\"{entity}\",\
                 \"row_id\":\"0193a0a0-0000-7000-9000-{i:012}\",\"area_code\":\"3602012002\",\
                 \"hlc\":\"1795000000000-0000-0000000000000007\",\"fields\":{{{}}}}}",
                fields.join(",")
            )
        })
        .collect();
    format!("{{\"schema_version\":1,\"changes\":[{}]}}", changes.join(","))
}

fuzz_target!(|plan: Plan| {
    let body = build(&plan);
    let Ok(kept) = pendamping_server::door_json(body.as_bytes()) else {
        return;
    };
    for (text, open) in kept {
        // What the door lets in passes the scan and reads back; the door lets nothing in that
        // does not.
        assert_eq!(open, shape::read_change(&text).is_ok());
        if open {
            assert!(shape::check_text(&text).is_ok());
            let change = shape::read_change(&text).expect("what the door lets in reads back");
            assert_eq!(shape::check_change(&change), Ok(()), "and passes the check on its parsed form");
        }
    }
});
