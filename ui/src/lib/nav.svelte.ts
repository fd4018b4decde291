// Which screen is shown. A tablet app has no address bar: a small stack is enough, and
// "Kembali" pops it.
export type Route =
  | { name: 'home' }
  | { name: 'families' }
  | { name: 'family'; id: string }
  | { name: 'household-form'; id?: string }
  | { name: 'person'; id: string }
  | { name: 'visit'; enrolmentId: string; personId: string }
  | { name: 'sync' }
  | { name: 'recap' }

export const nav = $state({ stack: [{ name: 'home' }] as Route[] })

export const current = () => nav.stack[nav.stack.length - 1]

/** Opens a screen on top of the current one. */
export function go(r: Route) {
  nav.stack.push(r)
}

/** A main tab: starts a new stack. */
export function tab(r: Route) {
  nav.stack = [r]
}

export function back() {
  if (nav.stack.length > 1) nav.stack.pop()
}

/** After a save: replace the form with where it leads. */
export function replace(r: Route) {
  nav.stack[nav.stack.length - 1] = r
}
