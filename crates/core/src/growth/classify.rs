//! WHO classification and the Indonesian labels of Permenkes 2/2020 (docs/src/design/domain.md §4.7).

use serde::{Deserialize, Serialize};

use super::AnthroResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// PB/U or TB/U.
    LengthForAge,
    /// BB/U.
    WeightForAge,
    /// BB/PB or BB/TB.
    WeightForLenhei,
    /// IMT/U.
    BmiForAge,
    HeadForAge,
    ArmForAge,
}

/// The bands of Permenkes 2/2020 (their words, in both languages, are the catalogue's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Band {
    SangatKurang,
    Kurang,
    Normal,
    RisikoBbLebih,
    SangatPendek,
    Pendek,
    Tinggi,
    GiziBuruk,
    GiziKurang,
    GiziBaik,
    BerisikoGiziLebih,
    GiziLebih,
    Obesitas,
}

/// The Permenkes 2/2020 band of a z-score, or `None` where the regulation gives none.
pub fn permenkes_band(indicator: Indicator, z: f64) -> Option<Band> {
    use Band::*;
    Some(match indicator {
        Indicator::WeightForAge => match z {
            z if z < -3.0 => SangatKurang,
            z if z < -2.0 => Kurang,
            z if z <= 1.0 => Normal,
            _ => RisikoBbLebih,
        },
        Indicator::LengthForAge => match z {
            z if z < -3.0 => SangatPendek,
            z if z < -2.0 => Pendek,
            z if z <= 3.0 => Normal,
            _ => Tinggi,
        },
        Indicator::WeightForLenhei | Indicator::BmiForAge => match z {
            z if z < -3.0 => GiziBuruk,
            z if z < -2.0 => GiziKurang,
            z if z <= 1.0 => GiziBaik,
            z if z <= 2.0 => BerisikoGiziLebih,
            z if z <= 3.0 => GiziLebih,
            _ => Obesitas,
        },
        Indicator::HeadForAge | Indicator::ArmForAge => return None,
    })
}

/// The Permenkes 2/2020 label of a z-score as the regulation writes it (Indonesian).
pub fn permenkes_label(indicator: Indicator, z: f64) -> Option<&'static str> {
    use crate::lang::{Labelled, Lang};
    permenkes_band(indicator, z).map(|b| b.words().get(Lang::Id))
}

/// WHO's nutritional statuses of one measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum WhoStatus {
    Stunted,
    SeverelyStunted,
    Wasted,
    SeverelyWasted,
    Underweight,
    SeverelyUnderweight,
    PossibleRiskOverweight,
    Overweight,
    Obese,
    Microcephaly,
}

/// Classifies the unflagged z-scores; flagged (implausible) values are not classified.
/// Oedema counts as severe wasting and severe underweight, as WHO counts it in summaries.
pub fn who_statuses(r: &AnthroResult, oedema: bool) -> Vec<WhoStatus> {
    use WhoStatus::*;
    let usable = |s: Option<super::Score>| s.filter(|s| !s.flagged).map(|s| s.z);
    let mut out = Vec::new();
    if let Some(z) = usable(r.len) {
        if z < -3.0 {
            out.push(SeverelyStunted);
        } else if z < -2.0 {
            out.push(Stunted);
        }
    }
    if oedema {
        out.extend([SeverelyWasted, SeverelyUnderweight]);
    }
    if let Some(z) = usable(r.wfl) {
        match z {
            z if z < -3.0 => out.push(SeverelyWasted),
            z if z < -2.0 => out.push(Wasted),
            z if z > 3.0 => out.push(Obese),
            z if z > 2.0 => out.push(Overweight),
            z if z > 1.0 => out.push(PossibleRiskOverweight),
            _ => {}
        }
    }
    if let Some(z) = usable(r.wei) {
        if z < -3.0 {
            out.push(SeverelyUnderweight);
        } else if z < -2.0 {
            out.push(Underweight);
        }
    }
    if usable(r.hc).is_some_and(|z| z < -2.0) {
        out.push(Microcephaly);
    }
    out.sort();
    out.dedup();
    out
}
