//! `pendamping demo-data`: realistic synthetic families for demos and benchmarks. Seeded,
//! so the same command makes the same data. Every record passes the app's own validation.

use std::collections::HashSet;

use chrono::{Datelike, Days, NaiveDate};
use pendamping_core::enrolment::EnrolmentDetails;
use pendamping_core::growth::{self, Curve, Measure};
use pendamping_core::household::{Latrine, WaterSource};
use pendamping_core::ids::IdMaker;
use pendamping_core::visit::*;
use pendamping_core::{Enrolment, Household, Person, Relationship, Sex, Visit, age, nik};
use pendamping_store::{Batch, Sourced};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

const MALE: &[&str] = &[
    "Ahmad", "Budi", "Dedi", "Asep", "Ujang", "Agus", "Iwan", "Yusuf", "Rudi", "Hendra", "Dadang", "Cecep", "Eko",
    "Joko", "Slamet", "Rahmat", "Hasan", "Wahyu", "Fajar", "Rizki", "Muhammad", "Andi", "Dimas", "Bayu", "Arif",
    "Deden", "Ade", "Endang", "Jajang", "Ilham",
];
const FEMALE: &[&str] = &[
    "Siti", "Nur", "Dewi", "Sri", "Ani", "Euis", "Neneng", "Rina", "Wulan", "Yanti", "Lilis", "Ratna", "Fitri", "Ayu",
    "Intan", "Putri", "Nurul", "Rini", "Tuti", "Aisyah", "Dian", "Eka", "Lestari", "Maya", "Yuni", "Imas", "Entin",
    "Cucu", "Elis", "Nining",
];
const FAMILY: &[&str] = &[
    "Hidayat",
    "Saputra",
    "Setiawan",
    "Kurniawan",
    "Hermawan",
    "Nugraha",
    "Permana",
    "Ramdani",
    "Suryana",
    "Rahayu",
    "Maulana",
    "Pratama",
    "Wibowo",
    "Santoso",
    "Susanti",
    "Handayani",
    "Kusumawati",
    "Rohmah",
    "Nurhayati",
    "Fauziah",
    "Aminah",
    "Sumarni",
    "Mulyadi",
    "Sudrajat",
    "Gunawan",
];

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub households: usize,
    /// 10-digit village codes; households are spread over them in turn.
    pub villages: Vec<String>,
    pub seed: u64,
    /// How many months of visit history to make.
    pub months: u32,
    pub today: NaiveDate,
    /// Households per transaction.
    pub chunk: usize,
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct DemoCounts {
    pub households: usize,
    pub persons: usize,
    pub enrolments: usize,
    pub visits: usize,
}

struct Gen<'a> {
    rng: StdRng,
    today: NaiveDate,
    months: u32,
    niks: HashSet<String>,
    taken: &'a dyn Fn(&str) -> bool,
    batch: Batch,
    devices: Vec<u64>,
    sessions: std::collections::HashMap<(u64, NaiveDate), IdMaker>,
}

fn src<T>(record: T) -> Sourced<T> {
    Sourced {
        file: "demo".into(),
        line: 0,
        record,
    }
}

impl Gen<'_> {
    /// An id as the app makes it on the day the row was recorded, on one of the village
    /// TPK's three devices (midwife, PKK and KB cadres), opened once that day (a session,
    /// `pendamping_core::ids`).
    fn id(&mut self, on: NaiveDate) -> Uuid {
        let ms = on
            .and_hms_opt(8, 0, 0)
            .map(|t| t.and_utc().timestamp_millis())
            .unwrap_or(0)
            .max(0) as u64;
        let device = self.devices[self.rng.random_range(0..self.devices.len())];
        self.sessions
            .entry((device, on))
            .or_insert_with(|| IdMaker::new(pendamping_core::ids::salt(device, rand::rng().random())))
            .next(ms)
    }

    fn pick<'s>(&mut self, list: &[&'s str]) -> &'s str {
        list[self.rng.random_range(0..list.len())]
    }

    /// A standard normal draw (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1: f64 = self.rng.random_range(f64::EPSILON..1.0);
        let u2: f64 = self.rng.random();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    fn days_ago(&mut self, min: u64, max: u64) -> NaiveDate {
        self.today - Days::new(self.rng.random_range(min..=max))
    }

    fn unique_nik(&mut self, district: &str, sex: Sex, birth: NaiveDate) -> Option<String> {
        for _ in 0..50 {
            let n = nik::compose(district, sex, birth, self.rng.random_range(1..=9999));
            if !self.niks.contains(&n) && !(self.taken)(&n) {
                self.niks.insert(n.clone());
                return Some(n);
            }
        }
        None
    }

    fn person(
        &mut self,
        h: &Household,
        name: String,
        sex: Sex,
        birth: NaiveDate,
        rel: Relationship,
        with_nik: bool,
    ) -> Person {
        let nik = if with_nik {
            self.unique_nik(&h.area_code[..6], sex, birth)
        } else {
            None
        };
        // Registered with the household, or at birth if born since.
        let registered = pendamping_core::ids::v7_parts(h.id)
            .and_then(|(ms, ..)| chrono::DateTime::from_timestamp_millis(ms as i64))
            .map_or(self.today, |t| t.date_naive());
        let p = Person {
            id: self.id(birth.max(registered)),
            household_id: h.id,
            area_code: h.area_code.clone(),
            nik,
            name,
            sex,
            birth_date: birth,
            relationship: rel,
            mother_id: None,
            mother_nik: None,
            merged_into: None,
            phone: (rel == Relationship::Istri && self.rng.random_bool(0.7))
                .then(|| format!("08{}", self.rng.random_range(1_100_000_000u64..1_399_999_999))),
        };
        self.batch.persons.push(src(p.clone()));
        p
    }

    fn enrol(&mut self, p: &Person, start: NaiveDate, details: EnrolmentDetails, tpk: &Option<String>) -> Enrolment {
        let e = Enrolment::new(self.id(start), p, start, details, tpk.clone());
        self.batch.enrolments.push(src(e.clone()));
        e
    }

    fn visit(&mut self, e: &Enrolment, date: NaiveDate, data: VisitData) {
        let v = Visit {
            id: self.id(date),
            enrolment_id: e.id,
            person_id: e.person_id,
            household_id: e.household_id,
            area_code: e.area_code.clone(),
            visit_date: date,
            data,
            correction_reason: None,
            recorded_by: None,
        };
        self.batch.visits.push(src(v));
    }

    /// Monthly visit days from `from` to yesterday within the history window.
    fn monthly(&mut self, from: NaiveDate, every: u64) -> Vec<NaiveDate> {
        let window = self.today - Days::new(self.months as u64 * 30);
        let mut day = from.max(window) + Days::new(self.rng.random_range(0..4));
        let mut out = Vec::new();
        while day < self.today {
            out.push(day);
            day = day + Days::new(every + self.rng.random_range(0..4));
        }
        out
    }

    fn services(&mut self) -> Services {
        Services {
            kie: self.rng.random_bool(0.6),
            referral: self.rng.random_bool(0.05),
            referral_completed: self.rng.random_bool(0.03),
            bansos: self.rng.random_bool(0.04),
        }
    }

    fn round1(x: f64) -> f64 {
        (x * 10.0).round() / 10.0
    }

    fn child(&mut self, child: &Person, tpk: &Option<String>) {
        let z_len = -1.1 + self.normal();
        let z_wfl = -0.3 + 0.9 * self.normal();
        let start = child.birth_date.max(self.today - Days::new(self.months as u64 * 30));
        let details = EnrolmentDetails::Anak {
            birth_weight_g: Some(Self::round1(3100.0 + 450.0 * self.normal()).clamp(1500.0, 4500.0)),
            birth_length_cm: Some(Self::round1(49.0 + 2.0 * self.normal()).clamp(42.0, 55.0)),
        };
        let e = self.enrol(child, start, details, tpk);
        for date in self.monthly(start, 30) {
            let days = (date - child.birth_date).num_days();
            if days >= growth::LAST_DAY {
                break;
            }
            let measure = if days < growth::HEIGHT_FROM_DAY {
                Measure::Lying
            } else {
                Measure::Standing
            };
            let Some(len) = growth::sd_curve(Curve::LengthForAge, child.sex, days, z_len + 0.1 * self.normal()) else {
                continue;
            };
            let len = Self::round1(len.clamp(40.0, 125.0));
            let mm = (len * 10.0).round() as i64;
            let curve = if days < growth::HEIGHT_FROM_DAY {
                Curve::WeightForLength
            } else {
                Curve::WeightForHeight
            };
            let z = z_wfl + 0.15 * self.normal();
            let weight = growth::sd_curve(curve, child.sex, mm, z)
                .or_else(|| growth::sd_curve(Curve::WeightForAge, child.sex, days, z))
                .unwrap_or(3.0);
            let months = days as f64 / growth::DAYS_PER_MONTH;
            let data = AnakVisit {
                weight_kg: Some(Self::round1(weight.clamp(1.0, 40.0))),
                lenhei_cm: Some(len),
                measure: Some(measure),
                headc_cm: (months < 24.0 && self.rng.random_bool(0.3))
                    .then(|| growth::sd_curve(Curve::HeadForAge, child.sex, days, self.normal()).map(Self::round1))
                    .flatten(),
                muac_cm: (months >= 6.0 && self.rng.random_bool(0.3))
                    .then(|| {
                        growth::sd_curve(Curve::ArmForAge, child.sex, days, -0.5 + self.normal()).map(Self::round1)
                    })
                    .flatten(),
                exclusive_bf: (months < 6.0).then(|| self.rng.random_bool(0.6)),
                mpasi: (6.0..24.0).contains(&months).then(|| self.rng.random_bool(0.85)),
                vitamin_a: months >= 6.0 && matches!(date.month(), 2 | 8),
                services: self.services(),
                ..AnakVisit::default()
            };
            self.visit(&e, date, VisitData::Anak(data));
        }
    }

    /// A pregnancy: ongoing (no `delivered`), or past, ended by the birth of `delivered`.
    fn pregnancy(&mut self, wife: &Person, older: &[Person], delivered: Option<&Person>, tpk: &Option<String>) {
        let hpht = match delivered {
            Some(baby) => baby.birth_date - Days::new(self.rng.random_range(266..283)),
            None => self.days_ago(6 * 7, 38 * 7),
        };
        let start = hpht + Days::new(self.rng.random_range(42..70));
        let end = delivered.map(|b| b.birth_date).unwrap_or(self.today);
        let window = self.today - Days::new(self.months as u64 * 30);
        if start >= end || end <= window || age::years(wife.birth_date, start) < 15 {
            return;
        }
        let youngest = older.iter().map(|c| c.birth_date).max();
        // One woman's own measures, followed from visit to visit: weight gained as a
        // pregnancy gains it (about 1,5 kg in the first trimester, then ~0,4 kg a week),
        // LiLA and Hb near her own level, never a random new woman each month.
        let pre_weight = Self::round1(50.0 + 7.0 * self.normal()).clamp(36.0, 90.0);
        let lila = 25.0 + 2.2 * self.normal();
        let hb = 11.4 + 1.1 * self.normal();
        let details = EnrolmentDetails::IbuHamil {
            hpht,
            gravida: Some(older.len() as u32 + 1),
            parity: Some(older.len() as u32),
            abortus: Some(0),
            last_birth_date: youngest,
            height_cm: Some(Self::round1(151.0 + 5.5 * self.normal()).clamp(136.0, 175.0)),
            pre_pregnancy_weight_kg: Some(pre_weight),
        };
        let mut e = self.enrol(wife, start, details, tpk);
        if let Some(baby) = delivered {
            e.end_date = Some(baby.birth_date);
            e.end_reason = Some(pendamping_core::ExitReason::Melahirkan);
            if let Some(last) = self.batch.enrolments.last_mut() {
                last.record = e.clone();
            }
        }
        let mut ttd = 0;
        for date in self.monthly(start, 30).into_iter().filter(|d| *d < end) {
            ttd += self.rng.random_range(15..31);
            let weeks = (date - hpht).num_days() as f64 / 7.0;
            let gain = if weeks <= 13.0 {
                weeks * 0.11
            } else {
                1.4 + (weeks - 13.0) * 0.42
            };
            let data = HamilVisit {
                weight_kg: Some(Self::round1(pre_weight + gain + 0.4 * self.normal()).clamp(36.0, 110.0)),
                lila_cm: Some(Self::round1(lila + 0.3 * self.normal()).clamp(19.0, 38.0)),
                hb: Some(Self::round1(hb + 0.4 * self.normal()).clamp(7.5, 15.0)),
                hb_date: Some(date),
                systolic: Some(self.rng.random_range(95..145)),
                diastolic: Some(self.rng.random_range(60..90)),
                ttd_total: Some(ttd),
                smoke_exposure: self.rng.random_bool(0.3),
                services: self.services(),
                ..HamilVisit::default()
            };
            self.visit(&e, date, VisitData::IbuHamil(data));
        }
    }

    fn postpartum(&mut self, mother: &Person, baby: &Person, tpk: &Option<String>) {
        let delivery = baby.birth_date;
        let e = self.enrol(
            mother,
            delivery,
            EnrolmentDetails::Nifas {
                delivery_date: delivery,
                place: Some("Puskesmas".into()),
                attendant: Some("Bidan".into()),
                mode: None,
                birth_weight_g: Some(3000.0),
                birth_length_cm: Some(49.0),
                gestational_age_weeks: Some(39),
            },
            tpk,
        );
        for day in [1u64, 5, 15, 35] {
            let date = delivery + Days::new(day);
            if date >= self.today {
                break;
            }
            let kbpp = [
                KbppMethod::Suntik,
                KbppMethod::Implan,
                KbppMethod::Iud,
                KbppMethod::PilMini,
                KbppMethod::Tidak,
            ];
            let method = (day >= 15).then(|| kbpp[self.rng.random_range(0..kbpp.len())]);
            let data = NifasVisit {
                breastfeeding: Some(Breastfeeding::Eksklusif),
                kbpp_method: method,
                kbpp_start: method.filter(|m| *m != KbppMethod::Tidak).map(|_| date),
                services: self.services(),
                ..NifasVisit::default()
            };
            self.visit(&e, date, VisitData::Nifas(data));
        }
    }

    fn catin(&mut self, p: &Person, tpk: &Option<String>) {
        let start = self.days_ago(0, 60);
        let wedding = start + Days::new(self.rng.random_range(60..120));
        let e = self.enrol(
            p,
            start,
            EnrolmentDetails::Catin {
                wedding_date: Some(wedding),
                partner_name: None,
            },
            tpk,
        );
        let female = p.sex == Sex::Female;
        let height = if female { 152.0 } else { 164.0 } + 5.5 * self.normal();
        let data = CatinVisit {
            weight_kg: Some(Self::round1(height - 105.0 + 6.0 * self.normal()).clamp(36.0, 110.0)),
            height_cm: Some(Self::round1(height.clamp(136.0, 184.0))),
            lila_cm: Some(Self::round1(24.5 + 2.5 * self.normal()).clamp(19.0, 38.0)),
            hb: female.then(|| Self::round1(12.2 + 1.2 * self.normal()).clamp(8.0, 16.0)),
            smoker: !female && self.rng.random_bool(0.6),
            services: self.services(),
            ..CatinVisit::default()
        };
        // Most are screened at their first visit; some are registered and not yet screened.
        if start < self.today && self.rng.random_bool(0.8) {
            self.visit(&e, start, VisitData::Catin(data));
        }
    }

    fn household(&mut self, village: &str) {
        let registered = self.days_ago(30, 30 * self.months.max(2) as u64);
        let head_age = self.rng.random_range(22..56);
        let head_birth = self.days_ago(head_age * 365, head_age * 365 + 364);
        let family = self.pick(FAMILY);
        let head_name = format!("{} {}", self.pick(MALE), family);
        let safe = [
            WaterSource::AirIsiUlang,
            WaterSource::Ledeng,
            WaterSource::SumurBor,
            WaterSource::SumurTerlindung,
        ];
        let unsafe_ = [
            WaterSource::SumurTakTerlindung,
            WaterSource::MataAirTakTerlindung,
            WaterSource::AirPermukaan,
        ];
        let water = if self.rng.random_bool(0.78) {
            safe[self.rng.random_range(0..4)]
        } else {
            unsafe_[self.rng.random_range(0..3)]
        };
        let latrine = match self.rng.random_range(0..100) {
            0..80 => Latrine::SepticTank,
            80..92 => Latrine::TanpaSepticTank,
            _ => Latrine::Tidak,
        };
        let tpk = Some(format!("TPK {}", &village[6..]));
        let h = Household {
            id: self.id(registered),
            kk_number: Some(format!("{}{:06}", &village[..10], self.rng.random_range(1..999_999))),
            area_code: village.to_string(),
            head_name: head_name.clone(),
            address: Some(format!("Kp. {}", self.pick(FAMILY))),
            rt: Some(format!("{:03}", self.rng.random_range(1..12))),
            rw: Some(format!("{:03}", self.rng.random_range(1..6))),
            water_source: Some(water),
            latrine: Some(latrine),
            welfare_decile: Some(self.rng.random_range(1..=10u8).min(self.rng.random_range(1..=10u8))),
            floor_area_m2: Some(self.rng.random_range(18..90) as f64),
            latitude: None,
            longitude: None,
            tpk: tpk.clone(),
        };
        self.batch.households.push(src(h.clone()));
        self.person(&h, head_name, Sex::Male, head_birth, Relationship::KepalaKeluarga, true);
        if !self.rng.random_bool(0.9) {
            return;
        }
        let wife_age = (head_age - self.rng.random_range(0..7)).clamp(17, 50);
        let wife_birth = self.days_ago(wife_age * 365, wife_age * 365 + 364);
        let wife_name = format!("{} {}", self.pick(FEMALE), self.pick(FAMILY));
        let wife = self.person(&h, wife_name, Sex::Female, wife_birth, Relationship::Istri, true);
        // Children, youngest first, spaced 1.5–5 years, none born before the mother was 17.
        let n_children = [0, 1, 1, 2, 2, 2, 3, 3, 4, 5][self.rng.random_range(0..10)];
        let mut children = Vec::new();
        let mut birth = self.days_ago(0, 8 * 365);
        for _ in 0..n_children {
            if age::years(wife_birth, birth) < 17 {
                break;
            }
            let sex = if self.rng.random_bool(0.5) {
                Sex::Male
            } else {
                Sex::Female
            };
            let given = if sex == Sex::Male {
                self.pick(MALE)
            } else {
                self.pick(FEMALE)
            };
            // Babies under three months often have no NIK yet.
            let with_nik = (self.today - birth).num_days() > 90 || self.rng.random_bool(0.3);
            let mut c = self.person(
                &h,
                format!("{given} {family}"),
                sex,
                birth,
                Relationship::Anak,
                with_nik,
            );
            c.mother_id = Some(wife.id);
            c.mother_nik = wife.nik.clone();
            if let Some(last) = self.batch.persons.last_mut() {
                last.record = c.clone();
            }
            children.push(c);
            birth = birth - Days::new(self.rng.random_range(550..1800));
        }
        let adult = children
            .iter()
            .find(|c| (18..=26).contains(&age::years(c.birth_date, self.today)))
            .cloned();
        // Every child who was under five during the history window has a growth series;
        // those now older have an enrolment that ended on its own at 60 months.
        let history_from = self.today - Days::new(self.months as u64 * 30);
        for c in &children {
            if age::add_months(c.birth_date, 60) > history_from + Days::new(31) {
                self.child(c, &tpk);
            }
        }
        // Every birth inside the history window brings its pregnancy and postpartum records.
        let window = history_from;
        for (i, c) in children.iter().enumerate() {
            if c.birth_date > window {
                self.pregnancy(&wife, &children[i + 1..], Some(c), &tpk);
                self.postpartum(&wife, c, &tpk);
            }
        }
        if (18..=42).contains(&wife_age)
            && children
                .first()
                .is_none_or(|c| (self.today - c.birth_date).num_days() > 400)
            && self.rng.random_bool(0.12)
        {
            self.pregnancy(&wife, &children, None, &tpk);
        }
        if let Some(a) = adult.filter(|_| self.rng.random_bool(0.5)) {
            self.catin(&a, &tpk);
        }
        let at_risk = unsafe_.contains(&water) || latrine != Latrine::SepticTank;
        if at_risk && self.rng.random_bool(0.5) {
            let start = registered.max(window);
            let e = self.enrol(&wife, start, EnrolmentDetails::Krs {}, &tpk);
            for date in self.monthly(start, 30) {
                let services = self.services();
                self.visit(&e, date, VisitData::Krs(KrsVisit { notes: None, services }));
            }
        }
    }
}

/// Makes `opts.households` households and hands them to `sink` a chunk at a time.
pub fn generate<E>(
    opts: &DemoOptions,
    taken: &dyn Fn(&str) -> bool,
    mut sink: impl FnMut(&Batch) -> Result<(), E>,
) -> Result<DemoCounts, E> {
    let mut g = Gen {
        rng: StdRng::seed_from_u64(opts.seed),
        today: opts.today,
        months: opts.months,
        niks: HashSet::new(),
        taken,
        batch: Batch::default(),
        // The seed drives the content only: salts come from the OS's entropy, so two stores
        // made with one seed (two villages, two devices) never share a row id.
        devices: (0..3).map(|_| rand::rng().random()).collect(),
        sessions: Default::default(),
    };
    let mut counts = DemoCounts::default();
    for i in 0..opts.households {
        let village = &opts.villages[i % opts.villages.len()];
        g.household(village);
        if g.batch.households.len() >= opts.chunk || i + 1 == opts.households {
            counts.households += g.batch.households.len();
            counts.persons += g.batch.persons.len();
            counts.enrolments += g.batch.enrolments.len();
            counts.visits += g.batch.visits.len();
            sink(&g.batch)?;
            g.batch = Batch::default();
        }
    }
    Ok(counts)
}
