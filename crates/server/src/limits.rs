//! Rate limits per client address, for what invites guessing: enrolment codes, recovery
//! codes, tokens and dashboard passwords. Fixed windows in memory (a restart forgets
//! them). Behind a TLS proxy every client has the proxy's address: the limits then hold
//! for all together, which is why they are generous.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;

/// What is limited, each with its own count per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// Every enrolment request.
    Enrol,
    /// Every recovery request.
    Recover,
    /// Requests whose token was refused.
    BadToken,
    /// Dashboard log-ins.
    LogIn,
}

impl Class {
    /// (most requests, window in seconds).
    pub fn limit(self) -> (u32, i64) {
        match self {
            Class::Enrol => (20, 600),
            Class::Recover => (10, 600),
            Class::BadToken => (60, 600),
            Class::LogIn => (30, 600),
        }
    }
}

/// The client's address, as the connection gives it.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

impl Connected<IncomingStream<'_, tokio::net::TcpListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, tokio::net::TcpListener>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, crate::tls::TlsListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, crate::tls::TlsListener>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

/// Kept at most (a flood of addresses cannot fill memory).
const KEPT: usize = 100_000;

#[derive(Default)]
pub struct Limits {
    /// (class, address) → (window start in ms, count in it).
    seen: Mutex<HashMap<(Class, IpAddr), (i64, u32)>>,
}

impl Limits {
    /// Counts one request of `class` from `ip`; `Err(seconds)` when over the limit, with
    /// the seconds until the window ends.
    pub fn hit(&self, class: Class, ip: IpAddr, now_ms: i64) -> Result<(), i64> {
        let (most, secs) = class.limit();
        let window = secs * 1000;
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= KEPT {
            seen.retain(|_, (start, _)| now_ms - *start < window);
        }
        let e = seen.entry((class, ip)).or_insert((now_ms, 0));
        if now_ms - e.0 >= window {
            *e = (now_ms, 0);
        }
        e.1 = e.1.saturating_add(1);
        if e.1 > most {
            return Err((e.0 + window - now_ms + 999) / 1000);
        }
        Ok(())
    }

    /// Whether `ip` is over the limit of `class` now, without counting.
    pub fn over(&self, class: Class, ip: IpAddr, now_ms: i64) -> Option<i64> {
        let (most, secs) = class.limit();
        let window = secs * 1000;
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.get(&(class, ip))
            .filter(|(start, n)| now_ms - *start < window && *n > most)
            .map(|(start, _)| (start + window - now_ms + 999) / 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_and_class_has_its_own_window() {
        let l = Limits::default();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let (most, secs) = Class::Recover.limit();
        for _ in 0..most {
            assert!(l.hit(Class::Recover, a, 1_000).is_ok());
        }
        assert_eq!(l.hit(Class::Recover, a, 1_000), Err(secs));
        assert!(l.over(Class::Recover, a, 2_000).is_some());
        assert!(l.hit(Class::Recover, b, 1_000).is_ok(), "another address");
        assert!(l.hit(Class::Enrol, a, 1_000).is_ok(), "another class");
        assert!(l.hit(Class::Recover, a, 1_000 + secs * 1000).is_ok(), "a new window");
        assert!(l.over(Class::Recover, a, 1_000 + secs * 1000).is_none());
    }
}
