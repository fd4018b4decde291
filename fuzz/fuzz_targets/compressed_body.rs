//! A compressed request body (gzip, zstd): decoded within the limit or refused, never more
//! than the limit and never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pendamping_protocol::codec::{self, Encoding};

const LIMIT: usize = 1 << 20;

fuzz_target!(|bytes: &[u8]| {
    let Some((first, body)) = bytes.split_first() else {
        return;
    };
    let enc = if first & 1 == 0 { Encoding::Gzip } else { Encoding::Zstd };
    if let Ok(plain) = codec::decode(enc, body, LIMIT) {
        assert!(plain.len() <= LIMIT);
    }
});
