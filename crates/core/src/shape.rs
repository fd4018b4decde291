//! The shape of a change as it is logged: how deep its JSON nests and how long its texts
//! are. One check, on the exact text a log stores, made at the log's door (every push,
//! packed or JSON, and every change a hub pulls) and again by every reader of a log
//! (`read_change`): what the door let in, every reader can read, and a row a reader
//! cannot take is set aside with its reason instead of stopping the reader.
//!
//! The bounds are far above anything a form makes — the deepest real change is a visit's
//! `fields.data.immunisations[i]` (depth 5) — and far below what a JSON reader refuses
//! (serde_json stops at 128) or a walk over the value could overflow the stack with.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::change::Change;

/// Most nesting of a whole change's JSON text: the change object is 1, its `fields` 2.
pub const MAX_DEPTH: usize = 10;
/// Most dot-separated parts of a field's path in a packed batch (`data.services.kie`):
/// below `fields`, a path can never reach deeper than the whole change may.
pub const MAX_PATH_PARTS: usize = MAX_DEPTH - 2;
/// Longest string in a change, in bytes as written (a name, an address, a note).
pub const MAX_STRING_BYTES: usize = 16 * 1024;
/// Most values (members and elements) in a change: a visit with every field and a full
/// immunisation record has a few hundred; two million empty arrays in 6 MB cost the server
/// hundreds of MB once parsed.
pub const MAX_ITEMS: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    #[error("perubahan bersarang lebih dari {MAX_DEPTH} tingkat")]
    TooDeep,
    #[error("teks dalam perubahan lebih dari {MAX_STRING_BYTES} byte")]
    TextTooLong,
    #[error("perubahan berisi lebih dari {MAX_ITEMS} nilai")]
    TooManyItems,
    #[error("perubahan bukan JSON yang utuh")]
    Unbalanced,
    /// One object names a key twice: readers disagree on which value counts (a map keeps
    /// the last, others the first), and a seal would cover a value some reader never sees.
    #[error("perubahan memuat satu kunci dua kali dalam satu objek")]
    DuplicateKey,
    #[error("perubahan tidak terbaca: {0}")]
    Unreadable(String),
}

/// Checks a change's JSON text: nesting at most `MAX_DEPTH`, every string at most
/// `MAX_STRING_BYTES`, at most `MAX_ITEMS` values, no key twice in one object. A linear
/// scan that never recurses and keeps no more than the keys of the objects it is inside,
/// so it is safe on any text, before any parser sees it.
pub fn check_text(text: &str) -> Result<(), ShapeError> {
    scan(text, true)
}

/// Checks only that no object of a JSON text names a key twice, at any depth: for a whole
/// request (a JSON push of many changes), which a parser would otherwise read as its last
/// value and another reader as its first. Linear, and never recurses.
pub fn unique_keys(text: &str) -> Result<(), ShapeError> {
    scan(text, false)
}

/// The scan behind both: with `bounded`, a change's own limits as well.
fn scan(text: &str, bounded: bool) -> Result<(), ShapeError> {
    let bytes = text.as_bytes();
    let (mut in_string, mut escaped, mut string_len) = (false, false, 0usize);
    // Every value after the first in a container follows a comma, and every container
    // opens with a bracket: their count bounds the values.
    let mut items = 0usize;
    // The containers the scan is inside (their count is the depth): an object keeps the
    // keys it has met. The last string closed, and whether it held an escape.
    let mut open: Vec<Option<HashSet<Cow<str>>>> = Vec::new();
    let (mut string_start, mut last_string, mut last_escaped) = (0usize, 0..0, false);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            string_len += 1;
            if bounded && string_len > MAX_STRING_BYTES {
                return Err(ShapeError::TextTooLong);
            }
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
                last_escaped = true;
            } else if b == b'"' {
                in_string = false;
                last_string = string_start..i;
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                string_len = 0;
                string_start = i + 1;
                last_escaped = false;
            }
            b'{' | b'[' | b',' => {
                items += 1;
                if bounded && items > MAX_ITEMS {
                    return Err(ShapeError::TooManyItems);
                }
                if b == b',' {
                    continue;
                }
                if bounded && open.len() == MAX_DEPTH {
                    return Err(ShapeError::TooDeep);
                }
                open.push((b == b'{').then(HashSet::new));
            }
            b'}' | b']' => {
                open.pop().ok_or(ShapeError::Unbalanced)?;
            }
            b':' => {
                let Some(Some(keys)) = open.last_mut() else {
                    continue;
                };
                let raw = &text[last_string.clone()];
                // `"a"` and `"\u0061"` are one key: an escaped key is compared unescaped.
                let key = match last_escaped {
                    false => Cow::Borrowed(raw),
                    true => serde_json::from_str::<String>(&text[last_string.start - 1..=last_string.end])
                        .map(Cow::Owned)
                        .unwrap_or(Cow::Borrowed(raw)),
                };
                if !keys.insert(key) {
                    return Err(ShapeError::DuplicateKey);
                }
            }
            _ => {}
        }
    }
    if !open.is_empty() || in_string {
        return Err(ShapeError::Unbalanced);
    }
    Ok(())
}

/// Checks a change already parsed (a pulled page's) as `check_text` checks its text:
/// each field's value nested at most `MAX_DEPTH - 2` below `fields`, every string (and
/// object key) at most `MAX_STRING_BYTES`. Walks with its own stack, never by recursion.
pub fn check_change(change: &Change) -> Result<(), ShapeError> {
    let long = |s: &str| s.len() > MAX_STRING_BYTES;
    if long(&change.area_code) {
        return Err(ShapeError::TextTooLong);
    }
    let mut stack: Vec<(&serde_json::Value, usize)> = Vec::new();
    // Counted as the text counts them: a bracket per container, a comma per value after the
    // first (so a change whose text passes passes here too).
    let mut items = 0usize;
    let mut count = |n: usize| {
        items += n;
        if items > MAX_ITEMS {
            Err(ShapeError::TooManyItems)
        } else {
            Ok(())
        }
    };
    for (name, value) in &change.fields {
        if long(name) {
            return Err(ShapeError::TextTooLong);
        }
        // `{"fields":{name: value}}`: the value's own brackets start at depth 3.
        stack.push((value, 2));
        while let Some((v, depth)) = stack.pop() {
            match v {
                serde_json::Value::String(s) if long(s) => return Err(ShapeError::TextTooLong),
                serde_json::Value::Array(elements) => {
                    if depth + 1 > MAX_DEPTH {
                        return Err(ShapeError::TooDeep);
                    }
                    count(elements.len().max(1))?;
                    stack.extend(elements.iter().map(|i| (i, depth + 1)));
                }
                serde_json::Value::Object(members) => {
                    if depth + 1 > MAX_DEPTH {
                        return Err(ShapeError::TooDeep);
                    }
                    count(members.len().max(1))?;
                    if members.keys().any(|k| long(k)) {
                        return Err(ShapeError::TextTooLong);
                    }
                    stack.extend(members.values().map(|m| (m, depth + 1)));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// A logged change read back: its text checked, then parsed. The log's door admits a
/// change only when this reads it (a lone surrogate `\ud800` is text to the scan but no
/// string to the parser), and every reader of a log reads through it, so none can fail on a
/// row another reader took.
pub fn read_change(text: &str) -> Result<Change, ShapeError> {
    check_text(text)?;
    serde_json::from_str(text).map_err(|e| ShapeError::Unreadable(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_and_string_length_are_bounded_whatever_the_text() {
        let nested = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(check_text(&nested(MAX_DEPTH)), Ok(()));
        assert_eq!(check_text(&nested(MAX_DEPTH + 1)), Err(ShapeError::TooDeep));
        assert_eq!(check_text(&nested(1_000_000)), Err(ShapeError::TooDeep));
        // Brackets inside strings, escaped quotes, are text.
        assert_eq!(check_text(r#"{"a":"[[[[[[[[[[[[[[\"{{{{{{{{{{{{"}"#), Ok(()));
        let long = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_STRING_BYTES));
        assert_eq!(check_text(&long), Err(ShapeError::TextTooLong));
        let fits = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_STRING_BYTES - 1));
        assert_eq!(check_text(&fits), Ok(()));
        let many = format!("[{}]", vec!["[]"; MAX_ITEMS].join(","));
        assert_eq!(check_text(&many), Err(ShapeError::TooManyItems));
        for broken in ["{", "}", "{\"a", "[]]"] {
            assert!(check_text(broken).is_err(), "{broken}");
        }
        // A key twice in one object, however it is spelt; the same key in two objects is
        // two keys, and a value that looks like a key is not one.
        for twice in [
            r#"{"a":1,"a":2}"#,
            r#"{"a":1,"\u0061":2}"#,
            r#"{"x":{"b":[{"c":1,"c":1}]}}"#,
        ] {
            assert_eq!(check_text(twice), Err(ShapeError::DuplicateKey), "{twice}");
        }
        for once in [
            r#"{"a":{"a":1},"b":{"a":2}}"#,
            r#"{"a":"a","b":["a","a"]}"#,
            r#"{"a:":1,"a":2}"#,
        ] {
            assert_eq!(check_text(once), Ok(()), "{once}");
        }
        // A whole request: no limit of a change's, the same refusal of a key twice.
        let deep = nested(MAX_DEPTH + 5);
        assert_eq!(unique_keys(&deep), Ok(()));
        let request = format!(r#"{{"changes":[{{"fields":{{"name":"a","nik":"1","name":"b"}}}}],"x":{deep}}}"#);
        assert_eq!(unique_keys(&request), Err(ShapeError::DuplicateKey));
    }

    #[test]
    fn a_change_reads_back_only_through_the_same_check() {
        let change = Change {
            change_id: uuid::Uuid::from_u128(1),
            entity: crate::Entity::Visit,
            row_id: uuid::Uuid::from_u128(2),
            area_code: "3602012002".into(),
            hlc: crate::Hlc {
                millis: 1_795_000_000_000,
                counter: 0,
                node: 7,
            },
            fields: [(
                "data".to_string(),
                serde_json::json!({"immunisations": [{"vaccine": "bcg"}]}),
            )]
            .into(),
        };
        let ok = serde_json::to_string(&change).unwrap();
        assert_eq!(read_change(&ok), Ok(change.clone()));
        let deep = ok.replace(
            r#"{"vaccine":"bcg"}"#,
            &format!("{}1{}", "[".repeat(20), "]".repeat(20)),
        );
        assert_ne!(deep, ok);
        assert_eq!(read_change(&deep).unwrap_err(), ShapeError::TooDeep);
        assert!(matches!(read_change("{}"), Err(ShapeError::Unreadable(_))));
        // The parsed form is judged as its text is.
        assert_eq!(check_change(&change), Ok(()));
        for depth in [MAX_DEPTH - 3, MAX_DEPTH - 2, MAX_DEPTH - 1, 30] {
            let mut c = change.clone();
            let text = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            c.fields.insert("data".into(), serde_json::from_str(&text).unwrap());
            let as_text = check_text(&serde_json::to_string(&c).unwrap());
            assert_eq!(check_change(&c), as_text, "depth {depth}");
        }
    }
}
