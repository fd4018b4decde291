//! One recap at every level: the same function on the device, the hub and the centre
//! gives the same numbers for the same data, and villages add up to their kecamatan,
//! kecamatan to their kabupaten.

use pendamping_cli::demo;
use pendamping_core::recap::{Month, Recap};
use pendamping_protocol::{RecapResponse, Role};
use pendamping_store::Store;
use pendamping_tests::net::*;
use pendamping_tests::*;

const OTHER_KECAMATAN_VILLAGE: &str = "3602022002";
const NOV: Month = Month { year: 2026, month: 11 };

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

fn demo_into(store: &mut Store, villages: &[&str], households: usize, seed: u64) {
    let opts = demo::DemoOptions {
        households,
        villages: villages.iter().map(|v| v.to_string()).collect(),
        seed,
        months: 14,
        today: today(),
        chunk: 200,
    };
    demo::generate(&opts, &|_| false, |b| store.import(b).map(|_| ())).unwrap();
}

/// The rows of several recaps as one sorted list (rows are keyed by village, TPK, group).
fn rows_of(parts: &[&Recap]) -> (Vec<String>, Vec<String>) {
    let mut rows: Vec<String> = parts
        .iter()
        .flat_map(|r| r.rows.iter().map(|x| serde_json::to_string(x).unwrap()))
        .collect();
    let mut krs: Vec<String> = parts
        .iter()
        .flat_map(|r| r.krs.iter().map(|x| serde_json::to_string(x).unwrap()))
        .collect();
    rows.sort();
    krs.sort();
    (rows, krs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recaps_computed_on_device_hub_and_centre_are_identical_and_villages_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let (centre, hub) = TestServer::centre_and_hub(dir.path(), today()).await;
    // Two villages of the hub's kecamatan, recorded on one tablet that syncs at the office;
    // a village of another kecamatan syncs straight to the centre.
    let mut tablet = Store::open_in_memory(options(clock_at(today()))).unwrap();
    demo_into(&mut tablet, &[VILLAGE, OTHER_VILLAGE], 40, 3);
    let code = hub.code(Role::Cadre, &[VILLAGE, OTHER_VILLAGE]);
    pendamping_sync::enroll(&mut tablet, &hub.url(), &code, "tablet")
        .await
        .unwrap();
    let mut far = enrolled_device(&centre, clock_at(today()), Role::Cadre, &[OTHER_KECAMATAN_VILLAGE]).await;
    demo_into(&mut far, &[OTHER_KECAMATAN_VILLAGE], 25, 4);
    sync(&mut tablet).await;
    sync(&mut far).await;
    hub.relay().await.unwrap();

    let on_tablet = tablet.recap(NOV, &at(KECAMATAN)).unwrap();
    let on_hub = hub.state.recap(NOV, &at(KECAMATAN)).unwrap();
    let at_centre = centre.state.recap(NOV, &at(KECAMATAN)).unwrap();
    assert!(
        on_tablet.rows.iter().map(|r| r.visits).sum::<u32>() > 20,
        "a real month of visits"
    );
    assert_eq!(on_hub, on_tablet);
    assert_eq!(at_centre, on_tablet);
    for village in [VILLAGE, OTHER_VILLAGE] {
        assert_eq!(
            centre.state.recap(NOV, &at(village)).unwrap(),
            tablet.recap(NOV, &at(village)).unwrap()
        );
        assert_eq!(
            hub.state.recap(NOV, &at(village)).unwrap(),
            tablet.recap(NOV, &at(village)).unwrap()
        );
    }
    assert_eq!(
        centre.state.recap(NOV, &at(OTHER_KECAMATAN_VILLAGE)).unwrap(),
        far.recap(NOV, &at(OTHER_KECAMATAN_VILLAGE)).unwrap()
    );

    // Villages add up to their kecamatan, kecamatan to the kabupaten.
    let villages: Vec<Recap> = [VILLAGE, OTHER_VILLAGE]
        .iter()
        .map(|v| centre.state.recap(NOV, &at(v)).unwrap())
        .collect();
    assert_eq!(rows_of(&villages.iter().collect::<Vec<_>>()), rows_of(&[&at_centre]));
    let other = centre.state.recap(NOV, &at("360202")).unwrap();
    let kabupaten = centre.state.recap(NOV, &at(KABUPATEN)).unwrap();
    assert_eq!(rows_of(&[&at_centre, &other]), rows_of(&[&kabupaten]));
    let visits = |r: &Recap| r.rows.iter().map(|x| x.visits).sum::<u32>();
    assert_eq!(visits(&kabupaten), visits(&at_centre) + visits(&other));
    // The non-additive counts are counted over each area.
    let per_village: u32 = villages
        .iter()
        .zip([VILLAGE, OTHER_VILLAGE])
        .map(|(r, v)| r.distinct_of(v).persons_visited)
        .sum();
    assert!(at_centre.distinct_of(KECAMATAN).persons_visited <= per_village);
    assert_eq!(kabupaten.distinct_of(KECAMATAN), at_centre.distinct_of(KECAMATAN));

    // Over HTTP, for whoever may see the area: the PLKB's hub enrolment sees its kecamatan,
    // a village cadre only the village.
    let plkb = enrolled_device(&centre, clock_at(today()), Role::Plkb, &[KECAMATAN]).await;
    let ask = |token: String, area: &str| {
        let url = format!("{}/v1/recap?month=2026-11&area={area}", centre.url());
        async move { reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap() }
    };
    let answer = ask(plkb.setting("token").unwrap().unwrap(), "36.02.01").await;
    assert_eq!(answer.status(), 200);
    let answer: RecapResponse = answer.json().await.unwrap();
    assert_eq!((answer.area.as_str(), &answer.recap), (KECAMATAN, &on_tablet));
    let cadre = far.setting("token").unwrap().unwrap();
    assert_eq!(ask(cadre.clone(), "360202").await.status(), 403);
    assert_eq!(ask(cadre.clone(), OTHER_KECAMATAN_VILLAGE).await.status(), 200);
    assert_eq!(ask(cadre, "99").await.status(), 400);
}

/// The prevalences divide by the children measured: a visit that weighed and measured a
/// child counts it in both denominators, one that weighed only in one; a store made
/// before migration 9 gets the same from its visits' results.
#[test]
fn the_children_measured_are_counted_from_the_visits_and_migrated_stores_agree() {
    use pendamping_core::indicators::Indicator;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let month = Month::of(today());
    let counts = |s: &Store| {
        let t = pendamping_core::indicators::total(&s.indicators(month, &at(VILLAGE), 10).unwrap());
        (
            t.get(Indicator::ChildrenVisited),
            t.get(Indicator::ChildrenMeasured),
            t.get(Indicator::ChildrenWeighed),
        )
    };
    {
        let mut store = Store::open(&path, options(clock_at(today()))).unwrap();
        let a = realistic_family(&mut store, VILLAGE, today() - chrono::Months::new(10));
        let b = realistic_family(&mut store, VILLAGE, today() - chrono::Months::new(20));
        let mut measured = child_visit(0, &a, today() - chrono::Days::new(3), 8.1, 70.0);
        measured.id = store.new_id();
        store.record_visit(&measured).unwrap();
        let mut weighed = child_visit(0, &b, today() - chrono::Days::new(2), 9.4, 80.0);
        weighed.id = store.new_id();
        if let pendamping_core::visit::VisitData::Anak(ref mut c) = weighed.data {
            c.lenhei_cm = None;
            c.measure = None;
        }
        store.record_visit(&weighed).unwrap();
        assert_eq!(counts(&store), (2, 1, 2));
        // As a store of version 8 held them: no measurement bits.
        store
            .connection()
            .execute_batch(
                "UPDATE visits SET services = services & 15; ALTER TABLE visits DROP COLUMN recorded_by; \
                 DROP INDEX enrolments_household; \
                 PRAGMA user_version = 8;",
            )
            .unwrap();
        assert_eq!(counts(&store), (2, 0, 0), "the bits are what the count reads");
    }
    let store = Store::open(&path, options(clock_at(today()))).unwrap();
    assert_eq!(counts(&store), (2, 1, 2), "migration 9 sets them from the results");
}

/// A family at risk registered today is not counted in the months before it was known
/// (the KRS card showed every family in every month, back to the first).
#[test]
fn a_family_registered_today_is_not_a_family_of_last_month() {
    use pendamping_core::household::WaterSource;
    let today = d(2026, 12, 7);
    let mut s = store_at(today);
    let mut h = household(1, VILLAGE, "Agus");
    h.id = s.new_id(); // made now: its UUIDv7 carries the moment
    h.water_source = Some(WaterSource::SumurTakTerlindung);
    s.save_household(&h).unwrap();
    let wife = person(
        2,
        &h,
        "Siti",
        pendamping_core::Sex::Female,
        d(1996, 4, 12),
        pendamping_core::Relationship::Istri,
    );
    s.save_person(&wife).unwrap();
    let krs = |s: &Store, m: pendamping_core::recap::Month| s.recap(m, &at(VILLAGE)).unwrap().krs_total().krs_families;
    let dec = pendamping_core::recap::Month { year: 2026, month: 12 };
    assert_eq!(krs(&s, dec), 1, "a KRS family this month");
    assert_eq!(krs(&s, dec.back(1)), 0, "not in November, before anyone recorded it");
    // A target enrolled from March makes the family known from March.
    let child = person(
        3,
        &h,
        "Putri",
        pendamping_core::Sex::Female,
        d(2025, 3, 1),
        pendamping_core::Relationship::Anak,
    );
    s.save_person(&child).unwrap();
    s.save_enrolment(&enrolment(4, &child, d(2026, 3, 1), child_details()))
        .unwrap();
    assert_eq!(krs(&s, dec.back(1)), 1);
    assert_eq!(krs(&s, pendamping_core::recap::Month { year: 2026, month: 2 }), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_centre_counts_the_running_month_to_the_areas_own_day_not_the_easternmost() {
    // 23:30 on 29 November in Banten (WIB), already 01:30 on the 30th in Papua (WIT).
    let late_evening = chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
        .unwrap()
        .and_hms_opt(16, 30, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis() as u64;
    let clock = std::sync::Arc::new(pendamping_core::hlc::ManualTime::new(late_evening));
    let dir = tempfile::tempdir().unwrap();
    let centre = TestServer::start(dir.path(), clock.clone(), |_| {}).await;
    let mut tablet = enrolled_device(&centre, clock.clone(), Role::Cadre, &[VILLAGE]).await;
    // A child who turns five on the 29th: still a target on the 29th, ended on the 30th.
    family_with_child(&mut tablet, 1, VILLAGE, d(2021, 11, 29));
    sync(&mut tablet).await;

    let banten_today = d(2026, 11, 29);
    assert_eq!(tablet.today(), banten_today, "the tablet in Banten");
    let at_centre = centre.state.recap(NOV, &at(VILLAGE)).unwrap();
    assert_eq!(at_centre.as_of, Some(banten_today), "counted to Banten's day");
    assert_eq!(
        rows_of(&[&at_centre]),
        rows_of(&[&tablet.recap(NOV, &at(VILLAGE)).unwrap()])
    );
    let indicators = centre.state.indicators(NOV, &at(VILLAGE), 10).unwrap();
    let on_tablet = tablet.indicators(NOV, &at(VILLAGE), 10).unwrap();
    assert_eq!(indicators.as_ref(), &on_tablet, "the dashboard's figures too");
}
