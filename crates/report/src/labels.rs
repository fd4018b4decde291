//! The words a sheet and a page use for the domain's codes: target groups, areas.

use std::collections::BTreeMap;

use pendamping_core::area;
use pendamping_core::indicators::Indicator;
use pendamping_core::recap::TargetGroup;
use serde::Serialize;

pub fn group_label(g: TargetGroup) -> &'static str {
    match g {
        TargetGroup::Catin => "Calon pengantin",
        TargetGroup::IbuHamil => "Ibu hamil",
        TargetGroup::Nifas => "Ibu pasca persalinan",
        TargetGroup::Baduta => "Baduta (0-23 bln)",
        TargetGroup::Balita => "Balita (24-59 bln)",
        TargetGroup::Krs => "Keluarga berisiko (KRS)",
    }
}

pub fn pairs<K: Serialize, V: std::fmt::Display>(m: &BTreeMap<K, V>) -> String {
    m.iter()
        .map(|(k, v)| {
            let key = serde_json::to_value(k)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            format!("{key}={v}")
        })
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

/// What a dashboard or a sheet calls an indicator.
pub fn indicator_label(i: Indicator) -> &'static str {
    match i {
        Indicator::ChildrenVisited => "Anak 0–59 bln dikunjungi bulan ini",
        Indicator::ChildrenMeasured => "Anak diukur panjang/tinggi badan",
        Indicator::ChildrenWeighed => "Anak ditimbang",
        Indicator::Stunted => "Anak stunting (TB/U < −2 SD)",
        Indicator::Wasted => "Anak wasting (BB/TB < −2 SD)",
        Indicator::Underweight => "Anak berat kurang (BB/U < −2 SD)",
        Indicator::Pregnant => "Ibu hamil didampingi bulan ini",
        Indicator::KekAnaemia => "Ibu hamil KEK, anemia atau tanda bahaya",
        Indicator::TtdReached => "Ibu hamil dengan TTD ≥ 90",
        Indicator::KrsFamilies => "Keluarga berisiko stunting (KRS)",
        Indicator::KrsAccompanied => "KRS didampingi bulan ini",
        Indicator::Kbpp => "Ibu pasca persalinan ber-KB (KBPP)",
        Indicator::Catin => "Calon pengantin didampingi",
        Indicator::CatinUnscreened => "Catin belum diskrining",
        Indicator::Weddings => "Catin menikah bulan ini",
        Indicator::WeddingsScreenedInTime => "Diskrining tepat waktu sebelum menikah",
        Indicator::Referrals => "Rujukan dibuat",
        Indicator::ReferralsCompleted => "Rujukan selesai",
    }
}

/// The short name of an indicator in a table's header or a chart's legend.
pub fn indicator_short(i: Indicator) -> &'static str {
    match i {
        Indicator::ChildrenVisited => "Anak dikunjungi",
        Indicator::ChildrenMeasured => "Anak diukur",
        Indicator::ChildrenWeighed => "Anak ditimbang",
        Indicator::Stunted => "Stunting",
        Indicator::Wasted => "Wasting",
        Indicator::Underweight => "Berat kurang",
        Indicator::Pregnant => "Ibu hamil",
        Indicator::KekAnaemia => "KEK/anemia",
        Indicator::TtdReached => "TTD ≥ 90",
        Indicator::KrsFamilies => "KRS",
        Indicator::KrsAccompanied => "KRS didampingi",
        Indicator::Kbpp => "KBPP",
        Indicator::Catin => "Catin",
        Indicator::CatinUnscreened => "Catin belum skrining",
        Indicator::Weddings => "Menikah",
        Indicator::WeddingsScreenedInTime => "Skrining tepat waktu",
        Indicator::Referrals => "Rujukan",
        Indicator::ReferralsCompleted => "Rujukan selesai",
    }
}

/// An area as a heading names it: "Kabupaten Lebak", "Kecamatan Malingping", "Desa
/// Cilangkahan" (a village code whose own part starts with 1 is a kelurahan).
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
pub fn level_word(level: area::Level) -> &'static str {
    match level {
        area::Level::Province => "Provinsi",
        area::Level::Regency => "Kabupaten/kota",
        area::Level::District => "Kecamatan",
        area::Level::Village => "Desa/kelurahan",
    }
}

/// What an indicator's share is "of", after a number: "dari 80 anak dikunjungi".
pub fn indicator_of(i: Indicator) -> &'static str {
    match i {
        Indicator::ChildrenVisited => "anak dikunjungi",
        Indicator::ChildrenMeasured => "anak diukur",
        Indicator::ChildrenWeighed => "anak ditimbang",
        Indicator::Pregnant => "ibu hamil",
        Indicator::KrsFamilies => "KRS",
        Indicator::Catin => "catin",
        Indicator::Weddings => "catin menikah",
        Indicator::Referrals => "rujukan",
        other => indicator_short(other),
    }
}
