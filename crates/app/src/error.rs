//! Errors as the UI receives them: a stable code, a message in Indonesian and in English
//! naming the field (the screen shows the one of its language), and for a form every problem
//! found.

use pendamping_core::Problem;
use pendamping_store::StoreError;
use pendamping_sync::SyncError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[error("{message}")]
pub struct AppError {
    pub code: String,
    pub message: String,
    /// The same message in English, for a screen in English.
    pub message_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem of a refused form (errors and warnings), for inline display.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

impl AppError {
    pub fn new(code: &str, message: impl Into<String>, message_en: impl Into<String>) -> AppError {
        AppError {
            code: code.into(),
            message: message.into(),
            message_en: message_en.into(),
            field: None,
            problems: Vec::new(),
        }
    }

    /// A thing asked for by id that is not on the device (in both languages' words for it).
    pub fn not_found(thing_id: &str, thing_en: &str) -> AppError {
        AppError::new(
            "not_found",
            format!("{thing_id} tidak ditemukan"),
            format!("No such {thing_en} on this device"),
        )
    }

    /// No member is in (the app locked, or just started): what needs the key waits for a PIN.
    pub fn locked() -> AppError {
        AppError::new(
            "locked",
            "Perangkat terkunci; masuk dengan PIN",
            "The device is locked; enter your PIN",
        )
    }

    /// A refused value of one form field.
    pub fn invalid(field: &str, message: impl Into<String>, message_en: impl Into<String>) -> AppError {
        AppError {
            field: Some(field.into()),
            ..AppError::new("invalid", message, message_en)
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Invalid(problems) => {
                let first = problems.iter().find(|p| p.is_error()).cloned();
                AppError {
                    code: "invalid".into(),
                    message: first
                        .as_ref()
                        .map_or_else(|| "Data belum lengkap".into(), |p| p.message_id.clone()),
                    message_en: first
                        .as_ref()
                        .map_or_else(|| "Some data is missing".into(), |p| p.message_en.clone()),
                    field: first.map(|p| p.field),
                    problems,
                }
            }
            StoreError::NotFound { entity, .. } => AppError::new(
                "not_found",
                format!("Data {entity} tidak ditemukan"),
                format!("No such {entity}"),
            ),
            StoreError::NewerSchema { .. } => AppError::new(
                "schema_too_new",
                "Data ini dibuat oleh versi Pendamping yang lebih baru; perbarui aplikasi",
                "This data was made by a newer version of Pendamping; update the app",
            ),
            other => {
                // The details are for the log, not the cadre.
                AppError::new(
                    other.code(),
                    format!(
                        "Penyimpanan gagal; data yang sudah disimpan tetap aman ({})",
                        other.code()
                    ),
                    format!("Saving failed; what was already saved is safe ({})", other.code()),
                )
            }
        }
    }
}

impl From<SyncError> for AppError {
    fn from(e: SyncError) -> AppError {
        match e {
            SyncError::Store(e) => e.into(),
            other => (&other).into(),
        }
    }
}

/// A sync failure kept for a status screen (a hub's last upstream attempt).
impl From<&SyncError> for AppError {
    fn from(e: &SyncError) -> AppError {
        match e {
            SyncError::Store(e) => AppError::new(
                e.code(),
                format!("Penyimpanan gagal ({})", e.code()),
                format!("Saving failed ({})", e.code()),
            ),
            SyncError::Local(message) => AppError::new(
                "store",
                format!("Penyimpanan gagal: {message}"),
                format!("Saving failed: {message}"),
            ),
            SyncError::NotEnrolled => AppError::new(
                "not_enrolled",
                "Perangkat belum terdaftar ke server; daftarkan dengan kode dari admin",
                "This device is not enrolled with a server; enrol it with a code from the admin",
            ),
            SyncError::Refused { code, message, .. } => {
                use pendamping_protocol::ErrorCode as C;
                let (id, en): (String, String) = match code {
                    C::Revoked => (
                        "Perangkat ini sudah dicabut dari server; minta kode pendaftaran baru".into(),
                        "This device was revoked by the server; ask for a new enrolment code".into(),
                    ),
                    C::TokenExpired => (
                        "Pendaftaran perangkat sudah kedaluwarsa; minta kode pendaftaran baru".into(),
                        "This device's enrolment has expired; ask for a new enrolment code".into(),
                    ),
                    C::BadEnrollmentCode => (
                        "Kode pendaftaran salah; periksa kembali".into(),
                        "Wrong enrolment code; check it again".into(),
                    ),
                    C::EnrollmentCodeUsed => (
                        "Kode pendaftaran sudah dipakai; minta kode baru".into(),
                        "This enrolment code was already used; ask for a new one".into(),
                    ),
                    C::EnrollmentCodeExpired => (
                        "Kode pendaftaran sudah kedaluwarsa; minta kode baru".into(),
                        "This enrolment code has expired; ask for a new one".into(),
                    ),
                    C::SchemaVersion => (
                        "Versi aplikasi terlalu lama untuk server ini; perbarui aplikasi".into(),
                        "This app is too old for the server; update the app".into(),
                    ),
                    _ => (
                        format!("Server menolak: {message}"),
                        format!("The server refused: {message}"),
                    ),
                };
                AppError::new(code.as_str(), id, en)
            }
            SyncError::Unreachable { .. } => AppError::new(
                "offline",
                "Server tidak dapat dihubungi; data tetap aman di perangkat dan akan dikirim nanti",
                "The server cannot be reached; the data stays safe on the device and is sent later",
            ),
            SyncError::LinkDropping { done, total, .. } => AppError::new(
                "link_dropping",
                format!(
                    "Sambungan terus terputus. {done}{} perubahan sudah sampai dan tersimpan; sisanya dikirim \
                     saat sinkronisasi berikutnya",
                    total.map(|t| format!(" dari {t}")).unwrap_or_default()
                ),
                format!(
                    "The link keeps dropping. {done}{} changes arrived and are kept; the rest are sent at \
                     the next sync",
                    total.map(|t| format!(" of {t}")).unwrap_or_default()
                ),
            ),
            SyncError::Untrusted(_) => AppError::new(
                pendamping_sync::UNTRUSTED_SERVER,
                "Sertifikat server tidak dipercaya: periksa alamat server, atau hubungi admin. Tidak ada data yang dikirim",
                "The server's certificate is not trusted: check the server's address, or call the admin. Nothing was sent",
            ),
            SyncError::BadAnswer(_) => AppError::new(
                "offline",
                "Jawaban server terputus; data tetap aman di perangkat dan akan dikirim nanti",
                "The server's answer was cut off; the data stays safe on the device and is sent later",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_form_names_its_first_error_field_and_keeps_every_problem() {
        let problems = vec![
            Problem::warning("w", "muac_cm", "Periksa LiLA".into(), "Check MUAC".into()),
            Problem::error("range", "weight_kg", "Berat badan harus 0,5–40 kg".into(), "…".into()),
        ];
        let e: AppError = StoreError::Invalid(problems.clone()).into();
        assert_eq!((e.code.as_str(), e.field.as_deref()), ("invalid", Some("weight_kg")));
        assert_eq!(e.message, "Berat badan harus 0,5–40 kg");
        assert_eq!(e.message_en, "…");
        assert_eq!(e.problems, problems);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "invalid");
        let revoked: AppError = SyncError::Refused {
            status: 401,
            code: pendamping_protocol::ErrorCode::Revoked,
            message: "x".into(),
        }
        .into();
        assert_eq!(revoked.code, "revoked");
        assert!(revoked.message.contains("dicabut"));
        assert!(revoked.message_en.contains("revoked"));
        assert!(serde_json::to_value(&revoked).unwrap().get("field").is_none());
    }
}
