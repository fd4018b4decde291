//! Hybrid logical clock (docs/src/design/sync.md): (physical ms, counter, node) compared in that order,
//! written as a fixed-width string that sorts the same way. Time is injected.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct Hlc {
    pub millis: u64,
    pub counter: u32,
    pub node: u64,
}

/// Counter values fit in 4 hex digits; beyond that the clock borrows the next millisecond.
pub const MAX_COUNTER: u32 = 0xFFFF;
/// Milliseconds fit in 13 digits (until the year 2286).
pub const MAX_MILLIS: u64 = 9_999_999_999_999;

impl Hlc {
    /// Whether its text form (`Display`) reads back: a stamp from the wire (a packed batch
    /// carries the parts as numbers) is checked with this before it is taken.
    pub fn is_writable(&self) -> bool {
        self.millis <= MAX_MILLIS && self.counter <= MAX_COUNTER
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:013}-{:04x}-{:016x}", self.millis, self.counter, self.node)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HlcError {
    #[error("HLC tidak valid: {0:?}")]
    Malformed(String),
    #[error("HLC {remote} lebih dari {max_skew_ms} ms di depan jam lokal")]
    TooFarAhead { remote: Hlc, max_skew_ms: u64 },
}

impl FromStr for Hlc {
    type Err = HlcError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || HlcError::Malformed(s.to_string());
        let mut parts = s.split('-');
        let (Some(m), Some(c), Some(n), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        if m.len() != 13 || c.len() != 4 || n.len() != 16 {
            return Err(bad());
        }
        Ok(Hlc {
            millis: m.parse().map_err(|_| bad())?,
            counter: u32::from_str_radix(c, 16).map_err(|_| bad())?,
            node: u64::from_str_radix(n, 16).map_err(|_| bad())?,
        })
    }
}

impl Serialize for Hlc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Where the clock reads physical time. Injected, so tests control time.
pub trait TimeSource: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_millis(&self) -> u64;
}

/// A clock tests set by hand.
#[derive(Debug, Default)]
pub struct ManualTime(AtomicI64);

impl ManualTime {
    pub fn new(millis: u64) -> Self {
        ManualTime(AtomicI64::new(millis as i64))
    }
    pub fn set(&self, millis: u64) {
        self.0.store(millis as i64, Ordering::SeqCst);
    }
    pub fn advance(&self, millis: u64) {
        self.0.fetch_add(millis as i64, Ordering::SeqCst);
    }
}

impl TimeSource for ManualTime {
    fn now_millis(&self) -> u64 {
        self.0.load(Ordering::SeqCst) as u64
    }
}

/// Issues HLCs for one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HlcClock {
    last: Hlc,
    node: u64,
    /// How far ahead of local time a remote clock may be.
    pub max_skew_ms: u64,
}

/// 24 hours: a device whose date is off by more must still sync, but not poison the order.
pub const DEFAULT_MAX_SKEW_MS: u64 = 24 * 3600 * 1000;

impl HlcClock {
    pub fn new(node: u64) -> Self {
        HlcClock {
            last: Hlc {
                millis: 0,
                counter: 0,
                node,
            },
            node,
            max_skew_ms: DEFAULT_MAX_SKEW_MS,
        }
    }

    pub fn node(&self) -> u64 {
        self.node
    }

    /// The latest stamp issued or seen.
    pub fn last(&self) -> Hlc {
        self.last
    }

    /// Resumes after a restart: never issue a stamp at or below one already issued.
    pub fn resume_after(&mut self, seen: Hlc) {
        if seen > self.last {
            self.last = Hlc {
                node: self.node,
                ..seen
            };
        }
    }

    /// A new stamp for a local change: strictly greater than every stamp seen so far.
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        let next = if now_ms > self.last.millis {
            Hlc {
                millis: now_ms,
                counter: 0,
                node: self.node,
            }
        } else if self.last.counter < MAX_COUNTER {
            Hlc {
                counter: self.last.counter + 1,
                node: self.node,
                ..self.last
            }
        } else {
            Hlc {
                millis: self.last.millis + 1,
                counter: 0,
                node: self.node,
            }
        };
        self.last = next;
        next
    }

    /// Takes in a remote stamp so later local stamps sort after it. A stamp too far in
    /// the future is refused and leaves the clock unchanged.
    pub fn observe(&mut self, remote: Hlc, now_ms: u64) -> Result<(), HlcError> {
        if remote.millis > now_ms.saturating_add(self.max_skew_ms) {
            return Err(HlcError::TooFarAhead {
                remote,
                max_skew_ms: self.max_skew_ms,
            });
        }
        self.resume_after(remote);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_form_round_trips_and_is_fixed_width() {
        let h = Hlc {
            millis: 1_764_000_000_123,
            counter: 7,
            node: 0xabc,
        };
        let s = h.to_string();
        assert_eq!(s, "1764000000123-0007-0000000000000abc");
        assert_eq!(s.parse::<Hlc>().unwrap(), h);
        assert!("1764000000123-7-abc".parse::<Hlc>().is_err());
        assert!("x".parse::<Hlc>().is_err());
    }

    #[test]
    fn ticks_are_strictly_increasing_even_when_time_stands_still_or_goes_back() {
        let mut c = HlcClock::new(1);
        let a = c.tick(1000);
        let b = c.tick(1000);
        let d = c.tick(900);
        assert!(a < b && b < d);
        assert_eq!(d.millis, 1000);
    }

    #[test]
    fn counter_overflow_borrows_the_next_millisecond() {
        let mut c = HlcClock::new(1);
        c.resume_after(Hlc {
            millis: 5,
            counter: MAX_COUNTER,
            node: 9,
        });
        let h = c.tick(5);
        assert_eq!((h.millis, h.counter), (6, 0));
    }

    #[test]
    fn observing_a_remote_stamp_orders_later_ticks_after_it() {
        let mut c = HlcClock::new(1);
        let remote = Hlc {
            millis: 5_000,
            counter: 3,
            node: 2,
        };
        c.observe(remote, 1_000).unwrap();
        assert!(c.tick(1_000) > remote);
    }

    #[test]
    fn a_stamp_a_year_ahead_is_refused() {
        let mut c = HlcClock::new(1);
        let year = 365 * 24 * 3600 * 1000;
        let err = c.observe(
            Hlc {
                millis: 1_000 + year,
                counter: 0,
                node: 2,
            },
            1_000,
        );
        assert!(matches!(err, Err(HlcError::TooFarAhead { .. })));
        assert!(c.tick(1_000).millis < year);
    }

    proptest! {
        #[test]
        fn string_order_equals_clock_order(a in any::<(u32, u16, u64)>(), b in any::<(u32, u16, u64)>()) {
            let x = Hlc { millis: a.0 as u64 * 1000, counter: a.1 as u32, node: a.2 };
            let y = Hlc { millis: b.0 as u64 * 1000, counter: b.1 as u32, node: b.2 };
            prop_assert_eq!(x.cmp(&y), x.to_string().cmp(&y.to_string()));
        }
    }
}
