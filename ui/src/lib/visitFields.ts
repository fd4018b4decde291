// The data items of each visit form (DOMAIN.md §2), in the order a cadre asks them.
import type { TargetKind } from '../api/types'

export type FieldType =
  | 'num' | 'int' | 'bool' | 'tri' | 'text' | 'date' | 'danger' | 'kbpp' | 'breastfeeding' | 'measure' | 'anc' | 'immunisations'
/** Whether a field applies, by the child's age in completed months at the visit (§2). */
export type Applies = (ageMonths: number) => boolean
export type FieldSpec = { key: string; type: FieldType; id: string; en: string; unit?: string; applies?: Applies }

const f = (key: string, type: FieldType, id: string, en: string, unit?: string, applies?: Applies): FieldSpec =>
  ({ key, type, id, en, unit, applies })
const under6: Applies = (m) => m < 6
const from6to23: Applies = (m) => m >= 6 && m < 24
const from6: Applies = (m) => m >= 6

const weight = f('weight_kg', 'num', 'Berat badan', 'Weight', 'kg')
const lila = f('lila_cm', 'num', 'LiLA', 'MUAC', 'cm')
const hb = f('hb', 'num', 'Hb', 'Hb', 'g/dL')

export const visitFields: Record<TargetKind, FieldSpec[]> = {
  anak: [
    weight,
    f('lenhei_cm', 'num', 'Panjang/tinggi badan', 'Length/height', 'cm'),
    f('measure', 'measure', 'Posisi pengukuran', 'Measuring position'),
    f('headc_cm', 'num', 'Lingkar kepala', 'Head circumference', 'cm'),
    f('muac_cm', 'num', 'LiLA', 'MUAC', 'cm', from6),
    f('oedema', 'bool', 'Edema kedua kaki', 'Bilateral oedema'),
    f('exclusive_bf', 'tri', 'ASI eksklusif', 'Exclusive breastfeeding', undefined, under6),
    f('mpasi', 'tri', 'MP-ASI sesuai', 'Complementary feeding', undefined, from6to23),
    f('immunisations', 'immunisations', 'Imunisasi', 'Immunisations'),
    f('vitamin_a', 'bool', 'Vitamin A', 'Vitamin A', undefined, from6),
    f('illness', 'text', 'Sakit', 'Illness'),
  ],
  ibu_hamil: [
    weight,
    lila,
    hb,
    f('hb_date', 'date', 'Tanggal periksa Hb', 'Hb test date'),
    f('systolic', 'int', 'Tekanan darah sistolik', 'Systolic', 'mmHg'),
    f('diastolic', 'int', 'Tekanan darah diastolik', 'Diastolic', 'mmHg'),
    f('ttd_total', 'int', 'TTD diminum (total)', 'Iron tablets taken (total)', 'tablet'),
    f('anc', 'anc', 'Kontak ANC sejak kunjungan lalu', 'ANC contacts since the last visit'),
    f('danger_signs', 'danger', 'Tanda bahaya', 'Danger signs'),
    f('smoke_exposure', 'bool', 'Terpapar asap rokok', 'Smoke exposure'),
  ],
  nifas: [
    f('danger_signs', 'danger', 'Tanda bahaya', 'Danger signs'),
    f('breastfeeding', 'breastfeeding', 'Menyusui', 'Breastfeeding'),
    f('kbpp_method', 'kbpp', 'KB pasca persalinan', 'Postpartum contraception'),
    f('kbpp_start', 'date', 'Mulai KB', 'Contraception from'),
    hb,
    lila,
  ],
  catin: [
    weight,
    f('height_cm', 'num', 'Tinggi badan', 'Height', 'cm'),
    lila,
    f('waist_cm', 'num', 'Lingkar perut', 'Waist', 'cm'),
    hb,
    f('smoker', 'bool', 'Merokok', 'Smoker'),
    f('smoke_exposure', 'bool', 'Terpapar asap rokok', 'Smoke exposure'),
    f('ttd_received', 'int', 'TTD diterima', 'Iron tablets received', 'tablet'),
    f('illness', 'text', 'Penyakit', 'Illness'),
    f('pregnancy_plan', 'text', 'Rencana kehamilan', 'Pregnancy plan'),
  ],
  krs: [f('notes', 'text', 'Catatan', 'Notes')],
}

export const serviceFields: FieldSpec[] = [
  f('kie', 'bool', 'KIE/penyuluhan', 'Counselling'),
  f('referral', 'bool', 'Dirujuk', 'Referred'),
  f('referral_completed', 'bool', 'Rujukan selesai', 'Referral completed'),
  f('bansos', 'bool', 'Difasilitasi bansos', 'Helped to social aid'),
]

/** The fields of a form that apply at this age (every field of an adult's form). */
export const fieldsFor = (kind: TargetKind, ageMonths: number | null) =>
  visitFields[kind].filter((s) => !s.applies || ageMonths === null || s.applies(ageMonths))

/** A field's name in the language on screen, for "results need: …". */
export function fieldName(kind: TargetKind, key: string, en = false): string {
  const s = visitFields[kind].find((x) => x.key === key)
  return s ? (en ? s.en : s.id) : key
}
