//! Validation problems: a stable code, the field concerned, and a message in Indonesian and English.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The record cannot be saved.
    Error,
    /// The record can be saved once the user has seen this.
    Warning,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Problem {
    /// Stable, for programs (the UI never matches messages).
    pub code: String,
    /// The form field, as named in the record (`weight_kg`, `nik`, …).
    pub field: String,
    pub severity: Severity,
    pub message_id: String,
    pub message_en: String,
}

impl Problem {
    pub fn error(code: &str, field: &str, id: String, en: String) -> Problem {
        Problem {
            code: code.into(),
            field: field.into(),
            severity: Severity::Error,
            message_id: id,
            message_en: en,
        }
    }

    pub fn warning(code: &str, field: &str, id: String, en: String) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(code, field, id, en)
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A required field is empty.
    pub fn required(field: &str) -> Problem {
        let (id, en) = label(field);
        Problem::error(
            "required",
            field,
            format!("{id} wajib diisi"),
            format!("{en} is required"),
        )
    }

    /// A date lies in the future.
    pub fn future_date(field: &str) -> Problem {
        let (id, en) = label(field);
        Problem::error(
            "future_date",
            field,
            format!("{id} tidak boleh di masa depan"),
            format!("{en} may not be in the future"),
        )
    }
}

/// True if any problem blocks saving.
pub fn has_errors(problems: &[Problem]) -> bool {
    problems.iter().any(Problem::is_error)
}

pub use crate::lang::{date_en, date_id, month_en, month_id, month_short, num_en, num_id};

/// A value with its field's unit, in both languages: ("95 kg", "95 kg").
pub fn quantity(field: &str, v: f64) -> (String, String) {
    match unit(field) {
        "" => (num_id(v), num_en(v)),
        "°" => (format!("{}°", num_id(v)), format!("{}°", num_en(v))),
        u => (format!("{} {u}", num_id(v)), format!("{} {u}", num_en(v))),
    }
}

/// A value outside the hard limits of its field: named, with its unit and the limits.
pub fn out_of_range(field: &str, v: f64, min: f64, max: f64) -> Problem {
    let (id, en) = label(field);
    let (v_id, v_en) = quantity(field, v);
    let (max_id, max_en) = quantity(field, max);
    Problem::error(
        "out_of_range",
        field,
        format!("{id} {v_id} di luar batas yang mungkin ({}–{max_id})", num_id(min)),
        format!("{en} {v_en} is outside the possible range ({}–{max_en})", num_en(min)),
    )
}

/// The unit a field is measured in, for messages ("" for counts and codes).
pub fn unit(field: &str) -> &'static str {
    crate::fields::field(field).map_or("", |f| f.unit)
}

/// The Indonesian and English names of a field, for messages: the form's labels.
pub fn label(field: &str) -> (&'static str, &'static str) {
    crate::fields::field(field).map_or(("Isian", "Field"), |f| (f.id, f.en))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_the_indonesian_way_with_their_unit() {
        assert_eq!(num_id(0.9), "0,9");
        assert_eq!(num_id(58.0), "58");
        assert_eq!(num_id(6500.0), "6.500");
        assert_eq!(num_id(-1234567.25), "-1.234.567,25");
        assert_eq!(num_en(11.50), "11.5");
        let p = out_of_range("weight_kg", 95.0, 0.9, 58.0);
        assert_eq!(p.message_id, "Berat badan 95 kg di luar batas yang mungkin (0,9–58 kg)");
        assert_eq!(p.message_en, "Weight 95 kg is outside the possible range (0.9–58 kg)");
        let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            (date_id(d), date_en(d)),
            ("1 Desember 2026".into(), "1 December 2026".into())
        );
    }
}
