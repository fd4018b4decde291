//! Dashboard sessions: a random token in an HttpOnly, SameSite=Strict cookie; the server
//! keeps only its SHA-256, in memory (a restart logs everyone out). The account is read
//! again on every request, so disabling it ends its sessions at once.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

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
/// Names with failed tries kept at most (a flood of made-up names cannot fill memory).
const TRIES_KEPT: usize = 10_000;

#[derive(Default)]
pub struct Sessions {
    /// SHA-256 of the token (hex) → (account name, expiry in ms).
    live: Mutex<HashMap<String, (String, i64)>>,
    /// Account name (as typed, lower case) → (wrong passwords in a row, locked until ms).
    tries: Mutex<HashMap<String, (u32, i64)>>,
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The `Set-Cookie` value carrying `token` for `max_age` seconds (0 with no token: ends it).
pub fn cookie(token: &str, max_age: i64) -> Result<axum::http::HeaderValue, axum::http::header::InvalidHeaderValue> {
    axum::http::HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}"
    ))
}

impl Sessions {
    /// A new session of `account`; returns the token to put in the cookie.
    pub fn start(&self, account: &str, now_ms: i64) -> Result<String, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        let token = hex::encode(bytes);
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.retain(|_, (_, until)| *until > now_ms);
        live.insert(digest(&token), (account.to_string(), now_ms + HOURS * 3_600_000));
        Ok(token)
    }

    /// The account of a live session.
    pub fn find(&self, token: &str, now_ms: i64) -> Option<String> {
        let live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.get(&digest(token))
            .filter(|(_, until)| *until > now_ms)
            .map(|(name, _)| name.clone())
    }

    /// Counts a log-in attempt for `name` from `from` before its password is checked, so
    /// that guesses sent at once are counted as they arrive, not as their (slow) checks end:
    /// of any number sent together, at most [`FREE_TRIES`] are checked. `Err(until)`: the
    /// name is locked for that address now (right or wrong, the password is not checked).
    ///
    /// Counted by name *and address*: someone who knows an analyst's account name cannot
    /// lock the analyst out by typing wrong passwords from elsewhere. Guesses spread over
    /// many addresses still lock the name, after [`NAME_TRIES`].
    pub fn begin(&self, name: &str, from: Option<IpAddr>, now_ms: i64) -> Result<(), i64> {
        let mut tries = self.tries.lock().unwrap_or_else(|p| p.into_inner());
        for (key, limit) in keys(name, from) {
            count(&mut tries, &key, limit, now_ms)?;
        }
        Ok(())
    }

    /// A wrong password for `name` from `from` (counted by `begin`): the [`FREE_TRIES`]th
    /// in a row from one address locks it there, the [`NAME_TRIES`]th from anywhere locks it.
    pub fn failed(&self, name: &str, from: Option<IpAddr>, now_ms: i64) {
        let mut tries = self.tries.lock().unwrap_or_else(|p| p.into_inner());
        for (key, limit) in keys(name, from) {
            if let Some(entry) = tries.get_mut(&key)
                && entry.0 >= limit
            {
                *entry = (0, now_ms + LOCK_MINUTES * 60_000);
                tracing::warn!(account = name, ?from, "dashboard log-in locked after wrong passwords");
            }
        }
    }

    pub fn succeeded(&self, name: &str, from: Option<IpAddr>) {
        let mut tries = self.tries.lock().unwrap_or_else(|p| p.into_inner());
        for (key, _) in keys(name, from) {
            tries.remove(&key);
        }
    }

    pub fn end(&self, token: &str) {
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&digest(token));
    }
}

/// What an attempt is counted under, with the count that locks each: the name from this
/// address, and the name from anywhere. (A line break cannot be in a name typed in a form
/// field of one line, nor in an address.)
fn keys(name: &str, from: Option<IpAddr>) -> [(String, u32); 2] {
    let at = from.map_or_else(|| "-".to_string(), |ip| ip.to_string());
    [(format!("{name}\n{at}"), FREE_TRIES), (name.to_string(), NAME_TRIES)]
}

/// One more attempt under `key`; `Err(until)` while it is locked.
fn count(tries: &mut HashMap<String, (u32, i64)>, key: &str, limit: u32, now_ms: i64) -> Result<(), i64> {
    if !tries.contains_key(key) && tries.len() >= TRIES_KEPT {
        // Forget counts, never a lock; a table full of locks refuses every name it cannot
        // count (fails closed) until a lock ends.
        tries.retain(|_, (_, until)| *until > now_ms);
        if tries.len() >= TRIES_KEPT {
            tracing::warn!("dashboard log-in attempts: the table of locks is full; refusing");
            return Err(now_ms + LOCK_MINUTES * 60_000);
        }
    }
    let entry = tries.entry(key.to_string()).or_insert((0, 0));
    if entry.1 > now_ms {
        return Err(entry.1);
    }
    if entry.1 != 0 {
        // A lock that has ended: the count starts again.
        *entry = (0, 0);
    }
    entry.0 += 1;
    if entry.0 > limit {
        *entry = (0, now_ms + LOCK_MINUTES * 60_000);
        tracing::warn!(key, "dashboard log-in locked after too many attempts");
        return Err(entry.1);
    }
    Ok(())
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

    #[test]
    fn a_session_lives_until_it_expires_or_ends() {
        let s = Sessions::default();
        let t = s.start("plkb.malingping", 1_000).unwrap();
        assert_eq!(t.len(), 64);
        assert_eq!(s.find(&t, 2_000).as_deref(), Some("plkb.malingping"));
        assert_eq!(s.find("0".repeat(64).as_str(), 2_000), None);
        assert_eq!(s.find(&t, 1_000 + HOURS * 3_600_000), None, "expired");
        s.end(&t);
        assert_eq!(s.find(&t, 2_000), None);
    }

    const OFFICE: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 7)));
    const ELSEWHERE: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 9)));

    fn wrong(s: &Sessions, name: &str, from: Option<IpAddr>, at: i64) -> Result<(), i64> {
        s.begin(name, from, at)?;
        s.failed(name, from, at);
        Ok(())
    }

    #[test]
    fn five_wrong_passwords_lock_a_name_for_a_while_and_a_right_one_clears_the_count() {
        let s = Sessions::default();
        for _ in 0..FREE_TRIES - 1 {
            assert_eq!(wrong(&s, "sari", OFFICE, 1_000), Ok(()));
        }
        s.begin("sari", OFFICE, 1_000).unwrap();
        s.succeeded("sari", OFFICE);
        for _ in 0..FREE_TRIES - 1 {
            assert_eq!(wrong(&s, "sari", OFFICE, 1_000), Ok(()), "the count started again");
        }
        assert_eq!(wrong(&s, "sari", OFFICE, 1_000), Ok(()));
        let until = 1_000 + LOCK_MINUTES * 60_000;
        assert_eq!(s.begin("sari", OFFICE, 2_000), Err(until), "locked");
        assert_eq!(s.begin("dewi", OFFICE, 2_000), Ok(()), "only that name");
        assert_eq!(s.begin("sari", OFFICE, until), Ok(()), "over after the wait");
    }

    #[test]
    fn someone_elsewhere_who_knows_the_name_cannot_lock_the_analyst_out() {
        let s = Sessions::default();
        for _ in 0..FREE_TRIES * 3 {
            let _ = wrong(&s, "sari", ELSEWHERE, 1_000);
        }
        assert!(
            s.begin("sari", ELSEWHERE, 2_000).is_err(),
            "locked where the guesses come from"
        );
        assert_eq!(s.begin("sari", OFFICE, 2_000), Ok(()), "not at the office");
        s.succeeded("sari", OFFICE);
    }

    #[test]
    fn guesses_spread_over_many_addresses_still_lock_the_name() {
        let s = Sessions::default();
        let mut checked = 0;
        for i in 0..NAME_TRIES * 2 {
            let from = Some(IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i)));
            if wrong(&s, "sari", from, 1_000).is_ok() {
                checked += 1;
            }
        }
        assert_eq!(checked, NAME_TRIES, "no more passwords checked than the name allows");
        assert!(s.begin("sari", OFFICE, 2_000).is_err(), "locked everywhere");
    }

    #[test]
    fn attempts_are_counted_as_they_arrive_not_as_their_checks_end() {
        let s = Sessions::default();
        // 25 sent at once: each begins before any check ends.
        let let_through = (0..25).filter(|_| s.begin("sari", OFFICE, 1_000).is_ok()).count();
        assert_eq!(let_through, FREE_TRIES as usize);
        assert!(
            s.begin("sari", OFFICE, 1_000).is_err(),
            "the right one, last, is not checked"
        );
    }

    #[test]
    fn a_full_table_forgets_counts_but_never_a_lock() {
        let s = Sessions::default();
        for _ in 0..=FREE_TRIES {
            let _ = s.begin("target", OFFICE, 1_000);
        }
        assert!(s.begin("target", OFFICE, 1_000).is_err());
        for i in 0..TRIES_KEPT * 2 {
            let _ = s.begin(&format!("made-up-{i}"), OFFICE, 1_000);
        }
        assert!(
            s.begin("target", OFFICE, 2_000).is_err(),
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
