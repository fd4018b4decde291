//! A push body as a hostile device or hub sends it: the packed batch, its origins and its
//! seals. Unpacking, the seals' coverage and opening each seal give a value or an error,
//! never a panic, and a seal that opens proves what it covers again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pendamping_protocol::{PushHead, seal};
use pendamping_vault::DeviceKey;

fuzz_target!(|bytes: &[u8]| {
    let Ok((head, changes)) = PushHead::unpack(bytes) else {
        return;
    };
    let _ = pendamping_protocol::expand_origins(&head.origins, changes.len());
    let Ok(spans) = seal::spans(&head.seals, changes.len()) else {
        return;
    };
    // Any key will do: what matters is that no shape of a seal panics or loops.
    let key = DeviceKey::from_hex(&"11".repeat(32)).expect("a fixed key");
    for (s, span) in head.seals.iter().zip(spans) {
        if let Ok((kept, at)) = seal::open(s, "fuzz", &key.public(), &changes[span]) {
            assert!(kept.prove(&at).is_some(), "what opened can be proved again");
        }
    }
});
