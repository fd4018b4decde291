//! Kemendagri area codes (docs/src/design/domain.md §5.2): the embedded list and lookups by code and by name.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// Administrative level, from the length of the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Province,
    Regency,
    District,
    Village,
}

impl Level {
    pub fn code_len(self) -> usize {
        match self {
            Level::Province => 2,
            Level::Regency => 4,
            Level::District => 6,
            Level::Village => 10,
        }
    }

    pub fn from_code_len(len: usize) -> Option<Level> {
        match len {
            2 => Some(Level::Province),
            4 => Some(Level::Regency),
            6 => Some(Level::District),
            10 => Some(Level::Village),
            _ => None,
        }
    }

    pub fn child(self) -> Option<Level> {
        match self {
            Level::Province => Some(Level::Regency),
            Level::Regency => Some(Level::District),
            Level::District => Some(Level::Village),
            Level::Village => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaCodeError {
    #[error("kode wilayah {0:?} harus 2, 4, 6 atau 10 angka (mis. 36.02.01.2002)")]
    Malformed(String),
}

/// A Kemendagri area code: digits only, of one level's length (2, 4, 6 or 10). Scopes hold
/// these, so "does this lie in my area" is a prefix test on codes that were checked once,
/// never on text as someone typed it (`36.02.01` against `360201`). Made by `parse`; on
/// the wire and in stores a plain string, checked again when read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AreaCode(String);

impl AreaCode {
    /// A code written with or without dots (`36.02.01.2002` or `3602012002`).
    pub fn parse(raw: &str) -> Result<AreaCode, AreaCodeError> {
        let code: String = raw.trim().chars().filter(|c| *c != '.').collect();
        if code.chars().all(|c| c.is_ascii_digit()) && Level::from_code_len(code.len()).is_some() {
            Ok(AreaCode(code))
        } else {
            Err(AreaCodeError::Malformed(raw.to_string()))
        }
    }

    /// A code that must name a village (10 digits).
    pub fn village(raw: &str) -> Result<AreaCode, AreaCodeError> {
        Some(AreaCode::parse(raw)?)
            .filter(|c| c.level() == Level::Village)
            .ok_or_else(|| AreaCodeError::Malformed(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> Level {
        Level::from_code_len(self.0.len()).expect("checked when made")
    }

    /// Whether the code `code` (digits, any level) is this area or lies under it.
    pub fn encloses(&self, code: &str) -> bool {
        code.starts_with(&self.0)
    }

    /// Every code within, as a half-open range of text for an index seek: `[code, code~)`.
    pub fn range(&self) -> (String, String) {
        (self.0.clone(), format!("{}~", self.0))
    }
}

impl TryFrom<String> for AreaCode {
    type Error = AreaCodeError;
    fn try_from(s: String) -> Result<AreaCode, AreaCodeError> {
        AreaCode::parse(&s)
    }
}

impl From<AreaCode> for String {
    fn from(c: AreaCode) -> String {
        c.0
    }
}

/// Read as text wherever text is wanted (a title, a file name, a prefix test); the way back
/// is `parse` only.
impl std::ops::Deref for AreaCode {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for AreaCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AreaCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Normalises an area code written with or without dots: its digits.
pub fn normalize_code(raw: &str) -> Result<String, AreaCodeError> {
    AreaCode::parse(raw).map(String::from)
}

/// Normalises a code that must name a village (10 digits).
pub fn normalize_village_code(raw: &str) -> Result<String, AreaCodeError> {
    AreaCode::village(raw).map(String::from)
}

/// `3602012002` → `36.02.01.2002`.
/// Indonesia's three time zones (docs/src/design/domain.md §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Zone {
    Wib,
    Wita,
    Wit,
}

impl Zone {
    /// Hours ahead of UTC.
    pub fn utc_offset_hours(self) -> i32 {
        match self {
            Zone::Wib => 7,
            Zone::Wita => 8,
            Zone::Wit => 9,
        }
    }

    /// The zone of an area's province (the first two digits of its code), which decides
    /// "today", a visit's date and a recap month's bounds there.
    pub fn of_area(code: &str) -> Option<Zone> {
        let digits: String = code.chars().filter(char::is_ascii_digit).take(2).collect();
        match digits.parse::<u8>().ok()? {
            11..=19 | 21 | 31..=36 | 61 | 62 => Some(Zone::Wib),
            51..=53 | 63..=65 | 71..=76 => Some(Zone::Wita),
            81 | 82 | 91..=96 => Some(Zone::Wit),
            _ => None,
        }
    }
}

pub fn dotted(code: &str) -> String {
    let cuts = [2, 4, 6];
    let mut out = String::with_capacity(code.len() + 3);
    for (i, c) in code.chars().enumerate() {
        if cuts.contains(&i) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// One area of the Kemendagri list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Area {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
}

impl Area {
    /// The area's code, checked (the shipped list's codes are well formed).
    pub fn area_code(&self) -> AreaCode {
        AreaCode(self.code.to_string())
    }
}

/// Identifies the shipped list; see schema/data/areas/.
pub const AREAS_VERSION: &str = "idn-area-data-4.0.1";

fn all() -> &'static [Area] {
    static AREAS: OnceLock<Vec<Area>> = OnceLock::new();
    AREAS.get_or_init(|| {
        let text = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../schema/data/areas/wilayah.tsv"
        ));
        let mut areas: Vec<Area> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(|l| {
                let (code, name) = l.split_once('\t')?;
                Some(Area {
                    code,
                    name,
                    level: Level::from_code_len(code.len())?,
                })
            })
            .collect();
        areas.sort_by_key(|a| a.code);
        areas
    })
}

/// The area with this code (with or without dots).
pub fn lookup(code: &str) -> Option<Area> {
    let code = normalize_code(code).ok()?;
    let areas = all();
    areas
        .binary_search_by(|a| a.code.cmp(code.as_str()))
        .ok()
        .map(|i| areas[i])
}

/// The areas one level below `code`, or the provinces for `None`.
pub fn children(code: Option<&str>) -> Vec<Area> {
    let (prefix, level) = match code.and_then(lookup) {
        Some(parent) => match parent.level.child() {
            Some(level) => (parent.code, level),
            None => return Vec::new(),
        },
        None if code.is_some() => return Vec::new(),
        None => ("", Level::Province),
    };
    let areas = all();
    let start = areas.partition_point(|a| a.code < prefix);
    areas[start..]
        .iter()
        .take_while(|a| a.code.starts_with(prefix))
        .filter(|a| a.level == level)
        .copied()
        .collect()
}

/// Every village under `code` (itself, for a village code).
pub fn villages_under(code: &str) -> Vec<Area> {
    let areas = all();
    let start = areas.partition_point(|a| a.code < code);
    areas[start..]
        .iter()
        .take_while(|a| a.code.starts_with(code))
        .filter(|a| a.level == Level::Village)
        .copied()
        .collect()
}

/// Areas whose name contains `query` (case-insensitive), villages first, at most `limit`.
pub fn search(query: &str, level: Option<Level>, limit: usize) -> Vec<Area> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<Area> = all()
        .iter()
        .filter(|a| level.is_none_or(|l| a.level == l))
        .filter(|a| a.name.to_lowercase().contains(&q))
        .copied()
        .collect();
    // Exact and prefix matches first: typing "Malingping" should not bury Malingping.
    hits.sort_by_key(|a| {
        let name = a.name.to_lowercase();
        (
            if name == q {
                0
            } else if name.starts_with(&q) {
                1
            } else {
                2
            },
            std::cmp::Reverse(a.level),
            a.code,
        )
    });
    hits.truncate(limit);
    hits
}

/// The chain province → … → this area.
pub fn ancestry(code: &str) -> Vec<Area> {
    let Ok(code) = normalize_code(code) else {
        return Vec::new();
    };
    [2, 4, 6, 10]
        .iter()
        .filter(|n| **n <= code.len())
        .filter_map(|n| lookup(&code[..*n]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_area_code_is_checked_once_and_read_back_only_when_well_formed() {
        let kec = AreaCode::parse(" 36.02.01 ").unwrap();
        assert_eq!((kec.as_str(), kec.level()), ("360201", Level::District));
        assert!(kec.encloses("3602012002") && kec.encloses("360201"));
        assert!(!kec.encloses("3602022001") && !kec.encloses("3602"));
        assert_eq!(kec.range(), ("360201".to_string(), "360201~".to_string()));
        assert!(AreaCode::village("36.02.01").is_err());
        assert_eq!(AreaCode::village("36.02.01.2002").unwrap().level(), Level::Village);
        // On the wire a plain string of digits; a malformed one is refused when read.
        assert_eq!(serde_json::to_string(&kec).unwrap(), "\"360201\"");
        assert_eq!(serde_json::from_str::<AreaCode>("\"36.02.01\"").unwrap(), kec);
        assert!(serde_json::from_str::<AreaCode>("\"36020\"").is_err());
        assert!(serde_json::from_str::<AreaCode>("\"3602'--\"").is_err());
    }

    #[test]
    fn counts_match_the_2025_kepmendagri_list() {
        let count = |l: Level| all().iter().filter(|a| a.level == l).count();
        assert_eq!(count(Level::Province), 38);
        assert_eq!(count(Level::Regency), 514);
        assert_eq!(count(Level::District), 7285);
        assert_eq!(count(Level::Village), 83762);
    }

    #[test]
    fn codes_are_accepted_with_or_without_dots() {
        assert_eq!(normalize_code("36.02.01.2002").unwrap(), "3602012002");
        assert_eq!(normalize_code("3602012002").unwrap(), "3602012002");
        assert!(normalize_code("36.02.01.200").is_err());
        assert!(normalize_code("36x2").is_err());
        assert!(normalize_village_code("360201").is_err());
        assert_eq!(dotted("3602012002"), "36.02.01.2002");
    }

    #[test]
    fn lookup_walks_the_hierarchy() {
        assert_eq!(lookup("36.02").unwrap().name, "Kabupaten Lebak");
        assert_eq!(lookup("360201").unwrap().name, "Malingping");
        assert_eq!(lookup("36.02.01.2002").unwrap().name, "Cilangkahan");
        assert_eq!(children(Some("3602")).len(), 28, "Lebak has 28 districts");
        let lebak_villages: usize = children(Some("3602"))
            .iter()
            .map(|d| children(Some(d.code)).len())
            .sum();
        assert_eq!(lebak_villages, 345);
        assert_eq!(children(None).len(), 38);
        assert!(children(Some("3602012002")).is_empty());
        assert!(children(Some("9999")).is_empty());
        let names: Vec<_> = ancestry("3602012002").iter().map(|a| a.name).collect();
        assert_eq!(names, ["Banten", "Kabupaten Lebak", "Malingping", "Cilangkahan"]);
    }

    #[test]
    fn search_by_name_is_case_insensitive_and_puts_exact_matches_first() {
        let hits = search("cilangkahan", Some(Level::Village), 10);
        assert!(hits.iter().any(|a| a.code == "3602012002"));
        let hits = search("MALINGPING", None, 5);
        assert_eq!(hits[0].name, "Malingping");
        assert!(search("  ", None, 5).is_empty());
    }
}

#[cfg(test)]
mod zone_tests {
    use super::*;

    #[test]
    fn each_province_lies_in_its_zone() {
        assert_eq!(Zone::of_area("36.02.01.2002"), Some(Zone::Wib));
        assert_eq!(Zone::of_area("6401012009"), Some(Zone::Wita));
        assert_eq!(Zone::of_area("52"), Some(Zone::Wita));
        assert_eq!(Zone::of_area("9401011001"), Some(Zone::Wit));
        assert_eq!(Zone::of_area("99"), None);
        assert_eq!(Zone::Wit.utc_offset_hours(), 9);
    }
}
