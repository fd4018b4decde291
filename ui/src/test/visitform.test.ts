// The visit form as a cadre types into it: dates cleared and mistyped, an ANC row added,
// a late dose ticked. Rust is mocked; what it is sent is what is checked.
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it } from 'vitest'
import type { AppError, Visit } from '../api/types'
import { parseDate, setToday } from '../lib/format'
import VisitForm from '../screens/VisitForm.svelte'

afterEach(() => {
  cleanup()
  clearMocks()
})

const base = { id: '00000000-0000-0000-0000-000000000000', enrolment_id: 'e1', person_id: 'p1', household_id: 'h1', area_code: '3602012002', visit_date: '2026-12-07', correction_reason: null, recorded_by: null }
const services = { kie: false, referral: false, referral_completed: false, bansos: false }
const child = (): Visit => ({
  ...base,
  data: { kind: 'anak', weight_kg: null, lenhei_cm: null, measure: null, headc_cm: null, muac_cm: null, oedema: false, exclusive_bf: null, mpasi: null, immunisations: [], vitamin_a: false, illness: null, services },
})
const pregnant = (): Visit => ({
  ...base,
  data: { kind: 'ibu_hamil', weight_kg: null, lila_cm: null, hb: null, hb_date: null, systolic: null, diastolic: null, ttd_total: null, anc: [], danger_signs: [], smoke_exposure: false, services },
})
const dose = (code: string, status: 'overdue' | 'due') => ({ code, name: code.toUpperCase(), age_months: 2, basic: true, status })
const fine = (v: Visit) => ({
  id: v.id, next_due: '2027-01-07', advice: [],
  assessment: {
    // Like Rust on a second visit the same day: a warning about the date.
    problems: [{ code: 'same_day_visit', field: 'visit_date', severity: 'warning', message_id: 'Sudah ada kunjungan pada tanggal ini', message_en: 'x' }],
    missing: [], results: { rules_version: '1', tables_version: '1', indicators: [], flags: [] },
  },
})

/** Every preview and save Rust was asked for, with what it was sent. */
function mount(visit: Visit) {
  const sent: { cmd: string; visit: Visit }[] = []
  mockIPC((cmd, args) => {
    if (cmd === 'new_visit') return { visit, danger_signs: [], birth_date: '2026-09-01', immunisations: [dose('dpt1', 'overdue'), dose('polio2', 'due')] }
    const v = (args as { visit: Visit }).visit
    // Rust's own door refuses a null date, as the real command would (never reached here).
    const dates = JSON.stringify(v).includes('"date":null') || v.visit_date === null
    if (dates) throw { code: 'invalid', message: 'Isian tidak valid', message_en: 'Not a valid entry', field: 'data', problems: [] } satisfies AppError
    sent.push({ cmd, visit: v })
    if (cmd === 'preview_visit' || cmd === 'save_visit') return fine(v)
  })
  render(VisitForm, { enrolmentId: 'e1', personId: 'p1' })
  return sent
}
const saveButton = () => screen.getByRole('button', { name: 'Simpan' }) as HTMLButtonElement
const field = (name: string) => document.querySelector(`[data-field=${name}]`)!
const input = (name: string) => document.querySelector(`input[name="${name}"]`) as HTMLInputElement

describe('dates as cadres type them', () => {
  it('reads a two-digit year and refuses a day that does not exist', () => {
    setToday('2026-12-07')
    expect(parseDate('7/12/26')).toBe('2026-12-07')
    expect(parseDate('3/5/95')).toBe('1995-05-03')
    expect(parseDate('31/11/2026')).toBeUndefined()
    expect(parseDate('')).toBeNull()
  })

  it('names an emptied visit date under its field, blocks saving, and lets go once fixed', async () => {
    setToday('2026-12-07')
    const sent = mount(child())
    await waitFor(() => expect(sent.length).toBeGreaterThan(0))
    const date = input('visit_date')
    await fireEvent.input(date, { target: { value: '' } })
    await waitFor(() => expect(field('visit_date').textContent).toContain('Tanggal kunjungan kosong atau tidak valid'))
    // The last preview's word about the date (another visit that day) went with the date.
    expect(field('visit_date').querySelector('[data-problem=same_day_visit]')).toBeNull()
    expect(saveButton().disabled).toBe(true)
    await fireEvent.input(date, { target: { value: '31/11/2026' } })
    expect(saveButton().disabled).toBe(true)
    await fireEvent.input(date, { target: { value: '6/12/26' } })
    await waitFor(() => expect(saveButton().disabled).toBe(false))
    // The message goes once the hands are still (it waits half a second, as it came).
    await waitFor(() => expect(field('visit_date').textContent).not.toContain('kosong'))
    await waitFor(() => expect(sent.at(-1)?.visit.visit_date).toBe('2026-12-06'))
    // No banner at the top at any time: Rust was never sent a date it cannot read.
    expect(document.querySelector('p.msg.error[role=alert]')).toBeNull()
  })
})

describe('immunisations', () => {
  it('asks when a late dose was given, and a cleared dose date is named, never sent as null', async () => {
    setToday('2026-12-07')
    const sent = mount(child())
    await waitFor(() => expect(sent.length).toBeGreaterThan(0))
    await fireEvent.click(input('dose-dpt1'))
    // Late: not dated today without a question.
    expect(document.querySelector('[data-dose=dpt1] [data-ask-date]')).toBeTruthy()
    await waitFor(() => expect(field('immunisations').textContent).toContain('Tanggal pemberian DPT1 kosong atau tidak valid'))
    expect(saveButton().disabled).toBe(true)
    await fireEvent.click(screen.getByRole('button', { name: 'Pada hari kunjungan' }))
    await waitFor(() => expect(saveButton().disabled).toBe(false))

    // Due now: dated on the visit's day; cleared, it stops saving with the dose named.
    await fireEvent.click(input('dose-polio2'))
    expect(input('dose-date-polio2').value).toBe('07/12/2026')
    await fireEvent.input(input('dose-date-polio2'), { target: { value: '' } })
    await waitFor(() => expect(field('immunisations').textContent).toContain('POLIO2'))
    expect(saveButton().disabled).toBe(true)
    await fireEvent.input(input('dose-date-polio2'), { target: { value: '1/12/2026' } })
    await waitFor(() => expect(saveButton().disabled).toBe(false))
    await fireEvent.click(saveButton())
    await waitFor(() => expect(sent.some((s) => s.cmd === 'save_visit')).toBe(true))
    const saved = sent.find((s) => s.cmd === 'save_visit')!.visit.data as { immunisations: unknown }
    expect(saved.immunisations).toEqual([{ vaccine: 'dpt1', date: '2026-12-07' }, { vaccine: 'polio2', date: '2026-12-01' }])
    expect(document.querySelector('p.msg.error[role=alert]')).toBeNull()
  })
})

describe('ANC contacts', () => {
  it('saves the row on screen without a second tap, and a row without a date stops saving', async () => {
    setToday('2026-12-07')
    const sent = mount(pregnant())
    await waitFor(() => expect(sent.length).toBeGreaterThan(0))
    // Nothing looks entered before the cadre adds a contact.
    expect(document.querySelector('[data-anc-row]')).toBeNull()
    await fireEvent.click(document.querySelector('button[name=add-anc]')!)
    expect(input('anc_date_0').value).toBe('07/12/2026')
    await fireEvent.change(document.querySelector('select[name=anc_provider_0]')!, { target: { value: 'puskesmas' } })
    await fireEvent.input(input('anc_date_0'), { target: { value: '' } })
    await waitFor(() => expect(field('anc').textContent).toContain('Kontak ANC 1'))
    expect(saveButton().disabled).toBe(true)
    await fireEvent.input(input('anc_date_0'), { target: { value: '5/12/2026' } })
    await waitFor(() => expect(saveButton().disabled).toBe(false))
    await fireEvent.click(saveButton())
    await waitFor(() => expect(sent.some((s) => s.cmd === 'save_visit')).toBe(true))
    const saved = sent.find((s) => s.cmd === 'save_visit')!.visit.data as { anc: unknown }
    expect(saved.anc).toEqual([{ date: '2026-12-05', provider: 'puskesmas' }])
  })
})

describe('a refusal from Rust', () => {
  it('is said under its field and goes with the next good preview', async () => {
    setToday('2026-12-07')
    let refuse = true
    mockIPC((cmd, args) => {
      if (cmd === 'new_visit') return { visit: child(), danger_signs: [], birth_date: '2026-09-01', immunisations: [] }
      if (cmd === 'preview_visit') {
        if (refuse) throw { code: 'invalid', message: 'Harus berupa angka', message_en: 'Must be a number', field: 'weight_kg', problems: [] } satisfies AppError
        return fine((args as { visit: Visit }).visit)
      }
    })
    render(VisitForm, { enrolmentId: 'e1', personId: 'p1' })
    await waitFor(() => expect(field('weight_kg').textContent).toContain('Harus berupa angka'))
    expect(saveButton().disabled).toBe(true)
    refuse = false
    await fireEvent.input(input('weight_kg'), { target: { value: '5' } })
    await waitFor(() => expect(field('weight_kg').textContent).not.toContain('Harus berupa angka'))
    expect(saveButton().disabled).toBe(false)
  })
})

describe('a visit from before the enrolment', () => {
  it('offers to start the enrolment from the visit, then checks the form again', async () => {
    setToday('2026-12-07')
    let start = '2026-12-07'
    const asked: unknown[] = []
    mockIPC((cmd, args) => {
      if (cmd === 'new_visit') return { visit: child(), danger_signs: [], birth_date: '2026-09-01', immunisations: [] }
      if (cmd === 'start_enrolment_earlier') {
        asked.push(args)
        start = (args as { date: string }).date
        return { id: 'e1', hlc: 'x' }
      }
      if (cmd === 'preview_visit') {
        const v = (args as { visit: Visit }).visit
        const p = fine(v)
        p.assessment.problems = v.visit_date! < start
          ? [{ code: 'before_enrolment', field: 'visit_date', severity: 'error', message_id: 'Tanggal kunjungan tidak boleh sebelum tanggal mulai pendampingan (7 Desember 2026)', message_en: 'x' }]
          : []
        return p
      }
    })
    render(VisitForm, { enrolmentId: 'e1', personId: 'p1' })
    await fireEvent.input(await screen.findByRole('textbox', { name: /Tanggal kunjungan/ }), { target: { value: '30/11/2026' } })
    const button = await screen.findByRole('button', { name: /Mulai pendampingan sejak/ }, { timeout: 2000 })
    expect(button.textContent).toContain('30')
    expect(field('visit_date').textContent).toContain('sebelum tanggal mulai')
    await fireEvent.click(button)
    expect(asked).toEqual([{ id: 'e1', date: '2026-11-30' }])
    await waitFor(() => expect(field('visit_date').textContent).not.toContain('sebelum tanggal mulai'), { timeout: 2000 })
    expect(screen.queryByRole('button', { name: /Mulai pendampingan sejak/ })).toBeNull()
    expect(saveButton().disabled).toBe(false)
  })
})

describe('nothing moves under a finger', () => {
  it('says nothing of a half-typed value, and names a wrong one once the hands are still', async () => {
    setToday('2026-12-07')
    mockIPC((cmd, args) => {
      if (cmd === 'new_visit') return { visit: child(), danger_signs: [], birth_date: '2026-09-01', immunisations: [] }
      if (cmd === 'preview_visit') {
        const v = (args as { visit: Visit }).visit
        const len = v.data.kind === 'anak' ? v.data.lenhei_cm : null
        const p = fine(v)
        if (len !== null && len < 38)
          p.assessment.problems = [{ code: 'out_of_range', field: 'lenhei_cm', severity: 'error', message_id: `Panjang ${len} cm di luar batas`, message_en: 'x' }] as never
        return p
      }
    })
    render(VisitForm, { enrolmentId: 'e1', personId: 'p1' })
    const length = await screen.findByRole('textbox', { name: /Panjang/ })
    // "7" on the way to "71,5": the preview refuses 7 cm, but nothing is shown while typing.
    await fireEvent.input(length, { target: { value: '7' } })
    await new Promise((r) => setTimeout(r, 300))
    expect(field('lenhei_cm').querySelector('.msg')).toBeNull()
    expect(saveButton().disabled).toBe(true)
    await fireEvent.input(length, { target: { value: '71,5' } })
    await new Promise((r) => setTimeout(r, 700))
    expect(field('lenhei_cm').querySelector('.msg')).toBeNull()
    // Left at 7: named once the hands are still.
    await fireEvent.input(length, { target: { value: '7' } })
    await waitFor(() => expect(field('lenhei_cm').textContent).toContain('Panjang 7 cm di luar batas'))
  })
})
