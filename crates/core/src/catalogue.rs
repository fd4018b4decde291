//! What each code of the domain is called, in Bahasa Indonesia and in English: the one
//! catalogue the app's screens (through the generated `ui/src/api/words.ts`), the sheets,
//! the dashboard, the command line and the validation messages all read. A code is passed
//! between layers as its enum; only here does it become words.

pub use crate::fields::{FIELDS, FieldWords, field};
pub use crate::lang::{Labelled, Lang, Words};

use crate::change::Entity;
use crate::codes::RejectCode;
use crate::enrolment::{DeliveryMode, ExitReason, TargetKind};
use crate::growth::Indicator as GrowthIndicator;
use crate::household::{Latrine, WaterSource};
use crate::indicators::Indicator;
use crate::krs::KrsCriterion;
use crate::lists::NameList;
use crate::person::{Relationship, Sex};
use crate::recap::{Month, TargetGroup};
use crate::risk::RiskFlag;
use crate::rules::Urgency;
use crate::visit::{AncProvider, Breastfeeding, DangerSign, KbppMethod};

/// Why a month cannot be shown (`recap::Month::shown`), in `lang`.
pub fn month_refused(refused: crate::recap::MonthRefused, asked: Month, lang: Lang) -> String {
    use crate::recap::MonthRefused;
    match (refused, lang) {
        (MonthRefused::NotYet, Lang::Id) => {
            format!("{} belum tiba: pilih bulan ini atau sebelumnya", lang.month(asked))
        }
        (MonthRefused::NotYet, Lang::En) => format!(
            "{} has not come yet: choose this month or an earlier one",
            lang.month(asked)
        ),
        (MonthRefused::BeforeData(first), Lang::Id) => format!(
            "Belum ada data di {}: data wilayah ini mulai {}",
            lang.month(asked),
            lang.month(first)
        ),
        (MonthRefused::BeforeData(first), Lang::En) => format!(
            "No data in {}: this area's data begins in {}",
            lang.month(asked),
            lang.month(first)
        ),
    }
}

/// What every file and page of names carries (UU 27/2022 treats health data as specific
/// personal data): the name lists, wherever they are exported or shown.
pub const PERSONAL_DATA: Words = Words {
    id: "DATA PRIBADI (UU 27/2022): nama, tanggal lahir dan data kesehatan keluarga. Simpan di tempat \
         aman, bagikan hanya kepada petugas yang berwenang, hapus bila tidak diperlukan lagi.",
    en: "PERSONAL DATA (Law 27/2022): names, birth dates and families' health data. Keep it safe, \
         share it only with authorised officers, delete it when no longer needed.",
};

/// Names each variant of `$ty` (the match is exhaustive, so a new variant does not compile
/// until it has words) and lists them in this order.
macro_rules! labels {
    ($ty:ty { $($variant:ident => $id:literal, $en:literal;)+ }) => {
        impl Labelled for $ty {
            fn every() -> &'static [Self] {
                &[$(<$ty>::$variant,)+]
            }
            fn words(self) -> Words {
                match self {
                    $(<$ty>::$variant => Words { id: $id, en: $en },)+
                }
            }
        }
    };
}

labels!(TargetKind {
    Catin => "Calon pengantin", "Bride/groom to be";
    IbuHamil => "Ibu hamil", "Pregnant woman";
    Nifas => "Ibu pasca persalinan", "Postpartum mother";
    Anak => "Baduta/balita", "Child under five";
    Krs => "Keluarga berisiko stunting", "Family at risk";
});

labels!(TargetGroup {
    Catin => "Calon pengantin", "Bride/groom to be";
    IbuHamil => "Ibu hamil", "Pregnant woman";
    Nifas => "Ibu pasca persalinan", "Postpartum mother";
    Baduta => "Baduta (0–23 bln)", "Under two (0–23 mo)";
    Balita => "Balita (24–59 bln)", "Under five (24–59 mo)";
    Krs => "Keluarga berisiko stunting", "Family at risk of stunting";
});

labels!(RiskFlag {
    Anemia => "Anemia", "Anaemia";
    AnemiaRefer => "Anemia berat (rujuk)", "Severe anaemia (refer)";
    Kek => "KEK (LiLA rendah)", "Chronic energy deficiency";
    BmiUnder => "IMT kurang", "Low BMI";
    TooYoung => "Terlalu muda", "Too young";
    TooOld => "Terlalu tua", "Too old";
    TooClose => "Jarak kelahiran terlalu dekat", "Births too close";
    TooMany => "Anak terlalu banyak", "Too many children";
    ShortStature => "Tinggi badan < 145 cm", "Height < 145 cm";
    Smoker => "Merokok", "Smoker";
    SmokeExposure => "Terpapar asap rokok", "Smoke exposure";
    DangerSign => "Tanda bahaya", "Danger sign";
    HighBloodPressure => "Tekanan darah tinggi", "High blood pressure";
    LowBirthWeight => "BBLR", "Low birth weight";
    ShortBirthLength => "Panjang lahir pendek", "Short at birth";
    Stunted => "Pendek (stunting)", "Stunted";
    SeverelyStunted => "Sangat pendek", "Severely stunted";
    Wasted => "Gizi kurang (wasting)", "Wasted";
    SeverelyWasted => "Gizi buruk", "Severely wasted";
    Underweight => "Berat badan kurang", "Underweight";
    SeverelyUnderweight => "Berat badan sangat kurang", "Severely underweight";
    Overweight => "Gizi lebih", "Overweight";
    Obese => "Obesitas", "Obese";
    Microcephaly => "Lingkar kepala kecil", "Microcephaly";
    Sam => "LiLA < 11,5 cm (gizi buruk)", "MUAC < 11.5 cm (SAM)";
    Mam => "LiLA 11,5–12,5 cm (gizi kurang)", "MUAC 11.5–12.5 cm (MAM)";
    Oedema => "Edema", "Oedema";
});

labels!(KrsCriterion {
    UnsafeWater => "Sumber air minum tidak layak", "Unsafe drinking water";
    UnsafeLatrine => "Jamban tidak layak", "Unsafe latrine";
    WifeTooYoung => "Istri terlalu muda", "Wife too young";
    WifeTooOld => "Istri terlalu tua", "Wife too old";
    BirthsTooClose => "Jarak kelahiran terlalu dekat", "Births too close";
    TooManyChildren => "Anak terlalu banyak", "Too many children";
    Uninhabitable => "Rumah tidak layak huni", "Uninhabitable house";
});

labels!(ExitReason {
    Menikah => "Sudah menikah", "Married";
    Batal => "Batal menikah", "Wedding cancelled";
    Melahirkan => "Melahirkan", "Gave birth";
    Keguguran => "Keguguran", "Miscarriage";
    Meninggal => "Meninggal", "Died";
    Pindah => "Pindah", "Moved away";
    Selesai => "Selesai", "Completed";
    TidakBerisiko => "Tidak berisiko lagi", "No longer at risk";
});

// As Permenkes 2/2020 writes them; the English are WHO's terms.
labels!(crate::growth::Band {
    SangatKurang => "sangat kurang", "severely underweight";
    Kurang => "kurang", "underweight";
    Normal => "normal", "normal";
    RisikoBbLebih => "risiko BB lebih", "risk of overweight";
    SangatPendek => "sangat pendek", "severely stunted";
    Pendek => "pendek", "stunted";
    Tinggi => "tinggi", "tall";
    GiziBuruk => "gizi buruk", "severely wasted";
    GiziKurang => "gizi kurang", "wasted";
    GiziBaik => "gizi baik", "normal";
    BerisikoGiziLebih => "berisiko gizi lebih", "possible risk of overweight";
    GiziLebih => "gizi lebih", "overweight";
    Obesitas => "obesitas", "obese";
});

labels!(AncProvider {
    Bidan => "Bidan", "Midwife";
    Dokter => "Dokter", "Doctor";
    DokterSpesialis => "Dokter spesialis", "Specialist";
    Puskesmas => "Puskesmas", "Health centre";
    RumahSakit => "Rumah sakit", "Hospital";
    Lainnya => "Lainnya", "Other";
});

labels!(DeliveryMode {
    Normal => "Normal", "Vaginal";
    Sesar => "Sesar", "Caesarean";
    Tindakan => "Dengan tindakan (vakum/forsep)", "Assisted (vacuum/forceps)";
});

labels!(Entity {
    Household => "Keluarga", "Family";
    Person => "Orang", "Person";
    Enrolment => "Pendampingan", "Enrolment";
    Visit => "Kunjungan", "Visit";
});

// Why the server refused a change, as the sync screen says it beside the record.
labels!(RejectCode {
    ForbiddenArea => "di luar wilayah perangkat ini", "outside this device's area";
    UnknownArea => "kode wilayah tidak dikenal", "unknown area code";
    UnknownField => "isian tidak dikenal server", "a field the server does not know";
    ClockSkew => "jam perangkat salah", "the device's clock is wrong";
    Invalid => "isian tidak valid", "not valid";
    BadOrigin => "perangkat asal tidak dikenal", "unknown device of origin";
    Unsigned => "tanpa segel perangkat; daftarkan ulang", "no device seal; enrol again";
    BadSignature => "segel tidak cocok (diubah di jalan)", "seal does not match (altered on the way)";
    Other => "ditolak server", "refused by the server";
});

labels!(WaterSource {
    AirKemasan => "Air kemasan", "Bottled water";
    AirIsiUlang => "Air isi ulang", "Refill water";
    Ledeng => "Ledeng/PAM", "Piped water";
    SumurBor => "Sumur bor/pompa", "Borehole";
    SumurTerlindung => "Sumur terlindung", "Protected well";
    SumurTakTerlindung => "Sumur tak terlindung", "Unprotected well";
    MataAirTerlindung => "Mata air terlindung", "Protected spring";
    MataAirTakTerlindung => "Mata air tak terlindung", "Unprotected spring";
    AirHujan => "Air hujan", "Rainwater";
    AirPermukaan => "Sungai/danau/kolam", "Surface water";
    Lainnya => "Lainnya", "Other";
});

labels!(Latrine {
    SepticTank => "Jamban dengan tangki septik", "Latrine with septic tank";
    TanpaSepticTank => "Jamban tanpa tangki septik", "Latrine without septic tank";
    Tidak => "Tidak ada jamban", "No latrine";
});

labels!(Relationship {
    KepalaKeluarga => "Kepala keluarga", "Head";
    Istri => "Istri", "Wife";
    Suami => "Suami", "Husband";
    Anak => "Anak", "Child";
    Menantu => "Menantu", "Child-in-law";
    Cucu => "Cucu", "Grandchild";
    OrangTua => "Orang tua", "Parent";
    Mertua => "Mertua", "Parent-in-law";
    FamiliLain => "Famili lain", "Other relative";
    Lainnya => "Lainnya", "Other";
});

labels!(Sex {
    Male => "Laki-laki", "Male";
    Female => "Perempuan", "Female";
});

labels!(DangerSign {
    Perdarahan => "Perdarahan", "Bleeding";
    Demam => "Demam", "Fever";
    BengkakKakiTanganWajah => "Bengkak kaki, tangan, wajah", "Swelling";
    SakitKepalaBerat => "Sakit kepala berat", "Severe headache";
    PandanganKabur => "Pandangan kabur", "Blurred vision";
    Kejang => "Kejang", "Convulsions";
    KetubanPecahDini => "Ketuban pecah dini", "Waters broke early";
    GerakanJaninBerkurang => "Gerakan janin berkurang", "Less foetal movement";
    MuntahTerusMenerus => "Muntah terus-menerus", "Constant vomiting";
    CairanBerbau => "Keluar cairan berbau", "Foul discharge";
    PayudaraBengkak => "Payudara bengkak/merah", "Swollen breasts";
    SedihBerlebihan => "Sedih berlebihan", "Deep sadness";
});

labels!(KbppMethod {
    Iud => "IUD", "IUD";
    Implan => "Implan", "Implant";
    Tubektomi => "Tubektomi/MOW", "Tubal ligation";
    Suntik => "Suntik", "Injection";
    PilMini => "Pil", "Pill";
    Mal => "MAL", "LAM";
    Kondom => "Kondom", "Condom";
    Tidak => "Belum ber-KB", "None";
});

labels!(Breastfeeding {
    Eksklusif => "ASI eksklusif", "Exclusive";
    Parsial => "ASI + lainnya", "Partial";
    Tidak => "Tidak menyusui", "Not breastfeeding";
});

labels!(GrowthIndicator {
    LengthForAge => "PB/U atau TB/U", "Length/height-for-age";
    WeightForAge => "BB/U", "Weight-for-age";
    WeightForLenhei => "BB/PB atau BB/TB", "Weight-for-length/height";
    BmiForAge => "IMT/U", "BMI-for-age";
    HeadForAge => "Lingkar kepala/U", "Head circumference-for-age";
    ArmForAge => "LiLA/U", "Arm circumference-for-age";
});

labels!(Urgency {
    Urgent => "Segera", "Urgent";
    High => "Penting", "High";
    Medium => "Sedang", "Medium";
    Low => "Rendah", "Low";
});

labels!(NameList {
    Stunted => "Anak di bawah −2 SD (stunting)", "Children below −2 SD (stunted)";
    KekAnaemia => "Ibu hamil KEK, anemia atau tanda bahaya", "Pregnant women with KEK, anaemia or a danger sign";
    Krs => "Keluarga berisiko stunting (KRS)", "Families at risk of stunting (KRS)";
    CatinUnscreened => "Calon pengantin belum diskrining", "Brides- and grooms-to-be not yet screened";
    Overdue => "Sasaran terlambat dikunjungi, per TPK", "Targets overdue for a visit, by TPK";
    PregnantAtRisk => "Ibu hamil berisiko saat ini (kunjungan terakhir)", "Pregnant women at risk now (latest visit)";
});

impl NameList {
    /// What a list holds, in a sentence: said above it wherever it is shown or saved, so an
    /// empty list reads as "none of these", never as a fault.
    pub fn holds(self) -> Words {
        use NameList::*;
        let (id, en) = match self {
            Stunted => (
                "Anak 0–59 bulan yang diukur bulan ini dengan panjang/tinggi badan menurut umur di bawah −2 SD, termasuk di bawah −3 SD.",
                "Children 0–59 months measured this month with length/height-for-age below −2 SD, below −3 SD included.",
            ),
            KekAnaemia => (
                "Ibu hamil yang pada kunjungan bulan ini KEK, anemia atau ada tanda bahaya. Yang berisiko saat ini, kapan pun kunjungan terakhirnya: daftar \"Ibu hamil berisiko saat ini\".",
                "Pregnant women found with KEK, anaemia or a danger sign at a visit this month. Those at risk now, whenever their latest visit: the list \"Pregnant women at risk now\".",
            ),
            Krs => (
                "Keluarga berisiko stunting, dan apakah ada anggotanya yang dikunjungi bulan ini.",
                "Families at risk of stunting, and whether anyone of them was visited this month.",
            ),
            CatinUnscreened => (
                "Calon pengantin yang didampingi di akhir bulan dan belum diskrining (berat, tinggi badan dan LiLA diukur).",
                "Brides- and grooms-to-be accompanied at the month's end not yet screened (weight, height and MUAC measured).",
            ),
            Overdue => (
                "Sasaran yang didampingi hari ini dan jadwal kunjungannya sudah lewat, per TPK.",
                "Targets accompanied today whose visit is past due, by TPK.",
            ),
            PregnantAtRisk => (
                "Ibu hamil yang didampingi hari ini dan pada kunjungan terakhirnya KEK, anemia, tekanan darah tinggi atau ada tanda bahaya.",
                "Pregnant women accompanied today whose latest visit found KEK, anaemia, high blood pressure or a danger sign.",
            ),
        };
        Words { id, en }
    }
}

labels!(Indicator {
    ChildrenVisited => "Anak 0–59 bln dikunjungi bulan ini", "Children 0–59 mo visited this month";
    ChildrenMeasured => "Anak diukur panjang/tinggi badan", "Children measured (length/height)";
    ChildrenWeighed => "Anak ditimbang", "Children weighed";
    Stunted => "Anak stunting (TB/U < −2 SD)", "Children stunted (HAZ < −2 SD)";
    Wasted => "Anak wasting (BB/TB < −2 SD)", "Children wasted (WHZ < −2 SD)";
    Underweight => "Anak berat kurang (BB/U < −2 SD)", "Children underweight (WAZ < −2 SD)";
    Pregnant => "Ibu hamil didampingi bulan ini", "Pregnant women accompanied this month";
    PregnantVisited => "Ibu hamil dikunjungi bulan ini", "Pregnant women visited this month";
    KekAnaemia => "Ibu hamil KEK, anemia atau tanda bahaya", "Pregnant women with KEK, anaemia or a danger sign";
    TtdReached => "Ibu hamil dengan TTD ≥ 90", "Pregnant women with ≥ 90 iron tablets";
    KrsFamilies => "Keluarga berisiko stunting (KRS)", "Families at risk of stunting (KRS)";
    KrsAccompanied => "KRS dikunjungi bulan ini", "KRS families visited this month";
    Kbpp => "Ibu pasca persalinan ber-KB (KBPP)", "Postpartum mothers on family planning (KBPP)";
    Catin => "Calon pengantin didampingi", "Brides- and grooms-to-be accompanied";
    CatinUnscreened => "Catin belum diskrining", "Brides- and grooms-to-be not screened";
    Weddings => "Catin menikah bulan ini", "Weddings this month";
    WeddingsScreenedInTime => "Diskrining tepat waktu sebelum menikah", "Screened in time before the wedding";
    Referrals => "Rujukan dibuat", "Referrals made";
    ReferralsCompleted => "Rujukan selesai", "Referrals completed";
});

impl Indicator {
    /// The short name in a table's header or a chart's legend.
    pub fn short(self) -> Words {
        use Indicator::*;
        let (id, en) = match self {
            ChildrenVisited => ("Anak dikunjungi", "Children visited"),
            ChildrenMeasured => ("Anak diukur", "Children measured"),
            ChildrenWeighed => ("Anak ditimbang", "Children weighed"),
            Stunted => ("Stunting", "Stunted"),
            Wasted => ("Wasting", "Wasted"),
            Underweight => ("Berat kurang", "Underweight"),
            Pregnant => ("Ibu hamil", "Pregnant women"),
            PregnantVisited => ("Ibu hamil dikunjungi", "Pregnant women visited"),
            KekAnaemia => ("KEK/anemia", "KEK/anaemia"),
            TtdReached => ("TTD ≥ 90", "Iron ≥ 90"),
            KrsFamilies => ("KRS", "KRS"),
            KrsAccompanied => ("KRS dikunjungi", "KRS visited"),
            Kbpp => ("KBPP", "KBPP"),
            Catin => ("Catin", "Catin"),
            CatinUnscreened => ("Catin belum skrining", "Catin not screened"),
            Weddings => ("Menikah", "Weddings"),
            WeddingsScreenedInTime => ("Skrining tepat waktu", "Screened in time"),
            Referrals => ("Rujukan", "Referrals"),
            ReferralsCompleted => ("Rujukan selesai", "Referrals completed"),
        };
        Words { id, en }
    }

    /// What a share is "of", after a number: "dari 80 anak dikunjungi".
    pub fn of(self) -> Words {
        use Indicator::*;
        let (id, en) = match self {
            ChildrenVisited => ("anak dikunjungi", "children visited"),
            ChildrenMeasured => ("anak diukur", "children measured"),
            ChildrenWeighed => ("anak ditimbang", "children weighed"),
            Pregnant => ("ibu hamil didampingi", "pregnant women accompanied"),
            PregnantVisited => ("ibu hamil dikunjungi", "pregnant women visited"),
            KrsFamilies => ("KRS", "KRS families"),
            Catin => ("catin", "catin"),
            Weddings => ("catin menikah", "weddings"),
            Referrals => ("rujukan", "referrals"),
            other => return other.short(),
        };
        Words { id, en }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete<T: Labelled + PartialEq + std::fmt::Debug>(count: usize) {
        let all = T::every();
        assert_eq!(all.len(), count, "{} lists each code once", std::any::type_name::<T>());
        for (i, a) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(a), "{a:?} is listed twice");
            let w = a.words();
            assert!(
                !w.id.is_empty() && !w.en.is_empty(),
                "{a:?} has words in both languages"
            );
        }
    }

    #[test]
    fn every_code_has_words_in_both_languages_once() {
        complete::<TargetKind>(TargetKind::ALL.len());
        complete::<TargetGroup>(TargetGroup::ALL.len());
        complete::<RiskFlag>(RiskFlag::ALL.len());
        complete::<ExitReason>(ExitReason::ALL.len());
        complete::<Relationship>(Relationship::ALL.len());
        complete::<Sex>(2);
        complete::<DangerSign>(DangerSign::ALL.len());
        complete::<KbppMethod>(KbppMethod::ALL.len());
        complete::<NameList>(NameList::ALL.len());
        complete::<Indicator>(Indicator::ALL.len());
        complete::<KrsCriterion>(7);
        complete::<WaterSource>(11);
        complete::<Latrine>(3);
        complete::<Breastfeeding>(3);
        complete::<GrowthIndicator>(6);
        complete::<Urgency>(4);
        complete::<Entity>(Entity::ALL.len());
        complete::<DeliveryMode>(3);
        complete::<AncProvider>(6);
        complete::<crate::growth::Band>(13);
        complete::<RejectCode>(RejectCode::ALL.len() + 1);
    }

    #[test]
    fn each_field_is_named_once() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert!(!FIELDS[i + 1..].iter().any(|g| g.key == f.key), "{} twice", f.key);
        }
        assert_eq!(field("weight_kg").map(|f| f.unit), Some("kg"));
        assert_eq!(field("no_such_field"), None);
    }

    #[test]
    fn a_label_is_read_in_the_language_asked() {
        assert_eq!(RiskFlag::Anemia.label(Lang::Id), "Anemia");
        assert_eq!(RiskFlag::Anemia.label(Lang::En), "Anaemia");
        assert_eq!(Indicator::Stunted.of().get(Lang::En), "Stunted");
        assert_eq!(Indicator::ChildrenMeasured.of().get(Lang::Id), "anak diukur");
        assert_eq!(Lang::from_word("en"), Some(Lang::En));
        assert_eq!(Lang::from_word("fr"), None);
        let m = Month { year: 2026, month: 8 };
        assert_eq!(
            (Lang::Id.month(m), Lang::En.month(m)),
            ("Agustus 2026".into(), "August 2026".into())
        );
        assert_eq!((Lang::Id.month_short(m), Lang::En.month_short(m)), ("Agu", "Aug"));
        assert_eq!(
            (Lang::Id.number(6500.5), Lang::En.number(6500.5)),
            ("6.500,5".into(), "6500.5".into())
        );
    }
}
