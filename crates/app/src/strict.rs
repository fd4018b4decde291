//! A record the UI hands a command must carry nothing its Rust type does not know: a field
//! renamed on one side only would otherwise be dropped without a word, and the value the
//! cadre typed lost. The records themselves stay lenient (a store or a sync from another
//! version reads them), so the check sits here, at the window's door.

use serde::de::{DeserializeOwned, Error};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// `T`, refused when the sent JSON holds a key `T` does not write back.
#[derive(Debug, Clone, PartialEq)]
pub struct Strict<T>(pub T);

impl<'de, T: DeserializeOwned + Serialize> Deserialize<'de> for Strict<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let sent = Value::deserialize(d)?;
        let value: T = serde_json::from_value(sent.clone()).map_err(D::Error::custom)?;
        let known = serde_json::to_value(&value).map_err(D::Error::custom)?;
        match unknown(&sent, &known, "") {
            Some(path) => Err(D::Error::custom(format!("unknown field `{path}`"))),
            None => Ok(Strict(value)),
        }
    }
}

/// The first key of `sent` (as a path) that `known` lacks. A key carrying nothing (`null`,
/// `[]`, `{}`) loses nothing: the type may leave such a value out when it writes.
fn unknown(sent: &Value, known: &Value, at: &str) -> Option<String> {
    let path = |key: &str| {
        if at.is_empty() {
            key.to_string()
        } else {
            format!("{at}.{key}")
        }
    };
    match (sent, known) {
        (Value::Object(s), Value::Object(k)) => s.iter().find_map(|(key, v)| match k.get(key) {
            None if empty(v) => None,
            None => Some(path(key)),
            Some(kv) => unknown(v, kv, &path(key)),
        }),
        (Value::Array(s), Value::Array(k)) => s
            .iter()
            .zip(k)
            .enumerate()
            .find_map(|(i, (v, kv))| unknown(v, kv, &path(&i.to_string()))),
        _ => None,
    }
}

fn empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pendamping_core::Household;

    fn household() -> Value {
        let h = pendamping_tests::household(1, pendamping_tests::VILLAGE, "Siti");
        serde_json::to_value(h).unwrap()
    }

    #[test]
    fn a_record_with_a_key_rust_does_not_know_is_refused_by_name() {
        let mut sent = household();
        assert!(serde_json::from_value::<Strict<Household>>(sent.clone()).is_ok());
        sent["head_nama"] = "Siti".into();
        let err = serde_json::from_value::<Strict<Household>>(sent.clone()).unwrap_err();
        assert!(err.to_string().contains("unknown field `head_nama`"), "{err}");
        // The record itself stays lenient for the store and the sync.
        assert!(serde_json::from_value::<Household>(sent).is_ok());
    }

    #[test]
    fn a_nested_key_is_named_with_its_path_and_nulls_are_not_unknown() {
        let sent = serde_json::json!({ "a": { "b": 1, "c": null, "f": [] }, "d": [ { "e": 1 } ] });
        let known = serde_json::json!({ "a": { "b": 1 }, "d": [ {} ] });
        assert_eq!(unknown(&sent, &known, ""), Some("d.0.e".into()));
        let known = serde_json::json!({ "a": { "b": 1 }, "d": [ { "e": 1 } ] });
        assert_eq!(unknown(&sent, &known, ""), None);
    }
}
