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

    /// Until when `name` is locked out, if it is now. A locked name is refused before its
    /// password is checked, right or wrong: guessing gains nothing while it lasts.
    pub fn locked_until(&self, name: &str, now_ms: i64) -> Option<i64> {
        let tries = self.tries.lock().unwrap_or_else(|p| p.into_inner());
        tries.get(name).map(|(_, until)| *until).filter(|until| *until > now_ms)
    }

    /// A wrong password for `name`: the [`FREE_TRIES`]th in a row locks it.
    pub fn failed(&self, name: &str, now_ms: i64) {
        let mut tries = self.tries.lock().unwrap_or_else(|p| p.into_inner());
        if tries.len() >= TRIES_KEPT {
            tries.retain(|_, (n, until)| *until > now_ms || *n > 1);
            if tries.len() >= TRIES_KEPT {
                tries.clear();
            }
        }
        let entry = tries.entry(name.to_string()).or_insert((0, 0));
        entry.0 += 1;
        if entry.0 >= FREE_TRIES {
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
        for _ in 0..FREE_TRIES - 1 {
            s.failed("sari", 1_000);
        }
        assert_eq!(s.locked_until("sari", 1_000), None);
        s.succeeded("sari");
        for _ in 0..FREE_TRIES - 1 {
            s.failed("sari", 1_000);
        }
        assert_eq!(s.locked_until("sari", 1_000), None, "the count started again");
        s.failed("sari", 1_000);
        let until = s.locked_until("sari", 2_000).expect("locked");
        assert_eq!(until, 1_000 + LOCK_MINUTES * 60_000);
        assert_eq!(s.locked_until("dewi", 2_000), None, "only that name");
        assert_eq!(s.locked_until("sari", until), None, "over after the wait");
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
