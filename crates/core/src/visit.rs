//! Home-visit records per target type: the data items of docs/src/design/domain.md §2. Visits are facts:
//! after saving they change only through a correction with a reason.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enrolment::TargetKind;
use crate::growth::Measure;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Visit {
    pub id: Uuid,
    pub enrolment_id: Uuid,
    pub person_id: Uuid,
    pub household_id: Uuid,
    pub area_code: String,
    pub visit_date: NaiveDate,
    pub data: VisitData,
    /// Set when this record corrects an earlier save.
    #[serde(default)]
    pub correction_reason: Option<String>,
    /// The team member who recorded the visit (their name as on the device's log-in),
    /// stamped by the store at the first save; a correction keeps it.
    #[serde(default)]
    pub recorded_by: Option<String>,
}

/// What the TPK did for the family on this visit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Services {
    /// Counselling (KIE).
    pub kie: bool,
    /// Referred to a health facility.
    pub referral: bool,
    /// A referral made earlier was completed.
    pub referral_completed: bool,
    /// Helped to get social assistance.
    pub bansos: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VisitData {
    Catin(CatinVisit),
    IbuHamil(HamilVisit),
    Nifas(NifasVisit),
    Anak(AnakVisit),
    Krs(KrsVisit),
}

impl VisitData {
    pub fn kind(&self) -> crate::enrolment::TargetKind {
        use crate::enrolment::TargetKind as K;
        match self {
            VisitData::Catin(_) => K::Catin,
            VisitData::IbuHamil(_) => K::IbuHamil,
            VisitData::Nifas(_) => K::Nifas,
            VisitData::Anak(_) => K::Anak,
            VisitData::Krs(_) => K::Krs,
        }
    }

    pub fn services(&self) -> &Services {
        match self {
            VisitData::Catin(v) => &v.services,
            VisitData::IbuHamil(v) => &v.services,
            VisitData::Nifas(v) => &v.services,
            VisitData::Anak(v) => &v.services,
            VisitData::Krs(v) => &v.services,
        }
    }
}

/// Elsimil-style screening of a bride or groom to be.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct CatinVisit {
    pub weight_kg: Option<f64>,
    pub height_cm: Option<f64>,
    pub lila_cm: Option<f64>,
    pub waist_cm: Option<f64>,
    pub hb: Option<f64>,
    pub smoker: bool,
    pub smoke_exposure: bool,
    /// Iron tablets received so far.
    pub ttd_received: Option<u32>,
    pub illness: Option<String>,
    pub pregnancy_plan: Option<String>,
    pub services: Services,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AncProvider {
    Bidan,
    Dokter,
    DokterSpesialis,
    Puskesmas,
    RumahSakit,
    Lainnya,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AncContact {
    pub date: NaiveDate,
    pub provider: AncProvider,
}

/// Danger signs in pregnancy and after delivery (Buku KIA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DangerSign {
    Perdarahan,
    Demam,
    BengkakKakiTanganWajah,
    SakitKepalaBerat,
    PandanganKabur,
    Kejang,
    KetubanPecahDini,
    GerakanJaninBerkurang,
    MuntahTerusMenerus,
    CairanBerbau,
    PayudaraBengkak,
    SedihBerlebihan,
}

impl DangerSign {
    pub const ALL: [DangerSign; 12] = [
        DangerSign::Perdarahan,
        DangerSign::Demam,
        DangerSign::BengkakKakiTanganWajah,
        DangerSign::SakitKepalaBerat,
        DangerSign::PandanganKabur,
        DangerSign::Kejang,
        DangerSign::KetubanPecahDini,
        DangerSign::GerakanJaninBerkurang,
        DangerSign::MuntahTerusMenerus,
        DangerSign::CairanBerbau,
        DangerSign::PayudaraBengkak,
        DangerSign::SedihBerlebihan,
    ];

    /// Whether the sign can occur for a target: the fetus's signs only in pregnancy, the
    /// signs of the puerperium (foul discharge, swollen breasts) only after delivery.
    pub fn applies_to(self, kind: TargetKind) -> bool {
        use DangerSign::*;
        match kind {
            TargetKind::IbuHamil => !matches!(self, CairanBerbau | PayudaraBengkak),
            TargetKind::Nifas => !matches!(self, KetubanPecahDini | GerakanJaninBerkurang | MuntahTerusMenerus),
            _ => false,
        }
    }

    /// The checklist a target's visit form shows.
    pub fn for_kind(kind: TargetKind) -> Vec<DangerSign> {
        DangerSign::ALL.into_iter().filter(|d| d.applies_to(kind)).collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct HamilVisit {
    pub weight_kg: Option<f64>,
    pub lila_cm: Option<f64>,
    pub hb: Option<f64>,
    pub hb_date: Option<NaiveDate>,
    pub systolic: Option<u32>,
    pub diastolic: Option<u32>,
    /// Iron tablets taken since the pregnancy began (cumulative).
    pub ttd_total: Option<u32>,
    /// ANC contacts since the last visit.
    pub anc: Vec<AncContact>,
    pub danger_signs: Vec<DangerSign>,
    pub smoke_exposure: bool,
    pub services: Services,
}

crate::word_enum! {
    pub enum KbppMethod {
        Iud = "iud",
        Implan = "implan",
        Tubektomi = "tubektomi",
        Suntik = "suntik",
        PilMini = "pil_mini",
        Mal = "mal",
        Kondom = "kondom",
        Tidak = "tidak",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Breastfeeding {
    Eksklusif,
    Parsial,
    Tidak,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct NifasVisit {
    pub danger_signs: Vec<DangerSign>,
    pub breastfeeding: Option<Breastfeeding>,
    pub kbpp_method: Option<KbppMethod>,
    pub kbpp_start: Option<NaiveDate>,
    pub hb: Option<f64>,
    pub lila_cm: Option<f64>,
    pub services: Services,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Immunisation {
    /// Vaccine code as in Buku KIA: hb0, bcg, polio1…4, dpt_hb_hib1…3, ipv, campak_rubela, …
    pub vaccine: String,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct AnakVisit {
    pub weight_kg: Option<f64>,
    pub lenhei_cm: Option<f64>,
    /// The position actually used; WHO adjusts by 0.7 cm when it differs from the age's.
    pub measure: Option<Measure>,
    pub headc_cm: Option<f64>,
    pub muac_cm: Option<f64>,
    pub oedema: bool,
    /// Under 6 months: only breast milk.
    pub exclusive_bf: Option<bool>,
    /// 6–23 months: complementary food given.
    pub mpasi: Option<bool>,
    pub immunisations: Vec<Immunisation>,
    pub vitamin_a: bool,
    pub illness: Option<String>,
    pub services: Services,
}

/// A family visit to a KRS household.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct KrsVisit {
    pub notes: Option<String>,
    pub services: Services,
}
