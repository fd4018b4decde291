//! The monthly TPK recap (docs/src/design/domain.md §3.2) as a pure function of records: per village, TPK
//! and target group. Built from visits and enrolments, never from hand-edited counters.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::age;
use crate::enrolment::{ExitReason, TargetKind};
use crate::risk::RiskFlag;
use crate::rules::Rules;
use crate::visit::{KbppMethod, Services};

pub use crate::month::{Month, MonthRefused};

/// Target groups of the report: children split at 24 months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TargetGroup {
    Catin,
    IbuHamil,
    Nifas,
    Baduta,
    Balita,
    Krs,
}

impl TargetGroup {
    pub const ALL: [TargetGroup; 6] = [
        TargetGroup::Catin,
        TargetGroup::IbuHamil,
        TargetGroup::Nifas,
        TargetGroup::Baduta,
        TargetGroup::Balita,
        TargetGroup::Krs,
    ];
    /// The group a target counts in on `on`: a child moves from baduta to balita by age.
    pub fn of(kind: TargetKind, birth: NaiveDate, on: NaiveDate, rules: &Rules) -> TargetGroup {
        match kind {
            TargetKind::Catin => TargetGroup::Catin,
            TargetKind::IbuHamil => TargetGroup::IbuHamil,
            TargetKind::Nifas => TargetGroup::Nifas,
            TargetKind::Krs => TargetGroup::Krs,
            TargetKind::Anak if age::months(birth, on) < rules.lifecycle.baduta_months as i32 => TargetGroup::Baduta,
            TargetKind::Anak => TargetGroup::Balita,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            TargetGroup::Catin => "catin",
            TargetGroup::IbuHamil => "ibu_hamil",
            TargetGroup::Nifas => "nifas",
            TargetGroup::Baduta => "baduta",
            TargetGroup::Balita => "balita",
            TargetGroup::Krs => "krs",
        }
    }
}

#[derive(Debug, Clone)]
pub struct RecapEnrolment {
    pub id: Uuid,
    pub person_id: Uuid,
    pub household_id: Uuid,
    pub area_code: String,
    pub tpk: Option<String>,
    pub kind: TargetKind,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub end_reason: Option<ExitReason>,
    /// The recorded exit or the natural end (day 42, 60 months), whichever is first.
    pub effective_end: Option<NaiveDate>,
    pub birth_date: NaiveDate,
    /// A catin's wedding and screening; `None` for other targets.
    pub catin: Option<CatinStatus>,
}

/// What the district asks of a catin (docs/src/design/domain.md §3.4): screened, and in time for the wedding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CatinStatus {
    pub wedding_date: Option<NaiveDate>,
    /// The first visit up to the month's end that measured weight, height and LiLA (BMI
    /// and KEK assessed): the screening.
    pub screened_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct RecapVisit {
    pub enrolment_id: Uuid,
    pub household_id: Uuid,
    pub visit_date: NaiveDate,
    pub flags: Vec<RiskFlag>,
    pub services: Services,
    pub ttd_total: Option<u32>,
    pub kbpp_method: Option<KbppMethod>,
    /// What of the child was measured: the prevalences' denominators.
    pub measured: Measured,
}

/// A child's measurements at a visit that gave a WHO z-score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measured {
    /// Weighed: a weight-for-age z (the denominator of underweight).
    pub weight: bool,
    /// Length/height measured: a length/height-for-age z (of stunting and wasting).
    pub length: bool,
}

#[derive(Debug, Clone)]
pub struct RecapHousehold {
    pub id: Uuid,
    pub area_code: String,
    pub krs: bool,
    /// The day the family was first recorded: the earlier of its registration (the time in
    /// its UUIDv7) and its first target's enrolment start (`None`: always known).
    pub known_from: Option<NaiveDate>,
}

/// Everything the recap reads: enrolments that overlap the month, the month's visits
/// (and, for TTD, earlier pregnancy visits), and the area's households.
#[derive(Debug, Clone, Default)]
pub struct RecapInput {
    pub enrolments: Vec<RecapEnrolment>,
    pub visits: Vec<RecapVisit>,
    pub households: Vec<RecapHousehold>,
    /// Today, where the reader knows it: the month still running is counted to today, not
    /// to a last day that has not come (`None`: every month whole).
    pub as_of: Option<NaiveDate>,
}

impl RecapInput {
    /// The day `month` is counted to: its last day, or `as_of` while the month runs.
    pub fn until(&self, month: Month) -> NaiveDate {
        match self.as_of {
            Some(d) if d < month.last_day() => d,
            _ => month.last_day(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecapRow {
    pub area_code: String,
    pub tpk: String,
    pub group: Option<TargetGroup>,
    pub caseload_end: u32,
    pub new_enrolments: u32,
    pub exits: BTreeMap<ExitReason, u32>,
    /// Targets visited at least once this month.
    pub visited: u32,
    pub visits: u32,
    /// Targets with each flag on at least one visit this month.
    pub flags: BTreeMap<RiskFlag, u32>,
    pub kie: u32,
    pub referrals: u32,
    pub referrals_completed: u32,
    pub bansos: u32,
    /// Pregnant women whose cumulative TTD reached the target by month end.
    pub ttd_target_reached: u32,
    /// Postpartum women with a contraceptive method recorded this month, by method.
    pub kbpp: BTreeMap<KbppMethod, u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KrsRow {
    pub area_code: String,
    pub krs_families: u32,
    /// KRS families with at least one visit (to any member, or a family visit) this month.
    pub krs_accompanied: u32,
}

/// Counts of people and families, not of enrolments: **not additive**. A family with a
/// pregnant mother and a baduta is one family in two target groups; a person enrolled in
/// two villages (registered twice, or moved) is one person. An area's figure is counted
/// over the area, never summed from its villages; the sum of the villages may be larger.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DistinctRow {
    pub area_code: String,
    /// Families with at least one target enrolled at month end, whatever the group.
    pub families_with_targets: u32,
    /// People visited at least once this month, whatever their enrolments.
    pub persons_visited: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Recap {
    pub month: Option<Month>,
    /// The day the month is counted to: its last day, or today while it runs (a target
    /// whose enrolment ends later this month is still a target today).
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
    /// By village, TPK and target group: every count in them adds up from village to
    /// kecamatan to kabupaten.
    pub rows: Vec<RecapRow>,
    pub krs: Vec<KrsRow>,
    /// By village; not additive (`DistinctRow`).
    pub distinct: Vec<DistinctRow>,
    /// Over the whole area the recap was computed for (`area_code` empty).
    pub distinct_total: DistinctRow,
}

impl RecapRow {
    fn add(&mut self, o: &RecapRow) {
        self.caseload_end += o.caseload_end;
        self.new_enrolments += o.new_enrolments;
        self.visited += o.visited;
        self.visits += o.visits;
        self.kie += o.kie;
        self.referrals += o.referrals;
        self.referrals_completed += o.referrals_completed;
        self.bansos += o.bansos;
        self.ttd_target_reached += o.ttd_target_reached;
        for (k, v) in &o.exits {
            *self.exits.entry(*k).or_default() += v;
        }
        for (k, v) in &o.flags {
            *self.flags.entry(*k).or_default() += v;
        }
        for (k, v) in &o.kbpp {
            *self.kbpp.entry(*k).or_default() += v;
        }
    }
}

impl Recap {
    /// Sums rows by target group over every village and TPK: the figures of a wider area.
    pub fn totals_by_group(&self) -> Vec<RecapRow> {
        let mut by: BTreeMap<TargetGroup, RecapRow> = BTreeMap::new();
        for r in &self.rows {
            let g = r.group.expect("rows carry a group");
            by.entry(g)
                .or_insert_with(|| RecapRow {
                    group: Some(g),
                    ..RecapRow::default()
                })
                .add(r);
        }
        by.into_values().collect()
    }

    pub fn krs_total(&self) -> KrsRow {
        KrsRow {
            area_code: String::new(),
            krs_families: self.krs.iter().map(|k| k.krs_families).sum(),
            krs_accompanied: self.krs.iter().map(|k| k.krs_accompanied).sum(),
        }
    }
}

/// One thing the recap counts, as the walk over the month meets it. `compute` counts
/// them; `members` names the records behind one kind of them. One walk for both, so a
/// list of names always has as many rows as the number it drills down from.
#[derive(Debug, Clone, Copy)]
pub enum Counted<'a> {
    /// Enrolled at month end.
    CaseloadEnd(&'a RecapEnrolment, TargetGroup),
    /// Enrolled during the month.
    New(&'a RecapEnrolment, TargetGroup),
    /// Left during the month, with the reason.
    Exit(&'a RecapEnrolment, TargetGroup, ExitReason),
    /// One visit of the month (`first`: the target's first this month).
    Visit {
        enrolment: &'a RecapEnrolment,
        group: TargetGroup,
        visit: &'a RecapVisit,
        first: bool,
    },
    /// A flag on at least one of the target's visits this month (once per target and flag).
    Flag(&'a RecapEnrolment, TargetGroup, RiskFlag),
    /// A pregnancy whose cumulative TTD reached the target by month end.
    TtdReached(&'a RecapEnrolment, TargetGroup),
    /// A postpartum woman's first contraceptive method recorded this month.
    Kbpp(&'a RecapEnrolment, TargetGroup, KbppMethod),
    /// A KRS family, and whether anyone of it was visited this month.
    KrsFamily(&'a RecapHousehold, bool),
    /// A catin enrolled at month end, and whether screened by then.
    CatinAtEnd(&'a RecapEnrolment, bool),
    /// A catin whose wedding date falls in the month, and whether screened in time for it.
    Wedding(&'a RecapEnrolment, bool),
}

/// Walks the month once, calling `f` with everything the recap counts.
pub fn walk<'a>(month: Month, input: &'a RecapInput, rules: &Rules, f: &mut dyn FnMut(Counted<'a>)) {
    let ttd_target = rules.risk.ttd_target;
    let (first, last) = (month.first_day(), input.until(month));
    let enrolments: BTreeMap<Uuid, &RecapEnrolment> = input.enrolments.iter().map(|e| (e.id, e)).collect();
    let group = |e: &RecapEnrolment, on: NaiveDate| TargetGroup::of(e.kind, e.birth_date, on, rules);

    for e in &input.enrolments {
        if e.start_date > last {
            continue;
        }
        let ended_by = |d: NaiveDate| e.effective_end.is_some_and(|end| end < d);
        if !ended_by(last) {
            f(Counted::CaseloadEnd(e, group(e, last)));
        }
        if let Some(c) = &e.catin {
            if !ended_by(last) {
                f(Counted::CatinAtEnd(e, c.screened_on.is_some_and(|s| s <= last)));
            }
            if let Some(w) = c.wedding_date.filter(|w| month.contains(*w)) {
                let lead = rules.lifecycle.catin_screen_months;
                let in_time = c.screened_on.is_some_and(|s| crate::age::add_months(s, lead) <= w);
                f(Counted::Wedding(e, in_time));
            }
        }
        if month.contains(e.start_date) {
            f(Counted::New(e, group(e, e.start_date)));
        }
        if let Some(end) = e.effective_end
            && month.contains(end)
            && end >= e.start_date
        {
            // A recorded exit gives its reason; a natural end is "selesai".
            let reason = match e.end_date {
                Some(d) if d == end => e.end_reason.unwrap_or(ExitReason::Selesai),
                _ => ExitReason::Selesai,
            };
            f(Counted::Exit(e, group(e, end), reason));
        }
    }

    let mut visited: BTreeSet<Uuid> = BTreeSet::new();
    let mut flagged: BTreeSet<(Uuid, RiskFlag)> = BTreeSet::new();
    let mut kbpp: BTreeSet<Uuid> = BTreeSet::new();
    let mut ttd_max: BTreeMap<Uuid, u32> = BTreeMap::new();
    for v in &input.visits {
        let Some(e) = enrolments.get(&v.enrolment_id) else {
            continue;
        };
        if v.visit_date <= last
            && e.kind == TargetKind::IbuHamil
            && let Some(t) = v.ttd_total
        {
            let m = ttd_max.entry(e.id).or_default();
            *m = (*m).max(t);
        }
        if v.visit_date < first || v.visit_date > last {
            continue;
        }
        let g = group(e, v.visit_date);
        f(Counted::Visit {
            enrolment: e,
            group: g,
            visit: v,
            first: visited.insert(e.id),
        });
        for fl in &v.flags {
            if flagged.insert((e.id, *fl)) {
                f(Counted::Flag(e, g, *fl));
            }
        }
        if let Some(m) = v.kbpp_method
            && m != KbppMethod::Tidak
            && kbpp.insert(e.id)
        {
            f(Counted::Kbpp(e, g, m));
        }
    }
    for (id, max) in ttd_max {
        let e = enrolments[&id];
        let active = e.start_date <= last && e.effective_end.is_none_or(|end| end >= first);
        if active && max >= ttd_target {
            f(Counted::TtdReached(e, group(e, last)));
        }
    }

    let visited_households: BTreeSet<Uuid> = input
        .visits
        .iter()
        .filter(|v| month.contains(v.visit_date))
        .map(|v| v.household_id)
        .collect();
    // A family is counted from the month it was known (registered, or its first target
    // enrolled): not in the months before anyone had recorded it.
    for h in input
        .households
        .iter()
        .filter(|h| h.krs && h.known_from.is_none_or(|d| d <= last))
    {
        f(Counted::KrsFamily(h, visited_households.contains(&h.id)));
    }
}

/// Computes the recap of one month.
pub fn compute(month: Month, input: &RecapInput, rules: &Rules) -> Recap {
    let mut rows: BTreeMap<(String, String, TargetGroup), RecapRow> = BTreeMap::new();
    let mut krs: BTreeMap<String, KrsRow> = BTreeMap::new();
    type Rows = BTreeMap<(String, String, TargetGroup), RecapRow>;
    // The row of a (village, TPK, group), created on first use.
    fn entry<'r>(rows: &'r mut Rows, e: &RecapEnrolment, g: TargetGroup) -> &'r mut RecapRow {
        let k = (e.area_code.clone(), e.tpk.clone().unwrap_or_default(), g);
        rows.entry(k.clone()).or_insert_with(|| RecapRow {
            area_code: k.0,
            tpk: k.1,
            group: Some(k.2),
            ..RecapRow::default()
        })
    }
    walk(month, input, rules, &mut |c| match c {
        Counted::CaseloadEnd(e, g) => entry(&mut rows, e, g).caseload_end += 1,
        Counted::New(e, g) => entry(&mut rows, e, g).new_enrolments += 1,
        Counted::Exit(e, g, reason) => *entry(&mut rows, e, g).exits.entry(reason).or_default() += 1,
        Counted::Visit {
            enrolment,
            group,
            visit,
            first,
        } => {
            let r = entry(&mut rows, enrolment, group);
            r.visits += 1;
            r.visited += first as u32;
            let s = &visit.services;
            r.kie += s.kie as u32;
            r.referrals += s.referral as u32;
            r.referrals_completed += s.referral_completed as u32;
            r.bansos += s.bansos as u32;
        }
        Counted::Flag(e, g, f) => *entry(&mut rows, e, g).flags.entry(f).or_default() += 1,
        Counted::TtdReached(e, g) => entry(&mut rows, e, g).ttd_target_reached += 1,
        Counted::Kbpp(e, g, m) => *entry(&mut rows, e, g).kbpp.entry(m).or_default() += 1,
        Counted::KrsFamily(h, accompanied) => {
            let k = krs.entry(h.area_code.clone()).or_insert_with(|| KrsRow {
                area_code: h.area_code.clone(),
                ..KrsRow::default()
            });
            k.krs_families += 1;
            k.krs_accompanied += accompanied as u32;
        }
        // The district's catin indicators; the recap's catin rows count them as targets.
        Counted::CatinAtEnd(..) | Counted::Wedding(..) => {}
    });
    let (distinct, distinct_total) = distinct_counts(input, month);
    Recap {
        month: Some(month),
        as_of: Some(input.until(month)),
        rows: rows.into_values().collect(),
        krs: krs.into_values().collect(),
        distinct,
        distinct_total,
    }
}

/// The lengths of Kemendagri codes: province, regency, kecamatan, village.
const LEVELS: [usize; 4] = [2, 4, 6, 10];

/// Families with targets and people visited, for every area (at every level) the input
/// touches, and over the whole input: each counted over its own area, never summed.
fn distinct_counts(input: &RecapInput, month: Month) -> (Vec<DistinctRow>, DistinctRow) {
    let last = input.until(month);
    let enrolments: BTreeMap<Uuid, &RecapEnrolment> = input.enrolments.iter().map(|e| (e.id, e)).collect();
    // (area prefix, id) pairs at every level; the whole input's sets are the ids alone.
    let mut families: BTreeSet<(&str, Uuid)> = BTreeSet::new();
    let mut persons: BTreeSet<(&str, Uuid)> = BTreeSet::new();
    let (mut all_families, mut all_persons) = (BTreeSet::new(), BTreeSet::new());
    fn levels(code: &str) -> impl Iterator<Item = usize> + use<> {
        let n = code.len();
        LEVELS.into_iter().filter(move |l| *l <= n)
    }
    for e in &input.enrolments {
        if e.start_date <= last && e.effective_end.is_none_or(|end| end >= last) {
            for l in levels(&e.area_code) {
                families.insert((&e.area_code[..l], e.household_id));
            }
            all_families.insert(e.household_id);
        }
    }
    for v in input.visits.iter().filter(|v| month.contains(v.visit_date)) {
        if let Some(e) = enrolments.get(&v.enrolment_id) {
            for l in levels(&e.area_code) {
                persons.insert((&e.area_code[..l], e.person_id));
            }
            all_persons.insert(e.person_id);
        }
    }
    let mut by: BTreeMap<&str, DistinctRow> = BTreeMap::new();
    for (area, _) in &families {
        by.entry(area).or_default().families_with_targets += 1;
    }
    for (area, _) in &persons {
        by.entry(area).or_default().persons_visited += 1;
    }
    let total = DistinctRow {
        area_code: String::new(),
        families_with_targets: all_families.len() as u32,
        persons_visited: all_persons.len() as u32,
    };
    let rows = by
        .into_iter()
        .map(|(area, mut r)| {
            r.area_code = area.to_string();
            r
        })
        .collect();
    (rows, total)
}

impl Recap {
    /// The non-additive counts of `area` (any level it holds), counted over that area.
    pub fn distinct_of(&self, area: &str) -> DistinctRow {
        self.distinct
            .iter()
            .find(|d| d.area_code == area)
            .cloned()
            .unwrap_or_else(|| DistinctRow {
                area_code: area.to_string(),
                ..DistinctRow::default()
            })
    }

    /// The additive rows of the areas one level below `area` (villages of a kecamatan,
    /// kecamatan of a kabupaten, …), summed by target group: (child code, rows, KRS).
    pub fn by_child_area(&self, area: &str) -> Vec<(String, Vec<RecapRow>, KrsRow)> {
        let Some(len) = LEVELS.into_iter().find(|l| *l > area.len()) else {
            return Vec::new();
        };
        let mut children: BTreeMap<String, Recap> = BTreeMap::new();
        for r in self.rows.iter().filter(|r| r.area_code.len() >= len) {
            children
                .entry(r.area_code[..len].to_string())
                .or_default()
                .rows
                .push(r.clone());
        }
        for k in self.krs.iter().filter(|k| k.area_code.len() >= len) {
            children
                .entry(k.area_code[..len].to_string())
                .or_default()
                .krs
                .push(k.clone());
        }
        children
            .into_iter()
            .map(|(code, part)| {
                let mut krs = part.krs_total();
                krs.area_code = code.clone();
                (code, part.totals_by_group(), krs)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
