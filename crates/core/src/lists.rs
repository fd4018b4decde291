//! The district's lists with names (docs/src/design/domain.md §3.4): the records behind a number. A list
//! drawn from the month is selected from the recap's own walk (`recap::walk`), so it has
//! exactly as many rows as the count it explains, at every level.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::recap::{Counted, Month, RecapInput, TargetGroup, walk};
use crate::risk::RiskFlag;
use crate::rules::Rules;

/// A list the case audit and the TPPS meeting open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
/// One spelling everywhere: the command line, the JSON, the file name.
#[serde(rename_all = "kebab-case")]
pub enum NameList {
    /// Children measured below −2 SD length/height-for-age this month.
    Stunted,
    /// Pregnant women with KEK, anaemia or a danger sign at a visit this month.
    KekAnaemia,
    /// KRS families, and whether anyone of them was visited this month.
    Krs,
    /// Targets whose next visit is past due, by TPK (as of today, not of a month).
    Overdue,
    /// Catin enrolled at the month's end not yet screened, with their wedding date.
    CatinUnscreened,
    /// Pregnant women accompanied today whose latest visit found KEK, anaemia, high blood
    /// pressure or a danger sign, whenever it was (as of today, not of a month): the women
    /// at risk now.
    PregnantAtRisk,
}

impl NameList {
    pub const ALL: [NameList; 6] = [
        NameList::Stunted,
        NameList::KekAnaemia,
        NameList::PregnantAtRisk,
        NameList::Krs,
        NameList::CatinUnscreened,
        NameList::Overdue,
    ];

    /// The name on a command line and in a file name.
    pub fn as_str(self) -> &'static str {
        match self {
            NameList::Stunted => "stunted",
            NameList::KekAnaemia => "kek-anaemia",
            NameList::Krs => "krs",
            NameList::Overdue => "overdue",
            NameList::CatinUnscreened => "catin-unscreened",
            NameList::PregnantAtRisk => "pregnant-at-risk",
        }
    }

    /// Drawn as of today, whatever the month asked (the month's choice does not apply).
    pub fn as_of_today(self) -> bool {
        matches!(self, NameList::Overdue | NameList::PregnantAtRisk)
    }

    pub fn parse(s: &str) -> Option<NameList> {
        NameList::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The flags that put a pregnant woman on the KEK and anaemia list.
    pub const MATERNAL_FLAGS: [RiskFlag; 4] = [
        RiskFlag::Kek,
        RiskFlag::Anemia,
        RiskFlag::AnemiaRefer,
        RiskFlag::DangerSign,
    ];

    /// What puts a pregnant woman on the list of those at risk now: the maternal flags and
    /// high blood pressure (pre-eclampsia: "Rujuk segera", the most urgent of all).
    pub const AT_RISK_FLAGS: [RiskFlag; 5] = [
        RiskFlag::Kek,
        RiskFlag::Anemia,
        RiskFlag::AnemiaRefer,
        RiskFlag::DangerSign,
        RiskFlag::HighBloodPressure,
    ];
}

/// One record on a list drawn from the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    /// A target (by enrolment) with the listed flags found on its visits this month.
    Target { enrolment_id: Uuid, flags: Vec<RiskFlag> },
    /// A family, and whether anyone of it was visited this month.
    Family { household_id: Uuid, accompanied: bool },
}

/// The members of `list` in the month, in the input's order; `None` for a list that is
/// not drawn from a month (`as_of_today`), whose input is then never read (`input` is the
/// store's walk over the month, a fifth of a second for a kabupaten).
pub fn members<E>(
    list: NameList,
    month: Month,
    input: impl FnOnce() -> Result<RecapInput, E>,
    rules: &Rules,
) -> Result<Option<Vec<Member>>, E> {
    Ok(Some(match list {
        NameList::Overdue | NameList::PregnantAtRisk => return Ok(None),
        NameList::Stunted => flagged(month, &input()?, rules, |group, flag| {
            matches!(group, TargetGroup::Baduta | TargetGroup::Balita) && flag.is_stunting()
        }),
        NameList::KekAnaemia => flagged(month, &input()?, rules, |group, flag| {
            group == TargetGroup::IbuHamil && NameList::MATERNAL_FLAGS.contains(&flag)
        }),
        NameList::CatinUnscreened => each(month, &input()?, rules, |c| match c {
            Counted::CatinAtEnd(e, false) => Some(Member::Target {
                enrolment_id: e.id,
                flags: Vec::new(),
            }),
            _ => None,
        }),
        NameList::Krs => each(month, &input()?, rules, |c| match c {
            Counted::KrsFamily(h, accompanied) => Some(Member::Family {
                household_id: h.id,
                accompanied,
            }),
            _ => None,
        }),
    }))
}

/// The targets with a flag that `keep` takes, each once with all its kept flags, in the
/// order the walk first meets them.
fn flagged(
    month: Month,
    input: &RecapInput,
    rules: &Rules,
    keep: impl Fn(TargetGroup, RiskFlag) -> bool,
) -> Vec<Member> {
    let mut targets: BTreeMap<Uuid, Vec<RiskFlag>> = BTreeMap::new();
    let mut order: Vec<Uuid> = Vec::new();
    walk(month, input, rules, &mut |c| {
        if let Counted::Flag(e, group, flag) = c
            && keep(group, flag)
        {
            targets
                .entry(e.id)
                .or_insert_with(|| {
                    order.push(e.id);
                    Vec::new()
                })
                .push(flag)
        }
    });
    order
        .into_iter()
        .map(|id| Member::Target {
            enrolment_id: id,
            flags: targets.remove(&id).unwrap_or_default(),
        })
        .collect()
}

/// The members the walk meets one by one, in its order.
fn each(month: Month, input: &RecapInput, rules: &Rules, pick: impl Fn(Counted) -> Option<Member>) -> Vec<Member> {
    let mut out = Vec::new();
    walk(month, input, rules, &mut |c| out.extend(pick(c)));
    out
}
