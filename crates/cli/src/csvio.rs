//! `pendamping import` and `export`: households.csv, persons.csv, enrolments.csv and
//! visits.csv, each with an `id` column. An import is checked whole before anything is
//! written, and written in one transaction.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use pendamping_core::area::normalize_code;
use pendamping_core::{Entity, Sex};
use pendamping_store::{Batch, BatchProblem, ImportError, Sourced, Store};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use uuid::Uuid;

/// The files of an import or export, parents first.
pub const FILES: [(&str, Entity); 4] = [
    ("households.csv", Entity::Household),
    ("persons.csv", Entity::Person),
    ("enrolments.csv", Entity::Enrolment),
    ("visits.csv", Entity::Visit),
];

/// A file's columns: `id`, then the entity's synced fields (a visit's results are
/// derived, and an import computes them again).
pub fn columns(entity: Entity) -> Vec<&'static str> {
    std::iter::once("id").chain(entity.fields().iter().copied()).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum CsvIoError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("folder {0} has none of households.csv, persons.csv, enrolments.csv, visits.csv")]
    Empty(String),
    #[error("{} masalah; tidak ada yang disimpan", .0.len())]
    Rejected(Vec<BatchProblem>),
    #[error(transparent)]
    Store(#[from] pendamping_store::StoreError),
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
}

fn cell(column: &str, raw: &str) -> Result<Value, String> {
    // What `export` neutralised against spreadsheet formulas, given back as written.
    let t = pendamping_report::sheet::restore(raw.trim());
    if t.is_empty() {
        return Ok(Value::Null);
    }
    Ok(match column {
        "welfare_decile" => Value::from(t.parse::<u64>().map_err(|_| format!("{t:?} bukan bilangan bulat"))?),
        "floor_area_m2" | "latitude" | "longitude" => {
            Value::from(crate::anthro::parse_number(column, t)?.unwrap_or_default())
        }
        "details" | "data" => serde_json::from_str(t).map_err(|e| format!("JSON tidak valid: {e}"))?,
        "area_code" => Value::String(normalize_code(t).map_err(|e| e.to_string())?),
        "sex" => Value::from(match Sex::parse(t).ok_or_else(|| format!("{t:?} bukan L/P"))? {
            Sex::Male => "L",
            Sex::Female => "P",
        }),
        _ => Value::String(t.to_string()),
    })
}

/// Reads one file into typed records, or the problems of every bad line.
fn read_file<T: DeserializeOwned>(
    path: &Path,
    name: &str,
    fill: fn(&mut Map<String, Value>),
) -> (Vec<Sourced<T>>, Vec<BatchProblem>) {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let problem = |line: u64, field: Option<&str>, message: String| BatchProblem {
        file: name.into(),
        line,
        field: field.map(str::to_string),
        message,
    };
    let mut rdr = match csv::Reader::from_path(path) {
        Ok(r) => r,
        Err(e) => return (records, vec![problem(0, None, e.to_string())]),
    };
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|h| h.trim().to_string()).collect(),
        Err(e) => return (records, vec![problem(1, None, e.to_string())]),
    };
    if !headers.iter().any(|h| h == "id") {
        return (records, vec![problem(1, Some("id"), "kolom id tidak ada".into())]);
    }
    for row in rdr.records() {
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                problems.push(problem(line, None, format!("baris rusak atau terpotong: {e}")));
                continue;
            }
        };
        let line = row.position().map(|p| p.line()).unwrap_or(0);
        let mut obj = Map::new();
        let mut ok = true;
        for (h, raw) in headers.iter().zip(row.iter()) {
            match cell(h, raw) {
                Ok(v) => {
                    obj.insert(h.clone(), v);
                }
                Err(msg) => {
                    problems.push(problem(line, Some(h), msg));
                    ok = false;
                }
            }
        }
        if !ok {
            continue;
        }
        fill(&mut obj);
        match serde_json::from_value::<T>(Value::Object(obj)) {
            Ok(record) => records.push(Sourced {
                file: name.into(),
                line,
                record,
            }),
            Err(e) => problems.push(problem(line, None, e.to_string())),
        }
    }
    (records, problems)
}

/// Columns the store derives from the parent: placeholders so a sparse file still reads.
fn fill_defaults(obj: &mut Map<String, Value>) {
    let nil = Value::String(Uuid::nil().to_string());
    for k in ["household_id", "person_id"] {
        if obj.get(k).is_none_or(Value::is_null) {
            obj.insert(k.into(), nil.clone());
        }
    }
    if obj.get("area_code").is_none_or(Value::is_null) {
        obj.insert("area_code".into(), Value::String(String::new()));
    }
    // The JSON column may leave out its tag when a `kind` column says it.
    let kind = obj.get("kind").cloned();
    for k in ["details", "data"] {
        if let (Some(Value::Object(inner)), Some(kind)) = (obj.get_mut(k), &kind) {
            inner.entry("kind").or_insert(kind.clone());
        }
    }
}

fn fill_none(_: &mut Map<String, Value>) {}

pub fn import(store: &mut Store, dir: &Path) -> Result<pendamping_store::BatchCounts, CsvIoError> {
    if !FILES.iter().any(|(f, _)| dir.join(f).exists()) {
        return Err(CsvIoError::Empty(dir.display().to_string()));
    }
    let mut batch = Batch::default();
    let mut problems = Vec::new();
    macro_rules! load {
        ($file:literal, $field:ident, $fill:expr) => {
            let path = dir.join($file);
            if path.exists() {
                let (records, p) = read_file(&path, $file, $fill);
                batch.$field = records;
                problems.extend(p);
            }
        };
    }
    load!("households.csv", households, fill_none);
    load!("persons.csv", persons, fill_defaults);
    load!("enrolments.csv", enrolments, fill_defaults);
    load!("visits.csv", visits, fill_defaults);
    if !problems.is_empty() {
        return Err(CsvIoError::Rejected(problems));
    }
    store.import(&batch).map_err(|e| match e {
        ImportError::Rejected(p) => CsvIoError::Rejected(p),
        ImportError::Store(s) => CsvIoError::Store(s),
    })
}

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => pendamping_report::sheet::neutralise_reversibly(s).into_owned(),
        Some(other) => other.to_string(),
    }
}

/// Creates a file only its owner can read: exports hold NIKs and health data.
fn private_file(path: &Path) -> std::io::Result<File> {
    pendamping_vault::files::create_private(path)
}

/// Writes the four files for every live record under `area`; reports progress on `progress`.
pub fn export(
    store: &Store,
    area: Option<&pendamping_core::area::AreaCode>,
    dir: &Path,
    progress: &mut dyn Write,
) -> Result<[usize; 4], CsvIoError> {
    pendamping_vault::files::create_private_dir(dir)?;
    let mut counts = [0usize; 4];
    // The ids written so far, by entity: a row whose household, person or enrolment is not
    // whole here (a row still arriving, or one that never did) is left out with it, or the
    // import of this very export would refuse the whole of it.
    let mut written: Vec<std::collections::HashSet<String>> = vec![Default::default(); FILES.len()];
    let mut listed: Vec<std::collections::HashSet<String>> = vec![Default::default(); FILES.len()];
    for (i, (file, entity)) in FILES.iter().enumerate() {
        let ids = store.ids(*entity, area)?;
        listed[i] = ids.iter().map(Uuid::to_string).collect();
        let columns = columns(*entity);
        let needs = match entity {
            Entity::Household => None,
            Entity::Person => Some(("household_id", 0)),
            Entity::Enrolment => Some(("person_id", 1)),
            Entity::Visit => Some(("enrolment_id", 2)),
        };
        let mut wtr = csv::Writer::from_writer(private_file(&dir.join(file))?);
        wtr.write_record(&columns)?;
        let mut left_out = 0usize;
        for (n, id) in ids.iter().enumerate() {
            let record = store.record_json(*entity, *id)?;
            let Some(Value::Object(obj)) = record else {
                left_out += 1;
                continue;
            };
            if let Some((field, of)) = needs {
                // In this export, or whole in the store (a survivor in another village).
                let parent = obj
                    .get(field)
                    .and_then(Value::as_str)
                    .and_then(|p| Uuid::parse_str(p).ok());
                let whole = match parent.map(|p| (p.to_string(), p)) {
                    Some((text, _)) if written[of].contains(&text) => true,
                    // Of this export's area, but left out: so is this row.
                    Some((text, _)) if listed[of].contains(&text) => false,
                    Some((_, p)) => store.record_json(FILES[of].1, p)?.is_some(),
                    None => false,
                };
                if !whole {
                    left_out += 1;
                    continue;
                }
            }
            wtr.write_record(columns.iter().map(|c| text(obj.get(*c))))?;
            written[i].insert(id.to_string());
            counts[i] += 1;
            if (n + 1) % 50_000 == 0 {
                let _ = writeln!(progress, "{file}: {} / {}", n + 1, ids.len());
            }
        }
        wtr.flush()?;
        let _ = match left_out {
            0 => writeln!(progress, "{file}: {} baris", counts[i]),
            k => writeln!(
                progress,
                "{file}: {} baris ({k} dilewati: datanya, atau data yang dirujuknya, belum lengkap di perangkat ini)",
                counts[i]
            ),
        };
    }
    Ok(counts)
}
