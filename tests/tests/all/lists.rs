//! The district's lists with names: each has exactly as many rows as the number it
//! explains, counted independently from the stored visits, and names the right people.

use std::collections::BTreeSet;

use pendamping_cli::demo;
use pendamping_core::TargetKind;
use pendamping_core::lists::NameList;
use pendamping_core::recap::{Month, TargetGroup};
use pendamping_core::risk::RiskFlag;
use pendamping_store::Store;
use pendamping_tests::*;

const NOV: Month = Month { year: 2026, month: 11 };

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

fn demo_store(dir: &std::path::Path) -> Store {
    let mut store = Store::open(dir.join("device.db"), options(clock_at(today()))).unwrap();
    let opts = demo::DemoOptions {
        households: 240,
        villages: vec![VILLAGE.to_string(), OTHER_VILLAGE.to_string()],
        seed: 5,
        months: 14,
        today: today(),
        chunk: 200,
    };
    demo::generate(&opts, &|_| false, |b| store.import(b).map(|_| ())).unwrap();
    store
}

/// Enrolments of `kind` with any of `flags` on a visit in November, read straight from the
/// visits' stored flags (not through the recap).
fn flagged_in_november(dir: &std::path::Path, kind: TargetKind, flags: &[RiskFlag]) -> BTreeSet<String> {
    let conn = rusqlite::Connection::open(dir.join("device.db")).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT v.enrolment_id, v.flags FROM visits v JOIN enrolments e ON e.id = v.enrolment_id \
             WHERE v.deleted = 0 AND e.deleted = 0 AND e.kind = ?1 AND v.visit_date BETWEEN '2026-11-01' AND '2026-11-30'",
        )
        .unwrap();
    let kind = serde_json::to_value(kind).unwrap();
    let rows = stmt
        .query_map([kind.as_str().unwrap()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })
        .unwrap();
    let wanted: Vec<String> = flags
        .iter()
        .map(|f| serde_json::to_value(f).unwrap().as_str().unwrap().to_string())
        .collect();
    rows.map(|r| r.unwrap())
        .filter(|(_, f)| {
            // Stored comma-separated, in the flags' wire spelling.
            f.as_deref()
                .unwrap_or("")
                .split(',')
                .any(|x| wanted.iter().any(|w| w == x))
        })
        .map(|(id, _)| id)
        .collect()
}

#[test]
fn each_list_has_as_many_names_as_its_number_and_the_right_people() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let recap = store.recap(NOV, &at(KECAMATAN)).unwrap();
    let group = |g: TargetGroup| {
        recap
            .totals_by_group()
            .into_iter()
            .find(|r| r.group == Some(g))
            .unwrap_or_default()
    };

    let stunted = store
        .name_list(NameList::Stunted, NOV, &at(KECAMATAN), today())
        .unwrap();
    // Below −2 SD holds the severe: a child flagged either way is stunted, once.
    let expected = flagged_in_november(
        dir.path(),
        TargetKind::Anak,
        &[RiskFlag::Stunted, RiskFlag::SeverelyStunted],
    );
    let severe = [TargetGroup::Baduta, TargetGroup::Balita]
        .map(|g| group(g).flags.get(&RiskFlag::SeverelyStunted).copied().unwrap_or(0))
        .iter()
        .sum::<u32>();
    assert!(
        severe > 0 && expected.len() as u32 > severe,
        "the demo has stunted children, severe ones too"
    );
    let figures = store.indicators(NOV, &at(KECAMATAN), 6).unwrap();
    let counted = figures[KECAMATAN].get(pendamping_core::indicators::Indicator::Stunted);
    assert_eq!(
        stunted.len() as u32,
        counted,
        "the list has a row per child the card counts"
    );
    let ids: BTreeSet<String> = stunted.iter().map(|r| r.enrolment_id.unwrap().to_string()).collect();
    assert_eq!(ids, expected);
    for r in &stunted {
        assert_eq!(r.kind, Some(TargetKind::Anak));
        assert!(!r.name.is_empty() && r.birth_date.is_some(), "{r:?}");
        assert!(
            r.last_visit.is_some_and(|d| NOV.contains(d)),
            "measured this month: {r:?}"
        );
        assert!(
            r.last.lenhei_cm.is_some() && r.last.z_len.is_some(),
            "with its measurements: {r:?}"
        );
    }

    let maternal = store
        .name_list(NameList::KekAnaemia, NOV, &at(KECAMATAN), today())
        .unwrap();
    let ids: BTreeSet<String> = maternal.iter().map(|r| r.enrolment_id.unwrap().to_string()).collect();
    assert_eq!(ids.len(), maternal.len(), "one row per woman");
    assert_eq!(
        ids,
        flagged_in_november(dir.path(), TargetKind::IbuHamil, &NameList::MATERNAL_FLAGS)
    );
    assert!(
        maternal
            .iter()
            .all(|r| !r.flags.is_empty() && r.flags.iter().all(|f| NameList::MATERNAL_FLAGS.contains(f)))
    );

    let krs = store.name_list(NameList::Krs, NOV, &at(KECAMATAN), today()).unwrap();
    let total = recap.krs_total();
    assert_eq!(krs.len() as u32, total.krs_families);
    assert_eq!(
        krs.iter().filter(|r| r.accompanied == Some(true)).count() as u32,
        total.krs_accompanied
    );
    assert!(total.krs_accompanied > 0 && total.krs_accompanied < total.krs_families);
    // Each family's last visit (read for the whole list at once): in the month for those
    // accompanied, never after it for any.
    assert!(
        krs.iter()
            .filter(|r| r.accompanied == Some(true))
            .all(|r| r.last_visit.is_some_and(|d| NOV.contains(d)))
    );
    assert!(krs.iter().all(|r| r.last_visit.is_none_or(|d| d <= NOV.last_day())));
    // And each is the family's latest visit up to the month's end, read straight from the visits.
    let conn = rusqlite::Connection::open(dir.path().join("device.db")).unwrap();
    let mut latest = conn
        .prepare(
            "SELECT MAX(visit_date) FROM visits WHERE household_id = ?1 AND deleted = 0 AND visit_date <= '2026-11-30'",
        )
        .unwrap();
    for r in &krs {
        let day: Option<String> = latest.query_row([r.household_id.to_string()], |x| x.get(0)).unwrap();
        assert_eq!(r.last_visit.map(|d| d.to_string()), day, "{}", r.head_name);
    }
    assert!(
        krs.iter()
            .any(|r| r.accompanied == Some(false) && r.last_visit.is_some())
    );

    // A village's list is that village's rows of the kecamatan's.
    let village = store.name_list(NameList::Krs, NOV, &at(VILLAGE), today()).unwrap();
    assert_eq!(village.len(), krs.iter().filter(|r| r.area_code == VILLAGE).count());

    let overdue = store
        .name_list(NameList::Overdue, NOV, &at(KECAMATAN), today())
        .unwrap();
    let due = store.due_list(&at(KECAMATAN), today()).unwrap();
    let late = due.iter().filter(|d| d.due < today()).count();
    // Checks over an empty list would pass whatever the list does.
    assert!(
        overdue.len() >= 2,
        "the demo has overdue targets to order: {}",
        overdue.len()
    );
    assert_eq!(overdue.len(), late);
    assert!(overdue.iter().all(|r| r.due.is_some_and(|d| d < today())));
    assert!(
        overdue
            .windows(2)
            .all(|w| (&w[0].tpk, -w[0].days_overdue.unwrap()) <= (&w[1].tpk, -w[1].days_overdue.unwrap())),
        "by TPK, the longest overdue first"
    );

    // Catin not yet screened: enrolled at the month's end with no visit by then that
    // measured weight, height and LiLA, read straight from the stored rows.
    let conn = rusqlite::Connection::open(dir.path().join("device.db")).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT e.id FROM enrolments e WHERE e.kind = 'catin' AND e.deleted = 0 AND e.start_date <= '2026-11-30' \
             AND (e.active_until IS NULL OR e.active_until >= '2026-11-30') AND NOT EXISTS (SELECT 1 FROM visits v \
             WHERE v.enrolment_id = e.id AND v.deleted = 0 AND v.visit_date <= '2026-11-30' \
             AND json_extract(v.data, '$.weight_kg') IS NOT NULL AND json_extract(v.data, '$.height_cm') IS NOT NULL \
             AND json_extract(v.data, '$.lila_cm') IS NOT NULL)",
        )
        .unwrap();
    let expected: BTreeSet<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    let catin = store
        .name_list(NameList::CatinUnscreened, NOV, &at(KECAMATAN), today())
        .unwrap();
    let listed: BTreeSet<String> = catin.iter().map(|r| r.enrolment_id.unwrap().to_string()).collect();
    assert_eq!(listed, expected);
    assert!(
        !catin.is_empty(),
        "the demo has catin registered without a screening yet"
    );
    assert!(
        catin.iter().all(|r| r.wedding_date.is_some()),
        "each with the wedding date"
    );
    let t = pendamping_core::indicators::total(&store.indicators(NOV, &at(KECAMATAN), 10).unwrap());
    assert_eq!(
        t.get(pendamping_core::indicators::Indicator::CatinUnscreened) as usize,
        catin.len()
    );
}

/// A number on the dashboard opens exactly the names it counts: for every indicator with a
/// list, in every village of the kecamatan and over the kecamatan, the list holds as many
/// rows as the number, and none of another area.
#[test]
fn every_number_opens_a_list_of_exactly_what_it_counts() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let by_village = store.indicators(NOV, &at(KECAMATAN), 10).unwrap();
    let whole = store.indicators(NOV, &at(KECAMATAN), 6).unwrap();
    let mut checked = 0;
    for i in pendamping_core::indicators::Indicator::ALL {
        let Some(list) = i.list() else { continue };
        let rows = store.name_list(list, NOV, &at(KECAMATAN), today()).unwrap();
        assert_eq!(rows.len() as u32, whole[KECAMATAN].get(i), "{i:?} over the kecamatan");
        for (village, figures) in &by_village {
            let here = rows.iter().filter(|r| &r.area_code == village).count() as u32;
            assert_eq!(here, figures.get(i), "{i:?} in {village}");
        }
        assert!(!rows.is_empty(), "the demo has rows for {i:?}");
        checked += 1;
    }
    assert_eq!(checked, 4, "four numbers open a list");
}

/// Pregnant enrolments open today and the flags of each one's latest visit, read straight
/// from the stored rows (the due date from the HPHT in the details, not the derived
/// `active_until`).
fn pregnant_today_with_latest_flags(dir: &std::path::Path) -> Vec<(String, Vec<String>)> {
    let conn = rusqlite::Connection::open(dir.join("device.db")).unwrap();
    let weeks = pendamping_core::rules::Rules::default()
        .lifecycle
        .pregnancy_outcome_weeks;
    let mut stmt = conn
        .prepare(
            "SELECT e.id, json_extract(e.details, '$.hpht') FROM enrolments e JOIN persons p ON p.id = e.person_id \
             WHERE e.kind = 'ibu_hamil' AND e.deleted = 0 AND p.deleted = 0 AND e.end_date IS NULL",
        )
        .unwrap();
    let open: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for (id, hpht) in open {
        let hpht: chrono::NaiveDate = hpht.parse().unwrap();
        if hpht + chrono::Days::new(u64::from(weeks) * 7 - 1) < today() {
            continue;
        }
        let latest: Option<Option<String>> = conn
            .query_row(
                "SELECT flags FROM visits WHERE enrolment_id = ?1 AND deleted = 0 AND visit_date <= ?2 \
                 ORDER BY visit_date DESC, hlc DESC LIMIT 1",
                (&id, today().to_string()),
                |r| r.get(0),
            )
            .ok();
        let flags = latest
            .flatten()
            .unwrap_or_default()
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        out.push((id, flags));
    }
    out
}

#[test]
fn the_women_at_risk_now_are_those_whose_latest_visit_found_it_whenever_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let maternal: Vec<String> = NameList::AT_RISK_FLAGS
        .iter()
        .map(|f| serde_json::to_value(f).unwrap().as_str().unwrap().to_string())
        .collect();
    let expected: BTreeSet<String> = pregnant_today_with_latest_flags(dir.path())
        .into_iter()
        .filter(|(_, flags)| flags.iter().any(|f| maternal.contains(f)))
        .map(|(id, _)| id)
        .collect();
    let rows = store
        .name_list(NameList::PregnantAtRisk, NOV, &at(KECAMATAN), today())
        .unwrap();
    let ids: BTreeSet<String> = rows.iter().map(|r| r.enrolment_id.unwrap().to_string()).collect();
    assert_eq!(ids.len(), rows.len(), "one row per woman");
    assert_eq!(ids, expected);
    // The point of the list: women whose finding is older than this month are on it too.
    let this_month = flagged_in_november(dir.path(), TargetKind::IbuHamil, &NameList::MATERNAL_FLAGS);
    assert!(
        ids.iter().any(|id| !this_month.contains(id)),
        "the demo has a woman at risk not visited in November: {} now, {} in November",
        ids.len(),
        this_month.len()
    );
    for r in &rows {
        assert!(
            !r.flags.is_empty() && r.flags.iter().all(|f| NameList::AT_RISK_FLAGS.contains(f)),
            "{r:?}"
        );
        assert!(r.last_visit.is_some(), "{r:?}");
    }
    // The month asked does not change a list drawn as of today.
    let other = store
        .name_list(NameList::PregnantAtRisk, NOV.back(5), &at(KECAMATAN), today())
        .unwrap();
    assert_eq!(other, rows);
}

#[test]
fn maternal_findings_are_a_share_of_the_women_visited_this_month() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let conn = rusqlite::Connection::open(dir.path().join("device.db")).unwrap();
    let visited: u32 = conn
        .query_row(
            "SELECT COUNT(DISTINCT v.enrolment_id) FROM visits v JOIN enrolments e ON e.id = v.enrolment_id \
             WHERE v.deleted = 0 AND e.deleted = 0 AND e.kind = 'ibu_hamil' \
             AND v.visit_date BETWEEN '2026-11-01' AND ?1",
            [today().to_string()],
            |r| r.get(0),
        )
        .unwrap();
    use pendamping_core::indicators::Indicator;
    let whole = &store.indicators(NOV, &at(KECAMATAN), 6).unwrap()[KECAMATAN];
    assert_eq!(whole.get(Indicator::PregnantVisited), visited);
    assert!(
        visited > 0 && visited < whole.get(Indicator::Pregnant),
        "some enrolled women were not visited"
    );
    assert_eq!(Indicator::KekAnaemia.share_of(), Some(Indicator::PregnantVisited));
    let share = whole.percent(Indicator::KekAnaemia).unwrap();
    let expected = 100.0 * f64::from(whole.get(Indicator::KekAnaemia)) / f64::from(visited);
    assert!((share - expected).abs() < 1e-9, "{share} against {expected}");
}
