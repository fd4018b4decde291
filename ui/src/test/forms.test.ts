// The forms checked when saved (household, member, enrolment) as a cadre fills them:
// a refused value said under its field, said once, and gone once the field is edited.
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it } from 'vitest'
import type { AppError, Person } from '../api/types'
import EnrolForm from '../components/EnrolForm.svelte'
import PersonForm from '../components/PersonForm.svelte'
import { setToday } from '../lib/format'
import { setLang } from '../lib/i18n.svelte'
import HouseholdForm from '../screens/HouseholdForm.svelte'

afterEach(() => {
  cleanup()
  clearMocks()
  setLang('id')
})

const field = (name: string) => document.querySelector(`[data-field=${name}]`)!
const input = (name: string) => document.querySelector(`input[name="${name}"]`) as HTMLInputElement
const messages = () => [...document.querySelectorAll('.msg')].map((m) => m.textContent!.trim())

describe('the household form', () => {
  it('says a refused number under its field, not at the foot, and forgets it once edited', async () => {
    const sent: unknown[] = []
    mockIPC((cmd, args) => {
      if (cmd !== 'save_household') return
      sent.push(args)
      // As Rust's door answers a fraction where a whole number goes.
      throw { code: 'invalid', message: 'Harus bilangan bulat', message_en: 'Must be a whole number', field: 'welfare_decile', problems: [] } satisfies AppError
    })
    render(HouseholdForm, {})
    await fireEvent.input(input('head_name'), { target: { value: 'Ahmad' } })
    // Too large for a decile: only Rust's door knows.
    await fireEvent.input(input('welfare_decile'), { target: { value: '300' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Simpan' }))
    await waitFor(() => expect(sent).toHaveLength(1))
    await waitFor(() => expect(messages()).toContain('Perbaiki isian yang ditandai merah'))
    expect(messages().filter((m) => m.includes('bilangan bulat'))).toHaveLength(1)
    expect(field('welfare_decile').textContent).toContain('Harus bilangan bulat')
    await fireEvent.input(input('welfare_decile'), { target: { value: '3' } })
    await waitFor(() => expect(field('welfare_decile').textContent).not.toContain('bilangan bulat'))
    expect(messages()).toEqual([])
  })

  it('says every problem it can see at once, saving nothing', async () => {
    const sent: unknown[] = []
    mockIPC((cmd, args) => void (cmd === 'save_household' && sent.push(args)))
    render(HouseholdForm, {})
    await fireEvent.input(input('welfare_decile'), { target: { value: '2,5' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Simpan' }))
    await waitFor(() => expect(field('welfare_decile').textContent).toContain('harus bilangan bulat'))
    expect(field('head_name').textContent).toContain('wajib diisi')
    expect(sent).toEqual([])
  })

  it('keeps text that is not a number on screen and says so, saving nothing', async () => {
    const sent: unknown[] = []
    mockIPC((cmd, args) => void (cmd === 'save_household' && sent.push(args)))
    render(HouseholdForm, {})
    await fireEvent.input(input('head_name'), { target: { value: 'Ahmad' } })
    await fireEvent.input(input('welfare_decile'), { target: { value: 'tiga' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Simpan' }))
    await waitFor(() => expect(field('welfare_decile').textContent).toContain('bukan angka'))
    expect(input('welfare_decile').value).toBe('tiga')
    expect(sent).toEqual([])
  })
})

describe('the member form', () => {
  const mount = () => {
    const saved: Person[] = []
    mockIPC((cmd, args) => {
      if (cmd === 'check_person') return []
      if (cmd === 'save_person') saved.push((args as { person: Person }).person)
      return { id: 'p1', hlc: 'x' }
    })
    render(PersonForm, { householdId: 'h1', mothers: [], onSaved: () => {}, onCancel: () => {} })
    return saved
  }

  it('names a mistyped birth date once, and an empty one once, in the screen\'s language', async () => {
    setToday('2026-12-07')
    setLang('en')
    const saved = mount()
    await fireEvent.input(input('name'), { target: { value: 'Putri' } })
    await fireEvent.input(input('birth_date'), { target: { value: '31/11/2026' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(field('birth_date').textContent).toContain('not a valid date'))
    expect(field('birth_date').querySelectorAll('.msg')).toHaveLength(1)
    await fireEvent.input(input('birth_date'), { target: { value: '' } })
    await fireEvent.blur(input('birth_date'))
    await waitFor(() => expect(field('birth_date').querySelectorAll('.msg')).toHaveLength(1))
    expect(field('birth_date').textContent).toContain('Date of birth is empty')
    expect(saved).toEqual([])
    await fireEvent.input(input('birth_date'), { target: { value: '3/5/2024' } })
    await waitFor(() => expect(field('birth_date').querySelectorAll('.msg')).toHaveLength(0))
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(saved.map((p) => p.birth_date)).toEqual(['2024-05-03']))
  })
})

describe('correcting a member', () => {
  it('opens with the member as saved and saves the same person, corrected', async () => {
    setToday('2026-12-07')
    const saved: Person[] = []
    mockIPC((cmd, args) => {
      if (cmd === 'check_person') return []
      if (cmd === 'save_person') saved.push((args as { person: Person }).person)
      return { id: 'p9', hlc: 'x' }
    })
    const wife = { id: 'p9', household_id: 'h1', area_code: '3602012002', nik: null, name: 'Nur Aisyah', sex: 'P', birth_date: '2026-12-07', relationship: 'istri', mother_id: null, mother_nik: null, phone: null, merged_into: null } as Person
    render(PersonForm, { householdId: 'h1', mothers: [], person: wife, onSaved: () => {}, onCancel: () => {} })
    expect(input('name').value).toBe('Nur Aisyah')
    expect(input('birth_date').value).toBe('07/12/2026')
    expect((document.querySelector('input[name=no_nik]') as HTMLInputElement).checked).toBe(true)
    await fireEvent.input(input('birth_date'), { target: { value: '7/12/1996' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Simpan' }))
    await waitFor(() => expect(saved).toHaveLength(1))
    expect([saved[0].id, saved[0].name, saved[0].birth_date]).toEqual(['p9', 'Nur Aisyah', '1996-12-07'])
  })
})

describe('the enrolment form', () => {
  const mother = { id: 'p1', household_id: 'h1', area_code: '3602012002', nik: null, name: 'Siti', sex: 'P', birth_date: '1996-04-12', relationship: 'istri', mother_id: null, mother_nik: null, phone: null, merged_into: null } as Person

  it('never saves a number it could not read, and says which', async () => {
    setToday('2026-12-07')
    const sent: unknown[] = []
    mockIPC((cmd, args) => void (cmd === 'enrol' && sent.push(args)))
    render(EnrolForm, { person: mother, onSaved: () => {}, onCancel: () => {} })
    await fireEvent.click(document.querySelector('[data-kind=ibu_hamil]')!)
    await fireEvent.input(input('hpht'), { target: { value: '1/8/2026' } })
    await fireEvent.input(input('gravida'), { target: { value: 'dua' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Simpan' }))
    await waitFor(() => expect(field('gravida').textContent).toContain('bukan angka'))
    expect(sent).toEqual([])
    await fireEvent.input(input('gravida'), { target: { value: '2' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Simpan' }))
    await waitFor(() => expect(sent).toHaveLength(1))
    expect((sent[0] as { details: { gravida: number } }).details.gravida).toBe(2)
  })

  it('asks for the HPHT once when it is left empty', async () => {
    setToday('2026-12-07')
    mockIPC(() => undefined)
    render(EnrolForm, { person: mother, onSaved: () => {}, onCancel: () => {} })
    await fireEvent.click(document.querySelector('[data-kind=ibu_hamil]')!)
    await fireEvent.click(screen.getByRole('button', { name: 'Simpan' }))
    await waitFor(() => expect(field('hpht').querySelectorAll('.msg')).toHaveLength(1))
    expect(field('hpht').textContent).toContain('HPHT kosong')
  })
})
