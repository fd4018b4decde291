// Generated from the Rust DTOs by crates/app/tests/ui_types.rs: do not edit.
// UPDATE_UI_TYPES=1 cargo test -p pendamping-app --test ui_types

export type Age = { 
/**
 * Completed months (negative before birth).
 */
months: number, 
/**
 * Days since birth.
 */
days: number, };

export type Alert = { person_id: string, enrolment_id: string, name: string, kind: TargetKind, 
/**
 * Most urgent first.
 */
flags: Array<FlagView>, days_overdue: number, };

export type AnakVisit = { weight_kg: number | null, lenhei_cm: number | null, 
/**
 * The position actually used; WHO adjusts by 0.7 cm when it differs from the age's.
 */
measure: Measure | null, headc_cm: number | null, muac_cm: number | null, oedema: boolean, 
/**
 * Under 6 months: only breast milk.
 */
exclusive_bf: boolean | null, 
/**
 * 6–23 months: complementary food given.
 */
mpasi: boolean | null, immunisations: Array<Immunisation>, vitamin_a: boolean, illness: string | null, services: Services, };

export type AncContact = { date: string, provider: AncProvider, };

export type AncProvider = "bidan" | "dokter" | "dokter_spesialis" | "puskesmas" | "rumah_sakit" | "lainnya";

export type AnthroResult = { 
/**
 * Length/height after the 0.7 cm adjustment for the child's age.
 */
clenhei: number | null, 
/**
 * A standing measurement under 9 months: the position is treated as unknown.
 */
measure_implausible: boolean, cbmi: number | null, len: Score | null, wei: Score | null, wfl: Score | null, bmi: Score | null, hc: Score | null, ac: Score | null, };

export type AppError = { code: string, message: string, 
/**
 * The same message in English, for a screen in English.
 */
message_en: string, field: string | null, 
/**
 * Every problem of a refused form (errors and warnings), for inline display.
 */
problems: Array<Problem>, };

export type AreaCode = string;

export type AreaRow = { area_code: string, area_title: string, caseload_end: number, visited: number, visits: number, krs: KrsRow, distinct: DistinctRow, };

export type Assessment = { problems: Array<Problem>, 
/**
 * Empty while any problem is an error: no result is shown from a value that failed
 * its check (a z-score of +7,000 is not a result).
 */
results: VisitResults, 
/**
 * The measurements the results rest on that the form leaves empty: "no risk found"
 * may only be said when nothing is missing.
 */
missing: Array<string>, };

export type Axis = "age_months" | "length_height_cm" | "length_cm" | "height_cm" | "weight_kg";

export type Band = "sangat_kurang" | "kurang" | "normal" | "risiko_bb_lebih" | "sangat_pendek" | "pendek" | "tinggi" | "gizi_buruk" | "gizi_kurang" | "gizi_baik" | "berisiko_gizi_lebih" | "gizi_lebih" | "obesitas";

export type Breastfeeding = "eksklusif" | "parsial" | "tidak";

export type Caseload = { enrolment_id: string, person_id: string, household_id: string, area_code: string, name: string, kind: TargetKind, next_due: string | null, 
/**
 * Of the latest visit.
 */
flags: Array<RiskFlag>, };

export type CatinVisit = { weight_kg: number | null, height_cm: number | null, lila_cm: number | null, waist_cm: number | null, hb: number | null, smoker: boolean, smoke_exposure: boolean, 
/**
 * Iron tablets received so far.
 */
ttd_received: number | null, illness: string | null, pregnancy_plan: string | null, services: Services, };

export type ChartKind = "length_for_age" | "weight_for_age" | "weight_for_length";

export type ChartPoint = { date: string, x: number, y: number, 
/**
 * The z-score computed when the visit was recorded.
 */
z: number | null, 
/**
 * Below −2 SD (stunted, underweight or wasted), for the point's colour.
 */
below_minus_two: boolean, };

export type ConflictView = { id: number, entity: Entity, row_id: string, field: string, 
/**
 * This device's value and the other device's, side by side.
 */
here: JsonValue, there: JsonValue, here_hlc: Hlc, there_hlc: Hlc, 
/**
 * "here" or "there": the value now in force everywhere.
 */
kept: Kept, };

export type DangerSign = "perdarahan" | "demam" | "bengkak_kaki_tangan_wajah" | "sakit_kepala_berat" | "pandangan_kabur" | "kejang" | "ketuban_pecah_dini" | "gerakan_janin_berkurang" | "muntah_terus_menerus" | "cairan_berbau" | "payudara_bengkak" | "sedih_berlebihan";

export type Delivery = { date: string, place: string | null, attendant: string | null, mode: DeliveryMode | null, gestational_age_weeks: number | null, baby_name: string, baby_sex: Sex, birth_weight_g: number | null, birth_length_cm: number | null, };

export type DeliveryMode = "normal" | "sesar" | "tindakan";

export type DeliveryRecorded = { nifas_enrolment_id: string, child_id: string, child_enrolment_id: string, };

export type DistinctRow = { area_code: string, 
/**
 * Families with at least one target enrolled at month end, whatever the group.
 */
families_with_targets: number, 
/**
 * People visited at least once this month, whatever their enrolments.
 */
persons_visited: number, };

export type DoorState = "new" | "plain" | "locked";

export type DoorView = { state: DoorState, members: Array<MemberView>, 
/**
 * Whether a forgotten PIN can be recovered (the device enrolled with a server).
 */
recoverable: boolean, 
/**
 * What the admin asks for to issue a recovery code: the device's id at its server.
 */
device_id: string | null, min_pin: number, 
/**
 * The shortest PIN that still unlocks: one set before `min_pin` was raised.
 */
unlock_min_pin: number, max_pin: number, 
/**
 * The member in now, if any.
 */
member_in: MemberView | null, 
/**
 * The window locks itself after this long with no touch or key.
 */
idle_seconds: number, };

export type Dose = { 
/**
 * Recorded on the visit as `Immunisation::vaccine`.
 */
code: string, 
/**
 * As the Buku KIA writes it.
 */
name: string, 
/**
 * For a screen in English, where it differs ("Oral polio (OPV) 1").
 */
name_en?: string | null, 
/**
 * Due from this age; overdue one month later.
 */
age_months: number, 
/**
 * Part of complete basic immunisation (imunisasi dasar lengkap).
 */
basic: boolean, };

export type DoseView = { 
/**
 * Recorded on the visit as `Immunisation::vaccine`.
 */
code: string, 
/**
 * As the Buku KIA writes it.
 */
name: string, 
/**
 * For a screen in English, where it differs ("Oral polio (OPV) 1").
 */
name_en?: string | null, 
/**
 * Due from this age; overdue one month later.
 */
age_months: number, 
/**
 * Part of complete basic immunisation (imunisasi dasar lengkap).
 */
basic: boolean, } & ({ "status": "given", on: string, } | { "status": "overdue" } | { "status": "due" } | { "status": "not_yet" });

export type DueItem = { due: string, status: DueStatus, days_overdue: number, enrolment_id: string, person_id: string, household_id: string, area_code: string, name: string, kind: TargetKind, next_due: string | null, 
/**
 * Of the latest visit.
 */
flags: Array<RiskFlag>, };

export type DueStatus = "overdue" | "due_soon" | "later";

export type Enrolment = { id: string, person_id: string, household_id: string, area_code: string, kind: TargetKind, start_date: string, end_date: string | null, end_reason: ExitReason | null, tpk: string | null, details: EnrolmentDetails, };

export type EnrolmentDetails = { "kind": "catin", wedding_date: string | null, partner_name: string | null, } | { "kind": "ibu_hamil", hpht: string, gravida: number | null, parity: number | null, abortus: number | null, last_birth_date: string | null, height_cm: number | null, pre_pregnancy_weight_kg: number | null, } | { "kind": "nifas", delivery_date: string, place: string | null, attendant: string | null, mode: DeliveryMode | null, birth_weight_g: number | null, birth_length_cm: number | null, gestational_age_weeks: number | null, } | { "kind": "anak", birth_weight_g: number | null, birth_length_cm: number | null, } | { "kind": "krs", };

export type EnrolmentPhase = { "phase": "not_started" } | { "phase": "active" } | { "phase": "wedding_unconfirmed" } | { "phase": "needs_outcome" } | { "phase": "ended", on: string, reason: ExitReason, };

export type EnrolmentView = { phase: EnrolmentPhase, 
/**
 * The group it counts in today (a child is baduta, then balita).
 */
group: TargetGroup, 
/**
 * A pregnancy followed today: how far along, and when the baby is due.
 */
pregnancy: PregnancyNow | null, id: string, person_id: string, household_id: string, area_code: string, kind: TargetKind, start_date: string, end_date: string | null, end_reason: ExitReason | null, tpk: string | null, details: EnrolmentDetails, };

export type Entity = "household" | "person" | "enrolment" | "visit";

export type ExitReason = "menikah" | "batal" | "melahirkan" | "keguguran" | "meninggal" | "pindah" | "selesai" | "tidak_berisiko";

export type Exported = { name: string, folder: string, path: string, 
/**
 * A list's rows (a recap: none): the screen says how many names the file holds.
 */
rows: number | null, };

export type Family = { household: Household, members: Array<Member>, krs: boolean, krs_criteria: Array<KrsCriterion>, };

export type FlagView = { flag: RiskFlag, urgency: Urgency, action_id: string, action_en: string, };

export type Format = "csv" | "xlsx";

export type Found = { head_name: string | null, rt: string | null, rw: string | null, id: string, household_id: string, area_code: string, name: string, 
/**
 * Lists never show a whole NIK.
 */
nik_masked: string | null, sex: Sex | null, birth_date: string | null, relationship: Relationship | null, };

export type GroupRow = { group: TargetGroup, exits: number, row: RecapRow, };

export type GrowthChart = { kind: ChartKind, sex: Sex, 
/**
 * What each axis measures; the UI words it in the language on screen.
 */
x_axis: Axis, y_axis: Axis, x_min: number, x_max: number, curves: Array<SdCurve>, points: Array<ChartPoint>, };

export type HamilVisit = { weight_kg: number | null, lila_cm: number | null, hb: number | null, hb_date: string | null, systolic: number | null, diastolic: number | null, 
/**
 * Iron tablets taken since the pregnancy began (cumulative).
 */
ttd_total: number | null, 
/**
 * ANC contacts since the last visit.
 */
anc: Array<AncContact>, danger_signs: Array<DangerSign>, smoke_exposure: boolean, services: Services, };

export type Hlc = string;

export type Home = { today: string, overdue: Array<DueItem>, due_this_week: Array<DueItem>, 
/**
 * Every target type, in the programme's order, with how many are accompanied.
 */
counts: Array<KindCount>, 
/**
 * Most urgent first, then the longest overdue.
 */
alerts: Array<Alert>, 
/**
 * Enrolments the cadre must settle: a pregnancy past its outcome limit, a wedding
 * date long past with no confirmation (docs/src/design/domain.md §1.1).
 */
to_resolve: Array<ToResolve>, pending: number, last_sync: string | null, };

export type Household = { id: string, 
/**
 * Nomor Kartu Keluarga, 16 digits; may be unknown at first contact.
 */
kk_number: string | null, 
/**
 * 10-digit Kemendagri village code.
 */
area_code: string, head_name: string, address: string | null, rt: string | null, rw: string | null, water_source: WaterSource | null, latrine: Latrine | null, 
/**
 * P3KE welfare decile (1 poorest … 10).
 */
welfare_decile: number | null, floor_area_m2: number | null, latitude: number | null, longitude: number | null, 
/**
 * The TPK assigned to this family.
 */
tpk: string | null, };

export type HouseholdSummary = { id: string, area_code: string, head_name: string, kk_masked: string | null, rt: string | null, rw: string | null, address: string | null, members: number, krs: boolean, krs_criteria: Array<KrsCriterion>, };

export type HubCode = { code: string, user_name: string, area_titles: Array<string>, expires_at: string, };

export type HubDeviceView = { id: string, name: string, user_name: string, role: Role, area_titles: Array<string>, last_seen: string | null, revoked: boolean, };

export type HubRecoveryCode = { device_id: string, code: string, expires_at: string, };

export type HubScreen = { running: boolean, 
/**
 * Enrolled with the centre (it starts without a code from now on).
 */
enrolled: boolean, upstream: string | null, port: number, 
/**
 * The hub's kecamatan, named.
 */
scope_titles: Array<string>, 
/**
 * Its villages' codes, for the enrolment-code form.
 */
scope: Array<AreaCode>, 
/**
 * Where the tablets on the office network reach it: "https://192.168.1.20:8787".
 */
addresses: Array<string>, 
/**
 * The fingerprint of the hub's own certificate authority, which a tablet shows the
 * cadre to compare before it trusts the hub (`authority`).
 */
fingerprint: string | null, 
/**
 * Changes not yet sent to the centre, sent and held there, at the centre, refused by it.
 */
unsent: number, held: number, confirmed: number, refused: number, last_upstream: string | null, upstream_busy: boolean, 
/**
 * Why the last upstream sync failed (no uplink, a refused code…).
 */
upstream_error: AppError | null, devices: Array<HubDeviceView>, };

export type HubStart = { 
/**
 * The centre's address.
 */
upstream: string, 
/**
 * The PLKB enrolment code from the centre's admin; only the first time.
 */
code: string | null, name: string, port: number, };

export type Immunisation = { 
/**
 * Vaccine code as in Buku KIA: hb0, bcg, polio1…4, dpt_hb_hib1…3, ipv, campak_rubela, …
 */
vaccine: string, date: string, };

export type Indicator = "length_for_age" | "weight_for_age" | "weight_for_lenhei" | "bmi_for_age" | "head_for_age" | "arm_for_age";

export type IndicatorResult = { indicator: Indicator, z: number, flagged: boolean, 
/**
 * Permenkes 2/2020 label, e.g. "pendek".
 */
label: string | null, 
/**
 * The same band as a code, named in the screen's language (`None` in results kept
 * before it was recorded: the label stands).
 */
band?: Band | null, };

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type KbppMethod = "iud" | "implan" | "tubektomi" | "suntik" | "pil_mini" | "mal" | "kondom" | "tidak";

export type Kept = "here" | "there";

export type KindCount = { kind: TargetKind, count: number, 
/**
 * For KRS: the village's families at risk by their criteria (what each family's card
 * shows), of which `count` are accompanied. A family flagged but not yet accompanied
 * is on its card and in this number, not in `count`.
 */
of: number | null, };

export type KrsCriterion = "unsafe_water" | "unsafe_latrine" | "wife_too_young" | "wife_too_old" | "births_too_close" | "too_many_children" | "uninhabitable";

export type KrsRow = { area_code: string, krs_families: number, 
/**
 * KRS families with at least one visit (to any member, or a family visit) this month.
 */
krs_accompanied: number, };

export type KrsVisit = { notes: string | null, services: Services, };

export type Lang = "id" | "en";

export type Latrine = "septic_tank" | "tanpa_septic_tank" | "tidak";

export type Measure = "lying" | "standing";

export type Member = { person: Person, 
/**
 * Shown masked; the whole NIK only in the person's own form.
 */
nik_masked: string | null, age: Age, enrolments: Array<EnrolmentView>, };

export type MemberView = { id: string, name: string, 
/**
 * Too many wrong PINs: only recovery lets this member in again.
 */
erased: boolean, 
/**
 * Seconds before the next try is allowed (0: now).
 */
wait_seconds: number, };

export type NameList = "stunted" | "kek-anaemia" | "krs" | "overdue" | "catin-unscreened" | "pregnant-at-risk";

export type NifasVisit = { danger_signs: Array<DangerSign>, breastfeeding: Breastfeeding | null, kbpp_method: KbppMethod | null, kbpp_start: string | null, hb: number | null, lila_cm: number | null, services: Services, };

export type Person = { id: string, household_id: string, 
/**
 * The 10-digit village code of the household.
 */
area_code: string, 
/**
 * `None` for a newborn with no NIK yet: linked through the KK and the mother.
 */
nik: string | null, name: string, sex: Sex, birth_date: string, relationship: Relationship, mother_id: string | null, mother_nik: string | null, phone: string | null, 
/**
 * Set on a person found to be another record of `merged_into` (registered twice): this
 * record is then a tombstone, and its enrolments and visits point at the survivor.
 */
merged_into: string | null, };

export type PersonSummary = { id: string, household_id: string, area_code: string, name: string, 
/**
 * Lists never show a whole NIK.
 */
nik_masked: string | null, sex: Sex | null, birth_date: string | null, relationship: Relationship | null, };

export type PersonTimeline = { person: Person, age: Age, household_head: string, enrolments: Array<EnrolmentView>, 
/**
 * Newest first.
 */
visits: Array<TimelineVisit>, 
/**
 * Has a child enrolment: the screen offers growth charts.
 */
growth: boolean, 
/**
 * The kecamatan's NIK digest holds this person's NIK: maybe registered in another
 * village too (the PLKB reviews and merges).
 */
maybe_elsewhere: boolean, 
/**
 * The schedule's doses, to name those the visits recorded.
 */
doses: Array<Dose>, };

export type Phase = "push" | "pull";

export type PregnancyNow = { hpht: string, 
/**
 * Completed weeks today.
 */
weeks: number, trimester: number, 
/**
 * HPHT + 280 days (HPL).
 */
due: string, };

export type Problem = { 
/**
 * Stable, for programs (the UI never matches messages).
 */
code: string, 
/**
 * The form field, as named in the record (`weight_kg`, `nik`, …).
 */
field: string, severity: Severity, message_id: string, message_en: string, };

export type Progress = { phase: Phase, done: number, 
/**
 * Known for a push from the start; for a pull once the server has counted.
 */
total: number | null, bytes_sent: number, bytes_received: number, 
/**
 * Seconds left of this phase at the pace so far, once there is a pace to go by.
 */
eta_secs: number | null, };

export type RecapRow = { area_code: string, tpk: string, group: TargetGroup | null, caseload_end: number, new_enrolments: number, exits: { [key in ExitReason]?: number }, 
/**
 * Targets visited at least once this month.
 */
visited: number, visits: number, 
/**
 * Targets with each flag on at least one visit this month.
 */
flags: { [key in RiskFlag]?: number }, kie: number, referrals: number, referrals_completed: number, bansos: number, 
/**
 * Pregnant women whose cumulative TTD reached the target by month end.
 */
ttd_target_reached: number, 
/**
 * Postpartum women with a contraceptive method recorded this month, by method.
 */
kbpp: { [key in KbppMethod]?: number }, };

export type RecapView = { month: string, 
/**
 * The day the month is counted to: its last day, or today while it runs.
 */
as_of: string, 
/**
 * The month is still running (counted to today, not a whole month).
 */
running: boolean, 
/**
 * The months that can be shown, newest first: from the first record to this month.
 */
months: Array<string>, area_code: string, area_title: string, 
/**
 * One row per target group, in the report's order, summed over the TPKs.
 */
groups: Array<GroupRow>, krs: KrsRow, 
/**
 * Families with targets and people visited, counted over the whole area (not additive).
 */
distinct: DistinctRow, 
/**
 * For an area above a village (a PLKB's kecamatan): one row per village.
 */
areas: Array<AreaRow>, };

export type RefusedView = { change_id: string, entity: Entity, row_id: string, code: RejectCode, field: string | null, message: string, refused_at: string, 
/**
 * Whose record it is: the person's name, or a household's head.
 */
name: string | null, 
/**
 * Correcting the record on its screen can make the server take it (a value it found
 * invalid); not a record outside the device's area, a wrong clock or a broken seal.
 */
fixable: boolean, 
/**
 * Where the cadre fixes it: the person's screen, or for a household the family's.
 */
person_id: string | null, household_id: string | null, };

export type RejectCode = "forbidden_area" | "unknown_area" | "unknown_field" | "clock_skew" | "invalid" | "bad_origin" | "unsigned" | "bad_signature" | "other";

export type Relationship = "kepala_keluarga" | "istri" | "suami" | "anak" | "menantu" | "cucu" | "orang_tua" | "mertua" | "famili_lain" | "lainnya";

export type RiskFlag = "anemia" | "anemia_refer" | "kek" | "bmi_under" | "too_young" | "too_old" | "too_close" | "too_many" | "short_stature" | "smoker" | "smoke_exposure" | "danger_sign" | "high_blood_pressure" | "low_birth_weight" | "short_birth_length" | "stunted" | "severely_stunted" | "wasted" | "severely_wasted" | "underweight" | "severely_underweight" | "overweight" | "obese" | "microcephaly" | "sam" | "mam" | "oedema";

export type Role = "cadre" | "plkb" | "admin";

export type Saved = { id: string, warnings: Array<Problem>, 
/**
 * `None` when nothing changed (no change was queued).
 */
change_id: string | null, };

export type Score = { z: number, flagged: boolean, };

export type SdCurve = { z: number, 
/**
 * (x, y) pairs in x order.
 */
points: Array<[number, number]>, };

export type ServerAuthority = { server: string, 
/**
 * Five groups of four hex digits, as the hub's screen shows them.
 */
fingerprint: string, };

export type Services = { 
/**
 * Counselling (KIE).
 */
kie: boolean, 
/**
 * Referred to a health facility.
 */
referral: boolean, 
/**
 * A referral made earlier was completed.
 */
referral_completed: boolean, 
/**
 * Helped to get social assistance.
 */
bansos: boolean, };

export type Setup = { 
/**
 * False until the first-run screen is done.
 */
configured: boolean, 
/**
 * "offline" or "server".
 */
mode: string | null, enrolled: boolean, server: string | null, 
/**
 * The areas the server lets this device see (empty offline).
 */
scope: Array<AreaCode>, villages: Array<VillageView>, 
/**
 * The village the screens show.
 */
current: string | null, 
/**
 * The TPK this device's team is in the current village: every household and
 * enrolment recorded here carries it, so the recap's rows are per team.
 */
tpk: string | null, };

export type Severity = "error" | "warning";

export type Sex = "L" | "P";

export type State = { "state": "not_enrolled" } | { "state": "idle", pending: number, last_success: string | null, } | { "state": "syncing", progress: Progress | null, } | { "state": "offline", pending: number, last_success: string | null, retry_in_ms: number, } | { "state": "link_dropping", pending: number, done: number, total: number | null, last_success: string | null, retry_in_ms: number, } | { "state": "failed", code: string, message: string, pending: number, };

export type SyncScreen = { enrolled: boolean, server: string | null, 
/**
 * The villages or kecamatan this device may see.
 */
scope: Array<AreaCode>, 
/**
 * The same, named: "36.02.01.2002 Cilangkahan".
 */
scope_titles: Array<string>, pending: number, 
/**
 * Sent to the PLKB hub, which holds them until the centre has them: kept here till then.
 */
held: number, last_success: string | null, conflicts: Array<ConflictView>, refused: Array<RefusedView>, };

export type TargetGroup = "catin" | "ibu_hamil" | "nifas" | "baduta" | "balita" | "krs";

export type TargetKind = "catin" | "ibu_hamil" | "nifas" | "anak" | "krs";

export type TimelineVisit = { advice: Array<FlagView>, visit: Visit, results: VisitResults | null, 
/**
 * Voided with a reason (`visit.correction_reason`): shown struck out, counted nowhere.
 */
voided: boolean, };

export type ToResolve = { person_id: string, enrolment_id: string, name: string, kind: TargetKind, phase: EnrolmentPhase, };

export type Urgency = "urgent" | "high" | "medium" | "low";

export type VillageView = { code: string, 
/**
 * e.g. "36.02.01.2002"
 */
dotted: string, name: string, 
/**
 * "Kec. Malingping, Kab. Lebak, Banten"
 */
place: string, };

export type Visit = { id: string, enrolment_id: string, person_id: string, household_id: string, area_code: string, visit_date: string, data: VisitData, 
/**
 * Set when this record corrects an earlier save.
 */
correction_reason: string | null, 
/**
 * The team member who recorded the visit (their name as on the device's log-in),
 * stamped by the store at the first save; a correction keeps it.
 */
recorded_by: string | null, };

export type VisitData = { "kind": "catin" } & CatinVisit | { "kind": "ibu_hamil" } & HamilVisit | { "kind": "nifas" } & NifasVisit | { "kind": "anak" } & AnakVisit | { "kind": "krs" } & KrsVisit;

export type VisitDraft = { visit: Visit, danger_signs: Array<DangerSign>, 
/**
 * The person's: a child's questions depend on the age at the visit.
 */
birth_date: string, 
/**
 * A child's immunisation checklist on the visit's date: given (from earlier visits),
 * overdue, due, not yet. Empty for other targets.
 */
immunisations: Array<DoseView>, };

export type VisitOutcome = { id: string, assessment: Assessment, next_due: string | null, };

export type VisitResult = { advice: Array<FlagView>, id: string, assessment: Assessment, next_due: string | null, };

export type VisitResults = { rules_version: string, tables_version: string, bmi?: number | null, gestational_age_weeks?: number | null, trimester?: number | null, days_since_delivery?: number | null, 
/**
 * KF1…KF4: the postpartum window this visit falls in.
 */
kf_window?: number | null, age_days?: number | null, anthro?: AnthroResult | null, indicators?: Array<IndicatorResult>, flags: Array<RiskFlag>, };

export type WaterSource = "air_kemasan" | "air_isi_ulang" | "ledeng" | "sumur_bor" | "sumur_terlindung" | "sumur_tak_terlindung" | "mata_air_terlindung" | "mata_air_tak_terlindung" | "air_hujan" | "air_permukaan" | "lainnya";

