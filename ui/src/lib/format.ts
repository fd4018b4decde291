// Numbers as cadres type them (a comma or a point for decimals) and dates as they read them.
import { lang } from './i18n.svelte'

/** "70,5" or "70.5" → 70.5 ("70," while typing → 70); "" → null; anything else → NaN. */
export function parseNumber(s: string): number | null {
  const v = s.trim().replace(',', '.')
  if (v === '') return null
  return /^-?\d+(\.\d*)?$/.test(v) ? Number(v) : NaN
}

export function fmtNum(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '–'
  return n.toLocaleString(lang.current === 'id' ? 'id-ID' : 'en-GB', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  })
}

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '–'
  const d = new Date(iso.length === 10 ? iso + 'T00:00:00' : iso)
  if (Number.isNaN(d.getTime())) return iso
  return d.toLocaleDateString(lang.current === 'id' ? 'id-ID' : 'en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  })
}

/** A moment (an RFC 3339 time, UTC on the wire) in the device's own time zone. */
export function fmtDateTime(iso: string | null | undefined): string {
  if (!iso) return '–'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const time = d.toLocaleTimeString(lang.current === 'id' ? 'id-ID' : 'en-GB', { hour: '2-digit', minute: '2-digit' })
  return `${fmtDate(iso)} ${time}`
}

/** Today as YYYY-MM-DD in local time. */
export function today(): string {
  const d = new Date()
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

export const thisMonth = () => today().slice(0, 7)

/** Signed z-score with two decimals, the way WHO prints it. */
export const fmtZ = (z: number) => (z > 0 ? '+' : '') + fmtNum(z, 2)
