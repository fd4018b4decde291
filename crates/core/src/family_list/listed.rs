//! One family as a list gives it, read from its row's cells.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::cells::{self, DigitsError};
use super::column::{Column, Located};
use crate::area;
use crate::krs::KrsCriterion;
use crate::problem::Problem;

/// A family as the list gives it. What the list says stays as it said it: the cadre's
/// verification records what was found, beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Listed {
    /// The row's line in the file as a spreadsheet numbers it (the headers are line 1).
    pub row: usize,
    /// The village's 10-digit code.
    pub area_code: String,
    pub rw: Option<String>,
    pub rt: Option<String>,
    pub address: Option<String>,
    /// 16 digits.
    pub kk_number: Option<String>,
    pub head_name: String,
    /// 16 digits.
    pub head_nik: Option<String>,
    pub wife_name: Option<String>,
    pub wife_nik: Option<String>,
    pub wife_birth_date: Option<NaiveDate>,
    pub children_0_23: Option<u8>,
    pub children_24_59: Option<u8>,
    pub pregnant: Option<bool>,
    /// The KRS criteria the list marks, in `KrsCriterion` order.
    pub criteria: Vec<KrsCriterion>,
    pub welfare_decile: Option<u8>,
    /// Whether the list counts the family at risk: its own column, or else any criterion.
    pub at_risk: bool,
}

/// A problem of one row of a list: its line, the header of the cell (as the file spells
/// it; empty for the row as a whole) and what is wrong, in both languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RowProblem {
    pub row: usize,
    pub column: String,
    pub problem: Problem,
}

/// Reads row `row` (its line in the file): the family, unless a cell has an error, and
/// every problem of its cells. `today` bounds a birth date and fixes a NIK's century.
pub fn read_row(
    located: &Located,
    row: usize,
    cells: &[String],
    today: NaiveDate,
) -> (Option<Listed>, Vec<RowProblem>) {
    let mut problems = Vec::new();
    let mut bad = |column: Column, code: &str, id: String, en: String| {
        problems.push(RowProblem {
            row,
            column: located.header(column),
            problem: Problem::error(code, column.as_str(), id, en),
        });
    };
    let cell = |c: Column| located.cell(cells, c);
    let header = |c: Column| located.header(c);

    // Problems of the code are the village column's, whole or in parts.
    let area_column = if located.has(Column::AreaCode) {
        Column::AreaCode
    } else {
        Column::VillageCode
    };
    let area_code = match village_code(located, cells) {
        Ok(code) if area::lookup(&code).is_some() => Some(code),
        Ok(code) => {
            bad(
                area_column,
                "area_code_unknown",
                format!("Kode desa {} tidak ada di daftar Kemendagri", area::dotted(&code)),
                format!("Village code {} is not in the Kemendagri list", area::dotted(&code)),
            );
            None
        }
        Err(raw) => {
            bad(
                area_column,
                "area_code_format",
                format!("Kode desa/kelurahan {raw:?} harus 10 angka (mis. 36.02.01.2002)"),
                format!("Village code {raw:?} must be 10 digits (e.g. 36.02.01.2002)"),
            );
            None
        }
    };

    let mut sixteen = |column: Column, what_id: &str, what_en: &str, code: &str| -> Option<String> {
        let raw = cell(column)?;
        match cells::digits(raw, 16) {
            Ok(d) => Some(d),
            Err(DigitsError::Rounded) => {
                bad(
                    column,
                    code,
                    format!(
                        "{what_id} {raw:?} terbaca sebagai angka yang dibulatkan: simpan kolom {:?} sebagai teks",
                        header(column)
                    ),
                    format!(
                        "{what_en} {raw:?} was read as a rounded number: save column {:?} as text",
                        header(column)
                    ),
                );
                None
            }
            Err(DigitsError::Shape) => {
                bad(
                    column,
                    code,
                    format!("{what_id} {raw:?} harus 16 angka"),
                    format!("{what_en} {raw:?} must be 16 digits"),
                );
                None
            }
        }
    };
    let kk_number = sixteen(Column::KkNumber, "Nomor KK", "Family card number", "kk_format");
    let head_nik = sixteen(Column::HeadNik, "NIK kepala keluarga", "Head's NIK", "nik_format");
    let wife_nik = sixteen(Column::WifeNik, "NIK istri", "Wife's NIK", "nik_format");
    for (column, nik) in [(Column::HeadNik, &head_nik), (Column::WifeNik, &wife_nik)] {
        if let Some(n) = nik
            && let Some(e) = crate::nik::check(n, today).1.into_iter().find(Problem::is_error)
        {
            bad(column, &e.code, e.message_id, e.message_en);
        }
    }
    if cell(Column::KkNumber).is_none() && cell(Column::HeadNik).is_none() {
        bad(
            Column::KkNumber,
            "kk_or_nik_required",
            "Nomor KK atau NIK kepala keluarga wajib diisi".into(),
            "Family card number or the head's NIK is required".into(),
        );
    }

    let head_name = cell(Column::HeadName).unwrap_or_default().to_string();
    if head_name.is_empty() {
        bad(
            Column::HeadName,
            "required",
            "Nama kepala keluarga wajib diisi".into(),
            "Name of the head of family is required".into(),
        );
    } else if let Some(p) = crate::person::check_name(Column::HeadName.as_str(), &head_name) {
        bad(Column::HeadName, &p.code, p.message_id, p.message_en);
    }
    let wife_name = cell(Column::WifeName).map(str::to_string);
    if let Some(p) = wife_name
        .as_deref()
        .and_then(|n| crate::person::check_name(Column::WifeName.as_str(), n))
    {
        bad(Column::WifeName, &p.code, p.message_id, p.message_en);
    }

    // As a form checks them (a spreadsheet's number cell written "3.0" taken as 3), padded
    // to the three digits the lists use.
    let mut rt_rw = |column: Column| -> Option<String> {
        let raw = cell(column)?;
        let t = raw.strip_suffix(".0").unwrap_or(raw);
        match crate::household::rt_rw_problem(column.as_str(), t) {
            None => Some(format!("{t:0>3}")),
            Some(p) => {
                bad(column, &p.code, p.message_id, p.message_en);
                None
            }
        }
    };
    let rw = rt_rw(Column::Rw);
    let rt = rt_rw(Column::Rt);

    let wife_birth_date = cell(Column::WifeBirthDate).and_then(|raw| match cells::date(raw) {
        Some(d) if d <= today && d.year() >= 1900 => Some(d),
        Some(_) => {
            bad(
                Column::WifeBirthDate,
                "date_out_of_range",
                format!("Tanggal lahir istri {raw:?} tidak mungkin"),
                format!("Wife's birth date {raw:?} is not possible"),
            );
            None
        }
        None => {
            bad(
                Column::WifeBirthDate,
                "date_format",
                format!("Tanggal lahir istri {raw:?} tidak terbaca (tulis 31-12-1990)"),
                format!("Wife's birth date {raw:?} cannot be read (write 31-12-1990)"),
            );
            None
        }
    });

    let mut number = |column: Column| -> Option<u8> {
        let raw = cell(column)?;
        match cells::count(raw) {
            Ok(n) => Some(n),
            Err(()) => {
                bad(
                    column,
                    "count_format",
                    format!("{:?}: {raw:?} bukan jumlah anak (0–20)", header(column)),
                    format!("{:?}: {raw:?} is not a number of children (0–20)", header(column)),
                );
                None
            }
        }
    };
    let children_0_23 = number(Column::Under2);
    let children_24_59 = number(Column::From2To5);

    let welfare_decile = cell(Column::WelfareDecile).and_then(|raw| match cells::count(raw) {
        Ok(n) if (1..=10).contains(&n) => Some(n),
        _ => {
            bad(
                Column::WelfareDecile,
                "decile_format",
                format!("Desil {raw:?} harus 1–10"),
                format!("Decile {raw:?} must be 1–10"),
            );
            None
        }
    });

    let mut flag = |column: Column| -> Option<bool> {
        let raw = cell(column)?;
        cells::yes_no(raw).unwrap_or_else(|()| {
            bad(
                column,
                "yes_no_format",
                format!("{:?}: {raw:?} bukan Ya/Tidak (1/0)", header(column)),
                format!("{:?}: {raw:?} is not yes/no (1/0)", header(column)),
            );
            None
        })
    };
    let pregnant = flag(Column::Pregnant);
    let mut criteria = Vec::new();
    for column in Column::ALL.iter().copied() {
        if let Some(c) = column.criterion()
            && flag(column) == Some(true)
        {
            criteria.push(c);
        }
    }
    criteria.sort();
    let listed_risk = flag(Column::AtRisk);

    if problems.iter().any(|p| p.problem.is_error()) {
        return (None, problems);
    }
    let family = Listed {
        row,
        area_code: area_code.unwrap_or_default(),
        rw,
        rt,
        address: cell(Column::Address).map(str::to_string),
        kk_number,
        head_name,
        head_nik,
        wife_name,
        wife_nik,
        wife_birth_date,
        children_0_23,
        children_24_59,
        pregnant,
        at_risk: listed_risk.unwrap_or(!criteria.is_empty()),
        criteria,
        welfare_decile,
    };
    (Some(family), problems)
}

/// The row's village code: its own column (10 digits), or the parts joined (each part's
/// last digits: a regency column may hold "3602" or "02").
fn village_code(located: &Located, cells: &[String]) -> Result<String, String> {
    let whole = [Column::AreaCode, Column::VillageCode]
        .into_iter()
        .find_map(|c| located.cell(cells, c))
        .unwrap_or_default();
    if let Ok(code) = area::normalize_village_code(whole) {
        return Ok(code);
    }
    let parts = [
        (Column::ProvinceCode, 2),
        (Column::RegencyCode, 2),
        (Column::DistrictCode, 2),
        (Column::VillageCode, 4),
    ];
    let mut joined = String::new();
    for (column, len) in parts {
        let digits: String = located
            .cell(cells, column)
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        if digits.len() < len {
            return Err(whole.to_string());
        }
        joined.push_str(&digits[digits.len() - len..]);
    }
    area::normalize_village_code(&joined).map_err(|_| whole.to_string())
}
