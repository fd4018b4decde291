//! The two languages everything is said in, Indonesian first: numbers, dates and months as
//! each writes them, and the trait of a vocabulary whose every code has words in both. A
//! leaf: every module that says something reads it, and it reads none of them.

use chrono::NaiveDate;

use crate::month::Month;

crate::word_enum! {
    /// The language words are wanted in: Indonesian first. Its word is what a page's `lang`
    /// attribute, a `--lang` option and the dashboard's cookie say.
    #[derive(Default)]
    pub enum Lang {
        #[default]
        Id = "id",
        En = "en",
    }
}

impl Lang {
    /// A number as the language writes it: "6.500,5" or "6500.5".
    pub fn number(self, v: f64) -> String {
        match self {
            Lang::Id => num_id(v),
            Lang::En => num_en(v),
        }
    }

    /// "1 Desember 2026" or "1 December 2026".
    pub fn date(self, d: NaiveDate) -> String {
        match self {
            Lang::Id => date_id(d),
            Lang::En => date_en(d),
        }
    }

    /// "November 2026", in either language.
    pub fn month(self, m: Month) -> String {
        match self {
            Lang::Id => month_id(m.year, m.month),
            Lang::En => month_en(m.year, m.month),
        }
    }

    /// "Agu" or "Aug".
    pub fn month_short(self, m: Month) -> &'static str {
        month_short(m.month, self == Lang::En)
    }
}

/// One thing said in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words {
    pub id: &'static str,
    pub en: &'static str,
}

impl Words {
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Id => self.id,
            Lang::En => self.en,
        }
    }
}

/// A closed vocabulary with a name for each of its codes.
pub trait Labelled: Copy + 'static {
    /// Every code, in the order a list offers them.
    fn every() -> &'static [Self];
    fn words(self) -> Words;
    fn label(self, lang: Lang) -> &'static str {
        self.words().get(lang)
    }
}

/// A number as Indonesians write it: a decimal comma, a point between thousands
/// (`0,9`, `6.500`, `11,5`), at most two decimals, no trailing zeros.
pub fn num_id(v: f64) -> String {
    let en = num_en(v);
    let (int, frac) = en.split_once('.').unwrap_or((&en, ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

/// A number in English: a decimal point, at most two decimals, no trailing zeros.
pub fn num_en(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "November 2026".
pub fn month_id(year: i32, month: u32) -> String {
    format!("{} {year}", MONTHS_ID[(month.clamp(1, 12) - 1) as usize])
}

/// "November 2026", in English.
pub fn month_en(year: i32, month: u32) -> String {
    format!("{} {year}", MONTHS_EN[(month.clamp(1, 12) - 1) as usize])
}

/// A month's name cut to three letters, as a chart's axis writes it: "Agu", "Aug".
pub fn month_short(month: u32, english: bool) -> &'static str {
    let names = if english { &MONTHS_EN } else { &MONTHS_ID };
    &names[(month.clamp(1, 12) - 1) as usize][..3]
}

/// "1 Desember 2026", as messages write a date.
pub fn date_id(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{} {} {}", d.day(), MONTHS_ID[d.month0() as usize], d.year())
}

/// "1 December 2026".
pub fn date_en(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{} {} {}", d.day(), MONTHS_EN[d.month0() as usize], d.year())
}
