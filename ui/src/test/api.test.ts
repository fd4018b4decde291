import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import { afterEach, describe, expect, it } from 'vitest'
import { api, ApiError } from '../api'
import { fmtDate, fmtMonth, fmtNum, parseDate, parseNumber } from '../lib/format'
import { label, setLang } from '../lib/i18n.svelte'

afterEach(() => clearMocks())

describe('api', () => {
  it('passes arguments by name and returns the typed answer', async () => {
    const seen: unknown[] = []
    mockIPC((cmd, args) => {
      seen.push([cmd, args])
      if (cmd === 'households') return [{ id: 'h1', head_name: 'Ahmad', members: 3 }]
    })
    const list = await api.households(0, 2000)
    expect(list[0].head_name).toBe('Ahmad')
    expect(seen).toEqual([['households', { offset: 0, limit: 2000 }]])
  })

  it('turns a refused command into an ApiError with its code and field', async () => {
    mockIPC(() => {
      throw { code: 'invalid', message: 'Nama kepala keluarga wajib diisi', field: 'head_name', problems: [] }
    })
    const err = await api.saveHousehold({} as never).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.code).toBe('invalid')
    expect(err.field).toBe('head_name')
    expect(err.message).toContain('wajib')
  })

  it('says a refusal in the screen\'s language', async () => {
    mockIPC(() => {
      throw { code: 'invalid', message: 'Nama TPK wajib diisi', message_en: "The TPK's name is required", field: 'tpk', problems: [] }
    })
    setLang('en')
    try {
      expect((await api.setTpk('').catch((e) => e)).message).toBe("The TPK's name is required")
      setLang('id')
      expect((await api.setTpk('').catch((e) => e)).message).toBe('Nama TPK wajib diisi')
    } finally {
      setLang('id')
    }
  })

  it('reports a failure without a code as internal', async () => {
    mockIPC(() => {
      throw 'boom'
    })
    const err = await api.setup().catch((e) => e)
    expect(err.code).toBe('internal')
  })
})

describe('numbers as cadres type them', () => {
  it('reads a comma or a point as the decimal separator', () => {
    expect(parseNumber('70,5')).toBe(70.5)
    expect(parseNumber(' 70.5 ')).toBe(70.5)
    expect(parseNumber('70,')).toBe(70)
    expect(parseNumber('')).toBeNull()
    expect(parseNumber('7o')).toBeNaN()
    expect(parseNumber('1,2,3')).toBeNaN()
  })
})

describe('times', () => {
  it('shows a sync time in the device time zone, not the wire UTC', async () => {
    const { fmtDateTime } = await import('../lib/format')
    // Node reads TZ on every Date call; the UI's tsconfig has no Node types.
    const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env
    const tz = env.TZ
    env.TZ = 'Asia/Jakarta'
    try {
      expect(fmtDateTime('2026-11-24T03:09:00Z')).toBe('24 November 2026 10.09')
      expect(fmtDateTime(null)).toBe('–')
    } finally {
      if (tz === undefined) delete env.TZ
      else env.TZ = tz
    }
  })
})

describe('Indonesian formats, whatever the OS locale', () => {
  it('writes dates and months in Indonesian and reads dd/mm/yyyy', () => {
    expect(fmtDate('2026-12-01')).toBe('1 Desember 2026')
    expect(fmtMonth('2026-12')).toBe('Desember 2026')
    expect(parseDate('12/01/2026')).toBe('2026-01-12')
    expect(parseDate('5-1-2026')).toBe('2026-01-05')
    expect(parseDate('31/02/2026')).toBeUndefined()
    expect(parseDate('2026-01-12')).toBeUndefined()
    expect(parseDate('')).toBeNull()
  })

  it('writes numbers with a decimal comma and ages in the language on screen', () => {
    expect(fmtNum(7345.96, 2)).toBe('7.345,96')
    expect(fmtNum(-2.5)).toBe('−2,5')
    expect(label.age({ months: 17, days: 520 })).toBe('17 bl')
    expect(label.age({ months: 38, days: 1160 })).toBe('3 th 2 bl')
    // The ages the Rust side used to word (families.rs, before the UI took the words over).
    expect(label.age({ months: 0, days: 14 })).toBe('14 hr')
    expect(label.age({ months: 12, days: 365 })).toBe('12 bl')
    expect(label.age({ months: 24, days: 730 })).toBe('2 th')
    expect(label.age({ months: 442, days: 13476 })).toBe('36 th 10 bl')
    expect(label.age({ months: -1, days: -3 })).toBe('–')
    setLang('en')
    try {
      expect(fmtNum(7345.96, 2)).toBe('7,345.96')
      expect(fmtDate('2026-12-01')).toBe('1 December 2026')
      expect(label.age({ months: 17, days: 520 })).toBe('17 mo')
      expect(label.age({ months: 0, days: 12 })).toBe('12 d')
    } finally {
      setLang('id')
    }
  })
})

describe('a refused path, under its field', () => {
  it('names the form field the path is in', async () => {
    const { formField } = await import('../api')
    expect(formField('details.parity')).toBe('parity')
    expect(formField('data.anc[0].date')).toBe('anc')
    expect(formField('data.services.kie')).toBe('kie')
    expect(formField('welfare_decile')).toBe('welfare_decile')
    expect(formField('villages[0]')).toBe('villages')
  })
})
