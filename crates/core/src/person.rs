//! Persons: the people a TPK accompanies, identified by NIK where they have one.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::lang::Labelled;
use crate::nik;
use crate::problem::{Problem, label};

pub use crate::sex::Sex;

crate::word_enum! {
    /// Relationship to the head of family, as on the KK.
    pub enum Relationship {
        KepalaKeluarga = "kepala_keluarga",
        Istri = "istri",
        Suami = "suami",
        Anak = "anak",
        Menantu = "menantu",
        Cucu = "cucu",
        OrangTua = "orang_tua",
        Mertua = "mertua",
        FamiliLain = "famili_lain",
        Lainnya = "lainnya",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Person {
    pub id: Uuid,
    pub household_id: Uuid,
    /// The 10-digit village code of the household.
    pub area_code: String,
    /// `None` for a newborn with no NIK yet: linked through the KK and the mother.
    pub nik: Option<String>,
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub relationship: Relationship,
    #[serde(default)]
    pub mother_id: Option<Uuid>,
    #[serde(default)]
    pub mother_nik: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// Set on a person found to be another record of `merged_into` (registered twice): this
    /// record is then a tombstone, and its enrolments and visits point at the survivor.
    #[serde(default)]
    pub merged_into: Option<Uuid>,
}

impl Person {
    /// Checks the registration form. NIK structure errors reject; NIK disagreement warns.
    pub fn validate(&self, today: NaiveDate) -> Vec<Problem> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push(Problem::required("name"));
        } else {
            out.extend(check_name("name", &self.name));
        }
        let years = crate::age::years(self.birth_date, today);
        if self.birth_date > today {
            out.push(Problem::future_date("birth_date"));
        } else if years > 120 {
            out.push(Problem::error(
                "out_of_range",
                "birth_date",
                "Tanggal lahir tidak masuk akal (lebih dari 120 tahun)".into(),
                "Date of birth is implausible (over 120 years)".into(),
            ));
        } else if matches!(
            self.relationship,
            Relationship::KepalaKeluarga | Relationship::Istri | Relationship::Suami
        ) && years < PARTNER_MIN_YEARS
        {
            // "7/12/26" read as this year for a wife: a slip of the year, not a person.
            let role = self.relationship.words();
            out.push(Problem::error(
                "too_young_for_role",
                "birth_date",
                format!("{} berumur {years} tahun: periksa tahun lahirnya", role.id),
                format!("A {} aged {years}: check the year of birth", role.en.to_lowercase()),
            ));
        }
        if let Some(raw) = &self.nik {
            let (info, problems) = nik::check(raw, today);
            out.extend(problems);
            if let Some(info) = info {
                out.extend(nik::cross_check(&info, self.sex, self.birth_date));
            }
        }
        if let Some(raw) = &self.mother_nik {
            let (_, problems) = nik::check(raw, today);
            out.extend(problems.into_iter().map(|mut p| {
                p.field = "mother_nik".into();
                p.message_id = p.message_id.replacen("NIK", "NIK ibu", 1);
                p.message_en = p.message_en.replacen("NIK", "Mother's NIK", 1);
                p
            }));
        }
        if let Some(phone) = &self.phone {
            out.extend(check_phone(phone));
        }
        out
    }
}

/// Below this age no one is a head of family, a wife or a husband: the birth date is a slip.
pub const PARTNER_MIN_YEARS: i32 = 10;

/// The longest name a record takes (a KTP's name field is far shorter).
pub const NAME_MAX_CHARS: usize = 100;

/// A name's problem: too long, or holding characters that are not shown but change how the
/// text around them is drawn (a right-to-left override turns a list row backwards).
pub fn check_name(field: &str, name: &str) -> Option<Problem> {
    if name.trim().chars().count() > NAME_MAX_CHARS {
        return Some(Problem::error(
            "too_long",
            field,
            format!("Nama terlalu panjang (maks. {NAME_MAX_CHARS} huruf)"),
            format!("Name is too long (max. {NAME_MAX_CHARS} characters)"),
        ));
    }
    // Tabs and line breaks are whitespace a paste brings (the app folds them into spaces);
    // what is refused is what draws nothing yet changes the text around it.
    let hidden = |c: char| {
        (c.is_control() && !c.is_whitespace())
            || matches!(c, '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    };
    name.chars().any(hidden).then(|| {
        Problem::error(
            "hidden_characters",
            field,
            "Nama berisi karakter tak terlihat; ketik ulang namanya".into(),
            "The name holds invisible characters; type it again".into(),
        )
    })
}

/// Indonesian mobile numbers: 08…, +628… or 628…, 9 to 13 digits after the 0.
pub fn check_phone(raw: &str) -> Option<Problem> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let local = digits
        .strip_prefix("+62")
        .or_else(|| digits.strip_prefix("62"))
        .map(|rest| format!("0{rest}"))
        .unwrap_or(digits);
    let ok = local.starts_with('0') && local.chars().all(|c| c.is_ascii_digit()) && (10..=14).contains(&local.len());
    (!ok).then(|| {
        let (id, en) = label("phone");
        Problem::error(
            "phone_format",
            "phone",
            format!("{id} tidak valid (contoh: 0812 3456 7890)"),
            format!("{en} is not valid (e.g. 0812 3456 7890)"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Person {
        Person {
            id: Uuid::nil(),
            household_id: Uuid::nil(),
            area_code: "3602012002".into(),
            nik: Some("3602014103950001".into()),
            name: "Siti Aminah".into(),
            sex: Sex::Female,
            birth_date: NaiveDate::from_ymd_opt(1995, 3, 1).unwrap(),
            relationship: Relationship::Istri,
            mother_id: None,
            mother_nik: None,
            merged_into: None,
            phone: Some("0812-3456-7890".into()),
        }
    }
    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn a_wife_born_this_year_is_a_slip_of_the_year_and_hidden_characters_are_refused() {
        let codes = |p: &Person| {
            p.validate(today())
                .into_iter()
                .map(|p| (p.code, p.field))
                .collect::<Vec<_>>()
        };
        // "7/12/26" typed for a wife born in 1926 or 1996: read as 2026.
        let mut wife = person();
        wife.nik = None;
        wife.birth_date = NaiveDate::from_ymd_opt(2026, 11, 7).unwrap();
        assert_eq!(
            codes(&wife),
            vec![("too_young_for_role".to_string(), "birth_date".to_string())]
        );
        assert!(
            wife.validate(today())[0]
                .message_id
                .starts_with("Istri berumur 0 tahun")
        );
        // A daughter born this month is simply a baby; a wife of ten is let be.
        let mut baby = wife.clone();
        baby.relationship = Relationship::Anak;
        assert_eq!(codes(&baby), vec![]);
        wife.birth_date = NaiveDate::from_ymd_opt(2016, 11, 23).unwrap();
        assert_eq!(codes(&wife), vec![]);

        let mut turned = person();
        turned.name = "Siti \u{202E}Aminah".into();
        assert_eq!(
            codes(&turned),
            vec![("hidden_characters".to_string(), "name".to_string())]
        );
        turned.name = "Ä".repeat(NAME_MAX_CHARS + 1);
        assert_eq!(codes(&turned), vec![("too_long".to_string(), "name".to_string())]);
        turned.name = "Ä".repeat(NAME_MAX_CHARS);
        assert_eq!(codes(&turned), vec![]);
    }

    #[test]
    fn a_complete_registration_has_no_problems() {
        assert_eq!(person().validate(today()), vec![]);
    }

    #[test]
    fn problems_name_their_field() {
        let mut p = person();
        p.name = " ".into();
        p.birth_date = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        p.phone = Some("12345".into());
        p.mother_nik = Some("123".into());
        let fields: Vec<_> = p.validate(today()).into_iter().map(|p| (p.field, p.code)).collect();
        assert!(fields.contains(&("name".into(), "required".into())));
        assert!(fields.contains(&("birth_date".into(), "future_date".into())));
        assert!(fields.contains(&("phone".into(), "phone_format".into())));
        assert!(fields.contains(&("mother_nik".into(), "nik_format".into())));
    }

    #[test]
    fn a_newborn_without_nik_is_fine() {
        let mut p = person();
        p.nik = None;
        p.mother_nik = Some("3602014103950001".into());
        p.relationship = Relationship::Anak;
        assert!(p.validate(today()).is_empty());
    }

    #[test]
    fn phone_numbers_in_international_form_are_accepted() {
        assert!(check_phone("+62 812 3456 7890").is_none());
        assert!(check_phone("6281234567890").is_none());
        assert!(check_phone("0812345").is_some());
    }

    #[test]
    fn sex_parses_survey_and_indonesian_codes() {
        for (s, want) in [("1", Sex::Male), ("M", Sex::Male), ("l", Sex::Male)] {
            assert_eq!(Sex::parse(s), Some(want));
        }
        for (s, want) in [("2", Sex::Female), ("f", Sex::Female), ("P", Sex::Female)] {
            assert_eq!(Sex::parse(s), Some(want));
        }
        assert_eq!(Sex::parse("x"), None);
    }
}
