//! Checking a visit form and computing what the cadre sees before saving: BMI, gestational
//! age, KF window, WHO z-scores with their Permenkes labels, and risk flags.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::enrolment::TargetKind;
use crate::enrolment::{Enrolment, EnrolmentDetails, before_birth, gestational_weeks, trimester};
use crate::growth::{self, AnthroInput, AnthroResult, Indicator, Measure, WhoStatus};
use crate::lang::{Labelled, Lang};
use crate::person::Sex;
use crate::problem::{Problem, label, num_en, num_id};
use crate::risk::{self, PersonFacts, RiskFlag};
use crate::rules::Rules;
use crate::visit::{AnakVisit, CatinVisit, DangerSign, HamilVisit, NifasVisit, VisitData};

/// What the rules need to know besides the form.
#[derive(Debug, Clone, Copy)]
pub struct VisitContext<'a> {
    pub person: PersonFacts,
    pub enrolment: &'a Enrolment,
    pub today: NaiveDate,
}

/// One z-score as shown to the cadre.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IndicatorResult {
    pub indicator: Indicator,
    pub z: f64,
    pub flagged: bool,
    /// Permenkes 2/2020 label, e.g. "pendek".
    pub label: Option<String>,
    /// The same band as a code, named in the screen's language (`None` in results kept
    /// before it was recorded: the label stands).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<growth::Band>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VisitResults {
    pub rules_version: String,
    pub tables_version: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub bmi: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gestational_age_weeks: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trimester: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub days_since_delivery: Option<i64>,
    /// KF1…KF4: the postpartum window this visit falls in.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kf_window: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub age_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub anthro: Option<AnthroResult>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub indicators: Vec<IndicatorResult>,
    pub flags: Vec<RiskFlag>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Assessment {
    pub problems: Vec<Problem>,
    /// Empty while any problem is an error: no result is shown from a value that failed
    /// its check (a z-score of +7,000 is not a result).
    pub results: VisitResults,
    /// The measurements the results rest on that the form leaves empty: "no risk found"
    /// may only be said when nothing is missing.
    #[serde(default)]
    pub missing: Vec<String>,
}

impl Assessment {
    pub fn has_errors(&self) -> bool {
        crate::problem::has_errors(&self.problems)
    }
}

pub use crate::rules::check_range;

fn check_date(out: &mut Vec<Problem>, field: &str, d: NaiveDate, ctx: &VisitContext, visit: NaiveDate) {
    if d > ctx.today || d > visit {
        out.push(Problem::future_date(field));
    } else if d < ctx.person.birth_date {
        out.push(before_birth(field));
    }
}

/// Validates a visit form and computes its results. Never fails: problems say what is wrong.
pub fn assess(visit_date: NaiveDate, data: &VisitData, ctx: &VisitContext, rules: &Rules) -> Assessment {
    let mut problems = Vec::new();
    let mut results = VisitResults {
        rules_version: rules.version.clone(),
        tables_version: growth::TABLES_VERSION.into(),
        ..VisitResults::default()
    };
    let e = ctx.enrolment;
    if data.kind() != e.kind {
        problems.push(Problem::error(
            "kind_mismatch",
            "kind",
            format!(
                "Formulir kunjungan tidak sesuai dengan sasaran ({})",
                e.kind.label(Lang::Id)
            ),
            format!("The visit form does not match the target ({})", e.kind.label(Lang::En)),
        ));
    }
    if visit_date > ctx.today {
        problems.push(Problem::future_date("visit_date"));
    }
    if visit_date < ctx.person.birth_date {
        problems.push(before_birth("visit_date"));
    } else if visit_date < e.start_date {
        let (id, en) = label("visit_date");
        problems.push(Problem::error(
            "before_enrolment",
            "visit_date",
            format!(
                "{id} tidak boleh sebelum tanggal mulai pendampingan ({})",
                Lang::Id.date(e.start_date)
            ),
            format!(
                "{en} may not be before the enrolment date ({})",
                Lang::En.date(e.start_date)
            ),
        ));
    }
    if let Some(end) = e.end_date
        && visit_date > end
    {
        let (id, en) = label("visit_date");
        problems.push(Problem::error(
            "after_exit",
            "visit_date",
            format!("{id} setelah pendampingan selesai"),
            format!("{en} is after the enrolment ended"),
        ));
    }
    let mut flags = risk::enrolment_flags(e, ctx.person, rules);
    let female = ctx.person.sex == Sex::Female;
    match data {
        VisitData::Catin(v) => catin(v, female, rules, &mut problems, &mut flags, &mut results),
        VisitData::IbuHamil(v) => hamil(v, visit_date, ctx, rules, &mut problems, &mut flags, &mut results),
        VisitData::Nifas(v) => nifas(v, visit_date, ctx, rules, &mut problems, &mut flags, &mut results),
        VisitData::Anak(v) => anak(v, visit_date, ctx, rules, &mut problems, &mut flags, &mut results),
        VisitData::Krs(_) => {}
    }
    flags.sort();
    flags.dedup();
    results.flags = flags;
    if crate::problem::has_errors(&problems) {
        results = VisitResults {
            rules_version: results.rules_version,
            tables_version: results.tables_version,
            ..VisitResults::default()
        };
    }
    let missing = missing(data, ctx);
    Assessment {
        problems,
        results,
        missing,
    }
}

/// The measurements a target's results rest on, left empty on the form.
fn missing(data: &VisitData, ctx: &VisitContext) -> Vec<String> {
    let female = ctx.person.sex == Sex::Female;
    let wanted: [(&str, bool); 4] = match data {
        VisitData::Anak(v) => [
            ("weight_kg", v.weight_kg.is_some()),
            ("lenhei_cm", v.lenhei_cm.is_some()),
            ("", true),
            ("", true),
        ],
        VisitData::IbuHamil(v) => [
            ("weight_kg", v.weight_kg.is_some()),
            ("lila_cm", v.lila_cm.is_some()),
            ("hb", v.hb.is_some()),
            ("", true),
        ],
        VisitData::Catin(v) => [
            ("weight_kg", v.weight_kg.is_some()),
            ("height_cm", v.height_cm.is_some()),
            ("lila_cm", v.lila_cm.is_some() || !female),
            ("hb", v.hb.is_some() || !female),
        ],
        VisitData::Nifas(_) | VisitData::Krs(_) => [("", true); 4],
    };
    wanted
        .iter()
        .filter(|(_, given)| !given)
        .map(|(f, _)| f.to_string())
        .collect()
}

/// Weight, LiLA and Hb of a woman: ranges, KEK and anaemia (below `hb_below`).
fn woman_measures(
    [weight, lila, hb]: [Option<f64>; 3],
    hb_below: f64,
    female: bool,
    rules: &Rules,
    problems: &mut Vec<Problem>,
    flags: &mut Vec<RiskFlag>,
) {
    let p = &rules.plausibility;
    let r = &rules.risk;
    problems.extend(check_range("weight_kg", weight, &p.adult_weight_kg));
    problems.extend(check_range("lila_cm", lila, &p.lila_cm));
    problems.extend(check_range("hb", hb, &p.hb));
    if female {
        if lila.is_some_and(|l| l < r.lila_kek_below) {
            flags.push(RiskFlag::Kek);
        }
        if let Some(hb) = hb {
            if hb < hb_below {
                flags.push(RiskFlag::Anemia);
            }
            if hb < r.hb_refer_below {
                flags.push(RiskFlag::AnemiaRefer);
            }
        }
    }
}

fn catin(
    v: &CatinVisit,
    female: bool,
    rules: &Rules,
    problems: &mut Vec<Problem>,
    flags: &mut Vec<RiskFlag>,
    results: &mut VisitResults,
) {
    let p = &rules.plausibility;
    let r = &rules.risk;
    woman_measures(
        [v.weight_kg, v.lila_cm, v.hb],
        r.hb_catin_below,
        female,
        rules,
        problems,
        flags,
    );
    problems.extend(check_range("height_cm", v.height_cm, &p.adult_height_cm));
    problems.extend(check_range("waist_cm", v.waist_cm, &p.waist_cm));
    if let (Some(w), Some(h)) = (v.weight_kg, v.height_cm) {
        let bmi = risk::bmi(w, h);
        results.bmi = Some(bmi);
        if bmi < r.bmi_under_below && female {
            flags.push(RiskFlag::BmiUnder);
        }
    }
    if female && v.height_cm.is_some_and(|h| h < r.short_stature_below_cm) {
        flags.push(RiskFlag::ShortStature);
    }
    if v.smoker {
        flags.push(RiskFlag::Smoker);
    }
    if v.smoke_exposure {
        flags.push(RiskFlag::SmokeExposure);
    }
}

fn hamil(
    v: &HamilVisit,
    visit_date: NaiveDate,
    ctx: &VisitContext,
    rules: &Rules,
    problems: &mut Vec<Problem>,
    flags: &mut Vec<RiskFlag>,
    results: &mut VisitResults,
) {
    let p = &rules.plausibility;
    let r = &rules.risk;
    woman_measures(
        [v.weight_kg, v.lila_cm, v.hb],
        r.hb_pregnant_below,
        true,
        rules,
        problems,
        flags,
    );
    if let EnrolmentDetails::IbuHamil { hpht, .. } = &ctx.enrolment.details {
        let weeks = gestational_weeks(*hpht, visit_date);
        let ga = p.gestational_age_weeks;
        if (weeks as f64) < ga.reject_min || (weeks as f64) > ga.reject_max {
            let (id, en) = label("visit_date");
            problems.push(Problem::error(
                "gestational_age",
                "visit_date",
                format!(
                    "{id}: usia kehamilan {weeks} minggu di luar batas {}–{} minggu; periksa HPHT",
                    ga.reject_min, ga.reject_max
                ),
                format!(
                    "{en}: gestational age {weeks} weeks is outside {}–{} weeks; check the HPHT",
                    ga.reject_min, ga.reject_max
                ),
            ));
        } else {
            results.gestational_age_weeks = Some(weeks);
            results.trimester = Some(trimester(weeks));
        }
        for anc in &v.anc {
            if anc.date < *hpht {
                let (id, en) = label("anc");
                problems.push(Problem::error(
                    "before_hpht",
                    "anc",
                    format!("{id}: tanggal sebelum HPHT"),
                    format!("{en}: date before the last menstrual period"),
                ));
            }
        }
    }
    if let Some(d) = v.hb_date {
        check_date(problems, "hb_date", d, ctx, visit_date);
    }
    for anc in &v.anc {
        check_date(problems, "anc", anc.date, ctx, visit_date);
    }
    problems.extend(check_range("systolic", v.systolic.map(f64::from), &p.systolic));
    problems.extend(check_range("diastolic", v.diastolic.map(f64::from), &p.diastolic));
    if let (Some(s), Some(d)) = (v.systolic, v.diastolic)
        && d >= s
    {
        problems.push(Problem::error(
            "bp_order",
            "diastolic",
            "Tekanan darah diastolik harus lebih rendah dari sistolik".into(),
            "Diastolic pressure must be below systolic".into(),
        ));
    }
    if v.systolic.is_some_and(|s| s >= r.systolic_high_from) || v.diastolic.is_some_and(|d| d >= r.diastolic_high_from)
    {
        flags.push(RiskFlag::HighBloodPressure);
    }
    if let Some(t) = v.ttd_total
        && t > 400
    {
        problems.push(crate::problem::out_of_range("ttd_total", t as f64, 0.0, 400.0));
    }
    danger_signs(&v.danger_signs, TargetKind::IbuHamil, problems, flags);
    if v.smoke_exposure {
        flags.push(RiskFlag::SmokeExposure);
    }
}

/// The danger-sign checklist: a sign that cannot occur for the target is an error (a
/// pregnancy's sign on a postpartum form), any other raises the flag.
fn danger_signs(signs: &[DangerSign], kind: TargetKind, problems: &mut Vec<Problem>, flags: &mut Vec<RiskFlag>) {
    if signs.iter().any(|d| !d.applies_to(kind)) {
        problems.push(Problem::error(
            "danger_sign_invalid",
            "danger_signs",
            format!("Tanda bahaya ini tidak berlaku untuk {}", kind.label(Lang::Id)),
            format!("This danger sign does not apply to: {}", kind.label(Lang::En)),
        ));
    }
    if !signs.is_empty() {
        flags.push(RiskFlag::DangerSign);
    }
}

/// KF windows in days after delivery (docs/src/design/domain.md §3.1): KF1 0–2, KF2 3–7, KF3 8–28, KF4 29–42.
pub const KF_WINDOWS: [(i64, i64); 4] = [(0, 2), (3, 7), (8, 28), (29, 42)];

pub fn kf_window(days_since_delivery: i64) -> Option<u8> {
    KF_WINDOWS
        .iter()
        .position(|(a, b)| (*a..=*b).contains(&days_since_delivery))
        .map(|i| i as u8 + 1)
}

fn nifas(
    v: &NifasVisit,
    visit_date: NaiveDate,
    ctx: &VisitContext,
    rules: &Rules,
    problems: &mut Vec<Problem>,
    flags: &mut Vec<RiskFlag>,
    results: &mut VisitResults,
) {
    woman_measures(
        [None, v.lila_cm, v.hb],
        rules.risk.hb_nonpregnant_below,
        true,
        rules,
        problems,
        flags,
    );
    if let EnrolmentDetails::Nifas { delivery_date, .. } = &ctx.enrolment.details {
        let days = (visit_date - *delivery_date).num_days();
        match kf_window(days) {
            Some(w) => {
                results.days_since_delivery = Some(days);
                results.kf_window = Some(w);
            }
            None => {
                let (id, en) = label("visit_date");
                problems.push(Problem::error(
                    "outside_nifas",
                    "visit_date",
                    format!("{id}: hari ke-{days} setelah persalinan; masa nifas hanya hari 0–42"),
                    format!("{en}: day {days} after delivery; the postpartum period is days 0–42"),
                ));
            }
        }
        if let Some(start) = v.kbpp_start
            && start < *delivery_date
        {
            let (id, en) = label("kbpp_start");
            problems.push(Problem::error(
                "before_delivery",
                "kbpp_start",
                format!("{id}: tidak boleh sebelum persalinan"),
                format!("{en}: not before the delivery"),
            ));
        }
    }
    if let Some(d) = v.kbpp_start {
        check_date(problems, "kbpp_start", d, ctx, visit_date);
    }
    danger_signs(&v.danger_signs, TargetKind::Nifas, problems, flags);
}

fn anak(
    v: &AnakVisit,
    visit_date: NaiveDate,
    ctx: &VisitContext,
    rules: &Rules,
    problems: &mut Vec<Problem>,
    flags: &mut Vec<RiskFlag>,
    results: &mut VisitResults,
) {
    let p = &rules.plausibility;
    let r = &rules.risk;
    problems.extend(check_range("weight_kg", v.weight_kg, &p.child_weight_kg));
    problems.extend(check_range("lenhei_cm", v.lenhei_cm, &p.child_lenhei_cm));
    problems.extend(check_range("headc_cm", v.headc_cm, &p.headc_cm));
    problems.extend(check_range("muac_cm", v.muac_cm, &p.child_muac_cm));
    for imm in &v.immunisations {
        check_date(problems, "immunisations", imm.date, ctx, visit_date);
    }
    let age_days = (visit_date - ctx.person.birth_date).num_days();
    if age_days < 0 {
        return;
    }
    results.age_days = Some(age_days);
    let months = age_days as f64 / growth::DAYS_PER_MONTH;
    if v.lenhei_cm.is_some() && v.measure.is_none() {
        let (id, en) = label("measure");
        problems.push(Problem::warning(
            "measure_missing",
            "measure",
            format!("{id} belum dipilih (terlentang/berdiri); dianggap sesuai usia"),
            format!("{en} not chosen (lying/standing); assumed from the age"),
        ));
    }
    if v.measure == Some(Measure::Standing) && months < 9.0 {
        problems.push(Problem::warning(
            "measure_implausible",
            "measure",
            "Anak di bawah 9 bulan seharusnya diukur terlentang; posisi dianggap tidak diketahui".into(),
            "A child under 9 months should be measured lying; position treated as unknown".into(),
        ));
    }
    if v.muac_cm.is_some() && !(6.0..60.0).contains(&months) {
        problems.push(Problem::warning(
            "muac_age",
            "muac_cm",
            format!("{} hanya dinilai pada usia 6–59 bulan", label("muac_cm").0),
            format!("{} is assessed only at 6–59 months", label("muac_cm").1),
        ));
    }
    let anthro = growth::compute(&AnthroInput {
        sex: Some(ctx.person.sex),
        age_days: Some(age_days as f64),
        weight_kg: v.weight_kg,
        lenhei_cm: v.lenhei_cm,
        measure: v.measure,
        headc_cm: v.headc_cm,
        armc_cm: v.muac_cm,
        oedema: v.oedema,
    });
    let scored = [
        (Indicator::LengthForAge, anthro.len),
        (Indicator::WeightForAge, anthro.wei),
        (Indicator::WeightForLenhei, anthro.wfl),
        (Indicator::BmiForAge, anthro.bmi),
        (Indicator::HeadForAge, anthro.hc),
        (Indicator::ArmForAge, anthro.ac),
    ];
    for (indicator, score) in scored {
        let Some(s) = score else { continue };
        if s.flagged {
            problems.push(Problem::warning(
                "z_implausible",
                indicator_field(indicator),
                format!(
                    "Nilai z {} = {} tidak masuk akal; ukur ulang sebelum menyimpan",
                    indicator.label(Lang::Id),
                    num_id(s.z)
                ),
                format!(
                    "{} z-score = {} is implausible; measure again",
                    indicator.label(Lang::En),
                    num_en(s.z)
                ),
            ));
        }
        results.indicators.push(IndicatorResult {
            indicator,
            z: s.z,
            flagged: s.flagged,
            label: (!s.flagged)
                .then(|| growth::permenkes_label(indicator, s.z).map(str::to_string))
                .flatten(),
            band: (!s.flagged).then(|| growth::permenkes_band(indicator, s.z)).flatten(),
        });
    }
    for status in growth::who_statuses(&anthro, v.oedema) {
        flags.push(match status {
            WhoStatus::Stunted => RiskFlag::Stunted,
            WhoStatus::SeverelyStunted => RiskFlag::SeverelyStunted,
            WhoStatus::Wasted => RiskFlag::Wasted,
            WhoStatus::SeverelyWasted => RiskFlag::SeverelyWasted,
            WhoStatus::Underweight => RiskFlag::Underweight,
            WhoStatus::SeverelyUnderweight => RiskFlag::SeverelyUnderweight,
            WhoStatus::Overweight => RiskFlag::Overweight,
            WhoStatus::Obese => RiskFlag::Obese,
            WhoStatus::Microcephaly => RiskFlag::Microcephaly,
            WhoStatus::PossibleRiskOverweight => continue,
        });
    }
    if v.oedema {
        flags.push(RiskFlag::Oedema);
    }
    if let Some(m) = v.muac_cm
        && (6.0..60.0).contains(&months)
    {
        if m < r.muac_sam_below {
            flags.push(RiskFlag::Sam);
        } else if m < r.muac_mam_below {
            flags.push(RiskFlag::Mam);
        }
    }
    results.anthro = Some(anthro);
}

/// The form field a z-score comes from, so a warning points at the right input.
fn indicator_field(i: Indicator) -> &'static str {
    match i {
        Indicator::LengthForAge => "lenhei_cm",
        Indicator::WeightForAge | Indicator::WeightForLenhei | Indicator::BmiForAge => "weight_kg",
        Indicator::HeadForAge => "headc_cm",
        Indicator::ArmForAge => "muac_cm",
    }
}

#[cfg(test)]
mod tests;
