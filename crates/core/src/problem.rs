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

/// The Indonesian and English labels of a field, for messages.
pub fn label(field: &str) -> (&'static str, &'static str) {
    match field {
        "nik" => ("NIK", "NIK"),
        "mother_nik" => ("NIK ibu", "Mother's NIK"),
        "kk_number" => ("Nomor KK", "Family card number"),
        "name" => ("Nama", "Name"),
        "sex" => ("Jenis kelamin", "Sex"),
        "birth_date" => ("Tanggal lahir", "Date of birth"),
        "phone" => ("Nomor HP", "Phone"),
        "area_code" => ("Kode desa/kelurahan", "Village code"),
        "rt" => ("RT", "RT"),
        "rw" => ("RW", "RW"),
        "latitude" => ("Lintang (GPS)", "Latitude"),
        "longitude" => ("Bujur (GPS)", "Longitude"),
        "welfare_decile" => ("Desil kesejahteraan", "Welfare decile"),
        "floor_area_m2" => ("Luas lantai", "Floor area"),
        "visit_date" => ("Tanggal kunjungan", "Visit date"),
        "start_date" => ("Tanggal mulai pendampingan", "Enrolment date"),
        "end_date" => ("Tanggal selesai", "End date"),
        "end_reason" => ("Alasan selesai", "Reason for ending"),
        "weight_kg" => ("Berat badan", "Weight"),
        "height_cm" => ("Tinggi badan", "Height"),
        "lenhei_cm" => ("Panjang/tinggi badan", "Length/height"),
        "measure" => ("Posisi pengukuran", "Measuring position"),
        "headc_cm" => ("Lingkar kepala", "Head circumference"),
        "muac_cm" => ("LiLA anak", "Child MUAC"),
        "lila_cm" => ("LiLA", "Upper-arm circumference (LiLA)"),
        "waist_cm" => ("Lingkar perut", "Waist circumference"),
        "hb" => ("Hb", "Haemoglobin (Hb)"),
        "hb_date" => ("Tanggal periksa Hb", "Hb test date"),
        "systolic" => ("Tekanan darah sistolik", "Systolic blood pressure"),
        "diastolic" => ("Tekanan darah diastolik", "Diastolic blood pressure"),
        "ttd_total" => ("Jumlah TTD (kumulatif)", "Iron tablets (cumulative)"),
        "ttd_received" => ("TTD diterima", "Iron tablets received"),
        "anc" => ("Kontak ANC", "ANC contacts"),
        "hpht" => ("HPHT", "Last menstrual period (HPHT)"),
        "gravida" => ("Gravida", "Gravida"),
        "parity" => ("Paritas", "Parity"),
        "abortus" => ("Abortus", "Abortions"),
        "last_birth_date" => ("Tanggal persalinan terakhir", "Date of last birth"),
        "pre_pregnancy_weight_kg" => ("Berat sebelum hamil", "Pre-pregnancy weight"),
        "wedding_date" => ("Tanggal pernikahan", "Wedding date"),
        "delivery_date" => ("Tanggal persalinan", "Delivery date"),
        "birth_weight_g" => ("Berat lahir", "Birth weight"),
        "birth_length_cm" => ("Panjang lahir", "Birth length"),
        "gestational_age_weeks" => ("Usia kehamilan", "Gestational age"),
        "kbpp_start" => ("Tanggal mulai KBPP", "KBPP start date"),
        "immunisations" => ("Imunisasi", "Immunisations"),
        _ => ("Isian", "Field"),
    }
}
