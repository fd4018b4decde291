// Generated from pendamping_core::catalogue by crates/app/tests/ui_types.rs: do not edit.
// UPDATE_UI_TYPES=1 cargo test -p pendamping-app --test ui_types

import type { AncProvider, Band, Breastfeeding, DangerSign, DeliveryMode, Entity, ExitReason, Indicator, KbppMethod, KrsCriterion, Latrine, NameList, RejectCode, Relationship, RiskFlag, Sex, TargetGroup, TargetKind, Urgency, WaterSource } from './types'

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

export const entities: Record<Entity, Pair> = {
  "household": ["Keluarga", "Family"],
  "person": ["Orang", "Person"],
  "enrolment": ["Pendampingan", "Enrolment"],
  "visit": ["Kunjungan", "Visit"],
}

export const deliveryModes: Record<DeliveryMode, Pair> = {
  "normal": ["Normal", "Vaginal"],
  "sesar": ["Sesar", "Caesarean"],
  "tindakan": ["Dengan tindakan (vakum/forsep)", "Assisted (vacuum/forceps)"],
}

export const ancProviders: Record<AncProvider, Pair> = {
  "bidan": ["Bidan", "Midwife"],
  "dokter": ["Dokter", "Doctor"],
  "dokter_spesialis": ["Dokter spesialis", "Specialist"],
  "puskesmas": ["Puskesmas", "Health centre"],
  "rumah_sakit": ["Rumah sakit", "Hospital"],
  "lainnya": ["Lainnya", "Other"],
}

export const bands: Record<Band, Pair> = {
  "sangat_kurang": ["sangat kurang", "severely underweight"],
  "kurang": ["kurang", "underweight"],
  "normal": ["normal", "normal"],
  "risiko_bb_lebih": ["risiko BB lebih", "risk of overweight"],
  "sangat_pendek": ["sangat pendek", "severely stunted"],
  "pendek": ["pendek", "stunted"],
  "tinggi": ["tinggi", "tall"],
  "gizi_buruk": ["gizi buruk", "severely wasted"],
  "gizi_kurang": ["gizi kurang", "wasted"],
  "gizi_baik": ["gizi baik", "normal"],
  "berisiko_gizi_lebih": ["berisiko gizi lebih", "possible risk of overweight"],
  "gizi_lebih": ["gizi lebih", "overweight"],
  "obesitas": ["obesitas", "obese"],
}

export const rejectCodes: Record<RejectCode, Pair> = {
  "forbidden_area": ["di luar wilayah perangkat ini", "outside this device's area"],
  "unknown_area": ["kode wilayah tidak dikenal", "unknown area code"],
  "unknown_field": ["isian tidak dikenal server", "a field the server does not know"],
  "clock_skew": ["jam perangkat salah", "the device's clock is wrong"],
  "invalid": ["isian tidak valid", "not valid"],
  "bad_origin": ["perangkat asal tidak dikenal", "unknown device of origin"],
  "unsigned": ["tanpa segel perangkat; daftarkan ulang", "no device seal; enrol again"],
  "bad_signature": ["segel tidak cocok (diubah di jalan)", "seal does not match (altered on the way)"],
  "other": ["ditolak server", "refused by the server"],
}

export const nameLists: Record<NameList, Pair> = {
  "stunted": ["Anak di bawah −2 SD (stunting)", "Children below −2 SD (stunted)"],
  "kek-anaemia": ["Ibu hamil KEK, anemia atau tanda bahaya", "Pregnant women with KEK, anaemia or a danger sign"],
  "krs": ["Keluarga berisiko stunting (KRS)", "Families at risk of stunting (KRS)"],
  "catin-unscreened": ["Calon pengantin belum diskrining", "Brides- and grooms-to-be not yet screened"],
  "overdue": ["Sasaran terlambat dikunjungi, per TPK", "Targets overdue for a visit, by TPK"],
  "pregnant-at-risk": ["Ibu hamil berisiko saat ini (kunjungan terakhir)", "Pregnant women at risk now (latest visit)"],
}

/** Every form field: its name in both languages and its unit, as the messages name it. */
export const fields = {
  "kk_number": { id: "Nomor KK", en: "Family card number", unit: "" },
  "area_code": { id: "Kode desa/kelurahan", en: "Village code", unit: "" },
  "head_name": { id: "Nama kepala keluarga", en: "Head of family", unit: "" },
  "address": { id: "Alamat", en: "Address", unit: "" },
  "rt": { id: "RT", en: "RT", unit: "" },
  "rw": { id: "RW", en: "RW", unit: "" },
  "water_source": { id: "Sumber air minum", en: "Drinking water", unit: "" },
  "latrine": { id: "Jamban", en: "Latrine", unit: "" },
  "welfare_decile": { id: "Desil kesejahteraan (1–10)", en: "Welfare decile (1–10)", unit: "" },
  "floor_area_m2": { id: "Luas lantai", en: "Floor area", unit: "m²" },
  "latitude": { id: "Lintang (GPS)", en: "Latitude", unit: "°" },
  "longitude": { id: "Bujur (GPS)", en: "Longitude", unit: "°" },
  "name": { id: "Nama", en: "Name", unit: "" },
  "nik": { id: "NIK", en: "NIK", unit: "" },
  "mother_nik": { id: "NIK ibu", en: "Mother's NIK", unit: "" },
  "mother_id": { id: "Ibu", en: "Mother", unit: "" },
  "sex": { id: "Jenis kelamin", en: "Sex", unit: "" },
  "birth_date": { id: "Tanggal lahir", en: "Date of birth", unit: "" },
  "relationship": { id: "Hubungan dalam keluarga", en: "Relationship", unit: "" },
  "phone": { id: "Nomor HP", en: "Phone", unit: "" },
  "start_date": { id: "Tanggal mulai pendampingan", en: "Enrolment date", unit: "" },
  "end_date": { id: "Tanggal selesai", en: "End date", unit: "" },
  "end_reason": { id: "Alasan selesai", en: "Reason for ending", unit: "" },
  "wedding_date": { id: "Rencana tanggal nikah", en: "Wedding date", unit: "" },
  "hpht": { id: "HPHT", en: "Last menstrual period (HPHT)", unit: "" },
  "gravida": { id: "Kehamilan ke-", en: "Gravida", unit: "" },
  "parity": { id: "Paritas", en: "Parity", unit: "" },
  "abortus": { id: "Abortus", en: "Miscarriages", unit: "" },
  "last_birth_date": { id: "Tanggal persalinan terakhir", en: "Date of last birth", unit: "" },
  "pre_pregnancy_weight_kg": { id: "Berat badan sebelum hamil", en: "Pre-pregnancy weight", unit: "kg" },
  "delivery_date": { id: "Tanggal persalinan", en: "Delivery date", unit: "" },
  "place": { id: "Tempat persalinan", en: "Place of delivery", unit: "" },
  "attendant": { id: "Penolong persalinan", en: "Birth attendant", unit: "" },
  "mode": { id: "Cara persalinan", en: "Mode of delivery", unit: "" },
  "birth_weight_g": { id: "Berat lahir", en: "Birth weight", unit: "g" },
  "birth_length_cm": { id: "Panjang lahir", en: "Birth length", unit: "cm" },
  "gestational_age_weeks": { id: "Usia kehamilan", en: "Gestational age", unit: "minggu" },
  "visit_date": { id: "Tanggal kunjungan", en: "Visit date", unit: "" },
  "weight_kg": { id: "Berat badan", en: "Weight", unit: "kg" },
  "height_cm": { id: "Tinggi badan", en: "Height", unit: "cm" },
  "lenhei_cm": { id: "Panjang/tinggi badan", en: "Length/height", unit: "cm" },
  "measure": { id: "Posisi pengukuran", en: "Measuring position", unit: "" },
  "headc_cm": { id: "Lingkar kepala", en: "Head circumference", unit: "cm" },
  "muac_cm": { id: "LiLA anak", en: "Child's MUAC", unit: "cm" },
  "lila_cm": { id: "LiLA", en: "Upper-arm circumference (LiLA)", unit: "cm" },
  "waist_cm": { id: "Lingkar perut", en: "Waist circumference", unit: "cm" },
  "oedema": { id: "Edema kedua kaki", en: "Bilateral oedema", unit: "" },
  "exclusive_bf": { id: "ASI eksklusif", en: "Exclusive breastfeeding", unit: "" },
  "mpasi": { id: "MP-ASI sesuai", en: "Complementary feeding", unit: "" },
  "immunisations": { id: "Imunisasi", en: "Immunisations", unit: "" },
  "vitamin_a": { id: "Vitamin A", en: "Vitamin A", unit: "" },
  "illness": { id: "Sakit", en: "Illness", unit: "" },
  "hb": { id: "Hb", en: "Haemoglobin (Hb)", unit: "g/dL" },
  "hb_date": { id: "Tanggal periksa Hb", en: "Hb test date", unit: "" },
  "systolic": { id: "Tekanan darah sistolik", en: "Systolic blood pressure", unit: "mmHg" },
  "diastolic": { id: "Tekanan darah diastolik", en: "Diastolic blood pressure", unit: "mmHg" },
  "ttd_total": { id: "TTD diminum (total)", en: "Iron tablets taken (total)", unit: "tablet" },
  "ttd_received": { id: "TTD diterima", en: "Iron tablets received", unit: "tablet" },
  "anc": { id: "Kontak ANC sejak kunjungan lalu", en: "ANC contacts since the last visit", unit: "" },
  "danger_signs": { id: "Tanda bahaya", en: "Danger signs", unit: "" },
  "smoke_exposure": { id: "Terpapar asap rokok", en: "Smoke exposure", unit: "" },
  "smoker": { id: "Merokok", en: "Smoker", unit: "" },
  "breastfeeding": { id: "Menyusui", en: "Breastfeeding", unit: "" },
  "kbpp_method": { id: "KB pasca persalinan", en: "Postpartum contraception", unit: "" },
  "kbpp_start": { id: "Mulai KB", en: "Contraception from", unit: "" },
  "pregnancy_plan": { id: "Rencana kehamilan", en: "Pregnancy plan", unit: "" },
  "notes": { id: "Catatan", en: "Notes", unit: "" },
  "kie": { id: "KIE/penyuluhan", en: "Counselling", unit: "" },
  "referral": { id: "Dirujuk", en: "Referred", unit: "" },
  "referral_completed": { id: "Rujukan selesai", en: "Referral completed", unit: "" },
  "bansos": { id: "Difasilitasi bansos", en: "Helped to social aid", unit: "" },
} as const satisfies Record<string, { id: string; en: string; unit: string }>

export type FieldName = keyof typeof fields

/** What each list of names holds, said above it. */
export const listHolds: Record<NameList, Pair> = {
  "stunted": ["Anak 0–59 bulan yang diukur bulan ini dengan panjang/tinggi badan menurut umur di bawah −2 SD, termasuk di bawah −3 SD.", "Children 0–59 months measured this month with length/height-for-age below −2 SD, below −3 SD included."],
  "kek-anaemia": ["Ibu hamil yang pada kunjungan bulan ini KEK, anemia atau ada tanda bahaya. Yang berisiko saat ini, kapan pun kunjungan terakhirnya: daftar \"Ibu hamil berisiko saat ini\".", "Pregnant women found with KEK, anaemia or a danger sign at a visit this month. Those at risk now, whenever their latest visit: the list \"Pregnant women at risk now\"."],
  "pregnant-at-risk": ["Ibu hamil yang didampingi hari ini dan pada kunjungan terakhirnya KEK, anemia, tekanan darah tinggi atau ada tanda bahaya.", "Pregnant women accompanied today whose latest visit found KEK, anaemia, high blood pressure or a danger sign."],
  "krs": ["Keluarga berisiko stunting, dan apakah ada anggotanya yang dikunjungi bulan ini.", "Families at risk of stunting, and whether anyone of them was visited this month."],
  "catin-unscreened": ["Calon pengantin yang didampingi di akhir bulan dan belum diskrining (berat, tinggi badan dan LiLA diukur).", "Brides- and grooms-to-be accompanied at the month's end not yet screened (weight, height and MUAC measured)."],
  "overdue": ["Sasaran yang didampingi hari ini dan jadwal kunjungannya sudah lewat, per TPK.", "Targets accompanied today whose visit is past due, by TPK."],
}

/** What every list of names carries, on screen and in its files. */
export const personalData: Pair = ["DATA PRIBADI (UU 27/2022): nama, tanggal lahir dan data kesehatan keluarga. Simpan di tempat aman, bagikan hanya kepada petugas yang berwenang, hapus bila tidak diperlukan lagi.", "PERSONAL DATA (Law 27/2022): names, birth dates and families' health data. Keep it safe, share it only with authorised officers, delete it when no longer needed."]
