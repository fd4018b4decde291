//! Enrolments: one person followed as one target type, from enrolment to exit (docs/src/design/domain.md §1).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::age;
use crate::lang::{Labelled, Lang};
use crate::person::Person;
use crate::problem::out_of_range;
use crate::problem::{Problem, label};
use crate::rules::Rules;

pub use crate::vocab::TargetKind;

crate::word_enum! {
    /// Why an enrolment ended.
    pub enum ExitReason {
        /// Catin: the wedding took place.
        Menikah = "menikah",
        /// Catin: the wedding was called off.
        Batal = "batal",
        /// Ibu hamil: delivered (opens nifas and the child's enrolment).
        Melahirkan = "melahirkan",
        /// Ibu hamil: miscarriage.
        Keguguran = "keguguran",
        Meninggal = "meninggal",
        /// Moved out of the area.
        Pindah = "pindah",
        /// The target's window ended (day 42 after delivery, 60 months of age).
        Selesai = "selesai",
        /// KRS: the family no longer meets a criterion.
        TidakBerisiko = "tidak_berisiko",
    }
}

impl ExitReason {
    /// The reasons that make sense for a target type.
    pub fn allowed_for(kind: TargetKind) -> &'static [ExitReason] {
        use ExitReason::*;
        match kind {
            TargetKind::Catin => &[Menikah, Batal, Meninggal, Pindah],
            TargetKind::IbuHamil => &[Melahirkan, Keguguran, Meninggal, Pindah],
            TargetKind::Nifas => &[Selesai, Meninggal, Pindah],
            TargetKind::Anak => &[Selesai, Meninggal, Pindah],
            TargetKind::Krs => &[TidakBerisiko, Pindah],
        }
    }
}

/// Data taken once, at enrolment, per target type (docs/src/design/domain.md §2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EnrolmentDetails {
    Catin {
        #[serde(default)]
        wedding_date: Option<NaiveDate>,
        #[serde(default)]
        partner_name: Option<String>,
    },
    IbuHamil {
        hpht: NaiveDate,
        #[serde(default)]
        gravida: Option<u32>,
        #[serde(default)]
        parity: Option<u32>,
        #[serde(default)]
        abortus: Option<u32>,
        #[serde(default)]
        last_birth_date: Option<NaiveDate>,
        #[serde(default)]
        height_cm: Option<f64>,
        #[serde(default)]
        pre_pregnancy_weight_kg: Option<f64>,
    },
    Nifas {
        delivery_date: NaiveDate,
        #[serde(default)]
        place: Option<String>,
        #[serde(default)]
        attendant: Option<String>,
        #[serde(default)]
        mode: Option<DeliveryMode>,
        #[serde(default)]
        birth_weight_g: Option<f64>,
        #[serde(default)]
        birth_length_cm: Option<f64>,
        #[serde(default)]
        gestational_age_weeks: Option<u32>,
    },
    Anak {
        #[serde(default)]
        birth_weight_g: Option<f64>,
        #[serde(default)]
        birth_length_cm: Option<f64>,
    },
    Krs {},
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMode {
    Normal,
    Sesar,
    Tindakan,
}

impl EnrolmentDetails {
    /// A pregnancy known by its HPHT alone (the rest left for later).
    pub fn pregnancy(hpht: NaiveDate) -> EnrolmentDetails {
        EnrolmentDetails::IbuHamil {
            hpht,
            gravida: None,
            parity: None,
            abortus: None,
            last_birth_date: None,
            height_cm: None,
            pre_pregnancy_weight_kg: None,
        }
    }

    /// A postpartum enrolment known by its delivery date alone.
    pub fn delivered(delivery_date: NaiveDate) -> EnrolmentDetails {
        EnrolmentDetails::Nifas {
            delivery_date,
            place: None,
            attendant: None,
            mode: None,
            birth_weight_g: None,
            birth_length_cm: None,
            gestational_age_weeks: None,
        }
    }

    pub fn kind(&self) -> TargetKind {
        match self {
            EnrolmentDetails::Catin { .. } => TargetKind::Catin,
            EnrolmentDetails::IbuHamil { .. } => TargetKind::IbuHamil,
            EnrolmentDetails::Nifas { .. } => TargetKind::Nifas,
            EnrolmentDetails::Anak { .. } => TargetKind::Anak,
            EnrolmentDetails::Krs {} => TargetKind::Krs,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Enrolment {
    pub id: Uuid,
    pub person_id: Uuid,
    pub household_id: Uuid,
    pub area_code: String,
    pub kind: TargetKind,
    pub start_date: NaiveDate,
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    #[serde(default)]
    pub end_reason: Option<ExitReason>,
    #[serde(default)]
    pub tpk: Option<String>,
    pub details: EnrolmentDetails,
}

/// More pregnancies than anyone has had: a slip of the keyboard ("100" for "10").
pub const GRAVIDA_MAX: u32 = 20;

/// G-P-A as the Buku KIA writes it: this pregnancy counts in gravida, so the births and
/// losses before it (parity + abortus) are at most gravida − 1.
fn obstetric_history(gravida: Option<u32>, parity: Option<u32>, abortus: Option<u32>) -> Vec<Problem> {
    let mut out = Vec::new();
    if let Some(g) = gravida
        && !(1..=GRAVIDA_MAX).contains(&g)
    {
        out.push(crate::problem::out_of_range(
            "gravida",
            f64::from(g),
            1.0,
            f64::from(GRAVIDA_MAX),
        ));
        return out;
    }
    let before = parity.unwrap_or(0).saturating_add(abortus.unwrap_or(0));
    if let Some(g) = gravida
        && before >= g
    {
        let field = if parity.unwrap_or(0) >= g { "parity" } else { "abortus" };
        out.push(Problem::error(
            "history_exceeds_gravida",
            field,
            format!("Paritas + abortus ({before}) harus kurang dari kehamilan ke- ({g}): kehamilan ini ikut dihitung"),
            format!("Parity + abortus ({before}) must be less than gravida ({g}): this pregnancy counts in it"),
        ));
    }
    out
}

/// Due date: HPHT + 280 days.
pub fn due_date(hpht: NaiveDate) -> NaiveDate {
    hpht + chrono::Days::new(280)
}

/// Completed weeks of gestation on `on`.
pub fn gestational_weeks(hpht: NaiveDate, on: NaiveDate) -> i64 {
    age::days(hpht, on).div_euclid(7)
}

/// Trimester 1 to 12 weeks, 2 to 24 weeks, 3 beyond (docs/src/design/domain.md §2).
pub fn trimester(weeks: i64) -> u8 {
    match weeks {
        ..=12 => 1,
        13..=24 => 2,
        _ => 3,
    }
}

/// Where an enrolment stands on a day, derived from its dates and records when it is read
/// (docs/src/design/domain.md §1.1), never written by a local timer: every replica reaches the same state
/// from the same records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "EnrolmentPhase"))]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Starts later (a back-dated record's start is in the future of `on`).
    NotStarted,
    /// Followed: on the due list, visit forms offered.
    Active,
    /// A catin whose wedding date is long past with no confirmation: the cadre resolves it
    /// (ends it as married or called off). Visits may still be recorded.
    WeddingUnconfirmed,
    /// A pregnancy past the outcome limit with no delivery, miscarriage or death recorded:
    /// no ordinary visit is due; the cadre records the outcome.
    NeedsOutcome,
    /// Ended on `on`: by the recorded exit (which always wins), or by itself (`selesai`: day
    /// 42 after delivery, 60 months of age).
    Ended { on: NaiveDate, reason: ExitReason },
}

impl Phase {
    /// Whether a visit form may be opened: the form would refuse anything else.
    pub fn offers_visit(self) -> bool {
        matches!(self, Phase::Active | Phase::WeddingUnconfirmed)
    }
}

impl Enrolment {
    /// An open enrolment of `person` from `start`: its kind is its details', its family and
    /// village the person's.
    pub fn new(
        id: Uuid,
        person: &Person,
        start: NaiveDate,
        details: EnrolmentDetails,
        tpk: Option<String>,
    ) -> Enrolment {
        Enrolment {
            id,
            person_id: person.id,
            household_id: person.household_id,
            area_code: person.area_code.clone(),
            kind: details.kind(),
            start_date: start,
            end_date: None,
            end_reason: None,
            tpk,
            details,
        }
    }

    /// The day the target's window closes by itself, if it has one.
    pub fn natural_end(&self, birth_date: NaiveDate, rules: &Rules) -> Option<NaiveDate> {
        let l = &rules.lifecycle;
        match &self.details {
            EnrolmentDetails::Nifas { delivery_date, .. } => {
                Some(*delivery_date + chrono::Days::new(u64::from(l.nifas_days)))
            }
            // The day before the child turns 60 months.
            EnrolmentDetails::Anak { .. } => age::add_months(birth_date, l.anak_months).pred_opt(),
            _ => None,
        }
    }

    /// The day the enrolment stops counting: its recorded exit or its natural end.
    pub fn effective_end(&self, birth_date: NaiveDate, rules: &Rules) -> Option<NaiveDate> {
        match (self.end_date, self.natural_end(birth_date, rules)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The last day ordinary visits are due: the natural end, or for a pregnancy the
    /// outcome limit.
    pub fn due_until(&self, birth_date: NaiveDate, rules: &Rules) -> Option<NaiveDate> {
        match &self.details {
            EnrolmentDetails::IbuHamil { hpht, .. } => {
                Some(*hpht + chrono::Days::new(u64::from(rules.lifecycle.pregnancy_outcome_weeks) * 7 - 1))
            }
            _ => self.natural_end(birth_date, rules),
        }
    }

    /// Where the enrolment stands on `on`.
    pub fn phase(&self, birth_date: NaiveDate, on: NaiveDate, rules: &Rules) -> Phase {
        if let (Some(end), Some(reason)) = (self.end_date, self.end_reason)
            && end <= on
        {
            return Phase::Ended { on: end, reason };
        }
        if on < self.start_date {
            return Phase::NotStarted;
        }
        if let Some(end) = self.natural_end(birth_date, rules)
            && end < on
        {
            return Phase::Ended {
                on: end,
                reason: ExitReason::Selesai,
            };
        }
        match &self.details {
            EnrolmentDetails::IbuHamil { .. } if self.due_until(birth_date, rules).is_some_and(|d| d < on) => {
                Phase::NeedsOutcome
            }
            EnrolmentDetails::Catin {
                wedding_date: Some(w), ..
            } if age::add_months(*w, rules.lifecycle.wedding_confirm_months) < on => Phase::WeddingUnconfirmed,
            _ => Phase::Active,
        }
    }

    /// Checks the enrolment form against the person's sex and birth date.
    pub fn validate(
        &self,
        person_sex: crate::person::Sex,
        birth_date: NaiveDate,
        today: NaiveDate,
        rules: &Rules,
    ) -> Vec<Problem> {
        use crate::person::Sex;
        let mut out = Vec::new();
        if self.kind != self.details.kind() {
            out.push(Problem::error(
                "kind_mismatch",
                "kind",
                "Jenis sasaran tidak sesuai dengan isian".into(),
                "Target type does not match the details".into(),
            ));
        }
        if self.start_date > today {
            out.push(Problem::future_date("start_date"));
        }
        if self.start_date < birth_date {
            out.push(before_birth("start_date"));
        }
        if let Some(end) = self.end_date {
            if end < self.start_date {
                let (id, en) = label("end_date");
                out.push(Problem::error(
                    "end_before_start",
                    "end_date",
                    format!("{id} tidak boleh sebelum tanggal mulai"),
                    format!("{en} may not be before the enrolment date"),
                ));
            }
            if end > today {
                out.push(Problem::future_date("end_date"));
            }
            match self.end_reason {
                None => out.push(Problem::required("end_reason")),
                Some(r) if !ExitReason::allowed_for(self.kind).contains(&r) => out.push(Problem::error(
                    "end_reason_invalid",
                    "end_reason",
                    format!("Alasan selesai tidak berlaku untuk {}", self.kind.label(Lang::Id)),
                    format!("This reason does not apply to: {}", self.kind.label(Lang::En)),
                )),
                Some(_) => {}
            }
        }
        let female_only = matches!(self.kind, TargetKind::IbuHamil | TargetKind::Nifas);
        if female_only && person_sex != Sex::Female {
            out.push(Problem::error(
                "sex_mismatch",
                "sex",
                format!("{} harus perempuan", self.kind.label(Lang::Id)),
                format!("{} must be female", self.kind.label(Lang::En)),
            ));
        }
        let p = &rules.plausibility;
        match &self.details {
            EnrolmentDetails::IbuHamil {
                hpht,
                last_birth_date,
                height_cm,
                pre_pregnancy_weight_kg,
                gravida,
                parity,
                abortus,
            } => {
                if *hpht > today {
                    out.push(Problem::future_date("hpht"));
                }
                out.extend(obstetric_history(*gravida, *parity, *abortus));
                let weeks = gestational_weeks(*hpht, self.start_date) as f64;
                let ga = p.gestational_age_weeks;
                if weeks < ga.reject_min || weeks > ga.reject_max {
                    let (id, en) = label("hpht");
                    out.push(Problem::error(
                        "out_of_range",
                        "hpht",
                        format!(
                            "{id}: usia kehamilan {weeks} minggu di luar batas {}–{} minggu",
                            ga.reject_min, ga.reject_max
                        ),
                        format!(
                            "{en}: gestational age {weeks} weeks is outside {}–{} weeks",
                            ga.reject_min, ga.reject_max
                        ),
                    ));
                }
                if let Some(d) = last_birth_date
                    && *d > *hpht
                {
                    let (id, en) = label("last_birth_date");
                    out.push(Problem::error(
                        "after_hpht",
                        "last_birth_date",
                        format!("{id} tidak boleh setelah HPHT"),
                        format!("{en} may not be after the last menstrual period"),
                    ));
                }
                out.extend(crate::rules::check_range("height_cm", *height_cm, &p.adult_height_cm));
                out.extend(crate::rules::check_range(
                    "pre_pregnancy_weight_kg",
                    *pre_pregnancy_weight_kg,
                    &p.adult_weight_kg,
                ));
            }
            EnrolmentDetails::Nifas {
                delivery_date,
                birth_weight_g,
                birth_length_cm,
                gestational_age_weeks,
                ..
            } => {
                if *delivery_date > today {
                    out.push(Problem::future_date("delivery_date"));
                }
                out.extend(birth_size_problems(*birth_weight_g, *birth_length_cm, rules));
                if let Some(w) = gestational_age_weeks
                    && !(20..=45).contains(w)
                {
                    out.push(out_of_range("gestational_age_weeks", *w as f64, 20.0, 45.0));
                }
            }
            EnrolmentDetails::Anak {
                birth_weight_g,
                birth_length_cm,
            } => {
                if age::months(birth_date, self.start_date) >= 60 {
                    out.push(Problem::error(
                        "too_old",
                        "birth_date",
                        "Anak berusia 60 bulan atau lebih bukan sasaran balita".into(),
                        "A child aged 60 months or more is not a balita target".into(),
                    ));
                }
                out.extend(birth_size_problems(*birth_weight_g, *birth_length_cm, rules));
            }
            EnrolmentDetails::Catin { wedding_date, .. } => {
                if let Some(w) = wedding_date
                    && *w < birth_date
                {
                    out.push(before_birth("wedding_date"));
                }
            }
            EnrolmentDetails::Krs {} => {}
        }
        out
    }
}

/// Birth weight and length against their plausible ranges.
fn birth_size_problems(weight_g: Option<f64>, length_cm: Option<f64>, rules: &Rules) -> Vec<Problem> {
    let p = &rules.plausibility;
    [
        crate::rules::check_range("birth_weight_g", weight_g, &p.birth_weight_g),
        crate::rules::check_range("birth_length_cm", length_cm, &p.birth_length_cm),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub(crate) fn before_birth(field: &str) -> Problem {
    let (id, en) = label(field);
    Problem::error(
        "before_birth",
        field,
        format!("{id} tidak boleh sebelum tanggal lahir"),
        format!("{en} may not be before the date of birth"),
    )
}

#[cfg(test)]
mod phase_tests {
    use super::*;
    use crate::testing::{d, enrolment};

    fn nifas(delivery: NaiveDate) -> Enrolment {
        enrolment(EnrolmentDetails::delivered(delivery), delivery)
    }

    #[test]
    fn postpartum_ends_by_itself_after_day_42_unless_ended_earlier() {
        let r = Rules::default();
        let birth = d(1996, 4, 12);
        let e = nifas(d(2026, 10, 1));
        assert_eq!(e.phase(birth, d(2026, 11, 12), &r), Phase::Active, "day 42");
        let ended = Phase::Ended {
            on: d(2026, 11, 12),
            reason: ExitReason::Selesai,
        };
        assert_eq!(e.phase(birth, d(2026, 11, 13), &r), ended, "day 43");
        assert!(!ended.offers_visit());
        // A recorded exit wins over the derived one.
        let mut moved = e.clone();
        (moved.end_date, moved.end_reason) = (Some(d(2026, 10, 20)), Some(ExitReason::Pindah));
        assert_eq!(
            moved.phase(birth, d(2026, 11, 13), &r),
            Phase::Ended {
                on: d(2026, 10, 20),
                reason: ExitReason::Pindah
            }
        );
        // And a correction that clears the exit reopens it within its window.
        moved.end_date = None;
        assert_eq!(moved.phase(birth, d(2026, 10, 25), &r), Phase::Active);
    }

    #[test]
    fn a_child_ends_at_60_months_and_a_pregnancy_past_45_weeks_needs_its_outcome() {
        let r = Rules::default();
        let child = enrolment(
            EnrolmentDetails::Anak {
                birth_weight_g: None,
                birth_length_cm: None,
            },
            d(2021, 12, 1),
        );
        let born = d(2021, 12, 1);
        assert_eq!(child.phase(born, d(2026, 11, 30), &r), Phase::Active);
        assert!(matches!(
            child.phase(born, d(2026, 12, 1), &r),
            Phase::Ended {
                reason: ExitReason::Selesai,
                ..
            }
        ));

        let hpht = d(2026, 1, 1);
        let pregnancy = enrolment(EnrolmentDetails::pregnancy(hpht), d(2026, 3, 1));
        let woman = d(1996, 4, 12);
        assert_eq!(
            pregnancy.phase(woman, hpht + chrono::Days::new(45 * 7 - 1), &r),
            Phase::Active
        );
        let late = pregnancy.phase(woman, hpht + chrono::Days::new(45 * 7), &r);
        assert_eq!(late, Phase::NeedsOutcome);
        assert!(!late.offers_visit());
    }

    #[test]
    fn a_wedding_long_past_and_unconfirmed_is_listed_to_resolve() {
        let r = Rules::default();
        let catin = enrolment(
            EnrolmentDetails::Catin {
                wedding_date: Some(d(2026, 6, 1)),
                partner_name: None,
            },
            d(2026, 3, 1),
        );
        let bride = d(2000, 1, 1);
        assert_eq!(catin.phase(bride, d(2026, 9, 1), &r), Phase::Active);
        let unconfirmed = catin.phase(bride, d(2026, 9, 2), &r);
        assert_eq!(unconfirmed, Phase::WeddingUnconfirmed);
        assert!(unconfirmed.offers_visit(), "visits may still be recorded");
    }
}
