//! The ids a device makes, for rows and changes: UUIDv7 (RFC 9562) whose 48-bit time is
//! the millisecond of making, whose 12 `rand_a` bits count ids within that millisecond,
//! and whose 62 `rand_b` bits are a salt: 40 bits drawn once for the device's store and
//! 22 drawn at each opening (a session). Unique within a session by (millisecond, count);
//! across sessions by the session bits, even when a clock stands still, steps back or a
//! backup is restored; across devices by the device bits. And cheap on the wire: a batch
//! names each salt once (the device part once for all its sessions), and an id is then a
//! small time difference and a count (`pendamping_protocol::wire`).

use uuid::Uuid;

/// Bits of a salt drawn at each session; the 40 above them are the device's.
pub const SESSION_BITS: u32 = 22;

/// A salt from its device part (40 bits) and its session part (22 bits).
pub fn salt(device: u64, session: u32) -> u64 {
    ((device & ((1 << 40) - 1)) << SESSION_BITS) | (session as u64 & ((1 << SESSION_BITS) - 1))
}

/// The parts of a UUIDv7: milliseconds, `rand_a` (12 bits), `rand_b` (62 bits).
pub fn v7_parts(id: Uuid) -> Option<(u64, u16, u64)> {
    if id.get_version_num() != 7 || id.get_variant() != uuid::Variant::RFC4122 {
        return None;
    }
    let n = id.as_u128();
    let ms = (n >> 80) as u64;
    let a = ((n >> 64) & 0xFFF) as u16;
    let b = (n as u64) & ((1 << 62) - 1);
    Some((ms, a, b))
}

/// The UUIDv7 of these parts (the inverse of `v7_parts`).
pub fn v7_from_parts(ms: u64, a: u16, b: u64) -> Uuid {
    let n = ((ms as u128 & 0xFFFF_FFFF_FFFF) << 80)
        | (0x7 << 76)
        | ((a as u128 & 0xFFF) << 64)
        | (0b10 << 62)
        | (b as u128 & ((1 << 62) - 1));
    Uuid::from_u128(n)
}

#[derive(Debug, Clone)]
pub struct IdMaker {
    salt: u64,
    last_ms: u64,
    count: u16,
}

impl IdMaker {
    /// `salt`: 62 random bits (more are ignored).
    pub fn new(salt: u64) -> IdMaker {
        IdMaker {
            salt: salt & ((1 << 62) - 1),
            last_ms: 0,
            count: 0,
        }
    }

    /// The next id at `now_ms`. Never repeats and never goes back: when the clock stands
    /// still or steps back the count goes on, and past 4,095 in one millisecond the id
    /// borrows the next millisecond.
    pub fn next(&mut self, now_ms: u64) -> Uuid {
        if now_ms > self.last_ms {
            self.last_ms = now_ms;
            self.count = 0;
        } else if self.count >= 0xFFF {
            self.last_ms += 1;
            self.count = 0;
        } else {
            self.count += 1;
        }
        v7_from_parts(self.last_ms, self.count, self.salt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_v7_unique_ordered_and_split_back_into_their_parts() {
        let mut m = IdMaker::new(0x1234_5678_9abc_def0);
        let mut seen = BTreeSet::new();
        let mut last = Uuid::nil();
        // A clock that stands still for 10,000 ids, then steps back.
        for i in 0..10_000u64 {
            let id = m.next(if i < 9_000 {
                1_700_000_000_000
            } else {
                1_699_999_999_000
            });
            assert_eq!(id.get_version_num(), 7);
            assert!(id > last, "ordered");
            assert!(seen.insert(id), "unique");
            last = id;
            let (ms, a, b) = v7_parts(id).unwrap();
            assert_eq!(v7_from_parts(ms, a, b), id);
            assert_eq!(b, 0x1234_5678_9abc_def0 & ((1 << 62) - 1));
        }
        let random = Uuid::now_v7();
        let (ms, a, b) = v7_parts(random).unwrap();
        assert_eq!(v7_from_parts(ms, a, b), random);
        assert_eq!(v7_parts(Uuid::new_v4()), None);
        // Two sessions at the same instant never meet.
        let (mut x, mut y) = (IdMaker::new(1), IdMaker::new(2));
        assert_ne!(x.next(5), y.next(5));
    }
}
