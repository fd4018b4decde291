//! Rate limits per client address, for what invites guessing: enrolment codes, recovery
//! codes, tokens and dashboard passwords. Fixed windows kept in the store
//! (`storage::Door`), so that every server process behind a load balancer counts the same
//! window. Behind a TLS proxy every client has the proxy's address: the limits then hold
//! for all together, which is why they are generous.

use std::net::{IpAddr, SocketAddr};

use crate::error::Result;
use crate::storage::Tx;

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
    const ALL: [Class; 4] = [Class::Enrol, Class::Recover, Class::BadToken, Class::LogIn];

    fn name(self) -> &'static str {
        match self {
            Class::Enrol => "enrol",
            Class::Recover => "recover",
            Class::BadToken => "bad-token",
            Class::LogIn => "log-in",
        }
    }

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

/// Windows kept at most (a flood of addresses cannot fill the store).
const KEPT: u64 = 100_000;
/// What the windows are kept under (`storage::Door`).
const WINDOWS: &str = "rate\n";

fn key(class: Class, ip: IpAddr) -> String {
    format!("{WINDOWS}{}\n{ip}", class.name())
}

/// Counts one request of `class` from `ip`; `Err(seconds)` when over the limit, with the
/// seconds until the window ends. A window is kept as (requests in it, its start).
pub fn hit(tx: &mut dyn Tx, class: Class, ip: IpAddr, now_ms: i64) -> Result<std::result::Result<(), i64>> {
    let (most, secs) = class.limit();
    let window = secs * 1000;
    let key = key(class, ip);
    let mut entry = tx.counter(&key)?;
    if entry.is_none() && tx.counters(WINDOWS)? >= KEPT {
        // What began before the longest window of any class has ended.
        let longest = Class::ALL.iter().map(|c| c.limit().1).max().unwrap_or(0) * 1000;
        tx.forget_counters(WINDOWS, now_ms - longest)?;
        entry = None;
    }
    let (mut n, mut start) = entry.unwrap_or((0, now_ms));
    if now_ms - start >= window {
        (n, start) = (0, now_ms);
    }
    n = n.saturating_add(1);
    tx.set_counter(&key, n, start)?;
    if n > most {
        return Ok(Err((start + window - now_ms + 999) / 1000));
    }
    Ok(Ok(()))
}

/// Whether `ip` is over the limit of `class` now, without counting.
pub fn over(tx: &mut dyn Tx, class: Class, ip: IpAddr, now_ms: i64) -> Result<Option<i64>> {
    let (most, secs) = class.limit();
    let window = secs * 1000;
    Ok(tx
        .counter(&key(class, ip))?
        .filter(|(n, start)| now_ms - *start < window && *n > most)
        .map(|(_, start)| (start + window - now_ms + 999) / 1000))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::sqlite::{on, scratch};

    #[test]
    fn each_address_and_class_has_its_own_window() {
        let (_dir, s) = scratch();
        let hit = |class, ip, at| on(&s, |tx| super::hit(tx, class, ip, at)).unwrap();
        let over = |class, ip, at| on(&s, |tx| super::over(tx, class, ip, at)).unwrap();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let (most, secs) = Class::Recover.limit();
        for _ in 0..most {
            assert!(hit(Class::Recover, a, 1_000).is_ok());
        }
        assert_eq!(hit(Class::Recover, a, 1_000), Err(secs));
        assert!(over(Class::Recover, a, 2_000).is_some());
        assert!(hit(Class::Recover, b, 1_000).is_ok(), "another address");
        assert!(hit(Class::Enrol, a, 1_000).is_ok(), "another class");
        assert!(hit(Class::Recover, a, 1_000 + secs * 1000).is_ok(), "a new window");
        assert!(over(Class::Recover, a, 1_000 + secs * 1000).is_none());
    }
}
