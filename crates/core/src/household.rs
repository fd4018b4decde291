//! Households (keluarga): one KK, one village, and the living conditions KRS looks at.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::area;
use crate::problem::{Problem, label, out_of_range};

pub use crate::vocab::WaterSource;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Latrine {
    /// Own or shared latrine with a septic tank.
    SepticTank,
    /// A latrine without a septic tank.
    TanpaSepticTank,
    /// No latrine (open defecation).
    Tidak,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Household {
    pub id: Uuid,
    /// Nomor Kartu Keluarga, 16 digits; may be unknown at first contact.
    #[serde(default)]
    pub kk_number: Option<String>,
    /// 10-digit Kemendagri village code.
    pub area_code: String,
    pub head_name: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub rt: Option<String>,
    #[serde(default)]
    pub rw: Option<String>,
    #[serde(default)]
    pub water_source: Option<WaterSource>,
    #[serde(default)]
    pub latrine: Option<Latrine>,
    /// P3KE welfare decile (1 poorest … 10).
    #[serde(default)]
    pub welfare_decile: Option<u8>,
    #[serde(default)]
    pub floor_area_m2: Option<f64>,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    /// The TPK assigned to this family.
    #[serde(default)]
    pub tpk: Option<String>,
}

impl Household {
    pub fn validate(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        match area::normalize_village_code(&self.area_code) {
            Err(_) => out.push(Problem::error(
                "area_code_format",
                "area_code",
                "Kode desa/kelurahan harus 10 angka (mis. 36.02.01.2002)".into(),
                "Village code must be 10 digits (e.g. 36.02.01.2002)".into(),
            )),
            Ok(code) if area::lookup(&code).is_none() => out.push(Problem::warning(
                "area_code_unknown",
                "area_code",
                format!("Kode desa {} tidak ada di daftar Kemendagri", area::dotted(&code)),
                format!("Village code {} is not in the Kemendagri list", area::dotted(&code)),
            )),
            Ok(_) => {}
        }
        if self.head_name.trim().is_empty() {
            let mut p = Problem::required("name");
            p.field = "head_name".into();
            p.message_id = "Nama kepala keluarga wajib diisi".into();
            p.message_en = "Name of the head of family is required".into();
            out.push(p);
        } else {
            out.extend(crate::person::check_name("head_name", &self.head_name));
        }
        if let Some(kk) = &self.kk_number {
            let digits: String = kk.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
            if digits.len() != 16 || !digits.chars().all(|c| c.is_ascii_digit()) {
                out.push(Problem::error(
                    "kk_format",
                    "kk_number",
                    "Nomor KK harus 16 angka".into(),
                    "Family card number must be 16 digits".into(),
                ));
            }
        }
        for (field, value) in [("rt", &self.rt), ("rw", &self.rw)] {
            out.extend(value.as_deref().and_then(|v| rt_rw_problem(field, v)));
        }
        if let Some(d) = self.welfare_decile
            && !(1..=10).contains(&d)
        {
            out.push(out_of_range("welfare_decile", d as f64, 1.0, 10.0));
        }
        if let Some(a) = self.floor_area_m2
            && !(1.0..=5000.0).contains(&a)
        {
            out.push(out_of_range("floor_area_m2", a, 1.0, 5000.0));
        }
        // Indonesia spans about 6°N–11°S and 95°E–141°E.
        if let Some(lat) = self.latitude
            && !(-11.5..=6.5).contains(&lat)
        {
            out.push(out_of_range("latitude", lat, -11.5, 6.5));
        }
        if let Some(lon) = self.longitude
            && !(94.5..=141.5).contains(&lon)
        {
            out.push(out_of_range("longitude", lon, 94.5, 141.5));
        }
        out
    }
}

/// The problem of an RT or RW number (`field` is `rt` or `rw`): 1–3 digits, as a form
/// and a government family list both write it.
pub fn rt_rw_problem(field: &str, value: &str) -> Option<Problem> {
    if !value.is_empty() && value.len() <= 3 && value.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (id, en) = label(field);
    Some(Problem::error(
        "rt_rw_format",
        field,
        format!("{id} harus 1–3 angka"),
        format!("{en} must be 1–3 digits"),
    ))
}

/// "`Label` `value` `unit` is outside `min`–`max`", as a rejecting error.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_name_pasted_from_anywhere_is_bounded_and_drawn_as_typed() {
        let mut h = household();
        h.head_name = "x".repeat(5_000);
        let fields: Vec<_> = h.validate().into_iter().map(|p| (p.code, p.field)).collect();
        assert_eq!(fields, vec![("too_long".to_string(), "head_name".to_string())]);
        h.head_name = "gnaro \u{202E}Ahmad".into();
        let fields: Vec<_> = h.validate().into_iter().map(|p| (p.code, p.field)).collect();
        assert_eq!(fields, vec![("hidden_characters".to_string(), "head_name".to_string())]);
    }

    pub(crate) fn household() -> Household {
        Household {
            id: Uuid::nil(),
            kk_number: Some("3602010101200001".into()),
            area_code: "3602012002".into(),
            head_name: "Ahmad Hidayat".into(),
            address: Some("Kp. Cilangkahan".into()),
            rt: Some("003".into()),
            rw: Some("01".into()),
            water_source: Some(WaterSource::SumurBor),
            latrine: Some(Latrine::SepticTank),
            welfare_decile: Some(2),
            floor_area_m2: Some(36.0),
            latitude: Some(-6.85),
            longitude: Some(106.0),
            tpk: Some("TPK Cilangkahan 1".into()),
        }
    }

    #[test]
    fn a_complete_household_is_valid() {
        assert_eq!(household().validate(), vec![]);
    }

    #[test]
    fn bad_values_are_named() {
        let mut h = household();
        h.area_code = "36020120".into();
        h.kk_number = Some("123".into());
        h.rt = Some("1a".into());
        h.latitude = Some(40.0);
        let fields: Vec<_> = h.validate().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["area_code", "kk_number", "rt", "latitude"]);
    }

    #[test]
    fn an_unknown_village_only_warns() {
        let mut h = household();
        h.area_code = "3602019999".into();
        let p = h.validate();
        assert_eq!(p.len(), 1);
        assert!(!p[0].is_error());
    }
}
