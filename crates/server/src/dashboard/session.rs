//! Dashboard sessions: a random token in an HttpOnly, SameSite=Strict cookie; the server
//! keeps only its SHA-256, in memory (a restart logs everyone out). The account is read
//! again on every request, so disabling it ends its sessions at once.

use std::collections::HashMap;
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

    /// Counts a log-in attempt for `name` before its password is checked, so that guesses
    /// sent at once are counted as they arrive, not as their (slow) checks end: of any
    /// number sent together, at most [`FREE_TRIES`] are checked. `Err(until)`: the name is
    /// locked now (right or wrong, the password is not checked while it lasts).
    pub fn begin(&self, name: &str, now_ms: i64) -> Result<(), i64> {
        let mut tries = self.tries.lock().unwrap_or_else(|p| p.into_inner());
        if !tries.contains_key(name) && tries.len() >= TRIES_KEPT {
            // Forget counts, never a lock; a table full of locks refuses every name it cannot
            // count (fails closed) until a lock ends.
            tries.retain(|_, (_, until)| *until > now_ms);
            if tries.len() >= TRIES_KEPT {
                tracing::warn!("dashboard log-in attempts: the table of locks is full; refusing");
                return Err(now_ms + LOCK_MINUTES * 60_000);
            }
        }
        let entry = tries.entry(name.to_string()).or_insert((0, 0));
        if entry.1 > now_ms {
            return Err(entry.1);
        }
        if entry.1 != 0 {
            // A lock that has ended: the count starts again.
            *entry = (0, 0);
        }
        entry.0 += 1;
        if entry.0 > FREE_TRIES {
            *entry = (0, now_ms + LOCK_MINUTES * 60_000);
            tracing::warn!(account = name, "dashboard log-in locked after too many attempts");
            return Err(entry.1);
        }
        Ok(())
    }

    /// A wrong password for `name` (counted by `begin`): the [`FREE_TRIES`]th in a row
    /// locks it.
    pub fn failed(&self, name: &str, now_ms: i64) {
        let mut tries = self.tries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = tries.get_mut(name)
            && entry.0 >= FREE_TRIES
        {
            *entry = (0, now_ms + LOCK_MINUTES * 60_000);
            tracing::warn!(account = name, "dashboard log-in locked after wrong passwords");
        }
    }

    pub fn succeeded(&self, name: &str) {
        self.tries.lock().unwrap_or_else(|p| p.into_inner()).remove(name);
    }

    pub fn end(&self, token: &str) {
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&digest(token));
    }
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

    #[test]
    fn five_wrong_passwords_lock_a_name_for_a_while_and_a_right_one_clears_the_count() {
        let s = Sessions::default();
        let wrong = |s: &Sessions, at: i64| {
            s.begin("sari", at)?;
            s.failed("sari", at);
            Ok::<(), i64>(())
        };
        for _ in 0..FREE_TRIES - 1 {
            assert_eq!(wrong(&s, 1_000), Ok(()));
        }
        s.begin("sari", 1_000).unwrap();
        s.succeeded("sari");
        for _ in 0..FREE_TRIES - 1 {
            assert_eq!(wrong(&s, 1_000), Ok(()), "the count started again");
        }
        assert_eq!(wrong(&s, 1_000), Ok(()));
        let until = 1_000 + LOCK_MINUTES * 60_000;
        assert_eq!(s.begin("sari", 2_000), Err(until), "locked");
        assert_eq!(s.begin("dewi", 2_000), Ok(()), "only that name");
        assert_eq!(s.begin("sari", until), Ok(()), "over after the wait");
    }

    #[test]
    fn attempts_are_counted_as_they_arrive_not_as_their_checks_end() {
        let s = Sessions::default();
        // 25 sent at once: each begins before any check ends.
        let let_through = (0..25).filter(|_| s.begin("sari", 1_000).is_ok()).count();
        assert_eq!(let_through, FREE_TRIES as usize);
        assert!(s.begin("sari", 1_000).is_err(), "the right one, last, is not checked");
    }

    #[test]
    fn a_full_table_forgets_counts_but_never_a_lock() {
        let s = Sessions::default();
        for _ in 0..=FREE_TRIES {
            let _ = s.begin("target", 1_000);
        }
        assert!(s.begin("target", 1_000).is_err());
        for i in 0..TRIES_KEPT * 2 {
            let _ = s.begin(&format!("made-up-{i}"), 1_000);
        }
        assert!(s.begin("target", 2_000).is_err(), "still locked after a flood of names");
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
