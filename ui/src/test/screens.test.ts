import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it } from 'vitest'
import type { GrowthChart as Chart, Problem, Visit } from '../api/types'
import GrowthChart from '../components/GrowthChart.svelte'
import SyncBadge from '../components/SyncBadge.svelte'
import FirstRun from '../screens/FirstRun.svelte'
import Recap from '../screens/Recap.svelte'
import SyncScreen from '../screens/SyncScreen.svelte'
import VisitForm from '../screens/VisitForm.svelte'

afterEach(() => {
  cleanup()
  clearMocks()
})

const blankChildVisit = (): Visit => ({
  id: '00000000-0000-0000-0000-000000000000',
  enrolment_id: 'e1', person_id: 'p1', household_id: 'h1', area_code: '3602012002', visit_date: '2026-11-24',
  correction_reason: null,
  recorded_by: null,
  data: {
    kind: 'anak', weight_kg: null, lenhei_cm: null, measure: null, headc_cm: null, muac_cm: null, oedema: false,
    exclusive_bf: null, mpasi: null, immunisations: [], vitamin_a: false, illness: null,
    services: { kie: false, referral: false, referral_completed: false, bansos: false },
  },
})

/** A stand-in for the Rust rules: weight outside 0.5–40 kg is refused. */
function previewOf(v: Visit) {
  const w = v.data.kind === 'anak' ? v.data.weight_kg : null
  const problems: Problem[] =
    w !== null && (w < 0.5 || w > 40)
      ? [{ code: 'out_of_range', field: 'weight_kg', severity: 'error', message_id: `Berat badan ${w} kg di luar batas 0.5–40 kg`, message_en: 'x' }]
      : []
  const stunted = w === 9
  return {
    id: v.id, next_due: problems.length ? null : '2026-12-24',
    assessment: { problems, missing: w === null ? ['weight_kg', 'lenhei_cm'] : [], results: { rules_version: '1', tables_version: '1', indicators: [], flags: stunted ? ['stunted'] : [] } },
    advice: stunted ? [{ flag: 'stunted', urgency: 'high', action_id: 'Rujuk ke puskesmas untuk konfirmasi dan audit kasus stunting', action_en: 'Refer' }] : [],
  }
}
const draft = (v: Visit) => ({ visit: v, danger_signs: [], birth_date: '2025-05-24', immunisations: [] })

describe('visit form', () => {
  it('shows the Indonesian message under the field and blocks saving', async () => {
    const calls: string[] = []
    mockIPC((cmd, args) => {
      calls.push(cmd)
      if (cmd === 'new_visit') return draft(blankChildVisit())
      if (cmd === 'preview_visit') return previewOf((args as { visit: Visit }).visit)
    })
    render(VisitForm, { enrolmentId: 'e1', personId: 'p1' })
    const weight = await screen.findByRole('textbox', { name: /Berat badan/ })
    await fireEvent.input(weight, { target: { value: '95' } })
    const alert = await screen.findByText(/Berat badan 95 kg di luar batas/)
    expect(alert.closest('[data-field]')?.getAttribute('data-field')).toBe('weight_kg')
    expect((screen.getByRole('button', { name: 'Simpan' }) as HTMLButtonElement).disabled).toBe(true)
    expect(calls).not.toContain('save_visit')

    // While the error stands no result is shown: a z-score from 95 kg would be a lie.
    expect(document.querySelector('[data-no-results]')).toBeTruthy()
    expect(document.querySelector('[data-no-flags]')).toBeNull()

    await fireEvent.input(weight, { target: { value: '9' } })
    await screen.findByText('Pendek (stunting)')
    expect((await screen.findByText(/audit kasus stunting/)).closest('[data-urgency]')?.getAttribute('data-urgency')).toBe('high')
    await waitFor(() => expect((screen.getByRole('button', { name: 'Simpan' }) as HTMLButtonElement).disabled).toBe(false))
  })

  it('says what is missing instead of "no risk" on an empty form', async () => {
    mockIPC((cmd, args) => {
      if (cmd === 'new_visit') return draft(blankChildVisit())
      if (cmd === 'preview_visit') return previewOf((args as { visit: Visit }).visit)
    })
    render(VisitForm, { enrolmentId: 'e1', personId: 'p1' })
    expect((await screen.findByText(/Hasil belum lengkap/)).textContent).toContain('Berat badan, Panjang/tinggi badan')
    expect(screen.queryByText('Tidak ada faktor risiko')).toBeNull()
  })

  it('asks only what applies at the age: no exclusive breastfeeding at 17 months', async () => {
    mockIPC((cmd, args) => {
      if (cmd === 'new_visit') return { ...draft(blankChildVisit()), birth_date: '2025-06-20' }
      if (cmd === 'preview_visit') return previewOf((args as { visit: Visit }).visit)
    })
    const { container } = render(VisitForm, { enrolmentId: 'e1', personId: 'p1' })
    await screen.findByRole('textbox', { name: /Berat badan/ })
    expect(container.querySelector('[data-field=exclusive_bf]')).toBeNull()
    expect(container.querySelector('[data-field=mpasi]')).toBeTruthy()
  })

  it('asks before discarding typed values', async () => {
    mockIPC((cmd, args) => {
      if (cmd === 'new_visit') return draft(blankChildVisit())
      if (cmd === 'preview_visit') return previewOf((args as { visit: Visit }).visit)
    })
    const { nav } = await import('../lib/nav.svelte')
    nav.stack = [{ name: 'home' }, { name: 'visit', enrolmentId: 'e1', personId: 'p1' }]
    render(VisitForm, { enrolmentId: 'e1', personId: 'p1' })
    const weight = await screen.findByRole('textbox', { name: /Berat badan/ })
    await fireEvent.input(weight, { target: { value: '9' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Batal' }))
    expect(await screen.findByText('Buang isian yang sudah diketik?')).toBeTruthy()
    expect(nav.stack).toHaveLength(2)
    await fireEvent.click(screen.getByRole('button', { name: 'Lanjut mengisi' }))
    expect((weight as HTMLInputElement).value).toBe('9')
    await fireEvent.click(screen.getByRole('button', { name: 'Batal' }))
    await fireEvent.click(await screen.findByRole('button', { name: 'Buang' }))
    expect(nav.stack).toHaveLength(1)
  })

  it('names a value that is not a number without asking the rules', async () => {
    mockIPC((cmd, args) => {
      if (cmd === 'new_visit') return draft(blankChildVisit())
      if (cmd === 'preview_visit') return previewOf((args as { visit: Visit }).visit)
    })
    render(VisitForm, { enrolmentId: 'e1', personId: 'p1' })
    const length = await screen.findByRole('textbox', { name: /Panjang\/tinggi badan/ })
    await fireEvent.input(length, { target: { value: '7x' } })
    expect(await screen.findByText('Panjang/tinggi badan bukan angka')).toBeTruthy()
  })
})

describe('first run', () => {
  it('works offline with the villages picked from the list', async () => {
    let chosen: unknown = null
    mockIPC((cmd, args) => {
      if (cmd === 'find_villages') return [{ code: '3602012002', dotted: '36.02.01.2002', name: 'Cilangkahan', place: 'Kec. Malingping' }]
      if (cmd === 'work_offline') {
        chosen = (args as { villages: string[] }).villages
        return { configured: true, villages: [], current: '3602012002', mode: 'offline', enrolled: false, server: null, scope: [] }
      }
    })
    let done = false
    render(FirstRun, { onDone: () => (done = true) })
    await fireEvent.input(screen.getByRole('searchbox'), { target: { value: 'Cilangkahan' } })
    await fireEvent.click(await screen.findByText('Cilangkahan'))
    await fireEvent.click(screen.getByRole('button', { name: 'Bekerja tanpa server' }))
    await waitFor(() => expect(done).toBe(true))
    expect(chosen).toEqual(['3602012002'])
  })

  it('shows the server refusal in Indonesian', async () => {
    mockIPC((cmd) => {
      if (cmd === 'enroll') throw { code: 'bad_enrollment_code', message: 'Kode pendaftaran salah; periksa kembali', field: null, problems: [] }
    })
    render(FirstRun, { onDone: () => {} })
    await fireEvent.click(screen.getByRole('button', { name: 'Daftarkan' }))
    expect((await screen.findByRole('alert')).textContent).toContain('Kode pendaftaran salah')
  })
})

describe('offline indicator', () => {
  it('says how the device stands with the server', () => {
    const { container, rerender } = render(SyncBadge, { sync: { state: 'not_enrolled' } })
    expect(container.textContent).toContain('Mode luring')
    rerender({ sync: { state: 'offline', pending: 3, last_success: null, retry_in_ms: 1000 } })
    expect(container.textContent).toContain('Tidak terhubung · 3 menunggu dikirim')
    rerender({ sync: { state: 'syncing', progress: { phase: 'push', done: 50, total: 200, bytes_sent: 0, bytes_received: 0, eta_secs: 12 } } })
    expect(container.querySelector('progress')?.getAttribute('value')).toBe('25')
    rerender({ sync: { state: 'link_dropping', pending: 150, done: 50, total: 200, last_success: null, retry_in_ms: 15000 } })
    expect(container.textContent).toContain('Sambungan putus-putus · 150 menunggu dikirim')
    expect(container.textContent).not.toContain('Tidak terhubung')
  })

  it('speaks English after the switch', async () => {
    const { setLang } = await import('../lib/i18n.svelte')
    const { container } = render(SyncBadge, { sync: { state: 'not_enrolled' } })
    setLang('en')
    await waitFor(() => expect(container.textContent).toContain('Offline mode'))
    setLang('id')
    await waitFor(() => expect(container.textContent).toContain('Mode luring'))
  })
})

describe('sync screen', () => {
  const enrolled = {
    enrolled: true, server: 'http://10.0.0.2:8080', scope: ['3602012002'], scope_titles: ['36.02.01.2002 Cilangkahan'],
    pending: 150, held: 0, last_success: null, conflicts: [], refused: [],
  }
  it('shows what is left and about how long, and says so when the link keeps dropping', async () => {
    mockIPC((cmd) => (cmd === 'sync_screen' ? enrolled : null))
    const progress = { phase: 'push' as const, done: 1200, total: 10364, bytes_sent: 0, bytes_received: 0, eta_secs: 125 }
    const { container, rerender } = render(SyncScreen, { sync: { state: 'syncing', progress } })
    await screen.findByText('Cilangkahan', { exact: false })
    expect(container.querySelector('[data-progress-text]')?.textContent).toBe('↑ 1.200 / 10.364')
    expect(container.querySelector('[data-progress-left]')?.textContent).toBe('sisa 9.164 · kira-kira 2 menit')
    rerender({ sync: { state: 'syncing', progress: { ...progress, eta_secs: 40 } } })
    expect(container.querySelector('[data-progress-left]')?.textContent).toBe('sisa 9.164 · kira-kira 40 detik')
    rerender({ sync: { state: 'link_dropping', pending: 150, done: 10214, total: 10364, last_success: null, retry_in_ms: 15000 } })
    const warning = container.querySelector('[data-error="link_dropping"]')?.textContent ?? ''
    expect(warning).toContain('Sambungan terus terputus')
    expect(warning).toContain('10.214 / 10.364 sudah sampai')
  })
  it('says what the PLKB hub holds for the centre, and only when it holds something', async () => {
    mockIPC((cmd) => (cmd === 'sync_screen' ? { ...enrolled, held: 1309 } : null))
    const { container } = render(SyncScreen, { sync: { state: 'idle', pending: 0, last_success: null } })
    await screen.findByText('Cilangkahan', { exact: false })
    expect(container.querySelector('[data-held-count]')?.textContent).toContain('1.309 sudah di hub PLKB')
    mockIPC((cmd) => (cmd === 'sync_screen' ? enrolled : null))
    const again = render(SyncScreen, { sync: { state: 'idle', pending: 0, last_success: null } })
    await waitFor(() => expect(again.container.textContent).toContain('Cilangkahan'))
    expect(again.container.querySelector('[data-held-count]')).toBeNull()
  })
  it('lets a device that began without a server enrol, then shows it enrolled', async () => {
    const offline = { ...enrolled, enrolled: false, server: null, scope: [], scope_titles: [], pending: 5 }
    let sent: unknown = null
    let now: object = offline
    mockIPC((cmd, args) => {
      if (cmd === 'sync_screen') return now
      if (cmd === 'enroll') {
        sent = args
        now = { ...enrolled, pending: 5 }
        return { configured: true, villages: [], current: '3602012002', mode: 'server', enrolled: true, server: 'http://10.0.0.2:8080', scope: [] }
      }
    })
    const { container } = render(SyncScreen, { sync: { state: 'not_enrolled' } })
    await screen.findByText('Perangkat ini bekerja tanpa server.')
    await fireEvent.input(container.querySelector('input[name=server]')!, { target: { value: 'http://10.0.0.2:8080' } })
    await fireEvent.input(container.querySelector('input[name=code]')!, { target: { value: 'ABCD-EFGH-JKMN' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Daftarkan' }))
    await waitFor(() => expect(container.querySelector('[data-enrol]')).toBeNull())
    expect(sent).toMatchObject({ server: 'http://10.0.0.2:8080', code: 'ABCD-EFGH-JKMN' })
    expect(container.textContent).toContain('Cilangkahan')
  })
})

describe('rekap of a PLKB kecamatan', () => {
  it('has a row per village, and counts people and families over the whole area', async () => {
    const row = { area_code: '', tpk: '', group: null, caseload_end: 0, new_enrolments: 0, exits: {}, visited: 0, visits: 0, flags: {},
      kie: 0, referrals: 0, referrals_completed: 0, bansos: 0, ttd_target_reached: 0, kbpp: {} }
    const krs = (area_code: string, krs_families: number, krs_accompanied: number) => ({ area_code, krs_families, krs_accompanied })
    const distinct = (area_code: string, families_with_targets: number, persons_visited: number) => ({ area_code, families_with_targets, persons_visited })
    const view = {
      month: '2026-11', area_code: '360201', area_title: '36.02.01 Malingping',
      as_of: '2026-11-23', running: true, months: ['2026-11', '2026-10', '2026-09'],
      groups: [{ group: 'baduta', label: 'Baduta', exits: 0, row: { ...row, group: 'baduta', caseload_end: 30, visited: 21, visits: 25 } }],
      krs: krs('', 17, 14), distinct: distinct('360201', 19, 31),
      areas: [
        { area_code: '3602012002', area_title: '36.02.01.2002 Cilangkahan', caseload_end: 20, visited: 14, visits: 17, krs: krs('3602012002', 10, 8), distinct: distinct('3602012002', 12, 20) },
        { area_code: '3602012003', area_title: '36.02.01.2003 Sukamanah', caseload_end: 10, visited: 7, visits: 8, krs: krs('3602012003', 7, 6), distinct: distinct('3602012003', 8, 12) },
      ],
    }
    mockIPC((cmd) => (cmd === 'recap' ? view : null))
    const { container } = render(Recap)
    await screen.findByText('36.02.01.2003 Sukamanah')
    const rows = container.querySelectorAll('[data-areas] tbody tr')
    expect(rows.length).toBe(2)
    expect(rows[0].textContent).toContain('Cilangkahan')
    expect(container.querySelector('[data-distinct]')?.textContent).toContain('Orang dikunjungi: 31')
    expect(container.textContent).toContain('tidak dijumlah per desa')
    // The month still running says to which day it is counted; only months with data are offered.
    expect(container.querySelector('[data-running]')?.textContent).toContain('23 November 2026')
    expect([...container.querySelectorAll('select[name=month] option')].map((o) => o.getAttribute('value'))).toEqual(['2026-11', '2026-10', '2026-09'])
  })
})

describe('growth chart', () => {
  it('draws the five SD curves and marks a point below −2 SD', () => {
    const curve = (z: number) => ({ z, points: [[0, 50 + z * 2], [24, 85 + z * 3]] as [number, number][] })
    const chart: Chart = {
      kind: 'length_for_age', sex: 'P', x_axis: 'age_months', y_axis: 'length_height_cm', x_min: 0, x_max: 24,
      curves: [-3, -2, 0, 2, 3].map(curve),
      points: [
        { date: '2026-01-01', x: 10, y: 66, z: -1, below_minus_two: false },
        { date: '2026-06-01', x: 15, y: 70, z: -2.5, below_minus_two: true },
      ],
    }
    const { container } = render(GrowthChart, { chart })
    expect(container.querySelectorAll('path.curve')).toHaveLength(5)
    expect(container.querySelectorAll('circle.point')).toHaveLength(2)
    expect(container.querySelectorAll('circle.point.low')).toHaveLength(1)
    expect(container.textContent).toContain('Umur (bulan)')
  })

  it('draws two visits of one day as two points instead of failing', () => {
    const curve = (z: number) => ({ z, points: [[0, 50 + z * 2], [24, 85 + z * 3]] as [number, number][] })
    const same = { date: '2026-06-01', x: 15, y: 70, z: -2.5, below_minus_two: true }
    const chart: Chart = {
      kind: 'length_for_age', sex: 'P', x_axis: 'age_months', y_axis: 'length_height_cm', x_min: 0, x_max: 24,
      curves: [-3, -2, 0, 2, 3].map(curve), points: [same, { ...same, y: 70.4 }],
    }
    const { container } = render(GrowthChart, { chart })
    expect(container.querySelectorAll('circle.point')).toHaveLength(2)
  })
})

describe('household list', () => {
  it('loads 2,000 families but draws only the rows near the screen', async () => {
    const { default: Families } = await import('../screens/Families.svelte')
    const families = Array.from({ length: 2000 }, (_, i) => ({
      id: `h${i}`, area_code: '3602012002', head_name: `Kepala ${i}`, kk_masked: null, rt: '1', rw: '2', address: null,
      members: 4, krs: i % 3 === 0, krs_criteria: [],
    }))
    mockIPC((cmd, args) => {
      if (cmd === 'households') {
        const { offset, limit } = args as { offset: number; limit: number }
        return families.slice(offset, offset + limit)
      }
    })
    const { container } = render(Families)
    await waitFor(() => expect(container.querySelector('[data-list=households]')?.getAttribute('data-rows')).toBe('2000'))
    const drawn = container.querySelectorAll('[data-list=households] > li').length
    expect(drawn).toBeGreaterThan(10)
    expect(drawn).toBeLessThan(100)
    expect(container.textContent).toContain('2000 keluarga')
  })
})

describe('immunisation checklist', () => {
  it('lists overdue and due doses first and records a ticked one on the visit day', async () => {
    const { default: ImmunisationList } = await import('../components/ImmunisationList.svelte')
    const dose = (code: string, age: number, status: 'given' | 'overdue' | 'due' | 'not_yet') =>
      (status === 'given'
        ? { code, name: code.toUpperCase(), age_months: age, basic: true, status, on: '2026-07-01' }
        : { code, name: code.toUpperCase(), age_months: age, basic: true, status }) as never
    let changes = 0
    const items: { vaccine: string; date: string }[] = []
    const { container } = render(ImmunisationList, {
      items, visitDate: '2026-11-24', onchange: () => changes++,
      schedule: [dose('mr1', 9, 'not_yet'), dose('bcg', 1, 'given'), dose('dpt1', 2, 'overdue'), dose('dpt2', 3, 'due')],
    })
    const order = [...container.querySelectorAll('[data-dose]')].map((li) => li.getAttribute('data-dose'))
    expect(order).toEqual(['dpt1', 'dpt2', 'mr1', 'bcg'])
    expect(container.querySelector('[data-dose=bcg]')?.textContent).toContain('1 Juli 2026')
    expect(container.querySelector('[data-dose=bcg] input[type=checkbox]')).toBeNull()
    await fireEvent.click(container.querySelector('input[name=dose-dpt1]')!)
    expect(changes).toBe(1)
    expect(container.querySelector('input[name=dose-date-dpt1]')).toBeTruthy()
  })
})
