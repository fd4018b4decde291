import type { TargetKind } from '../api/types'

// Which screen is shown. A tablet app has no address bar: a small stack is enough, and
// "Kembali" pops it.
export type Route =
  | { name: 'home' }
  | { name: 'families' }
  | { name: 'targets'; kind: TargetKind }
  | { name: 'family'; id: string; addHead?: boolean }
  | { name: 'household-form'; id?: string }
  | { name: 'person'; id: string }
  | { name: 'visit'; enrolmentId: string; personId: string; visitId?: string }
  | { name: 'sync' }
  | { name: 'hub' }
  | { name: 'recap' }

export const nav = $state({ stack: [{ name: 'home' }] as Route[] })

export const current = () => nav.stack[nav.stack.length - 1]

/** Opens a screen on top of the current one. */
export function go(r: Route) {
  nav.stack.push(r)
}

/** Bumped whenever stored data may have changed (a sync ended, a save, a tab tapped
 * again): the screens that show stored data are drawn anew; forms are left alone. */
export const data = $state({ version: 0 })
export const refresh = () => void data.version++

/** A main tab: starts a new stack; tapping the tab on screen again reloads it. */
export function tab(r: Route) {
  if (nav.stack.length === 1 && JSON.stringify(nav.stack[0]) === JSON.stringify(r)) refresh()
  nav.stack = [r]
}

export function back() {
  if (nav.stack.length > 1) nav.stack.pop()
}

/** After a save: replace the form with where it leads. */
export function replace(r: Route) {
  nav.stack[nav.stack.length - 1] = r
}
