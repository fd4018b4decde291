//! A person registered in two villages by two devices: flagged on both devices (through
//! the kecamatan's NIK digest, which holds no NIK), listed at the hub and the centre, and
//! merged by a normal change that converges on every replica.

use pendamping_core::recap::Month;
use pendamping_core::{Relationship, Sex, nik};
use pendamping_protocol::Role;
use pendamping_store::{Likeness, Store};
use pendamping_tests::net::*;
use pendamping_tests::*;

const NOV: Month = Month { year: 2026, month: 11 };

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

/// A household in `village` whose wife has `wife_nik`, enrolled as pregnant and visited.
fn pregnant_wife(store: &mut Store, n: u128, village: &str, wife_nik: &str) -> pendamping_core::Person {
    let h = household(n, village, "Dedi Supriadi");
    store.save_household(&h).unwrap();
    let mut wife = person(
        n + 1,
        &h,
        "Rina Marlina",
        Sex::Female,
        d(1998, 3, 14),
        Relationship::Istri,
    );
    wife.nik = Some(wife_nik.to_string());
    store.save_person(&wife).unwrap();
    let e = enrolment(n + 2, &wife, d(2026, 8, 1), hamil_details(d(2026, 6, 20)));
    store.save_enrolment(&e).unwrap();
    let visit = pendamping_core::Visit {
        id: uuid::Uuid::from_u128(n + 3),
        enrolment_id: e.id,
        person_id: wife.id,
        household_id: h.id,
        area_code: village.to_string(),
        visit_date: d(2026, 11, 10),
        data: pendamping_core::visit::VisitData::IbuHamil(pendamping_core::visit::HamilVisit {
            weight_kg: Some(55.0),
            ..Default::default()
        }),
        correction_reason: None,
        recorded_by: None,
    };
    store.record_visit(&visit).unwrap();
    wife
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nik_registered_in_two_villages_is_flagged_on_both_and_a_merge_converges_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let (centre, hub) = TestServer::centre_and_hub(dir.path(), today()).await;
    let mut a = Store::open_in_memory(options(clock_at(today()))).unwrap();
    let mut b = Store::open_in_memory(options(clock_at(today()))).unwrap();
    for (t, v) in [(&mut a, VILLAGE), (&mut b, OTHER_VILLAGE)] {
        pendamping_sync::enroll(t, &hub.url(), &hub.code(Role::Cadre, &[v]), v)
            .await
            .unwrap();
    }
    // She married into village B and was registered again there, with the same NIK.
    let her_nik = nik::compose("360201", Sex::Female, d(1998, 3, 14), 77);
    let in_a = pregnant_wife(&mut a, 100, VILLAGE, &her_nik);
    let in_b = pregnant_wife(&mut b, 200, OTHER_VILLAGE, &her_nik);
    let someone_in_b = nik::compose("360201", Sex::Male, d(1990, 1, 2), 5);
    let mut husband = person(
        210,
        &household(200, OTHER_VILLAGE, "x"),
        "Dedi Supriadi",
        Sex::Male,
        d(1990, 1, 2),
        Relationship::KepalaKeluarga,
    );
    husband.nik = Some(someone_in_b.clone());
    b.save_person(&husband).unwrap();
    for _ in 0..2 {
        sync(&mut a).await;
        sync(&mut b).await;
    }

    // Each tablet is told, though neither holds the other village's NIKs.
    assert!(a.nik_maybe_elsewhere(&her_nik).unwrap());
    assert!(b.nik_maybe_elsewhere(&her_nik).unwrap());
    assert!(a.nik_maybe_elsewhere(&someone_in_b).unwrap());
    assert!(
        !b.nik_maybe_elsewhere(&someone_in_b).unwrap(),
        "its own village is not 'elsewhere'"
    );
    assert!(
        !a.nik_maybe_elsewhere(&nik::compose("360201", Sex::Male, d(1971, 5, 5), 4242))
            .unwrap()
    );
    assert!(!a.all_niks().unwrap().contains(&someone_in_b));
    // At capture: registering B's husband in village A warns, offline.
    let h = household(300, VILLAGE, "Ujang");
    a.save_household(&h).unwrap();
    let mut again = person(
        301,
        &h,
        "Dedi S.",
        Sex::Male,
        d(1990, 1, 2),
        Relationship::KepalaKeluarga,
    );
    again.nik = Some(someone_in_b.clone());
    let saved = a.save_person(&again).unwrap();
    assert!(
        saved.warnings.iter().any(|w| w.code == "nik_elsewhere"),
        "{:?}",
        saved.warnings
    );
    a.delete(pendamping_core::Entity::Person, again.id).unwrap();
    sync(&mut a).await;

    // The hub (its kecamatan) and, once relayed, the centre list the pair.
    let pairs = hub.state.possible_duplicates(Some(&at(KECAMATAN))).unwrap();
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0].likeness, Likeness::Nik);
    hub.relay().await.unwrap();
    assert_eq!(centre.state.possible_duplicates(Some(&at("3602"))).unwrap().len(), 1);

    // The PLKB merges at the hub: she stays in village A.
    let merged = hub.state.merge_persons(in_a.id, in_b.id).unwrap();
    assert_eq!((merged.enrolments, merged.visits), (1, 1));
    assert!(hub.state.possible_duplicates(Some(&at(KECAMATAN))).unwrap().is_empty());
    hub.relay().await.unwrap();
    for _ in 0..2 {
        sync(&mut a).await;
        sync(&mut b).await;
    }
    assert!(centre.state.possible_duplicates(Some(&at("3602"))).unwrap().is_empty());

    // On B the second record is a tombstone naming her, and B's pregnancy is hers.
    let tomb: (i64, Option<String>, String) = b
        .connection()
        .query_row(
            "SELECT deleted, merged_into, name FROM persons WHERE id = ?1",
            [in_b.id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        tomb,
        (1, Some(in_a.id.to_string()), "Rina Marlina".to_string()),
        "history kept"
    );
    let points_at: String = b
        .connection()
        .query_row(
            "SELECT person_id FROM enrolments WHERE id = ?1",
            [uuid::Uuid::from_u128(202).to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(points_at, in_a.id.to_string());

    // Every replica holds the same rows and computes the same recap.
    let mut fresh = enrolled_device(&centre, clock_at(today()), Role::Plkb, &[KECAMATAN]).await;
    sync(&mut fresh).await;
    assert_eq!(dump_area(&fresh, OTHER_VILLAGE), dump_area(&b, OTHER_VILLAGE));
    assert_eq!(dump_area(&fresh, VILLAGE), dump_area(&a, VILLAGE));
    for v in [VILLAGE, OTHER_VILLAGE] {
        let on_tablet = if v == VILLAGE {
            a.recap(NOV, &at(v))
        } else {
            b.recap(NOV, &at(v))
        }
        .unwrap();
        assert_eq!(centre.state.recap(NOV, &at(v)).unwrap(), on_tablet);
        assert_eq!(hub.state.recap(NOV, &at(v)).unwrap(), on_tablet);
    }
    // One woman: the kecamatan counts her once, though both villages visited her.
    let k = centre.state.recap(NOV, &at(KECAMATAN)).unwrap();
    let by_village: u32 = [VILLAGE, OTHER_VILLAGE]
        .iter()
        .map(|v| k.distinct_of(v).persons_visited)
        .sum();
    assert_eq!(k.distinct_of(KECAMATAN).persons_visited + 1, by_village);
}
