// Bahasa Indonesia first, English second. Labels of the domain's codes are typed against the
// generated types, so a new flag or reason in Rust fails the type check until it has words.
import type {
  Age, Axis, Breastfeeding, DangerSign, EnrolmentPhase, ExitReason, Indicator, KbppMethod, KrsCriterion, Latrine, Relationship,
  RiskFlag, Sex, TargetGroup, TargetKind, Urgency, WaterSource,
} from '../api/types'

export type Lang = 'id' | 'en'
type Pair = [string, string]

export const lang = $state({ current: (localStorage.getItem('lang') as Lang) || 'id' })

export function setLang(l: Lang) {
  lang.current = l
  localStorage.setItem('lang', l)
}

const pick = (p: Pair) => (lang.current === 'id' ? p[0] : p[1])

const words = {
  app: ['Pendamping', 'Pendamping'],
  home: ['Beranda', 'Home'],
  families: ['Keluarga', 'Families'],
  sync: ['Sinkronisasi', 'Sync'],
  recap: ['Rekap', 'Recap'],
  save: ['Simpan', 'Save'],
  cancel: ['Batal', 'Cancel'],
  back: ['Kembali', 'Back'],
  search: ['Cari nama atau NIK', 'Search name or NIK'],
  offlineOnly: ['Mode luring', 'Offline mode'],
  offline: ['Tidak terhubung', 'Not connected'],
  online: ['Terhubung', 'Connected'],
  syncing: ['Menyinkronkan…', 'Syncing…'],
  syncFailed: ['Sinkronisasi gagal', 'Sync failed'],
  linkDropping: ['Sambungan putus-putus', 'Link keeps dropping'],
  linkDroppingDetail: [
    'Sambungan terus terputus. Yang sudah sampai tersimpan; sisanya dikirim pada percobaan berikutnya.',
    'The connection keeps dropping. What got through is kept; the rest goes on the next try.',
  ],
  gotThrough: ['sudah sampai', 'got through'],
  sent: ['terkirim', 'sent'],
  received: ['diterima', 'received'],
  left: ['sisa', 'left'],
  aboutLeft: ['kira-kira', 'about'],
  minutes: ['menit', 'min'],
  seconds: ['detik', 's'],
  pending: ['menunggu dikirim', 'waiting to send'],
  heldByHub: ['sudah di hub PLKB, disimpan juga di sini sampai server pusat menerimanya', 'at the PLKB hub, also kept here until the central server has them'],
  lastSync: ['Sinkron terakhir', 'Last sync'],
  never: ['belum pernah', 'never'],
  overdue: ['Terlambat dikunjungi', 'Overdue'],
  dueWeek: ['Perlu dikunjungi minggu ini', 'Due this week'],
  nobodyDue: ['Tidak ada yang perlu dikunjungi', 'Nobody is due'],
  alerts: ['Perlu perhatian', 'Needs attention'],
  targets: ['Sasaran didampingi', 'Targets accompanied'],
  daysLate: ['hari terlambat', 'days late'],
  dueOn: ['jadwal', 'due'],
  welcome: ['Selamat datang di Pendamping', 'Welcome to Pendamping'],
  firstRunIntro: [
    'Pilih desa wilayah kerja Anda. Anda bisa bekerja tanpa server, atau mendaftarkan perangkat ke server kabupaten dengan kode dari admin.',
    'Pick the villages you work in. You can work without a server, or enrol this device with the district server using a code from the admin.',
  ],
  findVillage: ['Cari desa/kelurahan (nama atau kode)', 'Find a village (name or code)'],
  chosenVillages: ['Desa terpilih', 'Chosen villages'],
  workOffline: ['Bekerja tanpa server', 'Work offline only'],
  enrolServer: ['Daftar ke server', 'Enrol with a server'],
  serverAddress: ['Alamat server', 'Server address'],
  enrollmentCode: ['Kode pendaftaran', 'Enrollment code'],
  deviceName: ['Nama perangkat', 'Device name'],
  enrol: ['Daftarkan', 'Enrol'],
  add: ['Tambah', 'Add'],
  remove: ['Hapus', 'Remove'],
  registerFamily: ['Daftarkan keluarga', 'Register a family'],
  members: ['Anggota keluarga', 'Members'],
  addMember: ['Tambah anggota', 'Add a member'],
  krs: ['Keluarga berisiko stunting (KRS)', 'Family at risk of stunting (KRS)'],
  notKrs: ['Tidak berisiko', 'Not at risk'],
  headName: ['Nama kepala keluarga', 'Head of family'],
  kkNumber: ['Nomor KK', 'Family card number'],
  address: ['Alamat', 'Address'],
  waterSource: ['Sumber air minum', 'Drinking water'],
  latrine: ['Jamban', 'Latrine'],
  welfare: ['Desil kesejahteraan (1–10)', 'Welfare decile (1–10)'],
  name: ['Nama', 'Name'],
  nik: ['NIK', 'NIK'],
  noNik: ['Belum punya NIK', 'No NIK yet'],
  sex: ['Jenis kelamin', 'Sex'],
  birthDate: ['Tanggal lahir', 'Birth date'],
  relationship: ['Hubungan dalam keluarga', 'Relationship'],
  mother: ['Ibu', 'Mother'],
  phone: ['Nomor HP', 'Phone'],
  enrolAs: ['Dampingi sebagai', 'Accompany as'],
  start: ['Mulai', 'Start'],
  endEnrolment: ['Selesaikan pendampingan', 'End enrolment'],
  reason: ['Alasan', 'Reason'],
  date: ['Tanggal', 'Date'],
  visit: ['Kunjungan', 'Visit'],
  newVisit: ['Catat kunjungan', 'Record a visit'],
  visitDate: ['Tanggal kunjungan', 'Visit date'],
  results: ['Hasil', 'Results'],
  nextDue: ['Kunjungan berikutnya', 'Next visit'],
  noFlags: ['Tidak ada faktor risiko', 'No risk factors'],
  saved: ['Tersimpan', 'Saved'],
  timeline: ['Riwayat', 'Timeline'],
  growth: ['Grafik pertumbuhan', 'Growth charts'],
  noVisits: ['Belum ada kunjungan', 'No visits yet'],
  active: ['aktif', 'active'],
  ended: ['selesai', 'ended'],
  hpht: ['HPHT', 'Last menstrual period'],
  deliveryDate: ['Tanggal persalinan', 'Delivery date'],
  weddingDate: ['Rencana tanggal nikah', 'Wedding date'],
  birthWeight: ['Berat lahir (gram)', 'Birth weight (g)'],
  birthLength: ['Panjang lahir (cm)', 'Birth length (cm)'],
  gravida: ['Kehamilan ke-', 'Gravida'],
  status: ['Status', 'Status'],
  server: ['Server', 'Server'],
  syncNow: ['Sinkronkan sekarang', 'Sync now'],
  conflicts: ['Konflik untuk ditinjau', 'Conflicts to review'],
  here: ['Di perangkat ini', 'On this device'],
  there: ['Dari perangkat lain', 'From another device'],
  kept: ['dipakai', 'kept'],
  reviewed: ['Sudah ditinjau', 'Reviewed'],
  refused: ['Ditolak server, perlu diperbaiki', 'Refused by the server, to fix'],
  notEnrolled: ['Perangkat ini bekerja tanpa server.', 'This device works without a server.'],
  month: ['Bulan', 'Month'],
  exportCsv: ['Ekspor CSV', 'Export CSV'],
  exportXlsx: ['Ekspor Excel (XLSX)', 'Export Excel (XLSX)'],
  exportedTo: ['Tersimpan di folder', 'Saved in the folder'],
  group: ['Sasaran', 'Target'],
  caseload: ['Didampingi akhir bulan', 'Accompanied at month end'],
  newEnrol: ['Baru didampingi', 'Newly enrolled'],
  exits: ['Selesai didampingi', 'Ended'],
  visited: ['Sasaran dikunjungi', 'Targets visited'],
  visits: ['Jumlah kunjungan', 'Visits'],
  kie: ['KIE', 'Counselling'],
  referrals: ['Rujuk', 'Referred'],
  bansos: ['Bansos', 'Social aid'],
  riskCounts: ['Sasaran dengan faktor risiko', 'Targets with risk factors'],
  krsFamilies: ['Keluarga berisiko stunting di desa (data keluarga)', 'Families at risk in the village (family data)'],
  krsAccompanied: ['dikunjungi bulan ini', 'visited this month'],
  krsNote: ['Baris "Keluarga berisiko stunting" di tabel menghitung KRS yang terdaftar sebagai sasaran pendampingan; angka di atas menghitung semua keluarga yang memenuhi kriteria KRS.', 'The table row counts KRS families enrolled as targets; the figures above count every family that meets a KRS criterion.'],
  loading: ['Memuat…', 'Loading…'],
  more: ['Muat lagi', 'Load more'],
  yes: ['Ya', 'Yes'],
  no: ['Tidak', 'No'],
  village: ['Desa', 'Village'],
  language: ['English', 'Bahasa Indonesia'],
  services: ['Layanan', 'Services'],
  notANumber: ['bukan angka', 'is not a number'],
  errorsFirst: ['Perbaiki isian yang ditandai merah', 'Fix the fields marked in red'],
  household: ['Keluarga', 'Family'],
  people: ['orang', 'people'],
  fix: ['Perbaiki', 'Fix'],
  babyName: ['Nama bayi', 'Baby name'],
  deliveryPlace: ['Tempat persalinan', 'Place of delivery'],
  gestAge: ['Usia kehamilan', 'Gestational age'],
  gestAgeBirth: ['Usia kehamilan saat lahir', 'Gestational age at birth'],
  parity: ['Paritas', 'Parity'],
  abortus: ['Abortus', 'Miscarriages'],
  lastBirth: ['Tanggal persalinan terakhir', 'Last birth date'],
  motherHeight: ['TB ibu', 'Mother’s height'],
  preWeight: ['BB sebelum hamil', 'Pre-pregnancy weight'],
  attendant: ['Penolong', 'Birth attendant'],
  deliveryMode: ['Cara persalinan', 'Mode of delivery'],
  weeks: ['mgg', 'wk'],
  toResolve: ['Perlu diselesaikan', 'To settle'],
  recordOutcome: ['Catat hasil kehamilan', 'Record the outcome'],
  missingFor: ['Hasil belum lengkap. Isi:', 'Results need:'],
  noResultsWhileErrors: ['Hasil muncul setelah isian yang salah diperbaiki', 'Results appear once the fields in red are fixed'],
  discardTitle: ['Buang isian yang sudah diketik?', 'Discard what you typed?'],
  discard: ['Buang', 'Discard'],
  keepEditing: ['Lanjut mengisi', 'Keep editing'],
  datePlaceholder: ['hh/bb/tttt', 'dd/mm/yyyy'],
  badDate: ['Tanggal tidak valid (hh/bb/tttt)', 'Not a valid date (dd/mm/yyyy)'],
  noResults: ['Tidak ditemukan', 'Nothing found'],
  dayLate: ['hari terlambat', 'day late'],
  correctVisit: ['Koreksi kunjungan', 'Correct the visit'],
  correct: ['Koreksi', 'Correct'],
  voidVisit: ['Batalkan kunjungan', 'Void the visit'],
  correctionReason: ['Alasan koreksi', 'Reason for the correction'],
  voidReason: ['Alasan pembatalan', 'Reason for voiding'],
  voided: ['Dibatalkan', 'Voided'],
  corrected: ['Dikoreksi', 'Corrected'],
  doseGiven: ['diberikan', 'given'],
  doseOverdue: ['terlambat', 'overdue'],
  doseDue: ['waktunya sekarang', 'due now'],
  doseNotYet: ['belum waktunya', 'not yet due'],
  monthsShort: ['bln', 'mo'],
  atAge: ['jadwal umur', 'due at'],
  revoked: ['Perangkat ini sudah dicabut dari server; minta kode pendaftaran baru', 'This device was revoked by the server; ask for a new enrollment code'],
  tokenExpired: ['Pendaftaran perangkat sudah kedaluwarsa; minta kode pendaftaran baru', 'This device’s enrolment has expired; ask for a new enrollment code'],
  schemaVersion: ['Versi aplikasi terlalu lama untuk server ini; perbarui aplikasi', 'This app is too old for the server; update it'],
} satisfies Record<string, Pair>

export type Word = keyof typeof words
export const t = (w: Word) => pick(words[w])

const kinds: Record<TargetKind, Pair> = {
  catin: ['Calon pengantin', 'Bride/groom to be'],
  ibu_hamil: ['Ibu hamil', 'Pregnant woman'],
  nifas: ['Ibu pasca persalinan', 'Postpartum mother'],
  anak: ['Baduta/balita', 'Child under five'],
  krs: ['Keluarga berisiko stunting', 'Family at risk'],
}
const axes: Record<Axis, Pair> = {
  age_months: ['Umur (bulan)', 'Age (months)'],
  length_height_cm: ['Panjang/tinggi badan (cm)', 'Length/height (cm)'],
  length_cm: ['Panjang badan (cm)', 'Length (cm)'],
  height_cm: ['Tinggi badan (cm)', 'Height (cm)'],
  weight_kg: ['Berat badan (kg)', 'Weight (kg)'],
}
const urgencies: Record<Urgency, Pair> = {
  urgent: ['Segera', 'Urgent'],
  high: ['Penting', 'High'],
  medium: ['Sedang', 'Medium'],
  low: ['Rendah', 'Low'],
}
const groups: Record<TargetGroup, Pair> = {
  catin: ['Calon pengantin', 'Bride/groom to be'],
  ibu_hamil: ['Ibu hamil', 'Pregnant woman'],
  nifas: ['Ibu pasca persalinan', 'Postpartum mother'],
  baduta: ['Baduta (0–23 bln)', 'Under two (0–23 mo)'],
  balita: ['Balita (24–59 bln)', 'Under five (24–59 mo)'],
  krs: ['Keluarga berisiko stunting', 'Family at risk'],
}
const phases: Record<EnrolmentPhase['phase'], Pair> = {
  not_started: ['belum mulai', 'not started'],
  active: ['aktif', 'active'],
  wedding_unconfirmed: ['tanggal nikah lewat, belum dikonfirmasi', 'wedding date passed, not confirmed'],
  needs_outcome: ['lewat 45 minggu: catat persalinan atau keguguran', 'past 45 weeks: record the delivery or loss'],
  ended: ['selesai', 'ended'],
}
const flags: Record<RiskFlag, Pair> = {
  anemia: ['Anemia', 'Anaemia'],
  anemia_refer: ['Anemia berat (rujuk)', 'Severe anaemia (refer)'],
  kek: ['KEK (LiLA rendah)', 'Chronic energy deficiency'],
  bmi_under: ['IMT kurang', 'Low BMI'],
  too_young: ['Terlalu muda', 'Too young'],
  too_old: ['Terlalu tua', 'Too old'],
  too_close: ['Jarak kelahiran terlalu dekat', 'Births too close'],
  too_many: ['Anak terlalu banyak', 'Too many children'],
  short_stature: ['Tinggi badan < 145 cm', 'Height < 145 cm'],
  smoker: ['Merokok', 'Smoker'],
  smoke_exposure: ['Terpapar asap rokok', 'Smoke exposure'],
  danger_sign: ['Tanda bahaya', 'Danger sign'],
  high_blood_pressure: ['Tekanan darah tinggi', 'High blood pressure'],
  low_birth_weight: ['BBLR', 'Low birth weight'],
  short_birth_length: ['Panjang lahir pendek', 'Short at birth'],
  stunted: ['Pendek (stunting)', 'Stunted'],
  severely_stunted: ['Sangat pendek', 'Severely stunted'],
  wasted: ['Gizi kurang (wasting)', 'Wasted'],
  severely_wasted: ['Gizi buruk', 'Severely wasted'],
  underweight: ['Berat badan kurang', 'Underweight'],
  severely_underweight: ['Berat badan sangat kurang', 'Severely underweight'],
  overweight: ['Gizi lebih', 'Overweight'],
  obese: ['Obesitas', 'Obese'],
  microcephaly: ['Lingkar kepala kecil', 'Microcephaly'],
  sam: ['LiLA < 11,5 cm (gizi buruk)', 'MUAC < 11.5 cm (SAM)'],
  mam: ['LiLA 11,5–12,5 cm (gizi kurang)', 'MUAC 11.5–12.5 cm (MAM)'],
  oedema: ['Edema', 'Oedema'],
}
const krsCriteria: Record<KrsCriterion, Pair> = {
  unsafe_water: ['Sumber air minum tidak layak', 'Unsafe drinking water'],
  unsafe_latrine: ['Jamban tidak layak', 'Unsafe latrine'],
  wife_too_young: ['Istri terlalu muda', 'Wife too young'],
  wife_too_old: ['Istri terlalu tua', 'Wife too old'],
  births_too_close: ['Jarak kelahiran terlalu dekat', 'Births too close'],
  too_many_children: ['Anak terlalu banyak', 'Too many children'],
  uninhabitable: ['Rumah tidak layak huni', 'Uninhabitable house'],
}
const exitReasons: Record<ExitReason, Pair> = {
  menikah: ['Sudah menikah', 'Married'],
  batal: ['Batal menikah', 'Wedding cancelled'],
  melahirkan: ['Melahirkan', 'Gave birth'],
  keguguran: ['Keguguran', 'Miscarriage'],
  meninggal: ['Meninggal', 'Died'],
  pindah: ['Pindah', 'Moved away'],
  selesai: ['Selesai', 'Completed'],
  tidak_berisiko: ['Tidak berisiko lagi', 'No longer at risk'],
}
const water: Record<WaterSource, Pair> = {
  air_kemasan: ['Air kemasan', 'Bottled water'],
  air_isi_ulang: ['Air isi ulang', 'Refill water'],
  ledeng: ['Ledeng/PAM', 'Piped water'],
  sumur_bor: ['Sumur bor/pompa', 'Borehole'],
  sumur_terlindung: ['Sumur terlindung', 'Protected well'],
  sumur_tak_terlindung: ['Sumur tak terlindung', 'Unprotected well'],
  mata_air_terlindung: ['Mata air terlindung', 'Protected spring'],
  mata_air_tak_terlindung: ['Mata air tak terlindung', 'Unprotected spring'],
  air_hujan: ['Air hujan', 'Rainwater'],
  air_permukaan: ['Sungai/danau/kolam', 'Surface water'],
  lainnya: ['Lainnya', 'Other'],
}
const latrines: Record<Latrine, Pair> = {
  septic_tank: ['Jamban dengan tangki septik', 'Latrine with septic tank'],
  tanpa_septic_tank: ['Jamban tanpa tangki septik', 'Latrine without septic tank'],
  tidak: ['Tidak ada jamban', 'No latrine'],
}
const relationships: Record<Relationship, Pair> = {
  kepala_keluarga: ['Kepala keluarga', 'Head'],
  istri: ['Istri', 'Wife'],
  suami: ['Suami', 'Husband'],
  anak: ['Anak', 'Child'],
  menantu: ['Menantu', 'Child-in-law'],
  cucu: ['Cucu', 'Grandchild'],
  orang_tua: ['Orang tua', 'Parent'],
  mertua: ['Mertua', 'Parent-in-law'],
  famili_lain: ['Famili lain', 'Other relative'],
  lainnya: ['Lainnya', 'Other'],
}
const sexes: Record<Sex, Pair> = { L: ['Laki-laki', 'Male'], P: ['Perempuan', 'Female'] }
const dangerSigns: Record<DangerSign, Pair> = {
  perdarahan: ['Perdarahan', 'Bleeding'],
  demam: ['Demam', 'Fever'],
  bengkak_kaki_tangan_wajah: ['Bengkak kaki, tangan, wajah', 'Swelling'],
  sakit_kepala_berat: ['Sakit kepala berat', 'Severe headache'],
  pandangan_kabur: ['Pandangan kabur', 'Blurred vision'],
  kejang: ['Kejang', 'Convulsions'],
  ketuban_pecah_dini: ['Ketuban pecah dini', 'Waters broke early'],
  gerakan_janin_berkurang: ['Gerakan janin berkurang', 'Less foetal movement'],
  muntah_terus_menerus: ['Muntah terus-menerus', 'Constant vomiting'],
  cairan_berbau: ['Keluar cairan berbau', 'Foul discharge'],
  payudara_bengkak: ['Payudara bengkak/merah', 'Swollen breasts'],
  sedih_berlebihan: ['Sedih berlebihan', 'Deep sadness'],
}
const kbpp: Record<KbppMethod, Pair> = {
  iud: ['IUD', 'IUD'], implan: ['Implan', 'Implant'], tubektomi: ['Tubektomi/MOW', 'Tubal ligation'],
  suntik: ['Suntik', 'Injection'], pil_mini: ['Pil', 'Pill'], mal: ['MAL', 'LAM'], kondom: ['Kondom', 'Condom'],
  tidak: ['Belum ber-KB', 'None'],
}
const breastfeeding: Record<Breastfeeding, Pair> = {
  eksklusif: ['ASI eksklusif', 'Exclusive'], parsial: ['ASI + lainnya', 'Partial'], tidak: ['Tidak menyusui', 'Not breastfeeding'],
}
const indicators: Record<Indicator, Pair> = {
  length_for_age: ['PB/U atau TB/U', 'Length/height-for-age'],
  weight_for_age: ['BB/U', 'Weight-for-age'],
  weight_for_lenhei: ['BB/PB atau BB/TB', 'Weight-for-length/height'],
  bmi_for_age: ['IMT/U', 'BMI-for-age'],
  head_for_age: ['Lingkar kepala/U', 'Head circumference-for-age'],
  arm_for_age: ['LiLA/U', 'Arm circumference-for-age'],
}

/** An age as a cadre says it: "3 th 2 bl", "17 bl", "12 hr" / "3 y 2 mo", "17 mo", "12 d". */
function age(a: Age): string {
  const [y, m, d] = lang.current === 'id' ? ['th', 'bl', 'hr'] : ['y', 'mo', 'd']
  if (a.months < 0) return '–'
  if (a.months === 0) return `${a.days} ${d}`
  if (a.months < 24) return `${a.months} ${m}`
  const years = Math.floor(a.months / 12)
  return a.months % 12 === 0 ? `${years} ${y}` : `${years} ${y} ${a.months % 12} ${m}`
}

export const label = {
  age,
  axis: (a: Axis) => pick(axes[a]),
  urgency: (u: Urgency) => pick(urgencies[u]),
  group: (g: TargetGroup) => pick(groups[g]),
  phase: (p: EnrolmentPhase) => pick(phases[p.phase]),
  kind: (k: TargetKind) => pick(kinds[k]),
  flag: (f: RiskFlag) => pick(flags[f]),
  krs: (c: KrsCriterion) => pick(krsCriteria[c]),
  exit: (r: ExitReason) => pick(exitReasons[r]),
  water: (w: WaterSource) => pick(water[w]),
  latrine: (l: Latrine) => pick(latrines[l]),
  relationship: (r: Relationship) => pick(relationships[r]),
  sex: (s: Sex) => pick(sexes[s]),
  danger: (d: DangerSign) => pick(dangerSigns[d]),
  kbpp: (k: KbppMethod) => pick(kbpp[k]),
  breastfeeding: (b: Breastfeeding) => pick(breastfeeding[b]),
  indicator: (i: Indicator) => pick(indicators[i]),
}

export const options = {
  water: Object.keys(water) as WaterSource[],
  latrine: Object.keys(latrines) as Latrine[],
  relationship: Object.keys(relationships) as Relationship[],
  sex: Object.keys(sexes) as Sex[],
  danger: Object.keys(dangerSigns) as DangerSign[],
  kbpp: Object.keys(kbpp) as KbppMethod[],
  breastfeeding: Object.keys(breastfeeding) as Breastfeeding[],
  kind: Object.keys(kinds) as TargetKind[],
}

/** A field's name as the messages say it, for a local "not a number" message. */
export function problemText(p: { message_id: string; message_en: string }) {
  return lang.current === 'id' ? p.message_id : p.message_en
}
