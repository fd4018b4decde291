//! Merging incoming changes on the device: idempotent, order-free, conflicts recorded.

use std::sync::Arc;

use pendamping_core::hlc::ManualTime;
use pendamping_core::{Change, Entity, Hlc};
use pendamping_store::Store;
use pendamping_tests::*;
use proptest::prelude::*;
use serde_json::Value;

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

fn device(clock: Arc<ManualTime>) -> Store {
    Store::open_in_memory(options(clock)).unwrap()
}

/// Copies every unacknowledged change of `from` into `to`.
fn ship(from: &Store, to: &mut Store) -> pendamping_store::ApplyReport {
    to.apply_remote(&from.outbox(100_000).unwrap(), None).unwrap()
}

#[test]
fn replaying_a_page_changes_nothing() {
    let mut a = store_at(today());
    family_with_child(&mut a, 100, VILLAGE, d(2025, 5, 1));
    let mut b = store_at(today());
    let first = ship(&a, &mut b);
    assert_eq!((first.applied, first.skipped), (4, 0));
    let state = dump(&b);
    let again = ship(&a, &mut b);
    assert_eq!((again.applied, again.skipped), (0, 4));
    assert_eq!(dump(&b), state);
    assert_eq!(dump(&a), dump(&b), "replica equals origin");
    // The origin's own changes coming back are skipped too.
    assert_eq!(a.apply_remote(&a.outbox(100).unwrap(), None).unwrap().skipped, 4);
    // Derived data is rebuilt on the replica: search and due list work there.
    assert_eq!(b.search_persons("siti", Some(&at(VILLAGE)), 5).unwrap().len(), 1);
    assert_eq!(b.due_list(&at(VILLAGE), today()).unwrap().len(), 1);
}

#[test]
fn concurrent_edits_of_one_field_are_recorded_as_conflicts_on_both_devices() {
    let (ca, cb) = (clock_at(today()), clock_at(today()));
    let (mut a, mut b) = (device(ca.clone()), device(cb.clone()));
    let (_, mother, _, _) = family_with_child(&mut a, 100, VILLAGE, d(2025, 5, 1));
    ship(&a, &mut b);
    let acked: Vec<_> = a.outbox(100).unwrap().iter().map(|c| c.change_id).collect();
    a.acknowledge(&acked).unwrap();
    // Both edit the phone offline; b edits later.
    let mut on_a = mother.clone();
    on_a.phone = Some("081111111111".into());
    a.save_person(&on_a).unwrap();
    cb.advance(60_000);
    let mut on_b = mother.clone();
    on_b.phone = Some("082222222222".into());
    on_b.name = "Siti Aminah Lubis".into();
    b.save_person(&on_b).unwrap();
    let a_changes = a.outbox(100).unwrap();
    let b_changes: Vec<Change> = b
        .outbox(100)
        .unwrap()
        .into_iter()
        .filter(|c| c.entity == Entity::Person)
        .collect();

    let ra = a.apply_remote(&b_changes, None).unwrap();
    assert_eq!(ra.conflicts, 1);
    let rb = b.apply_remote(&a_changes, None).unwrap();
    assert_eq!(rb.conflicts, 1);
    // Both converge on the later write, field by field.
    let pa = a.person(mother.id).unwrap().unwrap();
    let pb = b.person(mother.id).unwrap().unwrap();
    assert_eq!(pa, pb);
    assert_eq!(pa.phone.as_deref(), Some("082222222222"));
    assert_eq!(pa.name, "Siti Aminah Lubis");
    let ca_list = a.conflicts(true).unwrap();
    assert_eq!(ca_list[0].field, "phone");
    assert!(!ca_list[0].local_wins);
    assert_eq!(ca_list[0].local_value, Value::from("081111111111"));
    assert!(b.conflicts(true).unwrap()[0].local_wins);
    assert!(a.resolve_conflict(ca_list[0].id).unwrap());
    assert!(a.conflicts(true).unwrap().is_empty());
}

#[test]
fn a_bad_change_is_refused_alone_and_the_page_cursor_is_saved() {
    let mut a = store_at(today());
    family_with_child(&mut a, 100, VILLAGE, d(2025, 5, 1));
    let mut page = a.outbox(100).unwrap();
    let mut unknown = page[0].clone();
    unknown.change_id = uuid::Uuid::from_u128(1);
    unknown.fields.insert("drop_table".into(), Value::from(1));
    let mut future = page[1].clone();
    future.change_id = uuid::Uuid::from_u128(2);
    future.hlc = Hlc {
        millis: future.hlc.millis + 365 * 24 * 3600 * 1000,
        ..future.hlc
    };
    let mut wrong_type = page[1].clone();
    wrong_type.change_id = uuid::Uuid::from_u128(3);
    wrong_type.hlc = Hlc {
        counter: 9,
        ..wrong_type.hlc
    };
    wrong_type.fields = [("birth_date".to_string(), Value::from(42))].into();
    page.insert(0, unknown);
    page.insert(1, future);
    page.push(wrong_type);

    let mut b = store_at(today());
    let r = b.apply_remote(&page, Some("17")).unwrap();
    let codes: Vec<_> = r.rejected.iter().map(|x| x.code.as_str()).collect();
    assert_eq!(codes, ["unknown_field", "clock_skew", "invalid"]);
    assert_eq!(r.applied, 4, "the good changes still went in");
    assert_eq!(b.pull_cursor().unwrap().as_deref(), Some("17"));
    assert_eq!(
        b.person(uuid::Uuid::from_u128(101)).unwrap().unwrap().birth_date,
        d(1996, 4, 12)
    );
}

#[derive(Debug, Clone)]
enum Op {
    Phone(u8),
    Name(u8),
    Rt(u8),
    DeletePerson,
    Visit(u8),
}

fn op() -> impl Strategy<Value = (usize, Op, u16)> {
    let op = prop_oneof![
        (0u8..5).prop_map(Op::Phone),
        (0u8..5).prop_map(Op::Name),
        (1u8..9).prop_map(Op::Rt),
        Just(Op::DeletePerson),
        (0u8..3).prop_map(Op::Visit),
    ];
    (0usize..3, op, 0u16..5000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// Three devices edit the same family offline; every replica that receives all the
    /// changes, in any order and any number of times, holds the same data.
    #[test]
    fn every_order_of_delivery_converges(ops in prop::collection::vec(op(), 1..14), seed in any::<u64>()) {
        let clocks: Vec<_> = (0..3).map(|_| clock_at(today())).collect();
        let mut devices: Vec<Store> = clocks.iter().map(|c| device(c.clone())).collect();
        let (h, mother, _, e) = family_with_child(&mut devices[0], 100, VILLAGE, d(2025, 5, 1));
        let base = devices[0].outbox(100).unwrap();
        for dev in devices.iter_mut().skip(1) {
            dev.apply_remote(&base, None).unwrap();
        }
        let mut visit_n = 1000u128;
        for (who, op, dt) in ops {
            clocks[who].advance(dt as u64);
            let s = &mut devices[who];
            match op {
                Op::Phone(n) => { if let Some(mut p) = s.person(mother.id).unwrap() { p.phone = Some(format!("08123456789{n}")); let _ = s.save_person(&p); } }
                Op::Name(n) => { if let Some(mut p) = s.person(mother.id).unwrap() { p.name = format!("Siti {n}"); let _ = s.save_person(&p); } }
                Op::Rt(n) => { let mut hh = s.household(h.id).unwrap().unwrap(); hh.rt = Some(format!("00{n}")); s.save_household(&hh).unwrap(); }
                Op::DeletePerson => { let _ = s.delete(Entity::Person, mother.id); }
                Op::Visit(m) => { visit_n += 1; s.record_visit(&child_visit(visit_n * 10 + who as u128, &e, d(2026, 9 + m as u32, 1), 9.0, 74.0)).unwrap(); }
            }
        }
        let mut all: Vec<Change> = devices.iter().flat_map(|dv| dv.outbox(100_000).unwrap()).collect();
        // Two fresh replicas: one in origin order, one shuffled with repeats.
        let mut r1 = store_at(today());
        r1.apply_remote(&all, None).unwrap();
        let mut s = seed | 1;
        let mut next = || { s ^= s << 13; s ^= s >> 7; s ^= s << 17; s };
        let extra: Vec<Change> = all.iter().filter(|_| next() % 2 == 0).cloned().collect();
        all.extend(extra);
        for i in (1..all.len()).rev() { let j = (next() % (i as u64 + 1)) as usize; all.swap(i, j); }
        let mut r2 = store_at(today());
        for chunk in all.chunks(3) { r2.apply_remote(chunk, None).unwrap(); }
        let expected = dump(&r1);
        prop_assert_eq!(&dump(&r2), &expected);
        // The devices themselves converge once they have seen everyone's changes.
        for dev in devices.iter_mut() {
            dev.apply_remote(&all, None).unwrap();
            prop_assert_eq!(&dump(dev), &expected);
        }
    }
}

#[test]
fn a_pulled_visit_gets_the_same_derived_columns_and_due_date_as_on_its_origin() {
    // Local saves write a visit's derived columns from the typed form; merges derive them
    // from the merged fields. Both must agree, or lists and the recap differ by device.
    let mut a = store_at(today());
    let (_, _, _, e) = family_with_child(&mut a, 100, VILLAGE, d(2025, 5, 1));
    a.record_visit(&child_visit(900, &e, d(2026, 11, 1), 9.5, 74.0))
        .unwrap();
    let mut b = store_at(today());
    ship(&a, &mut b);
    let derived = |s: &Store| -> Vec<String> {
        let mut stmt = s
            .connection()
            .prepare(
                "SELECT v.kind, v.flags, v.ttd_total, v.kbpp_method, v.services, e.next_due, e.last_flags, \
                 e.active_until FROM visits v JOIN enrolments e ON e.id = v.enrolment_id",
            )
            .unwrap();
        stmt.query_map([], |r| {
            (0..8)
                .map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}")))
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap()
        .map(|row| row.unwrap().join("|"))
        .collect()
    };
    let on_a = derived(&a);
    assert_eq!(on_a.len(), 1);
    assert!(
        on_a[0].starts_with("Text(\"anak\")|Text(\"") && on_a[0].contains("stunted"),
        "{on_a:?}"
    );
    assert_eq!(derived(&b), on_a);
}

/// Everything a device derives from synced rows: visits' flags and results, enrolments'
/// schedules and ends, households' KRS status, the search tokens.
fn derived_everywhere(s: &Store) -> Vec<String> {
    let queries = [
        "SELECT id, flags, results, services, kind, ttd_total, kbpp_method FROM visits ORDER BY id",
        "SELECT id, next_due, last_flags, active_until FROM enrolments ORDER BY id",
        "SELECT id, krs, krs_criteria FROM households ORDER BY id",
        "SELECT token, person_id FROM person_names ORDER BY token, person_id",
        "SELECT id, name_key FROM persons ORDER BY id",
    ];
    let mut out = Vec::new();
    for q in queries {
        let mut stmt = s.connection().prepare(q).unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}")))
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        out.extend(rows.map(|row| row.unwrap().join("|")));
    }
    out
}

#[test]
fn a_page_derives_what_its_changes_touch_as_one_change_at_a_time_does() {
    // A family's whole history in one page, as a first sync brings it: the derived columns
    // are computed once at the page's end, and must equal those of changes merged one by one.
    let mut a = store_at(today());
    let birth = d(2025, 10, 1);
    for area in [VILLAGE, VILLAGE, OTHER_VILLAGE] {
        let e = realistic_family(&mut a, area, birth);
        for v in monthly_visits(&a, &e, birth, 12, 7) {
            a.record_visit(&v).unwrap();
        }
        // Late edits that change what was derived before: the child was born a month
        // earlier (every z-score moves), and the household moved to another RT.
        let mut child = a.person(e.person_id).unwrap().unwrap();
        child.birth_date = birth - chrono::Months::new(1);
        a.save_person(&child).unwrap();
        let mut h = a.household(e.household_id).unwrap().unwrap();
        h.rt = Some("007".into());
        a.save_household(&h).unwrap();
    }
    // A pregnant woman in the first household (her enrolment feeds its KRS status).
    let (_, mother, _, _) = family_with_child(&mut a, 500, VILLAGE, d(2025, 5, 1));
    let hamil = enrolment(600, &mother, d(2026, 8, 1), hamil_details(d(2026, 6, 1)));
    a.save_enrolment(&hamil).unwrap();
    let changes = a.outbox(100_000).unwrap();
    assert!(changes.len() > 50);

    let mut whole = store_at(today());
    whole.apply_remote(&changes, None).unwrap();
    let mut one_by_one = store_at(today());
    for c in &changes {
        one_by_one.apply_remote(std::slice::from_ref(c), None).unwrap();
    }
    let derived = derived_everywhere(&whole);
    // Ages counted from the corrected birth date: the late edit reached every visit.
    let first_visit_age = (birth + chrono::Months::new(1) - (birth - chrono::Months::new(1))).num_days();
    assert!(
        derived
            .iter()
            .any(|r| r.contains(&format!("\\\"age_days\\\":{first_visit_age}"))),
        "{derived:?}"
    );
    assert_eq!(derived, derived_everywhere(&one_by_one));
    // And as the origin derived them from its own saves.
    assert_eq!(derived, derived_everywhere(&a));
}

#[test]
fn a_page_merged_until_told_to_let_go_takes_what_it_took_and_saves_its_cursor_with_the_last() {
    let mut a = store_at(today());
    a_year_of_visits(&mut a, VILLAGE);
    let page = a.outbox(100).unwrap();
    let mut b = store_at(today());
    // Told to let go at once: one change per hold, and the cursor only once the page is all in.
    let mut at = 0;
    let mut holds = 0;
    while at < page.len() {
        let r = b.apply_remote_within(&page[at..], Some("42"), Some(&|_| true)).unwrap();
        assert_eq!(r.consumed, 1);
        at += r.consumed;
        holds += 1;
        let saved = b.pull_cursor().unwrap();
        assert_eq!(saved.as_deref(), (at == page.len()).then_some("42"), "after {at}");
    }
    assert_eq!(holds, page.len());
    // The same data as a page taken whole.
    let mut c = store_at(today());
    let r = c
        .apply_remote_within(&page, Some("42"), Some(&|held| held.as_secs() >= 60))
        .unwrap();
    assert_eq!(r.consumed, page.len());
    assert_eq!(dump(&b), dump(&c));
    assert_eq!(derived_everywhere(&b), derived_everywhere(&c));
}

/// A merge lets its commit skip the wait for the disk (a page lost in a power cut is lost
/// with its cursor, and pulled again), and puts the store back to waiting for the disk on
/// every commit after it: a cadre's save is durable when the app says it is saved.
#[test]
fn a_merge_leaves_the_store_waiting_for_the_disk_on_every_save() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = store_at(today());
    a_year_of_visits(&mut a, VILLAGE);
    let mut b = Store::open(dir.path().join("b.db"), options(clock_at(today()))).unwrap();
    let synchronous = |s: &Store| -> i64 {
        s.connection()
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(synchronous(&b), 2, "FULL from the start");
    let r = b.apply_remote(&a.outbox(1000).unwrap(), Some("9")).unwrap();
    assert!(r.applied > 0);
    assert_eq!(synchronous(&b), 2, "FULL again after a merge");
}
