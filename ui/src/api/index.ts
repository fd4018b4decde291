// The only module that talks to the Rust side. Every command is typed with the types
// generated from the Rust DTOs (types.ts); errors arrive as ApiError {code, message, field},
// the message in the screen's language.
import { invoke } from '@tauri-apps/api/core'
import { listen, type UnlistenFn } from '@tauri-apps/api/event'
import type {
  AppError, Caseload, ChartKind, DoorView, MemberView, Exported, Found, Format as ExportFormat, Delivery, DeliveryRecorded, Enrolment, EnrolmentDetails, ExitReason, Family, GrowthChart, Home, Household,
  HouseholdSummary, HubCode, HubRecoveryCode, HubScreen, HubStart, Lang, NameList, Person, PersonSummary, PersonTimeline, Problem, RecapView, Saved, ServerAuthority, Setup, State,
  SyncScreen, TargetKind, VillageView, Visit, VisitDraft, VisitResult,
} from './types'

import { lang } from '../lib/i18n.svelte'

export type * from './types'

/** An error's message in the screen's language (Rust sends both). */
export const said = (e: Pick<AppError, 'message' | 'message_en'>) =>
  lang.current === 'en' && e.message_en ? e.message_en : e.message

/** A refused command: a stable code, its message in the screen's language, the field concerned. */
export class ApiError extends Error {
  code: string
  field?: string
  problems: Problem[]
  private said: Pick<AppError, 'message' | 'message_en'>
  constructor(e: AppError) {
    super(said(e))
    this.code = e.code
    this.field = e.field ?? undefined
    this.problems = e.problems ?? []
    this.said = { message: e.message, message_en: e.message_en }
    // Read in the language on screen whenever it is shown: a refusal on screen follows a
    // switch of language instead of staying in the one it arrived in.
    Object.defineProperty(this, 'message', { get: () => said(this.said), configurable: true })
  }

  /** What to say under the form's fields: the form's problems, or the one value refused
   *  (a number, a date the command could not read) as a problem of its field. */
  underFields(): Problem[] {
    if (this.problems.length || !this.field) return this.problems
    return [{ code: this.code, field: formField(this.field), severity: 'error', message_id: this.said.message, message_en: this.said.message_en || this.said.message }]
  }
}

/** The form field a refused argument's path names: `details.parity` is the enrolment
 *  form's parity, `data.anc[0].date` the visit form's ANC list, `data.services.kie` its KIE. */
export function formField(path: string): string {
  const parts = path.split('.').map((p) => p.replace(/\[\d+\]$/, ''))
  const inner = parts.filter((p, i) => !(i < parts.length - 1 && ['details', 'data', 'visit', 'services'].includes(p)))
  return inner[0] ?? path
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args)
  } catch (e) {
    if (e && typeof e === 'object' && 'code' in e) throw new ApiError(e as AppError)
    // Every command answers an AppError; anything else is a fault of the app, never shown raw.
    console.error(cmd, e)
    throw new ApiError({
      code: 'internal',
      message: 'Terjadi kesalahan di aplikasi; coba lagi, atau mulai ulang aplikasi',
      message_en: 'Something went wrong in the app; try again, or restart the app',
      field: null,
      problems: [],
    })
  }
}

export const api = {
  door: () => call<DoorView>('door'),
  firstMember: (name: string, pin: string, pinAgain: string) => call<null>('first_member', { name, pin, pinAgain }),
  unlock: (member: string, pin: string) => call<null>('unlock', { member, pin }),
  recover: (member: string, code: string, pin: string, pinAgain: string) =>
    call<null>('recover', { member, code, pin, pinAgain }),
  lock: () => call<null>('lock'),
  addMember: (name: string, pin: string, pinAgain: string) => call<MemberView>('add_member', { name, pin, pinAgain }),
  changePin: (oldPin: string, pin: string, pinAgain: string) => call<null>('change_pin', { oldPin, pin, pinAgain }),

  setup: () => call<Setup>('setup'),
  findVillages: (query: string) => call<VillageView[]>('find_villages', { query }),
  villagesOfDistrict: (code: string) => call<VillageView[]>('villages_of_district', { code }),
  workOffline: (villages: string[]) => call<Setup>('work_offline', { villages }),
  chooseVillages: (villages: string[]) => call<Setup>('choose_villages', { villages }),
  setCurrentVillage: (code: string) => call<Setup>('set_current_village', { code }),
  setTpk: (name: string) => call<Setup>('set_tpk', { name }),
  serverAuthority: (server: string) => call<ServerAuthority>('server_authority', { server }),
  trustServer: (server: string, fingerprint: string) => call<void>('trust_server', { server, fingerprint }),
  enroll: (server: string, code: string, deviceName: string, villages: string[]) =>
    call<Setup>('enroll', { server, code, deviceName, villages }),

  home: () => call<Home>('home'),
  today: () => call<string>('today'),
  caseload: (kind: TargetKind) => call<Caseload[]>('caseload', { kind }),

  households: (offset: number, limit: number) => call<HouseholdSummary[]>('households', { offset, limit }),
  searchPersons: (query: string) => call<Found[]>('search_persons', { query }),
  family: (id: string) => call<Family>('family', { id }),
  saveHousehold: (household: Household) => call<Saved>('save_household', { household }),
  checkPerson: (person: Person) => call<Problem[]>('check_person', { person }),
  savePerson: (person: Person) => call<Saved>('save_person', { person }),
  removeHousehold: (id: string) => call<null>('remove_household', { id }),
  enrol: (personId: string, start: string, details: EnrolmentDetails) =>
    call<Saved>('enrol', { personId, start, details }),
  endEnrolment: (id: string, date: string, reason: ExitReason) =>
    call<Saved>('end_enrolment', { id, date, reason }),
  startEnrolmentEarlier: (id: string, date: string) => call<Saved>('start_enrolment_earlier', { id, date }),
  recordDelivery: (hamilId: string, delivery: Delivery) =>
    call<DeliveryRecorded>('record_delivery', { hamilId, delivery }),
  exitReasons: (kind: TargetKind) => call<ExitReason[]>('exit_reasons', { kind }),

  /** A blank form dated today in the device's zone (Rust decides the day). */
  newVisit: (enrolmentId: string) => call<VisitDraft>('new_visit', { enrolmentId, date: null }),
  previewVisit: (visit: Visit) => call<VisitResult>('preview_visit', { visit }),
  saveVisit: (visit: Visit) => call<VisitResult>('save_visit', { visit }),
  editVisit: (visitId: string) => call<VisitDraft>('edit_visit', { visitId }),
  correctVisit: (visit: Visit, reason: string) => call<VisitResult>('correct_visit', { visit, reason }),
  voidVisit: (visitId: string, reason: string) => call<null>('void_visit', { visitId, reason }),
  timeline: (personId: string) => call<PersonTimeline>('timeline', { personId }),
  growthChart: (personId: string, kind: ChartKind) => call<GrowthChart>('growth_chart', { personId, kind }),

  syncScreen: () => call<SyncScreen>('sync_screen'),
  syncState: () => call<State>('sync_state'),
  syncNow: () => call<null>('sync_now'),
  dismissConflict: (id: number) => call<null>('dismiss_conflict', { id }),

  hubScreen: () => call<HubScreen>('hub_screen'),
  hubStart: (form: HubStart) => call<HubScreen>('hub_start', { form }),
  hubStop: () => call<HubScreen>('hub_stop'),
  hubRelayNow: () => call<null>('hub_relay_now'),
  hubNewCode: (userName: string, villages: string[]) => call<HubCode>('hub_new_code', { userName, villages }),
  hubRecoveryCode: (deviceId: string) => call<HubRecoveryCode>('hub_recovery_code', { deviceId }),

  recap: (month: string) => call<RecapView>('recap', { month }),
  exportRecap: (month: string, format: ExportFormat, lang: Lang) => call<Exported>('export_recap', { month, format, lang }),
  exportList: (list: NameList, month: string, format: ExportFormat, lang: Lang) =>
    call<Exported>('export_list', { list, month, format, lang }),
}

/** The background sync's state as it changes. */
export function onSyncState(f: (s: State) => void): Promise<UnlistenFn> {
  return listen<State>('sync-state', (e) => f(e.payload))
}

export type { Enrolment }
