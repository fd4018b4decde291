//! Families at risk of stunting (KRS), docs/src/design/domain.md §3.3: a target family with unsafe water,
//! an unsafe latrine, or a PUS wife with one of the 4T.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::age;
use crate::household::{Household, Latrine};
use crate::person::{Relationship, Sex};
use crate::rules::Rules;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum KrsCriterion {
    UnsafeWater,
    UnsafeLatrine,
    WifeTooYoung,
    WifeTooOld,
    BirthsTooClose,
    TooManyChildren,
    /// Only when the rules count habitability.
    Uninhabitable,
}

/// A household member, as KRS needs it.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub relationship: Relationship,
    pub pregnant: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KrsStatus {
    /// Has a PUS wife, a pregnant woman or a child under 60 months.
    pub target_family: bool,
    /// Criteria met; each counts on its own — never add them up across families.
    pub criteria: Vec<KrsCriterion>,
}

impl KrsStatus {
    pub fn at_risk(&self) -> bool {
        self.target_family && !self.criteria.is_empty()
    }
}

/// The wife of the couple: the head's wife, or a female head.
fn wife(members: &[Member]) -> Option<&Member> {
    members
        .iter()
        .find(|m| m.relationship == Relationship::Istri && m.sex == Sex::Female)
        .or_else(|| {
            members
                .iter()
                .find(|m| m.relationship == Relationship::KepalaKeluarga && m.sex == Sex::Female)
        })
}

pub fn status(h: &Household, members: &[Member], on: NaiveDate, rules: &Rules) -> KrsStatus {
    let k = &rules.krs;
    let r = &rules.risk;
    let wife = wife(members);
    let wife_age = wife.map(|w| age::years(w.birth_date, on));
    let pus = wife_age.is_some_and(|a| (k.pus_age_from..=k.pus_age_to).contains(&a));
    let under_five = members
        .iter()
        .any(|m| m.birth_date <= on && age::months(m.birth_date, on) < 60);
    let pregnant = members.iter().any(|m| m.pregnant);
    let mut criteria = Vec::new();
    if let Some(w) = h.water_source
        && !k.safe_water.contains(&w)
    {
        criteria.push(KrsCriterion::UnsafeWater);
    }
    if matches!(h.latrine, Some(Latrine::Tidak | Latrine::TanpaSepticTank)) {
        criteria.push(KrsCriterion::UnsafeLatrine);
    }
    if pus && let Some(a) = wife_age {
        if a < r.too_young_below {
            criteria.push(KrsCriterion::WifeTooYoung);
        }
        if (r.too_old_from..=r.too_old_to).contains(&a) {
            criteria.push(KrsCriterion::WifeTooOld);
        }
        let mut births: Vec<NaiveDate> = members
            .iter()
            .filter(|m| m.relationship == Relationship::Anak && m.birth_date <= on)
            .map(|m| m.birth_date)
            .collect();
        births.sort_unstable();
        if births.len() as u32 > r.too_many_children_above {
            criteria.push(KrsCriterion::TooManyChildren);
        }
        // The two youngest children: is the latest birth too close to the one before?
        if let [.., older, youngest] = births[..]
            && age::months(older, youngest) < r.birth_spacing_below_months
        {
            criteria.push(KrsCriterion::BirthsTooClose);
        }
    }
    if k.count_habitability
        && let Some(area) = h.floor_area_m2
        && !members.is_empty()
        && area / (members.len() as f64) < k.min_floor_area_per_person_m2
    {
        criteria.push(KrsCriterion::Uninhabitable);
    }
    criteria.sort();
    KrsStatus {
        target_family: pus || pregnant || under_five,
        criteria,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::household::WaterSource;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn on() -> NaiveDate {
        d(2026, 11, 23)
    }
    fn hh(water: WaterSource, latrine: Latrine) -> Household {
        Household {
            id: uuid::Uuid::nil(),
            kk_number: None,
            area_code: "3602012002".into(),
            head_name: "Ahmad".into(),
            address: None,
            rt: None,
            rw: None,
            water_source: Some(water),
            latrine: Some(latrine),
            welfare_decile: None,
            floor_area_m2: Some(20.0),
            latitude: None,
            longitude: None,
            tpk: None,
        }
    }
    fn member(rel: Relationship, sex: Sex, birth: NaiveDate) -> Member {
        Member {
            sex,
            birth_date: birth,
            relationship: rel,
            pregnant: false,
        }
    }
    fn couple(wife_birth: NaiveDate) -> Vec<Member> {
        vec![
            member(Relationship::KepalaKeluarga, Sex::Male, d(1990, 1, 1)),
            member(Relationship::Istri, Sex::Female, wife_birth),
        ]
    }
    fn criteria(h: &Household, m: &[Member]) -> Vec<KrsCriterion> {
        status(h, m, on(), &Rules::default()).criteria
    }

    #[test]
    fn a_safe_household_with_a_wife_of_25_is_a_target_family_not_at_risk() {
        let s = status(
            &hh(WaterSource::Ledeng, Latrine::SepticTank),
            &couple(d(2001, 6, 1)),
            on(),
            &Rules::default(),
        );
        assert!(s.target_family);
        assert!(!s.at_risk());
    }

    #[test]
    fn water_and_latrine_criteria() {
        let m = couple(d(2001, 6, 1));
        assert_eq!(
            criteria(&hh(WaterSource::SumurTakTerlindung, Latrine::SepticTank), &m),
            [KrsCriterion::UnsafeWater]
        );
        assert_eq!(
            criteria(&hh(WaterSource::Ledeng, Latrine::TanpaSepticTank), &m),
            [KrsCriterion::UnsafeLatrine]
        );
        assert_eq!(
            criteria(&hh(WaterSource::Ledeng, Latrine::Tidak), &m),
            [KrsCriterion::UnsafeLatrine]
        );
    }

    #[test]
    fn wife_age_boundaries_follow_4t() {
        let safe = hh(WaterSource::Ledeng, Latrine::SepticTank);
        // 19 years and 364 days: too young; 20 exactly: not.
        assert_eq!(criteria(&safe, &couple(d(2006, 11, 24))), [KrsCriterion::WifeTooYoung]);
        assert!(criteria(&safe, &couple(d(2006, 11, 23))).is_empty());
        // 35 to 40 inclusive: too old; 34 and 41: not.
        assert!(criteria(&safe, &couple(d(1991, 11, 24))).is_empty());
        assert_eq!(criteria(&safe, &couple(d(1991, 11, 23))), [KrsCriterion::WifeTooOld]);
        assert_eq!(criteria(&safe, &couple(d(1985, 11, 24))), [KrsCriterion::WifeTooOld]);
        assert!(criteria(&safe, &couple(d(1985, 11, 23))).is_empty());
    }

    #[test]
    fn more_than_three_children_and_close_births() {
        let safe = hh(WaterSource::Ledeng, Latrine::SepticTank);
        let mut m = couple(d(1996, 1, 1));
        for y in [2016, 2019, 2022] {
            m.push(member(Relationship::Anak, Sex::Male, d(y, 1, 1)));
        }
        assert!(criteria(&safe, &m).is_empty(), "three children, 3 years apart");
        m.push(member(Relationship::Anak, Sex::Female, d(2023, 12, 31)));
        assert_eq!(
            criteria(&safe, &m),
            [KrsCriterion::BirthsTooClose, KrsCriterion::TooManyChildren]
        );
    }

    #[test]
    fn a_family_without_pus_child_or_pregnancy_is_not_a_target() {
        let elderly = vec![member(Relationship::KepalaKeluarga, Sex::Female, d(1950, 1, 1))];
        let s = status(
            &hh(WaterSource::AirPermukaan, Latrine::Tidak),
            &elderly,
            on(),
            &Rules::default(),
        );
        assert!(!s.target_family);
        assert!(!s.at_risk(), "unsafe water alone does not make a non-target family KRS");
    }

    #[test]
    fn habitability_counts_only_when_configured() {
        let mut rules = Rules::default();
        let mut h = hh(WaterSource::Ledeng, Latrine::SepticTank);
        h.floor_area_m2 = Some(10.0);
        let m = couple(d(2001, 6, 1));
        assert!(status(&h, &m, on(), &rules).criteria.is_empty());
        rules.krs.count_habitability = true;
        assert_eq!(status(&h, &m, on(), &rules).criteria, [KrsCriterion::Uninhabitable]);
    }
}
