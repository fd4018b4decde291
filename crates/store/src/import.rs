//! Bulk writes (CSV import, demo data): every record goes through the same validation and
//! outbox as a form save, in one transaction. Any error anywhere and nothing is written.

use pendamping_core::{Enrolment, Household, Person, Visit};
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::{Saved, Store};

/// A record and where it came from, for error messages.
#[derive(Debug, Clone)]
pub struct Sourced<T> {
    pub file: String,
    pub line: u64,
    pub record: T,
}

#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub households: Vec<Sourced<Household>>,
    pub persons: Vec<Sourced<Person>>,
    pub enrolments: Vec<Sourced<Enrolment>>,
    pub visits: Vec<Sourced<Visit>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BatchCounts {
    pub households: usize,
    pub persons: usize,
    pub enrolments: usize,
    pub visits: usize,
    /// Records that were already stored exactly as given.
    pub unchanged: usize,
    pub warnings: usize,
}

/// One bad record of a batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BatchProblem {
    pub file: String,
    pub line: u64,
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for BatchProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}:{}: {field}: {}", self.file, self.line, self.message),
            None => write!(f, "{}:{}: {}", self.file, self.line, self.message),
        }
    }
}

impl Store {
    /// Writes a whole batch in one transaction, parents first. On any error returns every
    /// problem found and writes nothing.
    pub fn import(&mut self, batch: &Batch) -> Result<BatchCounts, ImportError> {
        let mut problems = Vec::new();
        let result = self.write(|w| {
            let mut c = BatchCounts::default();
            c.households = each(&batch.households, &mut problems, &mut c, |h| w.household(h));
            c.persons = each(&batch.persons, &mut problems, &mut c, |p| w.person(p));
            c.enrolments = each(&batch.enrolments, &mut problems, &mut c, |e| w.enrolment(e));
            c.visits = each(&batch.visits, &mut problems, &mut c, |v| {
                w.visit(v).map(|out| Saved {
                    id: out.id,
                    warnings: out.assessment.problems,
                    change_id: Some(out.id),
                })
            });
            // An error return rolls the transaction back.
            if problems.is_empty() {
                Ok(c)
            } else {
                Err(StoreError::Invalid(vec![]))
            }
        });
        match result {
            Ok(counts) => Ok(counts),
            Err(StoreError::Invalid(_)) if !problems.is_empty() => Err(ImportError::Rejected(problems)),
            Err(e) => Err(ImportError::Store(e)),
        }
    }
}

/// Saves each record; returns how many went through, and collects the problems of the rest.
fn each<T>(
    items: &[Sourced<T>],
    problems: &mut Vec<BatchProblem>,
    counts: &mut BatchCounts,
    mut save: impl FnMut(&T) -> Result<Saved>,
) -> usize {
    let mut saved = 0;
    for s in items {
        match save(&s.record) {
            Ok(out) => {
                saved += 1;
                counts.warnings += out.warnings.len();
                counts.unchanged += out.change_id.is_none() as usize;
            }
            Err(e) => problems.extend(problems_of(&s.file, s.line, e)),
        }
    }
    saved
}

fn problems_of(file: &str, line: u64, e: StoreError) -> Vec<BatchProblem> {
    match e {
        StoreError::Invalid(ps) => ps
            .into_iter()
            .filter(|p| p.is_error())
            .map(|p| BatchProblem {
                file: file.into(),
                line,
                field: Some(p.field),
                message: p.message_id,
            })
            .collect(),
        other => vec![BatchProblem {
            file: file.into(),
            line,
            field: None,
            message: other.to_string(),
        }],
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} masalah; tidak ada yang disimpan", .0.len())]
    Rejected(Vec<BatchProblem>),
    #[error(transparent)]
    Store(#[from] StoreError),
}
