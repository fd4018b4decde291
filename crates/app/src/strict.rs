//! A record the UI hands a command must carry nothing its Rust type does not know: a field
//! renamed on one side only would otherwise be dropped without a word, and the value the
//! cadre typed lost. The records themselves stay lenient (a store or a sync from another
//! version reads them), so the check sits here, at the window's door.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::AppError;

/// `T` as the window sent it, or why it is not one. Reading never fails at the IPC layer
/// (whose message, "invalid args `visit` for command …: invalid type: null, expected a
/// formatted date string", would reach the cadre as it is): the command opens it and a
/// bad value comes back as an `AppError` naming the field, in Indonesian. A key `T` does
/// not write back is refused the same way.
#[derive(Debug, Clone, PartialEq)]
pub struct Strict<T>(Result<T, AppError>);

impl<T> Strict<T> {
    /// The record, or why not: a refusal of the whole value (not an object, not readable)
    /// names the argument `arg`.
    pub fn open(self, arg: &str) -> Result<T, AppError> {
        self.0.map_err(|mut e| {
            if e.field.as_deref().is_none_or(str::is_empty) {
                e.field = Some(arg.to_string());
            }
            e
        })
    }
}

impl<'de, T: DeserializeOwned + Serialize> Deserialize<'de> for Strict<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Ok(sent) = Value::deserialize(d) else {
            return Ok(Strict(Err(unreadable())));
        };
        Ok(Strict(read(sent)))
    }
}

/// A typed argument (a date, an id, a word) as sent, opened the same way: never a raw
/// deserialisation message, always the argument's name.
#[derive(Debug)]
pub struct Arg<T>(Result<T, (String, serde_json::Error)>);

impl<T> Arg<T> {
    /// The value, or an `AppError` naming `field`.
    pub fn open(self, field: &str) -> Result<T, AppError> {
        self.0.map_err(|(path, e)| refused(&join(field, &path), &e))
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Arg<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Through `Option`: a key the window left out reads as null (Tauri answers a missing
        // key only to `deserialize_option`), and is named like any other bad value.
        let sent = Option::<Value>::deserialize(d).ok().flatten().unwrap_or(Value::Null);
        Ok(Arg(serde_path_to_error::deserialize(sent).map_err(|e| {
            let path = e.path().to_string();
            (if path == "." { String::new() } else { path }, e.into_inner())
        })))
    }
}

fn read<T: DeserializeOwned + Serialize>(sent: Value) -> Result<T, AppError> {
    // Every record the window sends is an object: anything else is the whole argument wrong
    // (a list is not read as a struct's fields by position).
    if !sent.is_object() {
        return Err(unreadable());
    }
    let value: T = serde_path_to_error::deserialize(sent.clone()).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // serde names a missing field in its message, at its parent's path.
        let missing = inner
            .to_string()
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string);
        let at = if path == "." { String::new() } else { path };
        match missing {
            Some(name) => AppError::invalid(&join(&at, &name), "Wajib diisi", "Required"),
            None => refused(&at, &inner),
        }
    })?;
    let known = serde_json::to_value(&value).map_err(|_| unreadable())?;
    match unknown(&sent, &known, "") {
        Some(path) => Err(AppError::invalid(
            &path,
            format!("Isian {path:?} tidak dikenal aplikasi ini"),
            format!("This app does not know the entry {path:?}"),
        )),
        None => Ok(value),
    }
}

fn join(parent: &str, child: &str) -> String {
    match (parent.is_empty(), child.is_empty()) {
        (true, _) => child.to_string(),
        (_, true) => parent.to_string(),
        // An index reads as `villages[0]`, not `villages.[0]`.
        _ if child.starts_with('[') => format!("{parent}{child}"),
        _ => format!("{parent}.{child}"),
    }
}

/// What a cadre reads for a value its field cannot take, by the kind of value expected.
fn refused(field: &str, e: &serde_json::Error) -> AppError {
    let why = e.to_string();
    // What the field takes, not what was sent: "invalid type: integer `1`, expected a
    // string" is not a number's fault.
    let wanted = why.split_once("expected ").map_or(why.as_str(), |(_, w)| w);
    let (message, message_en) = if wanted.contains("date")
        || why.contains("input contains invalid characters")
        || why.contains("premature end of input")
        || why.contains("input is out of range")
    {
        (
            "Tanggal kosong atau tidak valid; isi hari, bulan dan tahun",
            "The date is empty or not valid; enter day, month and year",
        )
    } else if why.contains("unknown variant") {
        ("Pilihan ini tidak dikenal", "This choice is not known")
    } else if ["u8", "u16", "u32", "u64"].iter().any(|t| wanted.contains(t)) && why.contains("integer `-") {
        ("Tidak boleh kurang dari 0", "Cannot be less than 0")
    } else if ["u8", "u16", "u32", "u64", "i32", "i64", "integer"]
        .iter()
        .any(|t| wanted.contains(t))
        && why.contains("floating point")
    {
        // 2,5 is a number: what is wrong is the fraction.
        ("Harus bilangan bulat", "Must be a whole number")
    } else if [
        "f64", "f32", "u8", "u16", "u32", "u64", "i32", "i64", "integer", "number",
    ]
    .iter()
    .any(|t| wanted.contains(t))
    {
        ("Harus berupa angka", "Must be a number")
    } else if wanted.contains("UUID") || wanted.contains("uuid") {
        (
            "Data yang dipilih tidak dikenal; muat ulang layar",
            "The chosen item is not known; reload the screen",
        )
    } else if why.contains("invalid type: null") {
        ("Wajib diisi", "Required")
    } else if wanted.contains("string") {
        ("Harus berupa teks", "Must be text")
    } else {
        ("Isian tidak valid", "Not a valid entry")
    };
    tracing::debug!(field, why, "a value sent by the window was refused");
    AppError::invalid(field, message, message_en)
}

/// An argument that is not even the shape of a form.
fn unreadable() -> AppError {
    AppError::invalid("", "Isian formulir tidak terbaca", "The form's entries cannot be read")
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

    fn opened<T: DeserializeOwned + Serialize>(sent: Value) -> Result<T, AppError> {
        serde_json::from_value::<Strict<T>>(sent)
            .expect("never fails to read")
            .open("record")
    }

    #[test]
    fn a_record_with_a_key_rust_does_not_know_is_refused_by_name() {
        let mut sent = household();
        assert!(opened::<Household>(sent.clone()).is_ok());
        sent["head_nama"] = "Siti".into();
        let err = opened::<Household>(sent.clone()).unwrap_err();
        assert_eq!(
            (err.code.as_str(), err.field.as_deref()),
            ("invalid", Some("head_nama"))
        );
        // The record itself stays lenient for the store and the sync.
        assert!(serde_json::from_value::<Household>(sent).is_ok());
    }

    #[test]
    fn an_empty_or_mistyped_value_is_an_indonesian_message_under_its_field() {
        let v = pendamping_tests::child_visit(
            1,
            &pendamping_tests::enrolment(
                2,
                &pendamping_tests::person(
                    3,
                    &pendamping_tests::household(4, pendamping_tests::VILLAGE, "Siti"),
                    "Putri",
                    pendamping_core::Sex::Female,
                    pendamping_tests::d(2025, 1, 1),
                    pendamping_core::Relationship::Anak,
                ),
                pendamping_tests::d(2025, 1, 1),
                pendamping_tests::child_details(),
            ),
            pendamping_tests::d(2026, 11, 2),
            8.0,
            70.0,
        );
        let good = serde_json::to_value(&v).unwrap();
        assert!(opened::<pendamping_core::Visit>(good.clone()).is_ok());
        let cases = [
            ("/visit_date", Value::Null, "visit_date", "Tanggal"),
            ("/visit_date", "7/12/26".into(), "visit_date", "Tanggal"),
            ("/visit_date", "".into(), "visit_date", "Tanggal"),
            ("/data/weight_kg", "8,5".into(), "data", "angka"),
            ("/enrolment_id", "".into(), "enrolment_id", "tidak dikenal"),
        ];
        for (at, value, field, says) in cases {
            let mut sent = good.clone();
            *sent.pointer_mut(at).unwrap() = value.clone();
            let err = opened::<pendamping_core::Visit>(sent).unwrap_err();
            assert_eq!(
                (err.code.as_str(), err.field.as_deref()),
                ("invalid", Some(field)),
                "{at} = {value}"
            );
            assert!(err.message.contains(says), "{at} = {value}: {}", err.message);
            assert!(!err.message.contains("invalid"), "no raw message: {}", err.message);
        }
        let mut sent = good.clone();
        sent.as_object_mut().unwrap().remove("visit_date");
        assert_eq!(
            opened::<pendamping_core::Visit>(sent).unwrap_err().field.as_deref(),
            Some("visit_date")
        );
        // A typed argument the same way.
        let day: Arg<chrono::NaiveDate> = serde_json::from_value(Value::Null).unwrap();
        let err = day.open("start").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("start"));
        assert!(err.message.contains("Tanggal"), "{}", err.message);
        let day: Arg<chrono::NaiveDate> = serde_json::from_value("2026-12-07".into()).unwrap();
        assert_eq!(day.open("start").unwrap(), pendamping_tests::d(2026, 12, 7));
    }

    #[test]
    fn a_whole_value_of_the_wrong_shape_names_its_argument() {
        for sent in [Value::Null, "".into(), 5.into(), serde_json::json!([1])] {
            let err = opened::<Household>(sent.clone()).unwrap_err();
            assert_eq!(
                (err.code.as_str(), err.field.as_deref()),
                ("invalid", Some("record")),
                "{sent}"
            );
            for raw in ["invalid type", "expected", "missing field"] {
                assert!(!err.message.contains(raw), "{sent}: {}", err.message);
            }
        }
        // What is wrong with a number, said: a fraction where a whole number goes, a negative
        // count.
        let mut sent = household();
        sent["welfare_decile"] = 2.5.into();
        let err = opened::<Household>(sent.clone()).unwrap_err();
        assert_eq!(
            (err.field.as_deref(), err.message.as_str()),
            (Some("welfare_decile"), "Harus bilangan bulat")
        );
        sent["welfare_decile"] = (-1).into();
        let err = opened::<Household>(sent).unwrap_err();
        assert_eq!(
            (err.field.as_deref(), err.message.as_str()),
            (Some("welfare_decile"), "Tidak boleh kurang dari 0")
        );
        // An object without the record's fields names the first one missing.
        let err = opened::<Household>(serde_json::json!({"x": {"y": []}})).unwrap_err();
        assert_eq!(
            (err.field.as_deref(), err.message.as_str()),
            (Some("id"), "Wajib diisi")
        );
        for sent in [Value::Null, "".into(), serde_json::json!({})] {
            let day: Arg<uuid::Uuid> = serde_json::from_value(sent.clone()).unwrap();
            let err = day.open("person_id").unwrap_err();
            assert_eq!(
                (err.code.as_str(), err.field.as_deref()),
                ("invalid", Some("person_id")),
                "{sent}"
            );
        }
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
