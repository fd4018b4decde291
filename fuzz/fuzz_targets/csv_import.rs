//! The CSV import (`pendamping import`) of four files, any of them hostile or damaged:
//! refused whole, writing nothing, or taken whole into a sound store — never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pendamping_cli::csvio;
use pendamping_store::{Options, Store};

fuzz_target!(|bytes: &[u8]| {
    // The files, in order, separated by a form feed; a leading 1-bit gives each its header
    // as the export writes it, so the fuzzer reaches the rows quickly.
    let Some((flags, rest)) = bytes.split_first() else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (i, part) in rest.split(|b| *b == b'\x0c').take(4).enumerate() {
        let (name, entity) = csvio::FILES[i];
        let mut file = Vec::new();
        if flags >> i & 1 == 1 {
            file.extend_from_slice(csvio::columns(entity).join(",").as_bytes());
            file.push(b'\n');
        }
        file.extend_from_slice(part);
        std::fs::write(dir.path().join(name), file).expect("written");
    }
    let mut store = Store::open_in_memory(Options::default()).expect("a store");
    match csvio::import(&mut store, dir.path()) {
        Err(_) => assert_eq!(store.pending_count().expect("count"), 0, "a refused import wrote"),
        Ok(_) => assert!(store.integrity_ok().expect("integrity")),
    }
});
