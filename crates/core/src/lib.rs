//! Pendamping's domain core: the rules a TPK relies on at the doorstep. No I/O: the clock,
//! the ids and the data come in as arguments.

pub mod age;
pub mod area;
pub mod assess;
pub mod catalogue;
pub mod change;
pub mod codes;
pub mod enrolment;
pub mod family_list;
pub mod fields;
pub mod growth;
pub mod hlc;
pub mod household;
pub mod ids;
pub mod immunisation;
pub mod indicators;
pub mod krs;
pub mod lang;
pub mod lists;
pub mod merge;
pub mod month;
pub mod nik;
pub mod person;
pub mod problem;
pub mod recap;
pub mod record;
pub mod risk;
pub mod rules;
pub mod schedule;
pub mod sex;
pub mod shape;
pub mod visit;
pub mod vocab;
pub mod words;

#[cfg(test)]
mod testing;

pub use change::{Change, Entity};
pub use enrolment::{Enrolment, EnrolmentDetails, ExitReason, TargetKind};
pub use hlc::{Hlc, HlcClock, TimeSource};
pub use household::Household;
pub use person::{Person, Relationship, Sex};
pub use problem::{Problem, Severity};
pub use rules::Rules;
pub use visit::{Visit, VisitData};
