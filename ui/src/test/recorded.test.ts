// The timeline says everything a visit recorded, not only its measures.
import { afterEach, describe, expect, it } from 'vitest'
import type { Dose, VisitData } from '../api/types'
import { setLang } from '../lib/i18n.svelte'
import { recorded } from '../lib/recorded'

afterEach(() => setLang('id'))

const services = { kie: false, referral: true, referral_completed: false, bansos: false }
const doses: Dose[] = [
  { code: 'polio1', name: 'Polio tetes (OPV) 1', name_en: 'Oral polio (OPV) 1', age_months: 1, basic: true },
  { code: 'bcg', name: 'BCG', age_months: 1, basic: true },
]

describe('what a visit recorded', () => {
  it('names ANC contacts, danger signs, iron tablets and a referral, and leaves out the measures', () => {
    const pregnant: VisitData = {
      kind: 'ibu_hamil', weight_kg: 60, lila_cm: 22, hb: 10.5, hb_date: null, systolic: 145, diastolic: 95, ttd_total: 30,
      anc: [{ date: '2026-12-01', provider: 'bidan' }, { date: '2026-12-05', provider: 'puskesmas' }],
      danger_signs: [], smoke_exposure: false, services,
    }
    const said = recorded(pregnant, doses)
    expect(said).toEqual([
      'TTD diminum (total): 30',
      'Kontak ANC sejak kunjungan lalu: 1 Desember 2026 (Bidan), 5 Desember 2026 (Puskesmas)',
      'Dirujuk',
    ])
  })

  it('names the doses given by the schedule, in English where it has an English name', () => {
    setLang('en')
    const child: VisitData = {
      kind: 'anak', weight_kg: 8, lenhei_cm: 70, measure: null, headc_cm: null, muac_cm: null, oedema: false,
      exclusive_bf: null, mpasi: true, vitamin_a: true, illness: 'Diare 2 hari',
      immunisations: [{ vaccine: 'polio1', date: '2026-11-02' }, { vaccine: 'bcg', date: '2026-11-02' }, { vaccine: 'xyz', date: '2026-11-03' }],
      services: { ...services, referral: false },
    }
    const said = recorded(child, doses)
    expect(said).toEqual([
      'Complementary feeding: Yes',
      'Immunisations: Oral polio (OPV) 1 2 November 2026, BCG 2 November 2026, xyz 3 November 2026',
      'Vitamin A',
      'Illness: Diare 2 hari',
    ])
  })
})
