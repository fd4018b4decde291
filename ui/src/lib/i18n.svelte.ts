// Bahasa Indonesia first, English second. The names of the domain's codes come from the one
// catalogue in Rust (pendamping_core::catalogue), generated into api/words.ts: the screens,
// the sheets, the dashboard and the command line say the same words.
import type {
  Age, AncProvider, Axis, Band, Breastfeeding, DangerSign, DeliveryMode, EnrolmentPhase, Entity, ExitReason, Indicator, KbppMethod, KrsCriterion, Lang, Latrine, NameList, RejectCode,
  Relationship, RiskFlag, Sex, TargetGroup, TargetKind, Urgency, WaterSource,
} from '../api/types'
import * as catalogue from '../api/words'
import type { FieldName, Pair } from '../api/words'

export type { Lang }

export const lang = $state({ current: (localStorage.getItem('lang') as Lang) || 'id' })

export function setLang(l: Lang) {
  lang.current = l
  localStorage.setItem('lang', l)
}

const pick = (p: Pair) => (lang.current === 'id' ? p[0] : p[1])

const words = {
  app: ['Pendamping', 'Pendamping'],
  firstMember: ['Anggota TPK pertama di perangkat ini', 'The first TPK member on this device'],
  firstMemberIntro: [
    'Data keluarga di perangkat ini dikunci (dienkripsi) dengan PIN Anda. Tiap anggota tim punya PIN sendiri.',
    "The families' data on this device is locked (encrypted) with your PIN. Each team member has their own PIN.",
  ],
  firstMemberPlain: [
    'Data yang sudah ada di perangkat ini akan dikunci (dienkripsi) dengan PIN Anda. Tidak ada data yang hilang.',
    'The data already on this device will be locked (encrypted) with your PIN. Nothing is lost.',
  ],
  memberName: ['Nama anggota', "Member's name"],
  pin: ['PIN', 'PIN'],
  pinNew: ['PIN baru', 'New PIN'],
  pinAgain: ['Ulangi PIN', 'PIN again'],
  digits: ['digit', 'digits'],
  encrypting: ['Mengunci data…', 'Locking the data…'],
  saveAndEnter: ['Simpan dan masuk', 'Save and enter'],
  whoIsHere: ['Siapa yang memakai perangkat ini?', 'Who is using this device?'],
  pinErased: ['PIN dihapus: pulihkan', 'PIN erased: recover'],
  pinWait: ['Terlalu banyak PIN salah. Coba lagi dalam', 'Too many wrong PINs. Try again in'],
  enter: ['Masuk', 'Enter'],
  forgotPin: ['Lupa PIN?', 'Forgot your PIN?'],
  recoverPin: ['Pulihkan PIN', 'Recover the PIN'],
  recoverIntro: [
    'Hubungi admin atau PLKB. Setelah memastikan identitas Anda, admin membuat kode pemulihan untuk ID perangkat di bawah ini. Data yang belum terkirim tetap aman.',
    'Call the admin or the PLKB. Once they have checked who you are, they make a recovery code for the device ID below. Data not yet sent stays safe.',
  ],
  deviceId: ['ID perangkat', 'Device ID'],
  recoveryCode: ['Kode pemulihan', 'Recovery code'],
  recoveryCodeMake: ['Kode pemulihan PIN', 'PIN recovery code'],
  recoveryCodeOnce: [
    'Berikan hanya setelah memastikan sendiri siapa yang meminta. Sekali pakai, berlaku sampai',
    'Give it only once you have checked yourself who is asking. Single use, valid until',
  ],
  recoverAndEnter: ['Pulihkan dan masuk', 'Recover and enter'],
  noRecovery: [
    'Perangkat ini belum terdaftar ke server, jadi PIN tidak dapat dipulihkan. Coba ingat PIN; daftarkan perangkat ke server agar PIN dapat dipulihkan.',
    'This device is not enrolled with a server, so the PIN cannot be recovered. Try to remember it; enrol the device so that a PIN can be recovered.',
  ],
  lock: ['Kunci', 'Lock'],
  recordedBy: ['dicatat oleh', 'recorded by'],
  team: ['Anggota tim di perangkat ini', 'Team members on this device'],
  signedIn: ['sedang masuk', 'signed in'],
  addTeamMember: ['Tambah anggota tim', 'Add a team member'],
  changePin: ['Ganti PIN saya', 'Change my PIN'],
  oldPin: ['PIN lama', 'Old PIN'],
  memberAdded: ['Anggota ditambahkan', 'Member added'],
  pinChanged: ['PIN diganti', 'PIN changed'],
  recoveryReady: ['PIN dapat dipulihkan lewat server', 'A PIN can be recovered through the server'],
  recoveryMissing: ['PIN belum dapat dipulihkan: daftarkan perangkat ke server', 'A PIN cannot be recovered yet: enrol the device with a server'],
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
  waterSource: ['Sumber air minum', 'Drinking water'],
  latrine: ['Jamban', 'Latrine'],
  noNik: ['Belum punya NIK', 'No NIK yet'],
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
  enrolLater: [
    'Daftarkan ke server atau hub PLKB kapan saja: semua yang sudah dicatat di perangkat ini ikut terkirim.',
    'Enrol with a server or PLKB hub at any time: everything recorded on this device is then sent.',
  ],
  month: ['Bulan', 'Month'],
  exportCsv: ['Ekspor CSV', 'Export CSV'],
  exportXlsx: ['Ekspor Excel (XLSX)', 'Export Excel (XLSX)'],
  nameLists: ['Daftar nama', 'Lists with names'],
  exportedTo: ['Tersimpan di folder', 'Saved in the folder'],
  group: ['Sasaran', 'Target'],
  caseload: ['Didampingi akhir bulan', 'Accompanied at month end'],
  caseloadToday: ['Didampingi hari ini', 'Accompanied today'],
  newEnrol: ['Baru didampingi', 'Newly enrolled'],
  exits: ['Selesai didampingi', 'Ended'],
  visited: ['Sasaran dikunjungi', 'Targets visited'],
  visits: ['Jumlah kunjungan', 'Visits'],
  kie: ['KIE', 'Counselling'],
  referrals: ['Rujuk', 'Referred'],
  bansos: ['Bansos', 'Social aid'],
  riskCounts: ['Sasaran dengan faktor risiko', 'Targets with risk factors'],
  krsFamilies: ['Keluarga berisiko stunting (data keluarga)', 'Families at risk (family data)'],
  familiesWithTargets: ['Keluarga dengan sasaran', 'Families with targets'],
  personsVisited: ['Orang dikunjungi', 'People visited'],
  distinctNote: ['Dihitung atas seluruh wilayah, tidak dijumlah per desa: satu keluarga bisa punya beberapa sasaran, dan satu orang bisa terdaftar di dua desa.', 'Counted over the whole area, not summed by village: a family may have several targets, and a person may be registered in two villages.'],
  byVillage: ['Per desa', 'By village'],
  maybeElsewhere: ['NIK orang ini mungkin juga terdaftar di desa lain di kecamatan ini. PLKB akan memeriksa dan menggabungkan bila orangnya sama; catat kunjungan seperti biasa.', "This person's NIK may also be registered in another village of the kecamatan. The PLKB will check and merge them if it is the same person; record visits as usual."],
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
  startFrom: ['Mulai pendampingan sejak', 'Start the enrolment on'],
  editMember: ['Ubah data anggota', 'Correct a member'],
  targetType: ['Jenis sasaran', 'Target type'],
  dueDate: ['perkiraan lahir (HPL)', 'due'],
  accompaniedOfKrs: ['didampingi / semua keluarga KRS', 'accompanied / all KRS families'],
  trimester: ['trimester', 'trimester'],
  household: ['Keluarga', 'Family'],
  people: ['orang', 'people'],
  fix: ['Perbaiki', 'Fix'],
  babyName: ['Nama bayi', 'Baby name'],
  gestAge: ['Usia kehamilan', 'Gestational age'],
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
  dateEmptyOrBad: ['kosong atau tidak valid; tulis hh/bb/tttt', 'is empty or not a valid date; write dd/mm/yyyy'],
  ancContact: ['Kontak ANC', 'ANC contact'],
  ancProvider: ['Pemeriksa', 'Provider'],
  addAncContact: ['Tambah kontak ANC', 'Add an ANC contact'],
  doseDate: ['Tanggal pemberian', 'Date given'],
  whenGiven: ['Kapan diberikan? Isi tanggalnya', 'When was it given? Enter the date'],
  onVisitDay: ['Pada hari kunjungan', 'On the visit day'],
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
  hubTitle: ['Hub PLKB', 'PLKB hub'],
  hubIntro: [
    'Laptop kantor kecamatan melayani tablet kader lewat Wi-Fi kantor, tanpa internet, dan meneruskan datanya ke server pusat setiap kali ada sambungan.',
    'The kecamatan office laptop serves the cadres’ tablets over the office Wi-Fi, with no internet, and forwards their data to the central server whenever it has a connection.',
  ],
  hubOpen: ['Jadikan laptop ini hub PLKB', 'Make this laptop the PLKB hub'],
  hubOpenDetail: ['Untuk laptop kantor PLKB: tablet kader sinkron ke laptop ini.', 'For the PLKB office laptop: the cadres’ tablets sync with this laptop.'],
  hubFor: ['Hub untuk', 'Hub for'],
  centreAddress: ['Alamat server pusat', 'Central server address'],
  plkbCode: ['Kode pendaftaran PLKB (dari admin pusat)', 'PLKB enrollment code (from the central admin)'],
  hubName: ['Nama hub', 'Hub name'],
  hubPort: ['Port', 'Port'],
  hubStart: ['Jalankan hub', 'Start the hub'],
  hubStarting: ['Menjalankan hub…', 'Starting the hub…'],
  hubRunning: ['Hub berjalan untuk', 'The hub is running for'],
  hubAddressTitle: ['Alamat untuk tablet kader', 'Address for the cadres’ tablets'],
  hubAddressHelp: [
    'Di tablet: Daftar ke server, isi alamat ini dan kode pendaftaran dari bawah. Tablet dan laptop harus tersambung ke Wi-Fi kantor yang sama.',
    'On the tablet: Enrol with a server, type this address and an enrollment code from below. Tablet and laptop must be on the same office Wi-Fi.',
  ],
  hubNoNetwork: ['Laptop ini belum tersambung ke jaringan kantor', 'This laptop is not on the office network yet'],
  centre: ['Server pusat', 'Central server'],
  hubUnsent: ['belum dikirim ke pusat', 'not yet sent to the centre'],
  hubHeld: ['dikirim, menunggu pusat', 'sent, awaiting the centre'],
  hubConfirmed: ['sudah di pusat', 'at the centre'],
  hubRefused: ['ditolak pusat', 'refused by the centre'],
  hubRelayNow: ['Kirim ke pusat sekarang', 'Send to the centre now'],
  hubAfterRestart: [
    'Data hub tersandi dengan kunci laptop ini. Setelah laptop dinyalakan ulang, hub berjalan lagi begitu seseorang masuk dengan PIN.',
    'The hub’s data is encrypted under this laptop’s key. After the laptop restarts, the hub runs again as soon as someone logs in with their PIN.',
  ],
  hubStop: ['Hentikan hub', 'Stop the hub'],
  hubStopTitle: ['Hentikan hub PLKB?', 'Stop the PLKB hub?'],
  hubStopDetail: [
    'Tablet kader tidak dapat sinkron ke laptop ini sampai hub dijalankan lagi. Data hub tetap tersimpan.',
    'The cadres’ tablets cannot sync with this laptop until the hub runs again. The hub’s data is kept.',
  ],
  keepHub: ['Tetap jalankan', 'Keep it running'],
  hubCodeTitle: ['Kode pendaftaran tablet kader', 'Enrollment code for a cadre’s tablet'],
  cadreName: ['Nama kader pemegang tablet', 'Name of the cadre holding the tablet'],
  villagesOfTablet: ['Desa tablet ini', 'This tablet’s villages'],
  makeCode: ['Buat kode', 'Make a code'],
  codeOnce: ['Sekali pakai; berlaku sampai', 'Single use; valid until'],
  hubDevices: ['Perangkat terdaftar', 'Enrolled devices'],
  hubFingerprint: ['Sidik jari sertifikat hub', 'The hub’s certificate fingerprint'],
  hubFingerprintHelp: [
    'Tablet akan menampilkan kode yang sama saat pertama kali tersambung: kader mencocokkannya dengan kode ini.',
    'A tablet shows the same code when it first connects: the cadre compares it with this one.',
  ],
  untrustedServer: [
    'Sertifikat server tidak dipercaya: tidak ada data yang dikirim. Periksa alamat server, atau hubungi admin.',
    'The server’s certificate is not trusted: nothing was sent. Check the server’s address, or call the admin.',
  ],
  hubCertTitle: ['Cocokkan sertifikat hub', 'Match the hub’s certificate'],
  hubCertIntro: [
    'Tablet ini belum mengenal hub di alamat ini. Cocokkan kode di bawah dengan "Sidik jari sertifikat hub" di layar hub PLKB (laptop kantor kecamatan).',
    'This tablet does not know the hub at this address yet. Compare the code below with "The hub’s certificate fingerprint" on the PLKB hub’s screen (the kecamatan office laptop).',
  ],
  hubCertMatches: ['Sama persis: percayai hub ini', 'Exactly the same: trust this hub'],
  hubCertDiffers: ['Berbeda', 'Different'],
  hubCertRefused: [
    'Jangan lanjutkan: bisa jadi ini bukan hub PLKB Anda. Hubungi PLKB.',
    'Do not go on: this may not be your PLKB hub. Call the PLKB.',
  ],
  revokedShort: ['dicabut', 'revoked'],
  rows: ['baris', 'rows'],
  keepVisit: ['Tidak jadi', 'Keep the visit'],
  voidNeedsReason: ['Tulis alasan pembatalan dulu; kunjungan tetap tersimpan sampai dibatalkan.', 'Write the reason first; the visit stays until it is voided.'],
  correctionNeedsReason: ['Tulis alasan koreksi untuk menyimpan.', 'Write the reason for the correction to save.'],
  runningMonth: ['Bulan berjalan, belum sebulan penuh: dihitung sampai hari ini,', 'The month is still running: counted to today,'],
  tpkHere: ['TPK tim ini di', 'This team’s TPK in'],
  tpkName: ['Nama atau nomor TPK', 'TPK name or number'],
  tpkHint: ['Keluarga dan sasaran yang dicatat mulai sekarang masuk rekap TPK ini', 'Families and targets recorded from now on are counted under this TPK'],
  changeTpk: ['Ubah TPK', 'Change the TPK'],
  tpkSaved: ['TPK disimpan', 'TPK saved'],
} satisfies Record<string, Pair>

export type Word = keyof typeof words
export const t = (w: Word) => pick(words[w])
/** A word in a given language (a problem carries both of its messages). */
export const tr = (w: Word, l: 'id' | 'en') => words[w][l === 'id' ? 0 : 1]

const axes: Record<Axis, Pair> = {
  age_months: ['Umur (bulan)', 'Age (months)'],
  length_height_cm: ['Panjang/tinggi badan (cm)', 'Length/height (cm)'],
  length_cm: ['Panjang badan (cm)', 'Length (cm)'],
  height_cm: ['Tinggi badan (cm)', 'Height (cm)'],
  weight_kg: ['Berat badan (kg)', 'Weight (kg)'],
}
const phases: Record<EnrolmentPhase['phase'], Pair> = {
  not_started: ['belum mulai', 'not started'],
  active: ['aktif', 'active'],
  wedding_unconfirmed: ['tanggal nikah lewat, belum dikonfirmasi', 'wedding date passed, not confirmed'],
  needs_outcome: ['lewat 45 minggu: catat persalinan atau keguguran', 'past 45 weeks: record the delivery or loss'],
  ended: ['selesai', 'ended'],
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
  urgency: (u: Urgency) => pick(catalogue.urgencies[u]),
  group: (g: TargetGroup) => pick(catalogue.targetGroups[g]),
  nameList: (l: NameList) => pick(catalogue.nameLists[l]),
  listHolds: (l: NameList) => pick(catalogue.listHolds[l]),
  personalData: () => pick(catalogue.personalData),
  phase: (p: EnrolmentPhase) => pick(phases[p.phase]),
  kind: (k: TargetKind) => pick(catalogue.targetKinds[k]),
  flag: (f: RiskFlag) => pick(catalogue.riskFlags[f]),
  krs: (c: KrsCriterion) => pick(catalogue.krsCriteria[c]),
  exit: (r: ExitReason) => pick(catalogue.exitReasons[r]),
  water: (w: WaterSource) => pick(catalogue.waterSources[w]),
  latrine: (l: Latrine) => pick(catalogue.latrines[l]),
  relationship: (r: Relationship) => pick(catalogue.relationships[r]),
  sex: (s: Sex) => pick(catalogue.sexes[s]),
  danger: (d: DangerSign) => pick(catalogue.dangerSigns[d]),
  kbpp: (k: KbppMethod) => pick(catalogue.kbppMethods[k]),
  breastfeeding: (b: Breastfeeding) => pick(catalogue.breastfeeding[b]),
  indicator: (i: Indicator) => pick(catalogue.growthIndicators[i]),
  entity: (e: Entity) => pick(catalogue.entities[e]),
  deliveryMode: (m: DeliveryMode) => pick(catalogue.deliveryModes[m]),
  ancProvider: (p: AncProvider) => pick(catalogue.ancProviders[p]),
  /** A z-score's Permenkes band in the screen's language (older results: their label). */
  band: (r: { band?: Band | null; label: string | null }) => (r.band ? pick(catalogue.bands[r.band]) : r.label),
  /** A dose of the schedule as the rules name it, in English where they give an English name. */
  dose: (d: { name: string; name_en?: string | null }) => (lang.current === 'en' && d.name_en ? d.name_en : d.name),
  rejected: (c: RejectCode) => pick(catalogue.rejectCodes[c]),
}

/** A form field's name, the same the messages use (the catalogue's). */
export const fieldLabel = (k: FieldName) => pick([catalogue.fields[k].id, catalogue.fields[k].en])

/** A form field's name in both languages, `[Indonesian, English]`. */
export const fieldPair = (k: FieldName): [string, string] => [catalogue.fields[k].id, catalogue.fields[k].en]

/** A field named by another party (the server): the catalogue's word when it is one of
 *  ours; nothing for an inner name (`hlc`) a cadre would not know. */
export const fieldName = (raw: string | null) => (raw && raw in catalogue.fields ? fieldLabel(raw as FieldName) : null)

/** A vocabulary's codes in the catalogue's order. */
const codes = <K extends string>(r: Record<K, Pair>) => Object.keys(r) as K[]

export const options = {
  water: codes(catalogue.waterSources),
  latrine: codes(catalogue.latrines),
  relationship: codes(catalogue.relationships),
  sex: codes(catalogue.sexes),
  danger: codes(catalogue.dangerSigns),
  kbpp: codes(catalogue.kbppMethods),
  breastfeeding: codes(catalogue.breastfeeding),
  kind: codes(catalogue.targetKinds),
  deliveryMode: codes(catalogue.deliveryModes),
  ancProvider: codes(catalogue.ancProviders),
}

/** A field's name as the messages say it, for a local "not a number" message. */
export function problemText(p: { message_id: string; message_en: string }) {
  return lang.current === 'id' ? p.message_id : p.message_en
}
