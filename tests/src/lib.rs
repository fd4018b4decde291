//! Test kit: stores on a fixed clock, and builders for realistic records.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use pendamping_core::enrolment::EnrolmentDetails;
use pendamping_core::growth::Measure;
use pendamping_core::hlc::ManualTime;
use pendamping_core::household::{Latrine, WaterSource};
use pendamping_core::visit::{AnakVisit, VisitData};
use pendamping_core::{Enrolment, Household, Person, Relationship, Sex, Visit, nik};
use pendamping_store::{Options, Store};
use uuid::Uuid;

pub const VILLAGE: &str = "3602012002";
pub const OTHER_VILLAGE: &str = "3602012003";
pub mod net;
pub mod pg;
pub mod story;

pub const KECAMATAN: &str = "360201";
/// Lebak, the regency of `KECAMATAN`.
pub const KABUPATEN: &str = "3602";

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

/// Noon WIB on `day`, in Unix milliseconds.
pub fn millis_at(day: NaiveDate) -> u64 {
    let noon_utc = day.and_time(NaiveTime::from_hms_opt(5, 0, 0).expect("time"));
    Utc.from_utc_datetime(&noon_utc).timestamp_millis() as u64
}

/// A clock stopped at noon on `day`, and store options using it.
pub fn clock_at(day: NaiveDate) -> Arc<ManualTime> {
    Arc::new(ManualTime::new(millis_at(day)))
}

pub fn options(clock: Arc<ManualTime>) -> Options {
    Options {
        time: clock,
        ..Options::default()
    }
}

/// An in-memory store whose "today" is `day`.
pub fn store_at(day: NaiveDate) -> Store {
    Store::open_in_memory(options(clock_at(day))).expect("in-memory store")
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

pub fn household(n: u128, area: &str, head: &str) -> Household {
    Household {
        id: id(n),
        kk_number: Some(format!("{}{:06}", &area[..10], n % 1_000_000)),
        area_code: area.into(),
        head_name: head.into(),
        address: Some("Kp. Cilangkahan".into()),
        rt: Some("003".into()),
        rw: Some("001".into()),
        water_source: Some(WaterSource::SumurBor),
        latrine: Some(Latrine::SepticTank),
        welfare_decile: Some(3),
        floor_area_m2: Some(48.0),
        latitude: None,
        longitude: None,
        tpk: Some("TPK 1".into()),
    }
}

pub fn person(n: u128, h: &Household, name: &str, sex: Sex, birth: NaiveDate, rel: Relationship) -> Person {
    Person {
        id: id(n),
        household_id: h.id,
        area_code: h.area_code.clone(),
        nik: Some(nik::compose(&h.area_code[..6], sex, birth, (n % 9000) as u16 + 1)),
        name: name.into(),
        sex,
        birth_date: birth,
        relationship: rel,
        mother_id: None,
        mother_nik: None,
        phone: None,
        merged_into: None,
    }
}

pub fn enrolment(n: u128, p: &Person, start: NaiveDate, details: EnrolmentDetails) -> Enrolment {
    Enrolment::new(id(n), p, start, details, Some("TPK 1".into()))
}

pub fn child_details() -> EnrolmentDetails {
    EnrolmentDetails::Anak {
        birth_weight_g: Some(3100.0),
        birth_length_cm: Some(49.0),
    }
}

pub fn hamil_details(hpht: NaiveDate) -> EnrolmentDetails {
    EnrolmentDetails::IbuHamil {
        hpht,
        gravida: Some(1),
        parity: Some(0),
        abortus: Some(0),
        last_birth_date: None,
        height_cm: Some(152.0),
        pre_pregnancy_weight_kg: Some(48.0),
    }
}

pub fn child_visit(n: u128, e: &Enrolment, date: NaiveDate, weight: f64, length: f64) -> Visit {
    Visit {
        id: id(n),
        enrolment_id: e.id,
        person_id: e.person_id,
        household_id: e.household_id,
        area_code: e.area_code.clone(),
        visit_date: date,
        data: VisitData::Anak(AnakVisit {
            weight_kg: Some(weight),
            lenhei_cm: Some(length),
            measure: Some(Measure::Lying),
            ..AnakVisit::default()
        }),
        correction_reason: None,
        recorded_by: None,
    }
}

/// A household in `area` with a mother and an enrolled child: (household, mother, child, enrolment).
pub fn family_with_child(
    store: &mut Store,
    n: u128,
    area: &str,
    child_birth: NaiveDate,
) -> (Household, Person, Person, Enrolment) {
    let h = household(n, area, "Ahmad Hidayat");
    store.save_household(&h).expect("household");
    let mother = person(
        n + 1,
        &h,
        "Siti Aminah",
        Sex::Female,
        d(1996, 4, 12),
        Relationship::Istri,
    );
    store.save_person(&mother).expect("mother");
    let mut child = person(n + 2, &h, "Putri Lestari", Sex::Female, child_birth, Relationship::Anak);
    child.mother_id = Some(mother.id);
    store.save_person(&child).expect("child");
    let e = enrolment(n + 3, &child, child_birth, child_details());
    store.save_enrolment(&e).expect("enrolment");
    (h, mother, child, e)
}

/// The synced state of a store (every entity's fields and their stamps), for comparing replicas.
pub fn dump(store: &Store) -> String {
    dump_area(store, "")
}

/// `dump` of the rows whose area code starts with `prefix`.
pub fn dump_area(store: &Store, prefix: &str) -> String {
    let conn = store.connection();
    let mut out = String::new();
    for (table, e) in [
        ("households", pendamping_core::Entity::Household),
        ("persons", pendamping_core::Entity::Person),
        ("enrolments", pendamping_core::Entity::Enrolment),
        ("visits", pendamping_core::Entity::Visit),
    ] {
        // A visit's results are derived on each replica: they must agree too.
        let derived = if e == pendamping_core::Entity::Visit {
            ", flags, results"
        } else {
            ""
        };
        let sql = format!(
            "SELECT id, deleted, clocks, {}{derived} FROM {table} WHERE area_code LIKE '{prefix}%' ORDER BY id",
            e.fields().join(", ")
        );
        let mut stmt = conn.prepare(&sql).expect("dump query");
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let mut line = String::from(table);
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i)?;
                    line.push_str(&format!("|{v:?}"));
                }
                Ok(line)
            })
            .expect("dump rows");
        for row in rows {
            out.push_str(&row.expect("row"));
            out.push('\n');
        }
    }
    out
}

/// A household, mother, child and the child's enrolment as a device makes them (UUIDv7
/// ids from the store's clock): for sync measurements, where id entropy matters.
/// A family and a year of monthly visits recorded on `store`: the number of changes made.
pub fn a_year_of_visits(store: &mut Store, area: &str) -> u64 {
    let birth = d(2025, 10, 1);
    let e = realistic_family(store, area, birth);
    let visits = monthly_visits(store, &e, birth, 12, 7);
    for v in &visits {
        store.record_visit(v).expect("visit");
    }
    (4 + visits.len()) as u64
}

pub fn realistic_family(store: &mut Store, area: &str, child_birth: NaiveDate) -> Enrolment {
    let mut h = household(0, area, "Ahmad Hidayat");
    h.id = store.new_id();
    h.kk_number = Some(format!("{}{:06}", &area[..10], h.id.as_u128() % 1_000_000));
    store.save_household(&h).expect("household");
    let mut mother = person(0, &h, "Siti Aminah", Sex::Female, d(1996, 4, 12), Relationship::Istri);
    mother.id = store.new_id();
    mother.nik = None;
    store.save_person(&mother).expect("mother");
    let mut child = person(0, &h, "Putri Lestari", Sex::Female, child_birth, Relationship::Anak);
    child.id = store.new_id();
    child.nik = None;
    child.mother_id = Some(mother.id);
    store.save_person(&child).expect("child");
    let mut e = enrolment(0, &child, child_birth, child_details());
    e.id = store.new_id();
    store.save_enrolment(&e).expect("enrolment");
    e
}

/// Monthly weighings of an enrolled child, as a scale and a board read them (0.1 kg, 0.1 cm).
pub fn monthly_visits(store: &Store, e: &Enrolment, birth: NaiveDate, months: u32, seed: u64) -> Vec<Visit> {
    (1..=months)
        .map(|m| {
            let jitter = ((seed.wrapping_mul(31).wrapping_add(m as u64 * 17)) % 7) as f64 / 10.0;
            let weight = ((3.3 + 0.55 * m as f64 + jitter) * 10.0).round() / 10.0;
            let length = ((50.0 + 2.1 * m as f64 + jitter) * 10.0).round() / 10.0;
            let mut v = child_visit(0, e, birth + chrono::Months::new(m), weight, length);
            v.id = store.new_id();
            v
        })
        .collect()
}

/// A test's area code, checked (`VILLAGE`, `KECAMATAN`, …), for the store's area queries.
pub fn at(code: &str) -> pendamping_core::area::AreaCode {
    pendamping_core::area::AreaCode::parse(code).expect("a well-formed area code")
}

/// The first sheet of an XLSX file, read by an independent reader (calamine), as text per
/// cell: numbers as their shortest decimal, empty cells empty.
pub fn xlsx_rows(path: &std::path::Path) -> anyhow::Result<Vec<Vec<String>>> {
    xlsx_tab(path, None)
}

/// A tab of an XLSX file by name (`None`: the first), read the same way.
pub fn xlsx_tab(path: &std::path::Path, name: Option<&str>) -> anyhow::Result<Vec<Vec<String>>> {
    use anyhow::Context;
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(path).with_context(|| format!("{} is a workbook", path.display()))?;
    let range = match name {
        None => book.worksheet_range_at(0).context("a first sheet")??,
        Some(name) => book.worksheet_range(name).with_context(|| format!("a tab {name}"))?,
    };
    Ok(range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}
