//! What a column of a family list holds, and which of a file's columns hold what (a
//! mapping, saved once per source under a name). The default mapping recognises the usual
//! headers of the BNBA layout, however they are spelt.

use serde::{Deserialize, Serialize};

use crate::krs::KrsCriterion;

crate::word_enum! {
    /// What a family list's column holds; its word is its name in a saved mapping.
    pub enum Column {
        /// The village's full 10-digit Kemendagri code.
        AreaCode = "area_code",
        /// The code's parts, when a list gives them in columns of their own.
        ProvinceCode = "province_code",
        RegencyCode = "regency_code",
        DistrictCode = "district_code",
        VillageCode = "village_code",
        Rw = "rw",
        Rt = "rt",
        Address = "address",
        KkNumber = "kk_number",
        HeadName = "head_name",
        HeadNik = "head_nik",
        WifeName = "wife_name",
        WifeNik = "wife_nik",
        WifeBirthDate = "wife_birth_date",
        /// How many children aged 0–23 months (baduta).
        Under2 = "children_0_23",
        /// How many children aged 24–59 months.
        From2To5 = "children_24_59",
        /// Whether a woman of the couple is pregnant (PUS hamil).
        Pregnant = "pregnant",
        UnsafeWater = "unsafe_water",
        UnsafeLatrine = "unsafe_latrine",
        WifeTooYoung = "wife_too_young",
        WifeTooOld = "wife_too_old",
        BirthsTooClose = "births_too_close",
        TooManyChildren = "too_many_children",
        /// P3KE welfare decile (1 poorest … 10).
        WelfareDecile = "welfare_decile",
        /// Whether the list counts the family at risk of stunting (KRS).
        AtRisk = "at_risk",
    }
}

impl Column {
    /// The KRS criterion a yes/no column of this kind lists.
    pub fn criterion(self) -> Option<KrsCriterion> {
        Some(match self {
            Column::UnsafeWater => KrsCriterion::UnsafeWater,
            Column::UnsafeLatrine => KrsCriterion::UnsafeLatrine,
            Column::WifeTooYoung => KrsCriterion::WifeTooYoung,
            Column::WifeTooOld => KrsCriterion::WifeTooOld,
            Column::BirthsTooClose => KrsCriterion::BirthsTooClose,
            Column::TooManyChildren => KrsCriterion::TooManyChildren,
            _ => return None,
        })
    }

    /// Headers of the BNBA layout this column is known by, as `header_key` spells them.
    fn known_headers(self) -> &'static [&'static str] {
        match self {
            Column::AreaCode => &[
                "kodewilayah",
                "kodedesalengkap",
                "idwilayah",
                "kodedesakelurahanlengkap",
            ],
            Column::ProvinceCode => &["kodeprovinsi", "kdprov", "kodeprov"],
            Column::RegencyCode => &["kodekabupaten", "kodekabupatenkota", "kodekabkota", "kdkab", "kodekab"],
            Column::DistrictCode => &["kodekecamatan", "kdkec", "kodekec"],
            Column::VillageCode => &[
                "kodedesa",
                "kodekelurahan",
                "kodedesakelurahan",
                "kddesa",
                "kodedesakel",
            ],
            Column::Rw => &["rw", "norw"],
            Column::Rt => &["rt", "nort"],
            Column::Address => &["alamat", "alamatrumah", "alamatlengkap"],
            Column::KkNumber => &["nokk", "nomorkk", "nomorkartukeluarga", "kk", "nokartukeluarga"],
            Column::HeadName => &["namakepalakeluarga", "kepalakeluarga", "namakk", "namakrt"],
            Column::HeadNik => &["nikkepalakeluarga", "nikkk", "nikkrt"],
            Column::WifeName => &["namaistri", "namaistripus"],
            Column::WifeNik => &["nikistri"],
            Column::WifeBirthDate => &["tanggallahiristri", "tgllahiristri", "tgllhristri"],
            Column::Under2 => &["jumlahbaduta", "baduta", "anak023bulan", "jumlahanak023bulan"],
            Column::From2To5 => &["jumlahbalita", "balita", "anak2459bulan", "jumlahanak2459bulan"],
            Column::Pregnant => &["pushamil", "ibuhamil", "hamil"],
            Column::UnsafeWater => &["sumberairminumtidaklayak", "airminumtidaklayak", "airtidaklayak"],
            Column::UnsafeLatrine => &["jambantidaklayak", "sanitasitidaklayak", "jambantidaksehat"],
            Column::WifeTooYoung => &["terlalumuda", "4tterlalumuda"],
            Column::WifeTooOld => &["terlalutua", "4tterlalutua"],
            Column::BirthsTooClose => &["terlaludekat", "4tterlaludekat"],
            Column::TooManyChildren => &["terlalubanyak", "4tterlalubanyak"],
            Column::WelfareDecile => &["desil", "desilkesejahteraan", "peringkatkesejahteraan"],
            Column::AtRisk => &[
                "statusrisikostunting",
                "berisikostunting",
                "krs",
                "statuskrs",
                "risikostunting",
            ],
        }
    }
}

/// A header as the default mapping compares it: letters and digits only, in lower case
/// ("No. KK" and "NO_KK" are both `nokk`).
pub fn header_key(header: &str) -> String {
    header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Which column of a file holds what: a header, as the file spells it, for each `Column`
/// it maps. Columns it leaves out are carried along unread (and back out on export).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub columns: Vec<(String, Column)>,
}

/// Why a mapping cannot read a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("kolom {0:?} tidak ada di berkas")]
    MissingHeader(String),
    #[error("kolom {0:?} ada dua kali di berkas")]
    HeaderTwice(String),
    #[error("{} dipetakan dua kali", .0.as_str())]
    ColumnTwice(Column),
    #[error("tidak ada kolom {}", .0.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(" / "))]
    Needs(Vec<Column>),
}

impl Mapping {
    /// The BNBA layout's usual headers, found among `headers`.
    pub fn guess(headers: &[String]) -> Mapping {
        let mut columns = Vec::new();
        for h in headers {
            let key = header_key(h);
            if let Some(c) = Column::ALL
                .iter()
                .copied()
                .find(|c| c.known_headers().contains(&key.as_str()))
                && !columns.iter().any(|(_, d)| *d == c)
            {
                columns.push((h.clone(), c));
            }
        }
        Mapping { columns }
    }

    /// Where each mapped column is among `headers`, checked: every mapped header present
    /// once, no column mapped twice, and what every row needs mapped (a village code, whole
    /// or in its four parts; the head's name; the KK number or the head's NIK).
    pub fn locate(&self, headers: &[String]) -> Result<Located, MappingError> {
        let mut at = Vec::new();
        for (i, (header, column)) in self.columns.iter().enumerate() {
            if self.columns[..i].iter().any(|(_, c)| c == column) {
                return Err(MappingError::ColumnTwice(*column));
            }
            let mut found = headers.iter().enumerate().filter(|(_, h)| h.trim() == header.trim());
            let Some((index, _)) = found.next() else {
                return Err(MappingError::MissingHeader(header.clone()));
            };
            if found.next().is_some() {
                return Err(MappingError::HeaderTwice(header.clone()));
            }
            at.push((index, *column));
        }
        let has = |c: Column| at.iter().any(|(_, d)| *d == c);
        if !has(Column::AreaCode) && !has(Column::VillageCode) {
            return Err(MappingError::Needs(vec![Column::AreaCode, Column::VillageCode]));
        }
        if !has(Column::HeadName) {
            return Err(MappingError::Needs(vec![Column::HeadName]));
        }
        if !has(Column::KkNumber) && !has(Column::HeadNik) {
            return Err(MappingError::Needs(vec![Column::KkNumber, Column::HeadNik]));
        }
        Ok(Located {
            at,
            headers: headers.to_vec(),
        })
    }
}

/// A mapping placed on one file's headers.
#[derive(Debug, Clone)]
pub struct Located {
    pub(crate) at: Vec<(usize, Column)>,
    pub(crate) headers: Vec<String>,
}

impl Located {
    /// The cell of `column` in `cells`, trimmed; `None` when unmapped, missing or empty.
    pub fn cell<'a>(&self, cells: &'a [String], column: Column) -> Option<&'a str> {
        let (i, _) = self.at.iter().find(|(_, c)| *c == column)?;
        cells.get(*i).map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    /// The header of `column` as the file spells it (for problems).
    pub fn header(&self, column: Column) -> String {
        self.at
            .iter()
            .find(|(_, c)| *c == column)
            .and_then(|(i, _)| self.headers.get(*i).cloned())
            .unwrap_or_else(|| column.as_str().to_string())
    }

    pub fn has(&self, column: Column) -> bool {
        self.at.iter().any(|(_, c)| *c == column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(hs: &[&str]) -> Vec<String> {
        hs.iter().map(|h| h.to_string()).collect()
    }

    #[test]
    fn the_bnba_headers_are_recognised_however_spelt() {
        let hs = headers(&[
            "No",
            "Kode Desa/Kelurahan",
            "RW",
            "RT",
            "No. KK",
            "Nama Kepala Keluarga",
            "NIK_Kepala_Keluarga",
            "TGL LAHIR ISTRI",
            "Jumlah Baduta",
            "Sumber Air Minum Tidak Layak",
            "Terlalu Muda",
            "Status Risiko Stunting",
            "Keterangan",
        ]);
        let m = Mapping::guess(&hs);
        let got: Vec<Column> = m.columns.iter().map(|(_, c)| *c).collect();
        assert_eq!(
            got,
            [
                Column::VillageCode,
                Column::Rw,
                Column::Rt,
                Column::KkNumber,
                Column::HeadName,
                Column::HeadNik,
                Column::WifeBirthDate,
                Column::Under2,
                Column::UnsafeWater,
                Column::WifeTooYoung,
                Column::AtRisk,
            ]
        );
        assert!(m.locate(&hs).is_ok());
    }

    #[test]
    fn a_mapping_that_cannot_read_the_file_says_why() {
        let hs = headers(&["Kode Desa", "Nama Kepala Keluarga", "No KK", "No KK"]);
        let m = Mapping::guess(&hs);
        assert_eq!(m.locate(&hs).unwrap_err(), MappingError::HeaderTwice("No KK".into()));
        let hs = headers(&["Kode Desa", "No KK"]);
        assert_eq!(
            Mapping::guess(&hs).locate(&hs).unwrap_err(),
            MappingError::Needs(vec![Column::HeadName])
        );
        let saved = Mapping {
            columns: vec![("Desa".into(), Column::AreaCode), ("Nama".into(), Column::HeadName)],
        };
        assert_eq!(
            saved.locate(&headers(&["Desa", "KK"])).unwrap_err(),
            MappingError::MissingHeader("Nama".into())
        );
        let twice = Mapping {
            columns: vec![("A".into(), Column::AreaCode), ("B".into(), Column::AreaCode)],
        };
        assert_eq!(
            twice.locate(&headers(&["A", "B"])).unwrap_err(),
            MappingError::ColumnTwice(Column::AreaCode)
        );
    }
}
