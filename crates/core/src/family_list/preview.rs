//! A whole list checked before anything is written: every row read, rows given twice,
//! rows outside the importer's area, and families the district already knows (by KK
//! number, or by the head's NIK) matched instead of made again.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::column::Located;
use super::listed::{Listed, RowProblem, read_row};
use crate::area::AreaCode;
use crate::problem::Problem;

/// Families the district already has: their ids by KK number and by the head's NIK.
#[derive(Debug, Default, Clone)]
pub struct Known {
    pub by_kk: HashMap<String, Uuid>,
    pub by_head_nik: HashMap<String, Uuid>,
}

/// How a listed family was found among the known ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Match {
    KkNumber,
    HeadNik,
}

/// What an import does with a listed family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case", tag = "plan")]
pub enum Plan {
    /// A family the district does not have yet.
    New,
    /// The family the district has as `household`: marked as listed, not made again.
    Known { household: Uuid, by: Match },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Planned {
    pub family: Listed,
    pub plan: Plan,
}

/// A list checked whole.
#[derive(Debug, Clone, Default)]
pub struct Preview {
    /// Rows read (not counting the headers, nor rows with no cell filled).
    pub rows: usize,
    /// The families an import would write, in the list's order.
    pub planned: Vec<Planned>,
    /// Every problem, in the order of the lines: errors (the row cannot be imported) and
    /// rows left out as given twice (warnings).
    pub problems: Vec<RowProblem>,
}

impl Preview {
    /// Rows with an error: an import refuses the list while there are any, unless told to
    /// leave them out.
    pub fn bad_rows(&self) -> usize {
        let mut rows: Vec<usize> = self
            .problems
            .iter()
            .filter(|p| p.problem.is_error())
            .map(|p| p.row)
            .collect();
        rows.dedup();
        rows.len()
    }

    pub fn new_families(&self) -> usize {
        self.planned.iter().filter(|p| p.plan == Plan::New).count()
    }

    pub fn known_families(&self) -> usize {
        self.planned.len() - self.new_families()
    }

    /// Rows left out as a repeat of an earlier row.
    pub fn repeated_rows(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.problem.code == "repeated_row")
            .count()
    }
}

/// Checks `rows` (each its line in the file and its cells) as an importer who may write
/// in `scope` would import them, against the families already `known`.
pub fn preview<'a>(
    located: &Located,
    rows: impl IntoIterator<Item = (usize, &'a [String])>,
    scope: &[AreaCode],
    known: &Known,
    today: NaiveDate,
) -> Preview {
    let mut out = Preview::default();
    let mut repeats = Vec::new();
    // The first row of each KK number and head's NIK.
    let mut first_kk: HashMap<String, usize> = HashMap::new();
    let mut first_nik: HashMap<String, usize> = HashMap::new();
    for (row, cells) in rows {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        out.rows += 1;
        let (family, problems) = read_row(located, row, cells, today);
        out.problems.extend(problems);
        let Some(family) = family else { continue };
        if !scope.iter().any(|a| a.encloses(&family.area_code)) {
            out.problems.push(RowProblem {
                row,
                column: String::new(),
                problem: Problem::error(
                    "outside_scope",
                    "area_code",
                    format!("Desa {} di luar wilayah Anda", crate::area::dotted(&family.area_code)),
                    format!(
                        "Village {} is outside your area",
                        crate::area::dotted(&family.area_code)
                    ),
                ),
            });
            continue;
        }
        let earlier = family
            .kk_number
            .as_ref()
            .and_then(|kk| first_kk.get(kk).map(|r| (*r, "Nomor KK", "family card number")))
            .or_else(|| {
                family
                    .head_nik
                    .as_ref()
                    .and_then(|n| first_nik.get(n).map(|r| (*r, "NIK kepala keluarga", "head's NIK")))
            });
        if let Some((first, id, en)) = earlier {
            repeats.push(RowProblem {
                row,
                column: String::new(),
                problem: Problem::warning(
                    "repeated_row",
                    "kk_number",
                    format!("{id} sama dengan baris {first}: baris ini dilewati"),
                    format!("Same {en} as line {first}: this line is left out"),
                ),
            });
            continue;
        }
        if let Some(kk) = &family.kk_number {
            first_kk.insert(kk.clone(), row);
        }
        if let Some(nik) = &family.head_nik {
            first_nik.insert(nik.clone(), row);
        }
        let plan = match (
            family.kk_number.as_ref().and_then(|kk| known.by_kk.get(kk)),
            family.head_nik.as_ref().and_then(|n| known.by_head_nik.get(n)),
        ) {
            (Some(h), _) => Plan::Known {
                household: *h,
                by: Match::KkNumber,
            },
            (None, Some(h)) => Plan::Known {
                household: *h,
                by: Match::HeadNik,
            },
            (None, None) => Plan::New,
        };
        out.planned.push(Planned { family, plan });
    }
    out.problems.extend(repeats);
    out.problems.sort_by_key(|p| p.row);
    out
}
