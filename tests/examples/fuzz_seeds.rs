//! Writes the fuzz targets' seed corpora (scripts/fuzz.sh): real inputs of each kind, made
//! the way the app makes them, for the fuzzer to mutate from — a packed push with its seal,
//! its compressed forms, a child's and a pregnant woman's visit, an exported village.

use std::path::Path;

use pendamping_cli::csvio;
use pendamping_protocol::codec::{self, Encoding};
use pendamping_protocol::{PushHead, SCHEMA_VERSION, seal, wire};
use pendamping_tests::*;
use pendamping_vault::DeviceKey;

fn write(dir: &Path, target: &str, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let at = dir.join(target);
    std::fs::create_dir_all(&at)?;
    std::fs::write(at.join(name), bytes)?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: fuzz-seeds DIR"))?;
    let dir = Path::new(&dir);
    let today = d(2026, 12, 1);
    let mut store = store_at(today);
    let birth = d(2025, 6, 1);
    let e = realistic_family(&mut store, VILLAGE, birth);
    for v in monthly_visits(&store, &e, birth, 6, 3) {
        store.record_visit(&v)?;
    }
    let changes = store.outbox(100)?;
    // Sealed with the key the target opens seals with, so the proof paths are reached.
    let key = DeviceKey::from_hex(&"11".repeat(32)).ok_or_else(|| anyhow::anyhow!("key"))?;
    for (name, n) in [("one", 1), ("few", 5), ("all", changes.len())] {
        let head = PushHead {
            schema_version: SCHEMA_VERSION,
            seen: 0,
            origins: Vec::new(),
            seals: vec![seal::sign(&key, "fuzz", &changes[..n])],
        };
        let packed = wire::pack(head, &changes[..n]);
        write(dir, "packed_batch", name, &packed)?;
        for (tag, enc) in [(0u8, Encoding::Gzip), (1u8, Encoding::Zstd)] {
            let mut body = vec![tag];
            body.extend(codec::encode(enc, &packed));
            write(dir, "compressed_body", &format!("{name}-{tag}"), &body)?;
        }
    }

    // [sex, birth (days since 2020-01-01), visit (days after birth)], details, 0, data.
    let visit =
        |sex: u8, birth: chrono::NaiveDate, on_day: u16, details: &serde_json::Value, data: &serde_json::Value| {
            let since = (birth - d(2020, 1, 1)).num_days() as u16;
            let mut b = vec![sex];
            b.extend(since.to_le_bytes());
            b.extend(on_day.to_le_bytes());
            b.extend(serde_json::to_vec(details).unwrap_or_default());
            b.push(0);
            b.extend(serde_json::to_vec(data).unwrap_or_default());
            b
        };
    let child = child_visit(10, &e, d(2026, 11, 2), 8.1, 71.5);
    let seed = visit(
        0,
        birth,
        520,
        &serde_json::to_value(&e.details)?,
        &serde_json::to_value(&child.data)?,
    );
    write(dir, "visit_data", "child", &seed)?;
    let hamil = hamil_details(d(2026, 6, 1));
    let data = serde_json::json!({"kind": "ibu_hamil", "weight_kg": 52.5, "muac_cm": 22.5, "hb_g_dl": 10.2,
        "systolic": 145, "diastolic": 95, "ttd_tablets": 30});
    let seed = visit(0, d(1998, 3, 1), 10_400, &serde_json::to_value(&hamil)?, &data);
    write(dir, "visit_data", "hamil", &seed)?;

    // A village as `pendamping export` writes it: the four files, form feeds between.
    let out = tempfile::tempdir()?;
    csvio::export(&store, Some(&at(VILLAGE)), out.path(), &mut std::io::sink())?;
    let mut seed = vec![0u8];
    for (i, (name, _)) in csvio::FILES.iter().enumerate() {
        if i > 0 {
            seed.push(b'\x0c');
        }
        seed.extend(std::fs::read(out.path().join(name))?);
    }
    write(dir, "csv_import", "village", &seed)?;
    Ok(())
}
