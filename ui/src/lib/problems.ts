// What a form says under its fields, shared by the forms checked when saved (household,
// member, enrolment): one message per field, none left standing once its field is edited.
import type { ApiError, Problem } from '../api'
import { tr, type Word } from './i18n.svelte'

/** The problems left once the field an input or change event came from is edited: a form
 *  checked only when saved must not go on saying what was true of the old value. */
export function withoutEdited(problems: Problem[], e: Event): Problem[] {
  const name = (e.target as HTMLInputElement | null)?.name
  return name ? problems.filter((p) => p.field !== name) : problems
}

/** A refused save: the problems for under the fields, and what no field shows (said by
 *  the form beside its button). */
export function refusal(e: ApiError): { problems: Problem[]; failure: string } {
  const problems = e.underFields()
  return { problems, failure: problems.length ? '' : e.message }
}

/** A date field's own problem, said once: typed but not a date, or left empty when it is
 *  needed (`required`, asked only on saving). Named by its label in both languages. */
export function dateProblem(
  field: string,
  label: [string, string],
  state: { invalid: boolean | undefined; value: string | null | undefined; required: boolean },
): Problem | null {
  if (!state.invalid && (state.value || !state.required)) return null
  const [id, en] = label
  const why: Word = 'dateEmptyOrBad'
  return {
    code: state.invalid ? 'bad_date' : 'required',
    field,
    severity: 'error',
    message_id: `${id} ${tr(why, 'id')}`,
    message_en: `${en} ${tr(why, 'en')}`,
  }
}

/** A number field whose text is not a number (kept on screen, never saved as empty), or a
 *  count or measure below zero or a count with a fraction: said at once, with the form's
 *  other problems, rather than one refusal per save. */
export function numberProblem(
  field: string,
  label: [string, string],
  invalid: boolean | undefined,
  value: number | null = null,
  whole = false,
): Problem | null {
  const [id, en] = label
  const problem = (code: string, mid: string, men: string): Problem =>
    ({ code, field, severity: 'error', message_id: `${id} ${mid}`, message_en: `${en} ${men}` })
  if (invalid) return problem('not_a_number', 'bukan angka', 'is not a number')
  if (value !== null && value < 0) return problem('negative', 'tidak boleh kurang dari 0', 'cannot be less than 0')
  if (value !== null && whole && !Number.isInteger(value)) return problem('not_whole', 'harus bilangan bulat', 'must be a whole number')
  return null
}

/** The form's own problems first; what the last check said of the same fields gives way. */
export function merged(local: (Problem | null)[], checked: Problem[]): Problem[] {
  const own = local.filter((p): p is Problem => p !== null)
  return [...own, ...checked.filter((p) => !own.some((o) => o.field === p.field))]
}
