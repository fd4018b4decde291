//! NIK (national ID number) structure check, docs/src/design/domain.md §5.1: errors reject, warnings inform.

use chrono::{Datelike, NaiveDate};

use crate::area;
use crate::problem::Problem;
use crate::sex::Sex;

/// What a structurally valid NIK says about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NikInfo {
    /// The 16 digits, separators removed.
    pub nik: String,
    /// `PPKKCC`: the issuing district.
    pub district_code: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
}

/// Checks a NIK. `today` fixes the century of the two-digit year. Returns the facts it
/// encodes when it has no error, and every problem found.
pub fn check(raw: &str, today: NaiveDate) -> (Option<NikInfo>, Vec<Problem>) {
    let f = "nik";
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
    if digits.len() != 16 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return (
            None,
            vec![Problem::error(
                "nik_format",
                f,
                "NIK harus 16 angka".into(),
                "NIK must be 16 digits".into(),
            )],
        );
    }
    let num = |a: usize, b: usize| digits[a..b].parse::<u32>().unwrap_or(0);
    let mut problems = Vec::new();
    let province = &digits[0..2];
    if area::lookup(province).is_none() {
        problems.push(Problem::error(
            "nik_province",
            f,
            format!("NIK: kode provinsi {province} tidak dikenal"),
            format!("NIK: unknown province code {province}"),
        ));
    }
    if num(2, 4) == 0 || num(4, 6) == 0 {
        problems.push(Problem::error(
            "nik_region",
            f,
            "NIK: kode kabupaten/kota dan kecamatan tidak boleh 00".into(),
            "NIK: regency and district codes may not be 00".into(),
        ));
    } else if problems.is_empty() && area::lookup(&digits[0..6]).is_none() {
        // A NIK keeps its issuing code after a region splits: warn only.
        problems.push(Problem::warning(
            "nik_region_unknown",
            f,
            format!(
                "NIK: kode wilayah {} tidak ada di daftar Kemendagri saat ini; periksa kembali",
                area::dotted(&digits[0..6])
            ),
            format!(
                "NIK: area code {} is not in the current Kemendagri list; please check",
                area::dotted(&digits[0..6])
            ),
        ));
    }
    let (dd, mm, yy) = (num(6, 8), num(8, 10), num(10, 12));
    let (sex, day) = match dd {
        1..=31 => (Sex::Male, dd),
        41..=71 => (Sex::Female, dd - 40),
        _ => {
            problems.push(Problem::error(
                "nik_birth_day",
                f,
                "NIK: tanggal lahir harus 01–31 (laki-laki) atau 41–71 (perempuan)".into(),
                "NIK: day of birth must be 01–31 (male) or 41–71 (female)".into(),
            ));
            (Sex::Male, 0)
        }
    };
    let this_yy = (today.year() % 100) as u32;
    let year = if yy <= this_yy { 2000 + yy } else { 1900 + yy } as i32;
    let birth_date = NaiveDate::from_ymd_opt(year, mm, day);
    if day != 0 && birth_date.is_none() {
        problems.push(Problem::error(
            "nik_birth_date",
            f,
            "NIK: tanggal lahir di dalam NIK bukan tanggal yang sah".into(),
            "NIK: the date of birth in the NIK is not a real date".into(),
        ));
    }
    if num(12, 16) == 0 {
        problems.push(Problem::error(
            "nik_serial",
            f,
            "NIK: nomor urut tidak boleh 0000".into(),
            "NIK: serial number may not be 0000".into(),
        ));
    }
    let info = match birth_date {
        Some(birth_date) if !problems.iter().any(Problem::is_error) => Some(NikInfo {
            district_code: digits[0..6].to_string(),
            nik: digits,
            sex,
            birth_date,
        }),
        _ => None,
    };
    (info, problems)
}

/// Warnings when the NIK disagrees with the sex or date of birth entered.
pub fn cross_check(info: &NikInfo, sex: Sex, birth_date: NaiveDate) -> Vec<Problem> {
    let mut out = Vec::new();
    if info.sex != sex {
        out.push(Problem::warning(
            "nik_sex_mismatch",
            "nik",
            "Jenis kelamin tidak sesuai dengan NIK; periksa kembali".into(),
            "Sex does not match the NIK; please check".into(),
        ));
    }
    if info.birth_date != birth_date {
        out.push(Problem::warning(
            "nik_birth_date_mismatch",
            "nik",
            format!(
                "Tanggal lahir tidak sesuai dengan NIK ({}); periksa kembali",
                info.birth_date.format("%d-%m-%Y")
            ),
            format!(
                "Date of birth does not match the NIK ({}); please check",
                info.birth_date
            ),
        ));
    }
    out
}

/// Builds the NIK a person born on `birth` would get in district `district_code` (6 digits).
pub fn compose(district_code: &str, sex: Sex, birth: NaiveDate, serial: u16) -> String {
    let day = birth.day() + if sex == Sex::Female { 40 } else { 0 };
    format!(
        "{district_code}{day:02}{:02}{:02}{:04}",
        birth.month(),
        birth.year() % 100,
        serial.max(1)
    )
}

/// `3602014101950001` → `360201********01`: enough to tell people apart in a list.
pub fn mask(nik: &str) -> String {
    if nik.len() != 16 {
        return "*".repeat(nik.len());
    }
    format!("{}{}{}", &nik[..6], "*".repeat(8), &nik[14..])
}

/// A NIK as typed ("3602 0141 0395 0001"), digits only.
pub fn digits_only(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_digit()).collect()
}

/// Bits of a NIK digest bucket. A kecamatan has about 7 × 10^8 well-formed NIKs (birth
/// day and month, two-digit year, serial), so each of the 2^20 buckets stands for ~700 of
/// them: a bucket never gives a NIK back. A kecamatan's 10,000 registered NIKs fill ~1% of
/// the buckets, the rate at which capture warns for a NIK registered nowhere else.
pub const DIGEST_BITS: u32 = 20;

/// The digest bucket of `nik` under `salt` (the server's, per kecamatan): the first
/// `DIGEST_BITS` bits of SHA-256 over a fixed label, the salt and the NIK's digits.
pub fn digest_bucket(salt: &str, nik: &str) -> u32 {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"pendamping-nik-digest-v1\0");
    h.update(salt.as_bytes());
    h.update(b"\0");
    h.update(nik.as_bytes());
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]]) >> (32 - DIGEST_BITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_bucket_depends_on_salt_and_nik_and_fits_its_bits() {
        let n = "3602014103950001";
        let b = digest_bucket("s1", n);
        assert!(b < 1 << DIGEST_BITS);
        assert_eq!(b, digest_bucket("s1", n));
        assert_ne!(b, digest_bucket("s2", n));
        assert_ne!(b, digest_bucket("s1", "3602014103950002"));
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }
    fn codes(raw: &str) -> Vec<String> {
        check(raw, today()).1.into_iter().map(|p| p.code).collect()
    }

    #[test]
    fn a_valid_female_nik_yields_sex_and_birth_date() {
        let (info, problems) = check("36.0201.410395.0001", today());
        assert!(problems.is_empty(), "{problems:?}");
        let info = info.unwrap();
        assert_eq!(info.nik, "3602014103950001");
        assert_eq!(info.sex, Sex::Female);
        assert_eq!(info.birth_date, NaiveDate::from_ymd_opt(1995, 3, 1).unwrap());
    }

    #[test]
    fn the_century_follows_the_current_year() {
        let (male_2026, _) = check("3602011501260001", today());
        assert_eq!(male_2026.unwrap().birth_date.year(), 2026);
        let (male_1927, _) = check("3602011501270001", today());
        assert_eq!(male_1927.unwrap().birth_date.year(), 1927);
    }

    #[test]
    fn structure_errors_are_rejected() {
        assert_eq!(codes("360201410395000"), ["nik_format"]);
        assert_eq!(codes("36020141039500a1"), ["nik_format"]);
        assert_eq!(codes("9902014103950001"), ["nik_province"]);
        assert_eq!(codes("3600014103950001"), ["nik_region"]);
        assert_eq!(codes("3602004103950001"), ["nik_region"]);
        assert_eq!(codes("3602013503950001"), ["nik_birth_day"]);
        assert_eq!(codes("3602017203950001"), ["nik_birth_day"]);
        assert_eq!(codes("3602010113950001"), ["nik_birth_date"]);
        assert_eq!(codes("3602013102950001"), ["nik_birth_date"]);
        assert_eq!(codes("3602014103950000"), ["nik_serial"]);
    }

    #[test]
    fn leap_days_are_real_dates_only_in_leap_years() {
        assert!(codes("3602012902960001").is_empty(), "29-02-1996 exists");
        assert_eq!(codes("3602012902970001"), ["nik_birth_date"]);
        assert!(codes("3602016902000001").is_empty(), "29-02-2000, female");
    }

    #[test]
    fn an_area_missing_from_the_current_list_is_only_a_warning() {
        let (info, problems) = check("3602994103950001", today());
        assert!(info.is_some());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, "nik_region_unknown");
        assert!(!problems[0].is_error());
    }

    #[test]
    fn disagreement_with_the_form_is_a_warning() {
        let (info, _) = check("3602014103950001", today());
        let info = info.unwrap();
        let d = NaiveDate::from_ymd_opt(1995, 3, 1).unwrap();
        assert!(cross_check(&info, Sex::Female, d).is_empty());
        let w = cross_check(&info, Sex::Male, d.succ_opt().unwrap());
        assert_eq!(w.len(), 2);
        assert!(w.iter().all(|p| !p.is_error()));
    }

    #[test]
    fn composed_niks_pass_the_check_and_say_what_was_put_in() {
        let b = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        let n = compose("360201", Sex::Female, b, 17);
        let (info, problems) = check(&n, today());
        assert!(problems.is_empty());
        assert_eq!((info.clone().unwrap().sex, info.unwrap().birth_date), (Sex::Female, b));
    }

    #[test]
    fn masking_keeps_region_and_last_digits() {
        assert_eq!(mask("3602014103950001"), "360201********01");
    }
}
