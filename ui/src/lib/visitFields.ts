// The data items of each visit form (docs/src/design/domain.md §2), in the order a cadre asks them. Their
// names and units are the catalogue's (api/words.ts): the same words the messages use.
import type { TargetKind } from '../api/types'
import { fields, type FieldName } from '../api/words'

export type FieldType =
  | 'num' | 'int' | 'bool' | 'tri' | 'text' | 'date' | 'danger' | 'kbpp' | 'breastfeeding' | 'measure' | 'anc' | 'immunisations'
/** Whether a field applies, by the child's age in completed months at the visit (§2). */
export type Applies = (ageMonths: number) => boolean
export type FieldSpec = { key: FieldName; type: FieldType; id: string; en: string; unit?: string; applies?: Applies }

const f = (key: FieldName, type: FieldType, applies?: Applies): FieldSpec => {
  const w = fields[key]
  return { key, type, id: w.id, en: w.en, unit: w.unit || undefined, applies }
}
const under6: Applies = (m) => m < 6
const from6to23: Applies = (m) => m >= 6 && m < 24
const from6: Applies = (m) => m >= 6

const weight = f('weight_kg', 'num')
const lila = f('lila_cm', 'num')
const hb = f('hb', 'num')

export const visitFields: Record<TargetKind, FieldSpec[]> = {
  anak: [
    weight,
    f('lenhei_cm', 'num'),
    f('measure', 'measure'),
    f('headc_cm', 'num'),
    f('muac_cm', 'num', from6),
    f('oedema', 'bool'),
    f('exclusive_bf', 'tri', under6),
    f('mpasi', 'tri', from6to23),
    f('immunisations', 'immunisations'),
    f('vitamin_a', 'bool', from6),
    f('illness', 'text'),
  ],
  ibu_hamil: [
    weight,
    lila,
    hb,
    f('hb_date', 'date'),
    f('systolic', 'int'),
    f('diastolic', 'int'),
    f('ttd_total', 'int'),
    f('anc', 'anc'),
    f('danger_signs', 'danger'),
    f('smoke_exposure', 'bool'),
  ],
  nifas: [
    f('danger_signs', 'danger'),
    f('breastfeeding', 'breastfeeding'),
    f('kbpp_method', 'kbpp'),
    f('kbpp_start', 'date'),
    hb,
    lila,
  ],
  catin: [
    weight,
    f('height_cm', 'num'),
    lila,
    f('waist_cm', 'num'),
    hb,
    f('smoker', 'bool'),
    f('smoke_exposure', 'bool'),
    f('ttd_received', 'int'),
    f('illness', 'text'),
    f('pregnancy_plan', 'text'),
  ],
  krs: [f('notes', 'text')],
}

export const serviceFields: FieldSpec[] = [
  f('kie', 'bool'),
  f('referral', 'bool'),
  f('referral_completed', 'bool'),
  f('bansos', 'bool'),
]

/** The fields of a form that apply at this age (every field of an adult's form). */
export const fieldsFor = (kind: TargetKind, ageMonths: number | null) =>
  visitFields[kind].filter((s) => !s.applies || ageMonths === null || s.applies(ageMonths))

/** A field's name in the language on screen, for "results need: …". */
export function fieldName(kind: TargetKind, key: string, en = false): string {
  const s = visitFields[kind].find((x) => x.key === key)
  return s ? (en ? s.en : s.id) : key
}
