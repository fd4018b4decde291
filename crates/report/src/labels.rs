//! The words a sheet and a page use for areas; the domain's codes are named by
//! `pendamping_core::catalogue`.

use std::collections::BTreeMap;

use pendamping_core::area;
pub use pendamping_core::catalogue::{Labelled, Lang, Words};

/// Words in a table; `const`, so a sheet's columns are one constant in both languages.
pub const fn w(id: &'static str, en: &'static str) -> Words {
    Words { id, en }
}

/// `code: count` pairs, named: "Sudah menikah: 2, Pindah: 1".
pub fn pairs<K: Labelled, V: std::fmt::Display>(m: &BTreeMap<K, V>, lang: Lang) -> String {
    m.iter()
        .map(|(k, v)| format!("{}: {v}", k.label(lang)))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn area_title(code: &str) -> String {
    match area::lookup(code) {
        Some(a) => format!("{} {}", area::dotted(code), a.name),
        None => area::dotted(code),
    }
}

/// An area's own name, without its code.
pub fn area_name(code: &str) -> String {
    area::lookup(code).map(|a| a.name.to_string()).unwrap_or_default()
}

/// An area as a heading names it: "Kabupaten Lebak", "Kecamatan Malingping", "Desa
/// Cilangkahan" (a village code whose own part starts with 1 is a kelurahan).
/// The titles are proper names, the same in English.
pub fn area_heading(code: &str) -> String {
    let Some(a) = area::lookup(code) else {
        return area::dotted(code);
    };
    match a.level {
        area::Level::District => format!("Kecamatan {}", a.name),
        area::Level::Village if a.code.as_bytes().get(6) == Some(&b'1') => format!("Kelurahan {}", a.name),
        area::Level::Village => format!("Desa {}", a.name),
        _ => a.name.to_string(),
    }
}

/// What the areas of a level are called together: "Kecamatan", "Desa/kelurahan".
pub fn level_word(level: area::Level, lang: Lang) -> &'static str {
    let (id, en) = match level {
        area::Level::Province => ("Provinsi", "Province"),
        area::Level::Regency => ("Kabupaten/kota", "Regency/city"),
        area::Level::District => ("Kecamatan", "Sub-district (kecamatan)"),
        area::Level::Village => ("Desa/kelurahan", "Village (desa/kelurahan)"),
    };
    w(id, en).get(lang)
}
