//! Field-level last-writer-wins by HLC: the one merge rule of device, hub and server.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::change::Change;
use crate::hlc::Hlc;

/// A field's value and the stamp of its last write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Stamped {
    pub hlc: Hlc,
    pub value: Value,
}

/// A row as merge sees it: every field with its stamp.
pub type RowState = BTreeMap<String, Stamped>;

/// Does an incoming write beat the current one? Greater HLC wins. Equal stamps come from
/// the same change, so they carry equal values; should they not, the larger value in
/// canonical JSON wins, so that every replica still picks the same one.
pub fn wins(incoming_hlc: Hlc, incoming: &Value, current: Option<&Stamped>) -> bool {
    match current {
        None => true,
        Some(cur) => match incoming_hlc.cmp(&cur.hlc) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => canonical(incoming) > canonical(&cur.value),
        },
    }
}

/// A value's canonical JSON text: the tie-break order every replica agrees on.
fn canonical(v: &Value) -> String {
    v.to_string()
}

/// Applies a change to a row; returns the names of the fields it changed.
pub fn apply(row: &mut RowState, change: &Change) -> Vec<String> {
    let fields = change.fields.iter().map(|(k, v)| (k.clone(), v.clone()));
    apply_fields(row, change.hlc, fields)
}

/// `apply` for a change not needed afterwards: its values move into the row.
pub fn apply_owned(row: &mut RowState, change: Change) -> Vec<String> {
    apply_fields(row, change.hlc, change.fields.into_iter())
}

fn apply_fields(row: &mut RowState, hlc: Hlc, fields: impl Iterator<Item = (String, Value)>) -> Vec<String> {
    let mut names = Vec::new();
    // A change names each field once, so deciding field by field while writing gives the
    // same winners as deciding all against the row as it was.
    for (name, value) in fields {
        if wins(hlc, &value, row.get(&name)) {
            names.push(name.clone());
            row.insert(name, Stamped { hlc, value });
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::Entity;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn change(millis: u64, node: u64, fields: &[(&str, i64)]) -> Change {
        Change {
            change_id: Uuid::from_u128((millis as u128) << 64 | node as u128),
            entity: Entity::Person,
            row_id: Uuid::nil(),
            area_code: "3602012002".into(),
            hlc: Hlc {
                millis,
                counter: 0,
                node,
            },
            fields: fields.iter().map(|(k, v)| (k.to_string(), Value::from(*v))).collect(),
        }
    }

    #[test]
    fn later_field_writes_win_field_by_field() {
        let mut row = RowState::new();
        apply(&mut row, &change(2, 1, &[("name", 1), ("phone", 1)]));
        apply(&mut row, &change(1, 2, &[("name", 2), ("rt", 2)]));
        assert_eq!(row["name"].value, Value::from(1), "older write loses");
        assert_eq!(row["rt"].value, Value::from(2), "untouched field is taken");
        apply(&mut row, &change(3, 2, &[("phone", 3)]));
        assert_eq!(row["phone"].value, Value::from(3));
        assert_eq!(row["name"].value, Value::from(1));
    }

    fn arb_change() -> impl Strategy<Value = Change> {
        let field = prop::sample::select(vec!["a", "b", "c", "deleted"]);
        (1u64..6, 1u64..4, prop::collection::btree_map(field, -3i64..3, 1..4)).prop_map(|(m, n, f)| {
            let fields: Vec<(&str, i64)> = f.into_iter().collect();
            // One node never reuses a stamp for different content: derive values from the stamp.
            let fields: Vec<(&str, i64)> = fields
                .iter()
                .map(|(k, v)| (*k, v + (m * 10 + n) as i64 * 100))
                .collect();
            change(m, n, &fields)
        })
    }

    proptest! {
        #[test]
        fn any_order_and_any_repetition_gives_the_same_row(
            changes in prop::collection::vec(arb_change(), 1..12),
            seed in any::<u64>(),
        ) {
            // Same stamp ⇒ same change in real life; keep one change per stamp.
            let mut uniq: BTreeMap<Hlc, Change> = BTreeMap::new();
            for c in changes { uniq.entry(c.hlc).or_insert(c); }
            let changes: Vec<Change> = uniq.into_values().collect();

            let mut forward = RowState::new();
            for c in &changes { apply(&mut forward, c); }

            // A shuffled order with every change applied two or three times.
            let mut order: Vec<usize> = (0..changes.len()).flat_map(|i| [i, i, i]).collect();
            let mut s = seed | 1;
            for i in (1..order.len()).rev() {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                order.swap(i, (s % (i as u64 + 1)) as usize);
            }
            order.truncate(order.len() - (seed % 3) as usize);
            for i in 0..changes.len() { order.push(i); }
            let mut shuffled = RowState::new();
            for i in order { apply(&mut shuffled, &changes[i]); }
            prop_assert_eq!(forward, shuffled);
        }
    }
}
