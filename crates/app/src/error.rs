//! Errors as the UI receives them: a stable code, a message in Indonesian naming the
//! field, and for a form every problem found.

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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem of a refused form (errors and warnings), for inline display.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

impl AppError {
    pub fn new(code: &str, message: impl Into<String>) -> AppError {
        AppError {
            code: code.into(),
            message: message.into(),
            field: None,
            problems: Vec::new(),
        }
    }

    /// A refused value of one form field.
    /// No member is in (the app locked, or just started): what needs the key waits for a PIN.
    pub fn locked() -> AppError {
        AppError::new("locked", "Perangkat terkunci; masuk dengan PIN")
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError {
            field: Some(field.into()),
            ..AppError::new("invalid", message)
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
                    field: first.map(|p| p.field),
                    problems,
                }
            }
            StoreError::NotFound { entity, .. } => AppError::new("not_found", format!("Data {entity} tidak ditemukan")),
            StoreError::NewerSchema { .. } => AppError::new(
                "schema_too_new",
                "Data ini dibuat oleh versi Pendamping yang lebih baru; perbarui aplikasi",
            ),
            other => {
                // The details are for the log, not the cadre.
                AppError::new(
                    other.code(),
                    format!(
                        "Penyimpanan gagal; data yang sudah disimpan tetap aman ({})",
                        other.code()
                    ),
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
            SyncError::Store(e) => AppError::new(e.code(), format!("Penyimpanan gagal ({})", e.code())),
            SyncError::Local(message) => AppError::new("store", format!("Penyimpanan gagal: {message}")),
            SyncError::NotEnrolled => AppError::new(
                "not_enrolled",
                "Perangkat belum terdaftar ke server; daftarkan dengan kode dari admin",
            ),
            SyncError::Refused { code, message, .. } => {
                use pendamping_protocol::ErrorCode as C;
                let text = match code {
                    C::Revoked => "Perangkat ini sudah dicabut dari server; minta kode pendaftaran baru".into(),
                    C::TokenExpired => "Pendaftaran perangkat sudah kedaluwarsa; minta kode pendaftaran baru".into(),
                    C::BadEnrollmentCode => "Kode pendaftaran salah; periksa kembali".into(),
                    C::EnrollmentCodeUsed => "Kode pendaftaran sudah dipakai; minta kode baru".into(),
                    C::EnrollmentCodeExpired => "Kode pendaftaran sudah kedaluwarsa; minta kode baru".into(),
                    C::SchemaVersion => "Versi aplikasi terlalu lama untuk server ini; perbarui aplikasi".into(),
                    _ => format!("Server menolak: {message}"),
                };
                AppError::new(code.as_str(), text)
            }
            SyncError::Unreachable { .. } => AppError::new(
                "offline",
                "Server tidak dapat dihubungi; data tetap aman di perangkat dan akan dikirim nanti",
            ),
            SyncError::LinkDropping { done, total, .. } => AppError::new(
                "link_dropping",
                format!(
                    "Sambungan terus terputus. {done}{} perubahan sudah sampai dan tersimpan; sisanya dikirim \
                     saat sinkronisasi berikutnya",
                    total.map(|t| format!(" dari {t}")).unwrap_or_default()
                ),
            ),
            SyncError::Untrusted(_) => AppError::new(
                pendamping_sync::UNTRUSTED_SERVER,
                "Sertifikat server tidak dipercaya: periksa alamat server, atau hubungi admin. Tidak ada data yang dikirim",
            ),
            SyncError::BadAnswer(_) => AppError::new(
                "offline",
                "Jawaban server terputus; data tetap aman di perangkat dan akan dikirim nanti",
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
        assert!(serde_json::to_value(&revoked).unwrap().get("field").is_none());
    }
}
