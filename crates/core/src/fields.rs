//! The words of every form field (its name in both languages, its unit): the form's label
//! and the field's name in its validation messages. A leaf, read by the problems and the
//! catalogue.

/// A form field: its name in both languages and its unit. The label on the form and the
/// field's name in its validation messages are these words (`problem::label`, `unit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldWords {
    /// The field as the record names it (`Problem::field`).
    pub key: &'static str,
    pub id: &'static str,
    pub en: &'static str,
    /// "kg", "cm", …; empty for none.
    pub unit: &'static str,
}

const fn field_words(key: &'static str, id: &'static str, en: &'static str, unit: &'static str) -> FieldWords {
    FieldWords { key, id, en, unit }
}

/// Every field a form asks for or a message names.
pub const FIELDS: &[FieldWords] = &[
    // A household.
    field_words("kk_number", "Nomor KK", "Family card number", ""),
    field_words("area_code", "Kode desa/kelurahan", "Village code", ""),
    field_words("head_name", "Nama kepala keluarga", "Head of family", ""),
    field_words("address", "Alamat", "Address", ""),
    field_words("rt", "RT", "RT", ""),
    field_words("rw", "RW", "RW", ""),
    field_words("water_source", "Sumber air minum", "Drinking water", ""),
    field_words("latrine", "Jamban", "Latrine", ""),
    field_words(
        "welfare_decile",
        "Desil kesejahteraan (1–10)",
        "Welfare decile (1–10)",
        "",
    ),
    field_words("floor_area_m2", "Luas lantai", "Floor area", "m²"),
    field_words("latitude", "Lintang (GPS)", "Latitude", "°"),
    field_words("longitude", "Bujur (GPS)", "Longitude", "°"),
    // A person.
    field_words("name", "Nama", "Name", ""),
    field_words("nik", "NIK", "NIK", ""),
    field_words("mother_nik", "NIK ibu", "Mother's NIK", ""),
    field_words("mother_id", "Ibu", "Mother", ""),
    field_words("sex", "Jenis kelamin", "Sex", ""),
    field_words("birth_date", "Tanggal lahir", "Date of birth", ""),
    field_words("relationship", "Hubungan dalam keluarga", "Relationship", ""),
    field_words("phone", "Nomor HP", "Phone", ""),
    // An enrolment.
    field_words("start_date", "Tanggal mulai pendampingan", "Enrolment date", ""),
    field_words("end_date", "Tanggal selesai", "End date", ""),
    field_words("end_reason", "Alasan selesai", "Reason for ending", ""),
    field_words("wedding_date", "Rencana tanggal nikah", "Wedding date", ""),
    field_words("hpht", "HPHT", "Last menstrual period (HPHT)", ""),
    field_words("gravida", "Kehamilan ke-", "Gravida", ""),
    field_words("parity", "Paritas", "Parity", ""),
    field_words("abortus", "Abortus", "Miscarriages", ""),
    field_words(
        "last_birth_date",
        "Tanggal persalinan terakhir",
        "Date of last birth",
        "",
    ),
    field_words(
        "pre_pregnancy_weight_kg",
        "Berat badan sebelum hamil",
        "Pre-pregnancy weight",
        "kg",
    ),
    field_words("delivery_date", "Tanggal persalinan", "Delivery date", ""),
    field_words("place", "Tempat persalinan", "Place of delivery", ""),
    field_words("attendant", "Penolong persalinan", "Birth attendant", ""),
    field_words("mode", "Cara persalinan", "Mode of delivery", ""),
    field_words("birth_weight_g", "Berat lahir", "Birth weight", "g"),
    field_words("birth_length_cm", "Panjang lahir", "Birth length", "cm"),
    field_words("gestational_age_weeks", "Usia kehamilan", "Gestational age", "minggu"),
    // A visit.
    field_words("visit_date", "Tanggal kunjungan", "Visit date", ""),
    field_words("weight_kg", "Berat badan", "Weight", "kg"),
    field_words("height_cm", "Tinggi badan", "Height", "cm"),
    field_words("lenhei_cm", "Panjang/tinggi badan", "Length/height", "cm"),
    field_words("measure", "Posisi pengukuran", "Measuring position", ""),
    field_words("headc_cm", "Lingkar kepala", "Head circumference", "cm"),
    field_words("muac_cm", "LiLA anak", "Child's MUAC", "cm"),
    field_words("lila_cm", "LiLA", "Upper-arm circumference (LiLA)", "cm"),
    field_words("waist_cm", "Lingkar perut", "Waist circumference", "cm"),
    field_words("oedema", "Edema kedua kaki", "Bilateral oedema", ""),
    field_words("exclusive_bf", "ASI eksklusif", "Exclusive breastfeeding", ""),
    field_words("mpasi", "MP-ASI sesuai", "Complementary feeding", ""),
    field_words("immunisations", "Imunisasi", "Immunisations", ""),
    field_words("vitamin_a", "Vitamin A", "Vitamin A", ""),
    field_words("illness", "Sakit", "Illness", ""),
    field_words("hb", "Hb", "Haemoglobin (Hb)", "g/dL"),
    field_words("hb_date", "Tanggal periksa Hb", "Hb test date", ""),
    field_words("systolic", "Tekanan darah sistolik", "Systolic blood pressure", "mmHg"),
    field_words(
        "diastolic",
        "Tekanan darah diastolik",
        "Diastolic blood pressure",
        "mmHg",
    ),
    field_words(
        "ttd_total",
        "TTD diminum (total)",
        "Iron tablets taken (total)",
        "tablet",
    ),
    field_words("ttd_received", "TTD diterima", "Iron tablets received", "tablet"),
    field_words(
        "anc",
        "Kontak ANC sejak kunjungan lalu",
        "ANC contacts since the last visit",
        "",
    ),
    field_words("danger_signs", "Tanda bahaya", "Danger signs", ""),
    field_words("smoke_exposure", "Terpapar asap rokok", "Smoke exposure", ""),
    field_words("smoker", "Merokok", "Smoker", ""),
    field_words("breastfeeding", "Menyusui", "Breastfeeding", ""),
    field_words("kbpp_method", "KB pasca persalinan", "Postpartum contraception", ""),
    field_words("kbpp_start", "Mulai KB", "Contraception from", ""),
    field_words("pregnancy_plan", "Rencana kehamilan", "Pregnancy plan", ""),
    field_words("notes", "Catatan", "Notes", ""),
    field_words("kie", "KIE/penyuluhan", "Counselling", ""),
    field_words("referral", "Dirujuk", "Referred", ""),
    field_words("referral_completed", "Rujukan selesai", "Referral completed", ""),
    field_words("bansos", "Difasilitasi bansos", "Helped to social aid", ""),
];

/// A field's words; `None` for a key no form has.
pub fn field(key: &str) -> Option<&'static FieldWords> {
    FIELDS.iter().find(|f| f.key == key)
}
