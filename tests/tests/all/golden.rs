//! A golden data set: a few families of one kecamatan in November 2026, each chosen for an
//! edge (a severely stunted child, visits on the month's first and last days, an enrolment
//! ended before the month, a pregnancy ended in it, a woman at risk last seen in October, a
//! child weighed but not measured), with its expected figures worked out by hand and
//! written here as literals. They are asserted on the device, at the centre after a sync,
//! on the dashboard's page and in the files — none of them checked against another.
//!
//! The children's z-scores (WHO Anthro, girls, lying), chosen far from every threshold:
//!   c1 12 mo  8,9 kg 74,0 cm: HAZ −0,02 WAZ −0,05 WHZ −0,07   nothing
//!   c2 12 mo  7,9 kg 67,5 cm: HAZ −2,54                        stunted
//!   c3 12 mo  6,6 kg 64,0 cm: HAZ −4,08 WAZ −2,66              severely stunted, underweight
//!   c4 12 mo  6,5 kg 74,0 cm: WAZ −2,74 WHZ −3,71              underweight, severely wasted
//!   c5 ended 31 October (moved), stunted in October             not counted in November
//!   c6 59 mo 17,5 kg 108 cm standing                            nothing
//!   c7 58 mo 16,0 kg, no length                                 weighed only
//!   c8 enrolled, not visited                                    a target, not visited
//!
//! The families at risk of stunting (KRS): Agus, Cahyo, Eko, Fajar and Gilang drink from an
//! unprotected well; Bambang's two girls were born 15 days apart (births too close) — a
//! criterion the first hand count missed and the test found. All but Gilang's were visited.

use chrono::NaiveDate;
use pendamping_core::enrolment::ExitReason;
use pendamping_core::growth::Measure;
use pendamping_core::household::WaterSource;
use pendamping_core::indicators::{Indicator, Indicators};
use pendamping_core::lists::NameList;
use pendamping_core::recap::Month;
use pendamping_core::visit::{AnakVisit, HamilVisit, VisitData};
use pendamping_core::{Household, Person, Relationship, Sex, Visit};
use pendamping_protocol::Role;
use pendamping_server::accounts::AccountRole;
use pendamping_server::dashboard::Place;
use pendamping_store::Store;
use pendamping_tests::net::{TestServer, enrolled_device, sync};
use pendamping_tests::*;

const NOV: Month = Month { year: 2026, month: 11 };
const A: &str = VILLAGE;
const B: &str = OTHER_VILLAGE;

fn today() -> NaiveDate {
    d(2026, 12, 7)
}

struct Golden<'s> {
    store: &'s mut Store,
    n: u128,
}

impl Golden<'_> {
    fn next(&mut self) -> u128 {
        self.n += 10;
        self.n
    }

    /// A family with a wife of 30 (a couple of childbearing age); `krs`: unprotected water.
    fn family(&mut self, area: &str, head: &str, krs: bool) -> (Household, Person) {
        let n = self.next();
        let mut h = household(n, area, head);
        if krs {
            h.water_source = Some(WaterSource::SumurTakTerlindung);
        }
        self.store.save_household(&h).unwrap();
        let wife = person(
            n + 1,
            &h,
            &format!("Istri {head}"),
            Sex::Female,
            d(1996, 4, 12),
            Relationship::Istri,
        );
        self.store.save_person(&wife).unwrap();
        (h, wife)
    }

    /// A girl born `days` before `visit_on` (her age at the visit), enrolled from birth.
    fn girl(&mut self, h: &Household, name: &str, born: NaiveDate) -> pendamping_core::Enrolment {
        let n = self.next();
        let mut child = person(n, h, name, Sex::Female, born, Relationship::Anak);
        child.nik = None;
        self.store.save_person(&child).unwrap();
        let e = enrolment(n + 1, &child, born, child_details());
        self.store.save_enrolment(&e).unwrap();
        e
    }

    fn measured(&mut self, e: &pendamping_core::Enrolment, on: NaiveDate, weight: f64, length: Option<(f64, Measure)>) {
        let n = self.next();
        let mut v = child_visit(n, e, on, weight, 0.0);
        v.data = VisitData::Anak(AnakVisit {
            weight_kg: Some(weight),
            lenhei_cm: length.map(|l| l.0),
            measure: length.map(|l| l.1),
            ..AnakVisit::default()
        });
        self.store.record_visit(&v).unwrap();
    }

    fn pregnant(&mut self, wife: &Person, hpht: NaiveDate) -> pendamping_core::Enrolment {
        let e = enrolment(self.next(), wife, hpht + chrono::Days::new(30), hamil_details(hpht));
        self.store.save_enrolment(&e).unwrap();
        e
    }

    fn pressure(&mut self, e: &pendamping_core::Enrolment, on: NaiveDate, systolic: u32, diastolic: u32) {
        self.anc(e, on, 26.0, 12.5);
        let mut v = self.store.timeline(e.person_id).unwrap().visits[0].visit.clone();
        let VisitData::IbuHamil(h) = &mut v.data else {
            unreachable!()
        };
        (h.systolic, h.diastolic) = (Some(systolic), Some(diastolic));
        v.id = uuid::Uuid::from_u128(self.next());
        self.store.record_visit(&v).unwrap();
    }

    fn anc(&mut self, e: &pendamping_core::Enrolment, on: NaiveDate, lila: f64, hb: f64) {
        let v = Visit {
            id: uuid::Uuid::from_u128(self.next()),
            enrolment_id: e.id,
            person_id: e.person_id,
            household_id: e.household_id,
            area_code: e.area_code.clone(),
            visit_date: on,
            data: VisitData::IbuHamil(HamilVisit {
                weight_kg: Some(55.0),
                lila_cm: Some(lila),
                hb: Some(hb),
                hb_date: Some(on),
                systolic: Some(110),
                diastolic: Some(70),
                ..HamilVisit::default()
            }),
            correction_reason: None,
            recorded_by: None,
        };
        self.store.record_visit(&v).unwrap();
    }
}

/// Writes the golden families into `store` (a device of the kecamatan).
fn golden(store: &mut Store) {
    let mut g = Golden { store, n: 1000 };
    let age = |on: NaiveDate, days: u64| on - chrono::Days::new(days);
    let lying = Measure::Lying;

    // Village A.
    let (h1, _) = g.family(A, "Agus", true);
    let c1 = g.girl(&h1, "Citra Satu", age(d(2026, 11, 6), 366));
    g.measured(&c1, d(2026, 11, 6), 8.9, Some((74.0, lying)));

    let (h2, w2) = g.family(A, "Bambang", false);
    let c2 = g.girl(&h2, "Citra Dua", age(d(2026, 11, 1), 366));
    g.measured(&c2, d(2026, 11, 1), 7.9, Some((67.5, lying)));
    let c3 = g.girl(&h2, "Citra Tiga", age(d(2026, 11, 30), 380));
    g.measured(&c3, d(2026, 11, 30), 6.6, Some((64.0, lying)));
    let p1 = g.pregnant(&w2, d(2026, 7, 1));
    g.anc(&p1, d(2026, 11, 3), 22.0, 12.0); // KEK

    let (h3, w3) = g.family(A, "Cahyo", true);
    let c4 = g.girl(&h3, "Citra Empat", age(d(2026, 11, 15), 372));
    g.measured(&c4, d(2026, 11, 15), 6.5, Some((74.0, lying)));
    let p2 = g.pregnant(&w3, d(2026, 6, 1));
    g.anc(&p2, d(2026, 11, 20), 26.0, 10.2); // anaemia

    let (h6, w6) = g.family(A, "Dedi", false);
    let mut c5 = g.girl(&h6, "Citra Lima", age(d(2026, 10, 10), 370));
    g.measured(&c5, d(2026, 10, 10), 7.5, Some((66.0, lying)));
    c5.end_date = Some(d(2026, 10, 31));
    c5.end_reason = Some(ExitReason::Pindah);
    g.store.save_enrolment(&c5).unwrap();
    let mut p3 = g.pregnant(&w6, d(2026, 2, 1));
    g.anc(&p3, d(2026, 11, 2), 25.0, 12.5);
    p3.end_date = Some(d(2026, 11, 10));
    p3.end_reason = Some(ExitReason::Melahirkan);
    g.store.save_enrolment(&p3).unwrap();

    // Village B.
    let (h4, w4) = g.family(B, "Eko", true);
    let c6 = g.girl(&h4, "Citra Enam", age(d(2026, 11, 10), 1795));
    g.measured(&c6, d(2026, 11, 10), 17.5, Some((108.0, Measure::Standing)));
    let p4 = g.pregnant(&w4, d(2026, 5, 1));
    g.anc(&p4, d(2026, 10, 15), 22.0, 12.0); // KEK, last seen in October

    let (h5, w5) = g.family(B, "Fajar", true);
    let c7 = g.girl(&h5, "Citra Tujuh", age(d(2026, 11, 12), 1770));
    g.measured(&c7, d(2026, 11, 12), 16.0, None);
    let p5 = g.pregnant(&w5, d(2026, 6, 15));
    g.anc(&p5, d(2026, 11, 25), 26.0, 12.5);
    // Seen again in December with only a high blood pressure: at risk now (not in November's
    // KEK/anaemia count, which is of November's visits).
    g.pressure(&p5, d(2026, 12, 4), 150, 100);

    let (h7, _) = g.family(B, "Gilang", true);
    g.girl(&h7, "Citra Delapan", d(2026, 3, 1)); // c8: enrolled, not visited
}

/// The hand-worked figures: (indicator, village A, village B, kecamatan).
const EXPECTED: [(Indicator, u32, u32, u32); 14] = [
    (Indicator::ChildrenVisited, 4, 2, 6),
    (Indicator::ChildrenMeasured, 4, 1, 5),
    (Indicator::ChildrenWeighed, 4, 2, 6),
    (Indicator::Stunted, 2, 0, 2),
    (Indicator::Wasted, 1, 0, 1),
    (Indicator::Underweight, 2, 0, 2),
    (Indicator::Pregnant, 3, 2, 5),
    (Indicator::PregnantVisited, 3, 1, 4),
    (Indicator::KekAnaemia, 2, 0, 2),
    (Indicator::KrsFamilies, 3, 3, 6),
    (Indicator::KrsAccompanied, 3, 2, 5),
    (Indicator::Catin, 0, 0, 0),
    (Indicator::Referrals, 0, 0, 0),
    (Indicator::TtdReached, 0, 0, 0),
];

/// The shares the kecamatan's cards print, worked by hand.
const SHARES: [(Indicator, &str); 6] = [
    (Indicator::Stunted, "40% dari 5 anak diukur"),
    (Indicator::Wasted, "20% dari 5 anak diukur"),
    (Indicator::Underweight, "33,3% dari 6 anak ditimbang"),
    (Indicator::PregnantVisited, "80% dari 5 ibu hamil didampingi"),
    (Indicator::KekAnaemia, "50% dari 4 ibu hamil dikunjungi"),
    (Indicator::KrsAccompanied, "83,3% dari 6 KRS"),
];

fn check(figures: &std::collections::BTreeMap<String, Indicators>, whole: &Indicators, where_: &str) {
    for (i, a, b, kec) in EXPECTED {
        let got = (
            figures.get(A).map_or(0, |f| f.get(i)),
            figures.get(B).map_or(0, |f| f.get(i)),
            whole.get(i),
        );
        assert_eq!(got, (a, b, kec), "{i:?} ({where_}): villages A, B and the kecamatan");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_golden_families_give_the_hand_worked_figures_on_the_device_the_centre_the_page_and_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(today());
    let server = TestServer::start(dir.path(), clock.clone(), |_| {}).await;
    let mut device = enrolled_device(&server, clock, Role::Plkb, &[KECAMATAN]).await;
    golden(&mut device);

    // The device.
    let by_village = device.indicators(NOV, &at(KECAMATAN), 10).unwrap();
    let whole = device.indicators(NOV, &at(KECAMATAN), 6).unwrap()[KECAMATAN].clone();
    check(&by_village, &whole, "device");
    let stunted = device
        .name_list(NameList::Stunted, NOV, &at(KECAMATAN), today())
        .unwrap();
    let names: Vec<&str> = stunted.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["Citra Dua", "Citra Tiga"],
        "the severely stunted child is on the list"
    );
    let at_risk = device
        .name_list(NameList::PregnantAtRisk, NOV, &at(KECAMATAN), today())
        .unwrap();
    let mut who: Vec<&str> = at_risk.iter().map(|r| r.name.as_str()).collect();
    who.sort();
    assert_eq!(
        who,
        ["Istri Bambang", "Istri Cahyo", "Istri Eko", "Istri Fajar"],
        "at risk now: the October KEK too, December's high blood pressure, not the delivered"
    );
    let krs = device.name_list(NameList::Krs, NOV, &at(KECAMATAN), today()).unwrap();
    let mut heads: Vec<(&str, Option<bool>)> = krs.iter().map(|r| (r.head_name.as_str(), r.accompanied)).collect();
    heads.sort();
    assert_eq!(
        heads,
        [
            ("Agus", Some(true)),
            ("Bambang", Some(true)),
            ("Cahyo", Some(true)),
            ("Eko", Some(true)),
            ("Fajar", Some(true)),
            ("Gilang", Some(false))
        ]
    );

    // The centre, after the device's sync.
    sync(&mut device).await;
    let kec = Place::Area(at(KECAMATAN));
    let rows = pendamping_server::dashboard::rows(&server.state, &kec, NOV).unwrap();
    let total = pendamping_core::indicators::total(&rows);
    check(&rows, &total, "centre");

    // The dashboard's page: each card's number and share as printed.
    let account = server
        .admin()
        .add_account("plkb.golden", AccountRole::Plkb, &[KECAMATAN], "rahasia-sekali", 1)
        .unwrap();
    let html = pendamping_server::dashboard::overview(&server.state, &account, &kec, NOV).unwrap();
    for (i, _, _, kec) in EXPECTED {
        let key = serde_json::to_value(i).unwrap();
        let card = html
            .split(&format!("data-indicator=\"{}\"", key.as_str().unwrap()))
            .nth(1)
            .unwrap_or_else(|| panic!("a card for {i:?}"));
        let n: u32 = card
            .split("data-n=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(n, kec, "{i:?} on the page");
    }
    for (i, text) in SHARES {
        let key = serde_json::to_value(i).unwrap();
        let card = html
            .split(&format!("data-indicator=\"{}\"", key.as_str().unwrap()))
            .nth(1)
            .unwrap();
        let card = card.split("</a>").next().unwrap().split("</div>").next().unwrap();
        assert!(card.contains(text), "{i:?}: {text:?} on its card: {card}");
    }

    // The files: the recap's visited and KRS figures, the stunted list's names.
    let recap = server.state.recap(NOV, &at(KECAMATAN)).unwrap();
    let sheet = pendamping_report::recap::sheet(&recap, pendamping_core::catalogue::Lang::Id);
    let file = dir.path().join("rekap.xlsx");
    std::fs::write(&file, sheet.to_bytes(pendamping_report::sheet::Format::Xlsx).unwrap()).unwrap();
    let cells = xlsx_rows(&file).unwrap();
    let col = |name: &str| {
        cells[0]
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let (group, visited, krs, krs_visited) = (
        col("Sasaran"),
        col("Sasaran dikunjungi"),
        col("Keluarga berisiko (KRS)"),
        col("KRS dikunjungi bulan ini"),
    );
    let sum = |c: usize, g: &str| -> u32 {
        cells[1..]
            .iter()
            .filter(|r| r[group].starts_with(g))
            .filter_map(|r| r[c].parse::<u32>().ok())
            .sum()
    };
    assert_eq!(sum(visited, "Baduta"), 4, "c1–c4 are under two");
    assert_eq!(sum(visited, "Balita"), 2, "c6 and c7");
    assert_eq!(sum(visited, "Ibu hamil"), 4);
    assert_eq!((sum(krs, "Keluarga"), sum(krs_visited, "Keluarga")), (6, 5));
    // November is whole on 7 December; December, still running, is counted to the 7th.
    let counted_to = col("Dihitung sampai");
    assert!(cells[1..].iter().all(|r| r[counted_to] == "2026-11-30"), "{cells:?}");
    let dec = server
        .state
        .recap(Month { year: 2026, month: 12 }, &at(KECAMATAN))
        .unwrap();
    let dec = pendamping_report::recap::sheet(&dec, pendamping_core::catalogue::Lang::Id);
    assert!(!dec.rows.is_empty());
    let last = dec.headers.len() - 1;
    assert!(
        dec.rows.iter().all(|r| r[last] == "2026-12-07".into()),
        "{:?}",
        dec.rows
    );
    let rows = server.state.name_list(NameList::Stunted, NOV, &at(KECAMATAN)).unwrap();
    let list = pendamping_report::lists::sheet(
        NameList::Stunted,
        NOV,
        &rows,
        pendamping_core::catalogue::Lang::Id,
        today(),
    );
    let file = dir.path().join("stunting.xlsx");
    std::fs::write(&file, list.to_bytes(pendamping_report::sheet::Format::Xlsx).unwrap()).unwrap();
    let cells = xlsx_rows(&file).unwrap();
    let names: Vec<&str> = cells[1..]
        .iter()
        .map(|r| r[pendamping_report::lists::NAME_COLUMN].as_str())
        .collect();
    assert_eq!(names, ["Citra Dua", "Citra Tiga"]);
    let haz = cells[0].iter().position(|h| h == "TB/U (z)").unwrap();
    let z: Vec<&str> = cells[1..].iter().map(|r| r[haz].as_str()).collect();
    assert_eq!(z, ["-2.54", "-4.08"], "the z-scores WHO Anthro gives them");
    server.stop().await;
}
