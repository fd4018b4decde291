// Numbers as cadres type them (a comma or a point for decimals) and dates as they read them.
import { lang } from './i18n.svelte'

/** "70,5" or "70.5" → 70.5 ("70," while typing → 70); "" → null; anything else → NaN. */
export function parseNumber(s: string): number | null {
  const v = s.trim().replace(',', '.')
  if (v === '') return null
  return /^-?\d+(\.\d*)?$/.test(v) ? Number(v) : NaN
}

/** 1234.5 → "1.234,5" in Indonesian, "1,234.5" in English: the same whatever the OS locale. */
export function fmtNum(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–'
  const [int, frac] = Math.abs(n).toFixed(digits).split('.')
  const [group, point] = lang.current === 'id' ? ['.', ','] : [',', '.']
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, group)
  const sign = n < 0 && Number(Math.abs(n).toFixed(digits)) !== 0 ? '−' : ''
  return sign + grouped + (frac ? point + frac : '')
}

const monthsId = ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember']
const monthsEn = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/** A month's name in the language on screen (1 = January), never the OS locale's. */
export const monthName = (m: number) => (lang.current === 'id' ? monthsId : monthsEn)[m - 1] ?? String(m)

/** "1 Desember 2026" / "1 December 2026", whatever the OS locale; "–" for none. */
export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '–'
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso)
  if (!m) return iso
  return `${Number(m[3])} ${monthName(Number(m[2]))} ${m[1]}`
}

/** "Desember 2026" for "2026-12". */
export function fmtMonth(ym: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(ym)
  return m ? `${monthName(Number(m[2]))} ${m[1]}` : ym
}

/** dd/mm/yyyy, the way Indonesian forms write a date. */
export function fmtDateShort(iso: string | null | undefined): string {
  const m = iso ? /^(\d{4})-(\d{2})-(\d{2})/.exec(iso) : null
  return m ? `${m[3]}/${m[2]}/${m[1]}` : ''
}

/** "5/1/2026", "05/01/2026", "5-1-2026" or "5/1/26" → "2026-01-05"; "" → null; anything else →
 *  undefined. A two-digit year is this century's unless that would be after next year
 *  ("7/12/26" is 2026, "3/5/95" is 1995): cadres write years short. */
export function parseDate(s: string): string | null | undefined {
  const v = s.trim()
  if (v === '') return null
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(v)
  if (!m) return undefined
  let [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (m[3].length === 2) {
    const year = Number(today().slice(0, 4))
    y = 2000 + y > year + 1 ? 1900 + y : 2000 + y
  }
  const date = new Date(Date.UTC(y, mo - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined
  const p = (n: number) => String(n).padStart(2, '0')
  return `${String(y).padStart(4, '0')}-${p(mo)}-${p(d)}`
}

/** Text that reads as a whole date, right or wrong (d/m/yy or d/m/yyyy): a half-typed date
 *  is not an error yet. */
export const looksWhole = (s: string) => /^\d{1,2}[/.-]\d{1,2}[/.-](\d{2}|\d{4})$/.test(s.trim())

/** A moment (an RFC 3339 time, UTC on the wire) in the device's own time zone. */
export function fmtDateTime(iso: string | null | undefined): string {
  if (!iso) return '–'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = (n: number) => String(n).padStart(2, '0')
  const day = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
  // 11.14 in Indonesian, 11:14 in English.
  return `${fmtDate(day)} ${p(d.getHours())}${lang.current === 'id' ? '.' : ':'}${p(d.getMinutes())}`
}

// "Today" belongs to Rust, in the device's time zone (docs/src/design/domain.md §5.3): the web view's
// clock and zone are only a fallback until the first answer.
let deviceToday: string | null = null
export function setToday(iso: string) {
  deviceToday = iso
}

/** Today as YYYY-MM-DD: the device's day as Rust computes it. */
export function today(): string {
  if (deviceToday) return deviceToday
  const d = new Date()
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

export const thisMonth = () => today().slice(0, 7)

/** Signed z-score with two decimals, the way WHO prints it. */
export const fmtZ = (z: number) => (z > 0 ? '+' : '') + fmtNum(z, 2)
