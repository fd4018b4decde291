//! The district's indicators of a month (docs/src/design/domain.md §3.4), counted over the recap's own walk
//! (`recap::walk`), so each equals the recap's row it comes from and the list of names it
//! drills down to. Every indicator counts targets or families, each in one village, so an
//! area's figures are the sum of its villages'.

use std::collections::BTreeMap;

use serde::Serialize;
use uuid::Uuid;

use crate::lists::NameList;
use crate::recap::{Counted, Month, RecapInput, TargetGroup, walk};
use crate::risk::RiskFlag;
use crate::rules::Rules;

/// One indicator the dashboard shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Indicator {
    /// Children 0–59 months visited this month.
    ChildrenVisited,
    /// Of them, with length/height measured (a length/height-for-age z) at a visit this
    /// month: the denominator of stunting and wasting.
    ChildrenMeasured,
    /// Weighed (a weight-for-age z) this month: the denominator of underweight.
    ChildrenWeighed,
    /// Of the measured, below −2 SD length/height-for-age.
    Stunted,
    /// Below −2 SD weight-for-length/height (needs both, so among the measured).
    Wasted,
    /// Of the weighed, below −2 SD weight-for-age.
    Underweight,
    /// Pregnant women accompanied at some time in the month (enrolled at its end, or
    /// leaving during it): every woman the maternal indicators below can count.
    Pregnant,
    /// Of them, visited this month: the women a visit this month could find at risk.
    PregnantVisited,
    /// Pregnant women with KEK, anaemia or a danger sign at a visit this month.
    KekAnaemia,
    /// Pregnant women whose cumulative TTD reached the target (90) by the month's end.
    TtdReached,
    /// KRS families.
    KrsFamilies,
    /// KRS families of which anyone was visited this month.
    KrsAccompanied,
    /// Postpartum women whose first contraceptive method was recorded this month (KBPP).
    Kbpp,
    /// Catin enrolled at the month's end.
    Catin,
    /// Of them, not yet screened (weight, height and LiLA measured at a visit).
    CatinUnscreened,
    /// Catin whose wedding date falls in the month.
    Weddings,
    /// Of them, screened at least `lifecycle.catin_screen_months` before the wedding.
    WeddingsScreenedInTime,
    /// Visits that referred a target to a health facility.
    Referrals,
    /// Visits that recorded a referral completed (of referrals made in any month, so not
    /// a share of this month's).
    ReferralsCompleted,
}

impl Indicator {
    pub const ALL: [Indicator; 19] = [
        Indicator::ChildrenVisited,
        Indicator::ChildrenMeasured,
        Indicator::ChildrenWeighed,
        Indicator::Stunted,
        Indicator::Wasted,
        Indicator::Underweight,
        Indicator::Pregnant,
        Indicator::PregnantVisited,
        Indicator::KekAnaemia,
        Indicator::TtdReached,
        Indicator::KrsFamilies,
        Indicator::KrsAccompanied,
        Indicator::Kbpp,
        Indicator::Catin,
        Indicator::CatinUnscreened,
        Indicator::Weddings,
        Indicator::WeddingsScreenedInTime,
        Indicator::Referrals,
        Indicator::ReferralsCompleted,
    ];

    /// The indicator this one is a share of (a prevalence's denominator).
    pub fn share_of(self) -> Option<Indicator> {
        match self {
            Indicator::ChildrenMeasured | Indicator::ChildrenWeighed => Some(Indicator::ChildrenVisited),
            Indicator::Stunted | Indicator::Wasted => Some(Indicator::ChildrenMeasured),
            Indicator::Underweight => Some(Indicator::ChildrenWeighed),
            // Found at a visit this month: a share of the women visited, not of every woman
            // enrolled (4 of 43 read as 9,3 % where 11 were seen).
            Indicator::KekAnaemia => Some(Indicator::PregnantVisited),
            Indicator::PregnantVisited | Indicator::TtdReached => Some(Indicator::Pregnant),
            Indicator::KrsAccompanied => Some(Indicator::KrsFamilies),
            Indicator::CatinUnscreened => Some(Indicator::Catin),
            Indicator::WeddingsScreenedInTime => Some(Indicator::Weddings),
            _ => None,
        }
    }

    /// The child indicator a growth flag counts toward. "Below −2 SD" holds the severe
    /// cases too: a child below −3 SD is stunted (and severely so), never left out.
    pub fn of_child_flag(flag: RiskFlag) -> Option<Indicator> {
        match flag {
            f if f.is_stunting() => Some(Indicator::Stunted),
            RiskFlag::Wasted | RiskFlag::SeverelyWasted => Some(Indicator::Wasted),
            RiskFlag::Underweight | RiskFlag::SeverelyUnderweight => Some(Indicator::Underweight),
            _ => None,
        }
    }

    /// The list of names behind the number, where one holds exactly the names it counts: a
    /// number never opens a list of others ("5 catin didampingi" opened the catin not yet
    /// screened, "KRS didampingi" every KRS family).
    pub fn list(self) -> Option<NameList> {
        match self {
            Indicator::Stunted => Some(NameList::Stunted),
            Indicator::KekAnaemia => Some(NameList::KekAnaemia),
            Indicator::KrsFamilies => Some(NameList::Krs),
            Indicator::CatinUnscreened => Some(NameList::CatinUnscreened),
            _ => None,
        }
    }
}

/// The indicators of one area and month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Indicators(BTreeMap<Indicator, u32>);

impl Indicators {
    pub fn get(&self, i: Indicator) -> u32 {
        self.0.get(&i).copied().unwrap_or(0)
    }

    fn bump(&mut self, i: Indicator) {
        *self.0.entry(i).or_default() += 1;
    }

    /// One more of `of`, and of `part` (a share of it) when `yes`.
    fn count_and_part(&mut self, of: Indicator, part: Indicator, yes: bool) {
        self.bump(of);
        if yes {
            self.bump(part);
        }
    }

    pub fn add(&mut self, o: &Indicators) {
        for (k, v) in &o.0 {
            *self.0.entry(*k).or_default() += v;
        }
    }

    /// `i` as a share of its denominator, in percent (None without one, or when it is 0).
    pub fn percent(&self, i: Indicator) -> Option<f64> {
        let of = self.get(i.share_of()?);
        (of > 0).then(|| 100.0 * f64::from(self.get(i)) / f64::from(of))
    }
}

fn child(g: TargetGroup) -> bool {
    matches!(g, TargetGroup::Baduta | TargetGroup::Balita)
}

/// The indicators of `month`, by the first `key_len` characters of each village code (a
/// kecamatan's 6, a village's 10): the rows of an area's drill-down. Their sum is the area's.
pub fn by_area(month: Month, input: &RecapInput, rules: &Rules, key_len: usize) -> BTreeMap<String, Indicators> {
    let mut out: BTreeMap<String, Indicators> = BTreeMap::new();
    // What counts a target once however often the walk meets it (an enrolment ending on the
    // month's last day is both at its end and leaving; a woman has several flags).
    let mut once: std::collections::BTreeSet<(Uuid, Indicator)> = Default::default();
    let key = |code: &str| code.get(..key_len).unwrap_or(code).to_string();
    walk(month, input, rules, &mut |c| {
        let (area, i) = match c {
            Counted::CaseloadEnd(e, TargetGroup::IbuHamil) | Counted::Exit(e, TargetGroup::IbuHamil, _)
                if once.insert((e.id, Indicator::Pregnant)) =>
            {
                (&e.area_code, Indicator::Pregnant)
            }
            // Once per child: one visit may find it stunted, another severely stunted.
            Counted::Flag(e, g, f) if child(g) => match Indicator::of_child_flag(f) {
                Some(i) if once.insert((e.id, i)) => (&e.area_code, i),
                _ => return,
            },
            Counted::Flag(e, TargetGroup::IbuHamil, f)
                if NameList::MATERNAL_FLAGS.contains(&f) && once.insert((e.id, Indicator::KekAnaemia)) =>
            {
                (&e.area_code, Indicator::KekAnaemia)
            }
            Counted::TtdReached(e, _) => (&e.area_code, Indicator::TtdReached),
            Counted::CatinAtEnd(e, screened) => {
                let row = out.entry(key(&e.area_code)).or_default();
                row.count_and_part(Indicator::Catin, Indicator::CatinUnscreened, !screened);
                return;
            }
            Counted::Wedding(e, in_time) => {
                let row = out.entry(key(&e.area_code)).or_default();
                row.count_and_part(Indicator::Weddings, Indicator::WeddingsScreenedInTime, in_time);
                return;
            }
            Counted::Kbpp(e, _, _) => (&e.area_code, Indicator::Kbpp),
            Counted::KrsFamily(h, accompanied) => {
                let row = out.entry(key(&h.area_code)).or_default();
                row.count_and_part(Indicator::KrsFamilies, Indicator::KrsAccompanied, accompanied);
                return;
            }
            Counted::Visit {
                enrolment,
                group,
                visit,
                first,
            } => {
                let row = out.entry(key(&enrolment.area_code)).or_default();
                if group == TargetGroup::IbuHamil && first {
                    row.bump(Indicator::PregnantVisited);
                }
                if child(group) {
                    if first {
                        row.bump(Indicator::ChildrenVisited);
                    }
                    let m = visit.measured;
                    for (yes, i) in [
                        (m.length, Indicator::ChildrenMeasured),
                        (m.weight, Indicator::ChildrenWeighed),
                    ] {
                        if yes && once.insert((enrolment.id, i)) {
                            row.bump(i);
                        }
                    }
                }
                if visit.services.referral {
                    row.bump(Indicator::Referrals);
                }
                if visit.services.referral_completed {
                    row.bump(Indicator::ReferralsCompleted);
                }
                return;
            }
            _ => return,
        };
        out.entry(key(area)).or_default().bump(i);
    });
    out
}

/// The indicators of the whole input.
pub fn total(rows: &BTreeMap<String, Indicators>) -> Indicators {
    let mut t = Indicators::default();
    for r in rows.values() {
        t.add(r);
    }
    t
}
