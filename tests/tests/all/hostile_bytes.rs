//! Arbitrary and damaged bytes for the decoders a hostile peer or a broken file reaches —
//! the packed batch, compressed bodies, a visit's JSON through validation, the CSV import —
//! generated with proptest (a stable stand-in for the fuzz targets): each gives a value or
//! an error, never a panic, and an import that fails writes nothing.

use pendamping_cli::csvio;
use pendamping_core::assess::{self, VisitContext};
use pendamping_core::risk::PersonFacts;
use pendamping_core::{Rules, Visit};
use pendamping_protocol::codec::{self, Encoding};
use pendamping_protocol::{PushHead, wire};
use pendamping_store::Store;
use pendamping_tests::*;
use proptest::prelude::*;

/// A valid packed push of a few changes, to damage.
fn packed() -> Vec<u8> {
    let mut store = store_at(d(2026, 12, 1));
    family_with_child(&mut store, 1, VILLAGE, d(2025, 6, 1));
    let changes = store.outbox(100).unwrap();
    wire::pack(
        PushHead {
            schema_version: pendamping_protocol::SCHEMA_VERSION,
            seen: 0,
            origins: vec![],
            seals: Vec::new(),
        },
        &changes,
    )
}

/// `bytes` cut at `cut` (a fraction) with `flips` (position fraction, xor) applied.
fn damage(mut bytes: Vec<u8>, cut: f64, flips: &[(f64, u8)]) -> Vec<u8> {
    bytes.truncate(((bytes.len() as f64) * cut) as usize);
    let n = bytes.len();
    for (at, x) in flips {
        if n > 0 {
            bytes[((n as f64 * at) as usize).min(n - 1)] ^= x | 1;
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_as_a_packed_batch_decode_or_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = wire::unpack::<PushHead>(&bytes);
    }

    #[test]
    fn a_packed_batch_cut_short_or_flipped_decodes_or_is_refused(
        cut in 0.0f64..1.0,
        flips in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..6),
    ) {
        let _ = wire::unpack::<PushHead>(&damage(packed(), cut, &flips));
    }

    #[test]
    fn compressed_bodies_damaged_decode_within_the_limit_or_are_refused(
        cut in 0.0f64..1.0,
        flips in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..6),
        gzip in any::<bool>(),
    ) {
        let enc = if gzip { Encoding::Gzip } else { Encoding::Zstd };
        let body = damage(codec::encode(enc, &packed()), cut, &flips);
        if let Ok(plain) = codec::decode(enc, &body, 1 << 16) {
            prop_assert!(plain.len() <= 1 << 16);
        }
    }

    #[test]
    fn a_visit_of_any_json_is_refused_or_assessed(json in "\\{\"kind\":\"(anak|ibu_hamil|nifas|catin)\"(,\"[a-z_]{2,16}\":(-?[0-9]{1,6}(\\.[0-9]{1,3})?|true|null|\"[a-z]{0,8}\"|\\[\\]|\\{\\})){0,8}\\}") {
        let mut store = store_at(d(2026, 12, 1));
        let (_, _, child, e) = family_with_child(&mut store, 1, VILLAGE, d(2025, 6, 1));
        // A value of the wrong type for its field is refused by the record's type, naming it
        // (the window's and the door's way); what reads is assessed and then saved whole or
        // refused with its problems, nothing half-written.
        let data = match serde_json::from_str::<pendamping_core::VisitData>(&json) {
            Ok(data) => data,
            Err(e) => {
                prop_assert!(!e.to_string().is_empty());
                return Ok(());
            }
        };
        let ctx = VisitContext {
            person: PersonFacts { sex: child.sex, birth_date: child.birth_date, children: None },
            enrolment: &e,
            today: d(2026, 12, 1),
        };
        let _ = assess::assess(d(2026, 12, 1), &data, &ctx, &Rules::default());
        let before = store.pending_count().unwrap();
        let mut v: Visit = child_visit(10, &e, d(2026, 12, 1), 8.0, 70.0);
        v.data = data;
        match store.record_visit(&v) {
            Ok(_) => {
                prop_assert_eq!(store.pending_count().unwrap(), before + 1);
                prop_assert!(store.visit(v.id).unwrap().is_some());
            }
            Err(pendamping_store::StoreError::Invalid(problems)) => {
                prop_assert!(problems.iter().any(|p| p.is_error()), "refused with its problems");
                prop_assert_eq!(store.pending_count().unwrap(), before, "nothing half-written");
                prop_assert!(store.visit(v.id).unwrap().is_none());
            }
            Err(other) => prop_assert!(false, "a visit is saved or refused as invalid, not {other}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    #[test]
    fn a_damaged_csv_import_is_refused_whole_or_taken_whole(
        file in 0usize..4,
        cut in 0.0f64..1.0,
        flips in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..4),
    ) {
        // A village exported as the tool writes it, then one of its files damaged.
        let dir = tempfile::tempdir().unwrap();
        let mut source = store_at(d(2026, 12, 1));
        let (_, _, _, e) = family_with_child(&mut source, 1, VILLAGE, d(2025, 6, 1));
        source.record_visit(&child_visit(10, &e, d(2026, 11, 2), 8.0, 70.0)).unwrap();
        csvio::export(&source, Some(&at(VILLAGE)), dir.path(), &mut std::io::sink()).unwrap();
        let names = ["households.csv", "persons.csv", "enrolments.csv", "visits.csv"];
        let path = dir.path().join(names[file]);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, damage(bytes, cut, &flips)).unwrap();
        let mut target: Store = store_at(d(2026, 12, 1));
        let empty = dump(&target);
        match csvio::import(&mut target, dir.path()) {
            // Refused: nothing of it was written.
            Err(_) => prop_assert_eq!(dump(&target), empty),
            Ok(_) => prop_assert!(target.integrity_ok().unwrap()),
        }
    }
}
