//! Dashboard sessions: a random token in an HttpOnly, SameSite=Strict cookie; the server
//! keeps only its SHA-256, in its store (`storage::Door`), so every server process behind a
//! load balancer knows every session and every lock-out. The account is read again on
//! every request, so disabling it ends its sessions at once.

use std::net::IpAddr;

use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::storage::Tx;

/// The cookie's name.
pub const COOKIE: &str = "pendamping_sesi";
/// How long a session lasts: a working day at the office.
pub const HOURS: i64 = 8;

/// Wrong passwords for one account name in a row before it is locked for a while.
pub const FREE_TRIES: u32 = 5;
/// How long a name stays locked after [`FREE_TRIES`] wrong passwords.
pub const LOCK_MINUTES: i64 = 15;
/// Wrong passwords for one name in a row, from any address, before it is locked everywhere.
pub const NAME_TRIES: u32 = FREE_TRIES * 10;
/// Names with failed tries kept at most (a flood of made-up names cannot fill the store).
const TRIES_KEPT: u64 = 10_000;
/// What the counts of log-in attempts are kept under (`storage::Door`).
const TRIES: &str = "try\n";

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The `Set-Cookie` value carrying `token` for `max_age` seconds (0 with no token: ends it).
pub fn cookie(
    token: &str,
    max_age: i64,
) -> std::result::Result<axum::http::HeaderValue, axum::http::header::InvalidHeaderValue> {
    axum::http::HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}"
    ))
}

/// A new session of `account`; returns the token to put in the cookie.
pub fn start(tx: &mut dyn Tx, account: &str, now_ms: i64) -> Result<String> {
    let token = hex::encode(crate::codes::random::<32>());
    tx.forget_sessions(now_ms)?;
    tx.put_session(&digest(&token), account, now_ms + HOURS * 3_600_000)?;
    Ok(token)
}

/// The account of a live session.
pub fn find(tx: &mut dyn Tx, token: &str, now_ms: i64) -> Result<Option<String>> {
    Ok(tx
        .session(&digest(token))?
        .filter(|(_, until)| *until > now_ms)
        .map(|(name, _)| name))
}

/// Counts a log-in attempt for `name` from `from` before its password is checked, so
/// that guesses sent at once are counted as they arrive, not as their (slow) checks end:
/// of any number sent together, at most [`FREE_TRIES`] are checked. `Err(until)`: the
/// name is locked for that address now (right or wrong, the password is not checked).
///
/// Counted by name *and address*: someone who knows an analyst's account name cannot
/// lock the analyst out by typing wrong passwords from elsewhere. Guesses spread over
/// many addresses still lock the name, after [`NAME_TRIES`].
pub fn begin(tx: &mut dyn Tx, name: &str, from: Option<IpAddr>, now_ms: i64) -> Result<std::result::Result<(), i64>> {
    for (key, limit) in keys(name, from) {
        if let Err(until) = count(tx, &key, limit, now_ms)? {
            return Ok(Err(until));
        }
    }
    Ok(Ok(()))
}

/// A wrong password for `name` from `from` (counted by `begin`): the [`FREE_TRIES`]th
/// in a row from one address locks it there, the [`NAME_TRIES`]th from anywhere locks it.
pub fn failed(tx: &mut dyn Tx, name: &str, from: Option<IpAddr>, now_ms: i64) -> Result<()> {
    for (key, limit) in keys(name, from) {
        if let Some((n, _)) = tx.counter(&key)?
            && n >= limit
        {
            tx.set_counter(&key, 0, now_ms + LOCK_MINUTES * 60_000)?;
            tracing::warn!(account = name, ?from, "dashboard log-in locked after wrong passwords");
        }
    }
    Ok(())
}

pub fn succeeded(tx: &mut dyn Tx, name: &str, from: Option<IpAddr>) -> Result<()> {
    for (key, _) in keys(name, from) {
        tx.forget_counter(&key)?;
    }
    Ok(())
}

/// Ends every lock-out and count of wrong passwords of `name`, from every address (an
/// engineer's `user unlock`, for an analyst who cannot wait out the lock). Whether it was
/// locked anywhere at `now_ms`.
pub fn unlock(tx: &mut dyn Tx, name: &str, now_ms: i64) -> Result<bool> {
    let [(_, _), (everywhere, _)] = keys(&counted_name(name), None);
    let mut locked = tx.counter(&everywhere)?.is_some_and(|(_, until)| until > now_ms);
    tx.forget_counter(&everywhere)?;
    // The per-address keys, and only this name's: "ani" is not a prefix of "anita\n…".
    let per_address = format!("{everywhere}\n");
    // A count's time is 0 and a lock's is its end: what outlives `now_ms` is a lock.
    tx.forget_counters(&per_address, now_ms)?;
    locked |= tx.counters(&per_address)? > 0;
    tx.forget_counters(&per_address, i64::MAX)?;
    Ok(locked)
}

pub fn end(tx: &mut dyn Tx, token: &str) -> Result<()> {
    Ok(tx.end_session(&digest(token))?)
}

/// A log-in name as its attempts are counted: as an account's name is kept (trimmed, in
/// lower case), bounded, and without control characters: a line break typed into the name
/// would otherwise make it another name's key at one address ("ani\n10.0.0.7" locking
/// "ani" there) and forge lines in the printed audit log.
pub fn counted_name(typed: &str) -> String {
    typed
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !crate::audit::invisible(*c))
        .take(64)
        .collect()
}

/// What an attempt is counted under, with the count that locks each: the name from this
/// address, and the name from anywhere. (A line break cannot be in a name typed in a form
/// field of one line, nor in an address.)
fn keys(name: &str, from: Option<IpAddr>) -> [(String, u32); 2] {
    let at = from.map_or_else(|| "-".to_string(), |ip| ip.to_string());
    [
        (format!("{TRIES}{name}\n{at}"), FREE_TRIES),
        (format!("{TRIES}{name}"), NAME_TRIES),
    ]
}

/// One more attempt under `key`; `Err(until)` while it is locked. A count is kept as
/// (attempts in a row, locked until: 0 when not locked).
fn count(tx: &mut dyn Tx, key: &str, limit: u32, now_ms: i64) -> Result<std::result::Result<(), i64>> {
    let mut entry = tx.counter(key)?;
    if entry.is_none() && tx.counters(TRIES)? >= TRIES_KEPT {
        // Forget counts, never a lock; a table full of locks refuses every name it cannot
        // count (fails closed) until a lock ends.
        tx.forget_counters(TRIES, now_ms)?;
        if tx.counters(TRIES)? >= TRIES_KEPT {
            tracing::warn!("dashboard log-in attempts: the table of locks is full; refusing");
            return Ok(Err(now_ms + LOCK_MINUTES * 60_000));
        }
        entry = None;
    }
    let (mut n, until) = entry.unwrap_or((0, 0));
    if until > now_ms {
        return Ok(Err(until));
    }
    if until != 0 {
        // A lock that has ended: the count starts again.
        n = 0;
    }
    n += 1;
    if n > limit {
        let until = now_ms + LOCK_MINUTES * 60_000;
        tx.set_counter(key, 0, until)?;
        tracing::warn!(key, "dashboard log-in locked after too many attempts");
        return Ok(Err(until));
    }
    tx.set_counter(key, n, 0)?;
    Ok(Ok(()))
}

/// The session token a request's `Cookie` header carries.
pub fn token(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix(COOKIE)?.strip_prefix('=').map(str::to_string))
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::sqlite::{Sqlite, on, scratch};

    /// Each step in a transaction of its own, as each request has.
    fn begin_(s: &Sqlite, name: &str, from: Option<IpAddr>, at: i64) -> std::result::Result<(), i64> {
        on(s, |tx| begin(tx, name, from, at)).unwrap()
    }

    #[test]
    fn a_session_lives_until_it_expires_or_ends() {
        let (_dir, s) = scratch();
        let t = on(&s, |tx| start(tx, "plkb.malingping", 1_000)).unwrap();
        assert_eq!(t.len(), 64);
        let find_ = |t: &str, at: i64| on(&s, |tx| find(tx, t, at)).unwrap();
        assert_eq!(find_(&t, 2_000).as_deref(), Some("plkb.malingping"));
        assert_eq!(find_("0".repeat(64).as_str(), 2_000), None);
        assert_eq!(find_(&t, 1_000 + HOURS * 3_600_000), None, "expired");
        on(&s, |tx| end(tx, &t)).unwrap();
        assert_eq!(find_(&t, 2_000), None);
    }

    const OFFICE: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 7)));
    const ELSEWHERE: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 9)));

    fn wrong(s: &Sqlite, name: &str, from: Option<IpAddr>, at: i64) -> std::result::Result<(), i64> {
        begin_(s, name, from, at)?;
        on(s, |tx| failed(tx, name, from, at)).unwrap();
        Ok(())
    }

    #[test]
    fn five_wrong_passwords_lock_a_name_for_a_while_and_a_right_one_clears_the_count() {
        let (_dir, s) = scratch();
        for _ in 0..FREE_TRIES - 1 {
            assert_eq!(wrong(&s, "sari", OFFICE, 1_000), Ok(()));
        }
        begin_(&s, "sari", OFFICE, 1_000).unwrap();
        on(&s, |tx| succeeded(tx, "sari", OFFICE)).unwrap();
        for _ in 0..FREE_TRIES - 1 {
            assert_eq!(wrong(&s, "sari", OFFICE, 1_000), Ok(()), "the count started again");
        }
        assert_eq!(wrong(&s, "sari", OFFICE, 1_000), Ok(()));
        let until = 1_000 + LOCK_MINUTES * 60_000;
        assert_eq!(begin_(&s, "sari", OFFICE, 2_000), Err(until), "locked");
        assert_eq!(begin_(&s, "dewi", OFFICE, 2_000), Ok(()), "only that name");
        assert_eq!(begin_(&s, "sari", OFFICE, until), Ok(()), "over after the wait");
    }

    #[test]
    fn someone_elsewhere_who_knows_the_name_cannot_lock_the_analyst_out() {
        let (_dir, s) = scratch();
        for _ in 0..FREE_TRIES * 3 {
            let _ = wrong(&s, "sari", ELSEWHERE, 1_000);
        }
        assert!(
            begin_(&s, "sari", ELSEWHERE, 2_000).is_err(),
            "locked where the guesses come from"
        );
        assert_eq!(begin_(&s, "sari", OFFICE, 2_000), Ok(()), "not at the office");
        on(&s, |tx| succeeded(tx, "sari", OFFICE)).unwrap();
    }

    #[test]
    fn guesses_spread_over_many_addresses_still_lock_the_name() {
        let (_dir, s) = scratch();
        let mut checked = 0;
        for i in 0..NAME_TRIES * 2 {
            let from = Some(IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i)));
            if wrong(&s, "sari", from, 1_000).is_ok() {
                checked += 1;
            }
        }
        assert_eq!(checked, NAME_TRIES, "no more passwords checked than the name allows");
        assert!(begin_(&s, "sari", OFFICE, 2_000).is_err(), "locked everywhere");
    }

    #[test]
    fn attempts_are_counted_as_they_arrive_not_as_their_checks_end() {
        let (_dir, s) = scratch();
        // 25 sent at once: each begins before any check ends.
        let let_through = (0..25).filter(|_| begin_(&s, "sari", OFFICE, 1_000).is_ok()).count();
        assert_eq!(let_through, FREE_TRIES as usize);
        assert!(
            begin_(&s, "sari", OFFICE, 1_000).is_err(),
            "the right one, last, is not checked"
        );
    }

    #[test]
    fn unlock_ends_a_names_locks_from_every_address_and_no_other_names() {
        let (_dir, s) = scratch();
        for name in ["sari", "sarina"] {
            for _ in 0..FREE_TRIES {
                let _ = wrong(&s, name, OFFICE, 1_000);
                let _ = wrong(&s, name, ELSEWHERE, 1_000);
            }
        }
        for _ in 0..NAME_TRIES {
            let _ = wrong(&s, "sari", None, 1_000);
        }
        assert!(begin_(&s, "sari", OFFICE, 2_000).is_err());
        assert!(on(&s, |tx| unlock(tx, "  Sari ", 2_000)).unwrap(), "as typed");
        for from in [OFFICE, ELSEWHERE, None] {
            assert_eq!(begin_(&s, "sari", from, 2_000), Ok(()), "{from:?}");
        }
        assert!(
            begin_(&s, "sarina", OFFICE, 2_000).is_err(),
            "a longer name keeps its lock"
        );
        assert!(!on(&s, |tx| unlock(tx, "dewi", 2_000)).unwrap(), "not locked");
        assert_eq!(
            counted_name(" Ani\n10.0.0.7\t"),
            "ani10.0.0.7",
            "no name is another's key"
        );
    }

    #[test]
    fn a_full_table_forgets_counts_but_never_a_lock() {
        let (_dir, s) = scratch();
        for _ in 0..=FREE_TRIES {
            let _ = begin_(&s, "target", OFFICE, 1_000);
        }
        assert!(begin_(&s, "target", OFFICE, 1_000).is_err());
        // The flood in one transaction (as fast as the test can send it).
        on(&s, |tx| {
            for i in 0..TRIES_KEPT * 2 {
                let _ = begin(tx, &format!("made-up-{i}"), OFFICE, 1_000)?;
            }
            Ok(())
        })
        .unwrap();
        assert!(
            begin_(&s, "target", OFFICE, 2_000).is_err(),
            "still locked after a flood of names"
        );
    }

    #[test]
    fn the_token_is_read_from_among_other_cookies() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            format!("a=1; {COOKIE}=abc; b=2").parse().unwrap(),
        );
        assert_eq!(token(&h).as_deref(), Some("abc"));
        h.insert(axum::http::header::COOKIE, "pendamping_sesix=abc".parse().unwrap());
        assert_eq!(token(&h), None);
    }
}
