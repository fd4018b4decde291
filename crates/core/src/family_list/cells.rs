//! Reading a family list's cells as the spreadsheets that carry them write them: yes/no
//! as 1/0, Ya/Tidak, Y/T or a tick; dates as 31-12-1990, 31/12/1990, 1990-12-31 or an
//! Excel day number; numbers of 16 digits as text, or as a number Excel has already
//! rounded (which is refused: its last digits are gone).

use chrono::{Days, NaiveDate};

/// A yes/no cell: `None` when empty, `Err` when it is neither.
pub fn yes_no(raw: &str) -> Result<Option<bool>, ()> {
    let t = raw.trim().to_lowercase();
    Ok(match t.as_str() {
        "" => None,
        "1" | "ya" | "y" | "iya" | "v" | "x" | "√" | "✓" | "✔" | "true" | "benar" | "berisiko" | "ada" => {
            Some(true)
        }
        "0" | "tidak" | "t" | "n" | "no" | "-" | "false" | "salah" | "tidak berisiko" | "tidak ada" => Some(false),
        _ => return Err(()),
    })
}

/// A count of children: a whole number 0–20 ("2", "2.0" as Excel writes it).
pub fn count(raw: &str) -> Result<u8, ()> {
    let t = raw.trim();
    let t = t.strip_suffix(".0").unwrap_or(t);
    t.parse::<u8>().ok().filter(|n| *n <= 20).ok_or(())
}

/// A date as lists write it, or an Excel day number (days since 30 December 1899).
pub fn date(raw: &str) -> Option<NaiveDate> {
    let t = raw.trim();
    let t = t.split([' ', 'T']).next().unwrap_or(t);
    for f in ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, f) {
            return Some(d);
        }
    }
    let serial = t.strip_suffix(".0").unwrap_or(t).parse::<u32>().ok()?;
    // 1 January 1900 is day 1; days before 1 March 1900 count Excel's false 29 February.
    (367..=80_000)
        .contains(&serial)
        .then(|| NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(Days::new(serial.into())))
        .flatten()
}

/// Why a cell meant to hold a number of `len` digits does not.
#[derive(Debug, PartialEq, Eq)]
pub enum DigitsError {
    /// Not `len` digits.
    Shape,
    /// Written as a number in scientific notation (3.60201E+15): Excel kept only its first
    /// digits.
    Rounded,
}

/// A number of `len` digits written as text: separators (space, dot, dash) and Excel's
/// leading apostrophe dropped.
pub fn digits(raw: &str, len: usize) -> Result<String, DigitsError> {
    let t = raw.trim().trim_start_matches('\'');
    if t.contains(['E', 'e']) && t.chars().any(|c| c.is_ascii_digit()) {
        return Err(DigitsError::Rounded);
    }
    let d: String = t.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
    if d.len() == len && d.chars().all(|c| c.is_ascii_digit()) {
        Ok(d)
    } else {
        Err(DigitsError::Shape)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn cells_are_read_as_the_lists_write_them() {
        assert_eq!(yes_no("Ya"), Ok(Some(true)));
        assert_eq!(yes_no(" 0 "), Ok(Some(false)));
        assert_eq!(yes_no(""), Ok(None));
        assert_eq!(yes_no("mungkin"), Err(()));
        assert_eq!(count("2.0"), Ok(2));
        assert_eq!(count("-1"), Err(()));
        assert_eq!(count("21"), Err(()));
        assert_eq!(date("31-12-1990"), Some(d(1990, 12, 31)));
        assert_eq!(date("1990-12-31 00:00:00"), Some(d(1990, 12, 31)));
        assert_eq!(date("31/02/1990"), None);
        // Excel's day number of 31 December 1990.
        assert_eq!(date("33238"), Some(d(1990, 12, 31)));
        assert_eq!(date("12"), None);
        assert_eq!(digits("'3602010101200001", 16), Ok("3602010101200001".into()));
        assert_eq!(digits("3602 0101 0120 0001", 16), Ok("3602010101200001".into()));
        assert_eq!(digits("3.60201E+15", 16), Err(DigitsError::Rounded));
        assert_eq!(digits("360201010120000", 16), Err(DigitsError::Shape));
    }
}
