//! The closed vocabularies the district's rules are written in (`rules.toml` names target
//! kinds, risk flags and water sources by these words): a leaf, so that the rules, the
//! enrolments, the risks and the households each read it and none reads another through it.

use serde::{Deserialize, Serialize};

crate::word_enum! {
    pub enum TargetKind {
        Catin = "catin",
        IbuHamil = "ibu_hamil",
        /// Ibu pasca persalinan, to day 42.
        Nifas = "nifas",
        /// Baduta and balita: from birth to 60 months.
        Anak = "anak",
        /// A family at risk of stunting, followed as a family.
        Krs = "krs",
    }
}

crate::word_enum! {
    /// A risk flag; its word is its name in the rules file, the store and the wire.
    pub enum RiskFlag {
        Anemia = "anemia",
        /// Hb so low the woman must be referred at once.
        AnemiaRefer = "anemia_refer",
        Kek = "kek",
        BmiUnder = "bmi_under",
        TooYoung = "too_young",
        TooOld = "too_old",
        TooClose = "too_close",
        TooMany = "too_many",
        ShortStature = "short_stature",
        Smoker = "smoker",
        SmokeExposure = "smoke_exposure",
        DangerSign = "danger_sign",
        HighBloodPressure = "high_blood_pressure",
        LowBirthWeight = "low_birth_weight",
        ShortBirthLength = "short_birth_length",
        Stunted = "stunted",
        SeverelyStunted = "severely_stunted",
        Wasted = "wasted",
        SeverelyWasted = "severely_wasted",
        Underweight = "underweight",
        SeverelyUnderweight = "severely_underweight",
        Overweight = "overweight",
        Obese = "obese",
        Microcephaly = "microcephaly",
        /// Child MUAC < 11.5 cm.
        Sam = "sam",
        /// Child MUAC 11.5 to < 12.5 cm.
        Mam = "mam",
        Oedema = "oedema",
    }
}

impl RiskFlag {
    /// A child shorter than −2 SD length/height-for-age, severe or not: the stunting the
    /// indicator counts and the list names.
    pub fn is_stunting(self) -> bool {
        matches!(self, RiskFlag::Stunted | RiskFlag::SeverelyStunted)
    }

    /// Flags that call for closer follow-up of a child.
    pub fn is_child_undernutrition(self) -> bool {
        use RiskFlag::*;
        matches!(
            self,
            Stunted
                | SeverelyStunted
                | Wasted
                | SeverelyWasted
                | Underweight
                | SeverelyUnderweight
                | Sam
                | Mam
                | Oedema
        )
    }
}

/// Main drinking-water source, as the family census (PK) asks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum WaterSource {
    AirKemasan,
    AirIsiUlang,
    Ledeng,
    SumurBor,
    SumurTerlindung,
    SumurTakTerlindung,
    MataAirTerlindung,
    MataAirTakTerlindung,
    AirHujan,
    AirPermukaan,
    Lainnya,
}
