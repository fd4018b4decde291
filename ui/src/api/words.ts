// Generated from pendamping_core::catalogue by crates/app/tests/ui_types.rs: do not edit.
// UPDATE_UI_TYPES=1 cargo test -p pendamping-app --test ui_types

import type { Breastfeeding, DangerSign, ExitReason, Indicator, KbppMethod, KrsCriterion, Latrine, NameList, Relationship, RiskFlag, Sex, TargetGroup, TargetKind, Urgency, WaterSource } from './types'

/** Indonesian, English. */
export type Pair = [string, string]

export const targetKinds: Record<TargetKind, Pair> = {
  "catin": ["Calon pengantin", "Bride/groom to be"],
  "ibu_hamil": ["Ibu hamil", "Pregnant woman"],
  "nifas": ["Ibu pasca persalinan", "Postpartum mother"],
  "anak": ["Baduta/balita", "Child under five"],
  "krs": ["Keluarga berisiko stunting", "Family at risk"],
}

export const targetGroups: Record<TargetGroup, Pair> = {
  "catin": ["Calon pengantin", "Bride/groom to be"],
  "ibu_hamil": ["Ibu hamil", "Pregnant woman"],
  "nifas": ["Ibu pasca persalinan", "Postpartum mother"],
  "baduta": ["Baduta (0–23 bln)", "Under two (0–23 mo)"],
  "balita": ["Balita (24–59 bln)", "Under five (24–59 mo)"],
  "krs": ["Keluarga berisiko stunting", "Family at risk of stunting"],
}

export const riskFlags: Record<RiskFlag, Pair> = {
  "anemia": ["Anemia", "Anaemia"],
  "anemia_refer": ["Anemia berat (rujuk)", "Severe anaemia (refer)"],
  "kek": ["KEK (LiLA rendah)", "Chronic energy deficiency"],
  "bmi_under": ["IMT kurang", "Low BMI"],
  "too_young": ["Terlalu muda", "Too young"],
  "too_old": ["Terlalu tua", "Too old"],
  "too_close": ["Jarak kelahiran terlalu dekat", "Births too close"],
  "too_many": ["Anak terlalu banyak", "Too many children"],
  "short_stature": ["Tinggi badan < 145 cm", "Height < 145 cm"],
  "smoker": ["Merokok", "Smoker"],
  "smoke_exposure": ["Terpapar asap rokok", "Smoke exposure"],
  "danger_sign": ["Tanda bahaya", "Danger sign"],
  "high_blood_pressure": ["Tekanan darah tinggi", "High blood pressure"],
  "low_birth_weight": ["BBLR", "Low birth weight"],
  "short_birth_length": ["Panjang lahir pendek", "Short at birth"],
  "stunted": ["Pendek (stunting)", "Stunted"],
  "severely_stunted": ["Sangat pendek", "Severely stunted"],
  "wasted": ["Gizi kurang (wasting)", "Wasted"],
  "severely_wasted": ["Gizi buruk", "Severely wasted"],
  "underweight": ["Berat badan kurang", "Underweight"],
  "severely_underweight": ["Berat badan sangat kurang", "Severely underweight"],
  "overweight": ["Gizi lebih", "Overweight"],
  "obese": ["Obesitas", "Obese"],
  "microcephaly": ["Lingkar kepala kecil", "Microcephaly"],
  "sam": ["LiLA < 11,5 cm (gizi buruk)", "MUAC < 11.5 cm (SAM)"],
  "mam": ["LiLA 11,5–12,5 cm (gizi kurang)", "MUAC 11.5–12.5 cm (MAM)"],
  "oedema": ["Edema", "Oedema"],
}

export const krsCriteria: Record<KrsCriterion, Pair> = {
  "unsafe_water": ["Sumber air minum tidak layak", "Unsafe drinking water"],
  "unsafe_latrine": ["Jamban tidak layak", "Unsafe latrine"],
  "wife_too_young": ["Istri terlalu muda", "Wife too young"],
  "wife_too_old": ["Istri terlalu tua", "Wife too old"],
  "births_too_close": ["Jarak kelahiran terlalu dekat", "Births too close"],
  "too_many_children": ["Anak terlalu banyak", "Too many children"],
  "uninhabitable": ["Rumah tidak layak huni", "Uninhabitable house"],
}

export const exitReasons: Record<ExitReason, Pair> = {
  "menikah": ["Sudah menikah", "Married"],
  "batal": ["Batal menikah", "Wedding cancelled"],
  "melahirkan": ["Melahirkan", "Gave birth"],
  "keguguran": ["Keguguran", "Miscarriage"],
  "meninggal": ["Meninggal", "Died"],
  "pindah": ["Pindah", "Moved away"],
  "selesai": ["Selesai", "Completed"],
  "tidak_berisiko": ["Tidak berisiko lagi", "No longer at risk"],
}

export const waterSources: Record<WaterSource, Pair> = {
  "air_kemasan": ["Air kemasan", "Bottled water"],
  "air_isi_ulang": ["Air isi ulang", "Refill water"],
  "ledeng": ["Ledeng/PAM", "Piped water"],
  "sumur_bor": ["Sumur bor/pompa", "Borehole"],
  "sumur_terlindung": ["Sumur terlindung", "Protected well"],
  "sumur_tak_terlindung": ["Sumur tak terlindung", "Unprotected well"],
  "mata_air_terlindung": ["Mata air terlindung", "Protected spring"],
  "mata_air_tak_terlindung": ["Mata air tak terlindung", "Unprotected spring"],
  "air_hujan": ["Air hujan", "Rainwater"],
  "air_permukaan": ["Sungai/danau/kolam", "Surface water"],
  "lainnya": ["Lainnya", "Other"],
}

export const latrines: Record<Latrine, Pair> = {
  "septic_tank": ["Jamban dengan tangki septik", "Latrine with septic tank"],
  "tanpa_septic_tank": ["Jamban tanpa tangki septik", "Latrine without septic tank"],
  "tidak": ["Tidak ada jamban", "No latrine"],
}

export const relationships: Record<Relationship, Pair> = {
  "kepala_keluarga": ["Kepala keluarga", "Head"],
  "istri": ["Istri", "Wife"],
  "suami": ["Suami", "Husband"],
  "anak": ["Anak", "Child"],
  "menantu": ["Menantu", "Child-in-law"],
  "cucu": ["Cucu", "Grandchild"],
  "orang_tua": ["Orang tua", "Parent"],
  "mertua": ["Mertua", "Parent-in-law"],
  "famili_lain": ["Famili lain", "Other relative"],
  "lainnya": ["Lainnya", "Other"],
}

export const sexes: Record<Sex, Pair> = {
  "L": ["Laki-laki", "Male"],
  "P": ["Perempuan", "Female"],
}

export const dangerSigns: Record<DangerSign, Pair> = {
  "perdarahan": ["Perdarahan", "Bleeding"],
  "demam": ["Demam", "Fever"],
  "bengkak_kaki_tangan_wajah": ["Bengkak kaki, tangan, wajah", "Swelling"],
  "sakit_kepala_berat": ["Sakit kepala berat", "Severe headache"],
  "pandangan_kabur": ["Pandangan kabur", "Blurred vision"],
  "kejang": ["Kejang", "Convulsions"],
  "ketuban_pecah_dini": ["Ketuban pecah dini", "Waters broke early"],
  "gerakan_janin_berkurang": ["Gerakan janin berkurang", "Less foetal movement"],
  "muntah_terus_menerus": ["Muntah terus-menerus", "Constant vomiting"],
  "cairan_berbau": ["Keluar cairan berbau", "Foul discharge"],
  "payudara_bengkak": ["Payudara bengkak/merah", "Swollen breasts"],
  "sedih_berlebihan": ["Sedih berlebihan", "Deep sadness"],
}

export const kbppMethods: Record<KbppMethod, Pair> = {
  "iud": ["IUD", "IUD"],
  "implan": ["Implan", "Implant"],
  "tubektomi": ["Tubektomi/MOW", "Tubal ligation"],
  "suntik": ["Suntik", "Injection"],
  "pil_mini": ["Pil", "Pill"],
  "mal": ["MAL", "LAM"],
  "kondom": ["Kondom", "Condom"],
  "tidak": ["Belum ber-KB", "None"],
}

export const breastfeeding: Record<Breastfeeding, Pair> = {
  "eksklusif": ["ASI eksklusif", "Exclusive"],
  "parsial": ["ASI + lainnya", "Partial"],
  "tidak": ["Tidak menyusui", "Not breastfeeding"],
}

export const growthIndicators: Record<Indicator, Pair> = {
  "length_for_age": ["PB/U atau TB/U", "Length/height-for-age"],
  "weight_for_age": ["BB/U", "Weight-for-age"],
  "weight_for_lenhei": ["BB/PB atau BB/TB", "Weight-for-length/height"],
  "bmi_for_age": ["IMT/U", "BMI-for-age"],
  "head_for_age": ["Lingkar kepala/U", "Head circumference-for-age"],
  "arm_for_age": ["LiLA/U", "Arm circumference-for-age"],
}

export const urgencies: Record<Urgency, Pair> = {
  "urgent": ["Segera", "Urgent"],
  "high": ["Penting", "High"],
  "medium": ["Sedang", "Medium"],
  "low": ["Rendah", "Low"],
}

export const nameLists: Record<NameList, Pair> = {
  "stunted": ["Anak di bawah −2 SD (stunting)", "Children below −2 SD (stunted)"],
  "kek-anaemia": ["Ibu hamil KEK, anemia atau tanda bahaya", "Pregnant women with KEK, anaemia or a danger sign"],
  "krs": ["Keluarga berisiko stunting (KRS)", "Families at risk of stunting (KRS)"],
  "catin-unscreened": ["Calon pengantin belum diskrining", "Brides- and grooms-to-be not yet screened"],
  "overdue": ["Sasaran terlambat dikunjungi, per TPK", "Targets overdue for a visit, by TPK"],
}

