// What a visit recorded besides its measures, as the timeline says it: ANC contacts, doses
// given, danger signs, illness, services… every item of the visit's form that holds
// something, named as the form names it (lib/visitFields, the catalogue's words).
import type { AncContact, Breastfeeding, DangerSign, Dose, Immunisation, KbppMethod, VisitData } from '../api/types'
import { fmtDate, fmtNum } from './format'
import { label, lang, t } from './i18n.svelte'
import { serviceFields, visitFields, type FieldSpec } from './visitFields'

/** Shown on the timeline's first line with their units (weight, length, MUAC, Hb, BP). */
export const MEASURES = ['weight_kg', 'lenhei_cm', 'height_cm', 'lila_cm', 'muac_cm', 'hb', 'systolic', 'diastolic', 'measure']

const said = (s: FieldSpec) => (lang.current === 'id' ? s.id : s.en)

function item(s: FieldSpec, v: unknown, doses: Dose[]): string | null {
  if (v === null || v === undefined || v === '' || v === false) return null
  if (Array.isArray(v) && v.length === 0) return null
  switch (s.type) {
    case 'bool':
      return said(s)
    case 'tri':
      return `${said(s)}: ${t(v ? 'yes' : 'no')}`
    case 'num':
      return `${said(s)} ${fmtNum(v as number)}${s.unit ? ` ${s.unit}` : ''}`
    case 'int':
      return `${said(s)}: ${v}`
    case 'text':
      return `${said(s)}: ${v}`
    case 'date':
      return `${said(s)}: ${fmtDate(v as string)}`
    case 'danger':
      return `${said(s)}: ${(v as DangerSign[]).map(label.danger).join(', ')}`
    case 'kbpp':
      return `${said(s)}: ${label.kbpp(v as KbppMethod)}`
    case 'breastfeeding':
      return `${said(s)}: ${label.breastfeeding(v as Breastfeeding)}`
    case 'anc':
      return `${said(s)}: ${(v as AncContact[]).map((c) => `${fmtDate(c.date)} (${label.ancProvider(c.provider)})`).join(', ')}`
    case 'immunisations':
      return `${said(s)}: ${(v as Immunisation[])
        .map((i) => {
          const dose = doses.find((d) => d.code === i.vaccine)
          return `${dose ? label.dose(dose) : i.vaccine} ${fmtDate(i.date)}`
        })
        .join(', ')}`
    default:
      return null
  }
}

/** Each thing the visit recorded beyond its measures, one phrase each, in the form's order. */
export function recorded(data: VisitData, doses: Dose[]): string[] {
  const d = data as unknown as Record<string, unknown>
  const services = (d.services ?? {}) as Record<string, unknown>
  return [
    ...visitFields[data.kind].filter((s) => !MEASURES.includes(s.key)).map((s) => item(s, d[s.key], doses)),
    ...serviceFields.map((s) => item(s, services[s.key], doses)),
  ].filter((x): x is string => x !== null)
}
