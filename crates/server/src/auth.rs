//! Devices, tokens and enrollment codes. Tokens are 256-bit random and stored only as
//! SHA-256 hashes; enrollment codes are single-use and expire.

use pendamping_protocol::{EnrollResponse, Role, Scope};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::audit::{self, Action};
use crate::error::{Result, ServerError};

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: String,
    pub scope: Scope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    Unknown,
    Revoked,
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeRefused {
    Unknown,
    Used,
    Expired,
    /// The code's area leaves out villages whose records the device holds (named); the
    /// code is not used up.
    Uncovered(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceInfo {
    pub id: String,
    pub name: String,
    pub user_name: String,
    pub role: String,
    pub scope: String,
    pub enrolled_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub last_seen_at: Option<i64>,
    /// The rules and growth tables it derived results with at its last push.
    pub rules_version: Option<String>,
    pub tables_version: Option<String>,
}

impl DeviceInfo {
    pub fn scope(&self) -> Result<Scope> {
        parse_scope(&self.role, &self.scope)
    }
}

pub(crate) fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // The OS RNG failing leaves no safe way to make a secret: stop rather than weaken it.
    getrandom::fill(&mut b).expect("the operating system's random number generator failed");
    b
}

/// No 0/O, 1/I/L: a code read over the phone is typed right.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

pub(crate) fn normalize_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

pub(crate) fn parse_scope(role: &str, codes: &str) -> Result<Scope> {
    let role = Role::parse(role).ok_or_else(|| ServerError::Corrupt(format!("role {role:?}")))?;
    let codes: Vec<&str> = codes.split(',').collect();
    Ok(Scope::new(role, &codes)?)
}

/// Makes a single-use enrollment code (12 letters and digits, about 59 bits) for a user.
/// A hub makes codes only within its own scope (the centre takes those enrolments on the
/// hub's next upstream sync).
pub fn new_enrollment_code(conn: &Connection, user: &str, scope: &Scope, now_ms: i64, ttl_ms: i64) -> Result<String> {
    if let Some(hub) = crate::hub::scope_of(conn)?
        && !hub.covers(scope)
    {
        return Err(ServerError::OutsideHub {
            asked: scope.codes(),
            hub: hub.codes(),
        });
    }
    let code = new_code();
    conn.execute(
        "INSERT INTO enrollment_codes (code_hash, user_name, role, scope, created_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        (
            hash(&code),
            user,
            scope.role.as_str(),
            scope.codes(),
            now_ms,
            now_ms + ttl_ms,
        ),
    )?;
    let detail = format!("{} {}", scope.role.as_str(), scope.codes());
    audit::record(conn, now_ms, "admin", Action::EnrollmentCodeIssued, user, &detail)?;
    Ok(show_code(&code))
}

/// 12 letters and digits of [`CODE_ALPHABET`] (about 59 bits), as stored (hashed).
pub(crate) fn new_code() -> String {
    random::<12>()
        .iter()
        .map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char)
        .collect()
}

/// A code as a person reads it: ABCD-EFGH-JKMN.
pub(crate) fn show_code(code: &str) -> String {
    format!("{}-{}-{}", &code[..4], &code[4..8], &code[8..])
}

/// What a device sends to redeem an enrollment code.
pub struct Redeem {
    pub code: String,
    /// The same on a retry of one enrolment (see [`ENROLL_RETRY_MS`]).
    pub nonce: Option<String>,
    pub public_key: pendamping_vault::PublicKey,
    pub device_name: String,
    /// Villages whose records the device holds: the code's area must cover them.
    pub holds: Vec<String>,
}

/// How long after an enrolment its retry (the same nonce) still gets the device.
pub const ENROLL_RETRY_MS: i64 = 15 * 60_000;

/// Redeems an enrollment code for a new device and its token, in one transaction. The
/// same code with the same `nonce` within [`ENROLL_RETRY_MS`] is a retry whose first answer
/// was lost: it gets the same device and a new token (the first one was never seen).
pub fn enroll(
    conn: &mut Connection,
    ask: &Redeem,
    now_ms: i64,
    token_ttl_ms: i64,
) -> Result<Result<EnrollResponse, CodeRefused>> {
    let Redeem {
        code,
        nonce,
        public_key,
        device_name,
        holds,
    } = ask;
    let code_hash = hash(&normalize_code(code));
    let key = public_key.as_bytes().to_vec();
    let nonce_hash = nonce.as_deref().map(hash);
    let tx = conn.transaction()?;
    type Found = (
        String,
        String,
        String,
        i64,
        Option<i64>,
        Option<String>,
        Option<Vec<u8>>,
    );
    let found: Option<Found> = tx
        .query_row(
            "SELECT user_name, role, scope, expires_at, used_at, device_id, nonce_hash \
             FROM enrollment_codes WHERE code_hash = ?1",
            [&code_hash],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            },
        )
        .optional()?;
    let Some((user, role, codes, expires_at, used_at, used_by, used_nonce)) = found else {
        return Ok(Err(CodeRefused::Unknown));
    };
    let scope = parse_scope(&role, &codes)?;
    let token: String = hex::encode(random::<32>());
    let recovery_key = Some(crate::recovery::public_key(&tx)?);
    if let Some(used_at) = used_at {
        let retry = nonce_hash.is_some() && used_nonce == nonce_hash && now_ms - used_at < ENROLL_RETRY_MS;
        let Some(device) = used_by.filter(|_| retry) else {
            return Ok(Err(CodeRefused::Used));
        };
        let n = tx.execute(
            "UPDATE devices SET token_hash = ?1, public_key = ?3 WHERE id = ?2 AND revoked_at IS NULL",
            (hash(&token), &device, &key),
        )?;
        if n == 0 {
            return Ok(Err(CodeRefused::Used));
        }
        audit::record(&tx, now_ms, &user, Action::EnrolmentRetried, &device, "")?;
        tx.commit()?;
        tracing::info!(device = %device, "enrolment retried: a new token for the same device");
        let device_id =
            Uuid::parse_str(&device).map_err(|e| ServerError::Corrupt(format!("device id {device}: {e}")))?;
        return Ok(Ok(EnrollResponse {
            device_id,
            token,
            scope,
            recovery_key,
        }));
    }
    if now_ms >= expires_at {
        return Ok(Err(CodeRefused::Expired));
    }
    let uncovered: Vec<String> = holds.iter().filter(|v| !scope.contains(v)).cloned().collect();
    if !uncovered.is_empty() {
        // Nothing written: the transaction ends unused, and so does the code.
        return Ok(Err(CodeRefused::Uncovered(uncovered)));
    }
    let device_id = Uuid::now_v7();
    tx.execute(
        "INSERT INTO devices (id, name, user_name, role, scope, token_hash, enrolled_at, expires_at, public_key) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        (
            device_id.to_string(),
            device_name,
            &user,
            &role,
            &codes,
            hash(&token),
            now_ms,
            now_ms + token_ttl_ms,
            &key,
        ),
    )?;
    tx.execute(
        "UPDATE enrollment_codes SET used_at = ?1, device_id = ?2, nonce_hash = ?3 WHERE code_hash = ?4",
        (now_ms, device_id.to_string(), nonce_hash, &code_hash),
    )?;
    audit::record(
        &tx,
        now_ms,
        &user,
        Action::Enrolled,
        &device_id.to_string(),
        &format!("{role} {codes}"),
    )?;
    tx.commit()?;
    tracing::info!(device = %device_id, role = %role, "device enrolled");
    Ok(Ok(EnrollResponse {
        device_id,
        token,
        scope,
        recovery_key,
    }))
}

/// The device a bearer token belongs to, if it may still sync.
pub fn authenticate(conn: &Connection, token: &str, now_ms: i64) -> Result<Result<Device, Denied>> {
    let found: Option<(String, String, String, i64, Option<i64>)> = conn
        .prepare_cached("SELECT id, role, scope, expires_at, revoked_at FROM devices WHERE token_hash = ?1")?
        .query_row([hash(token)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let Some((id, role, codes, expires_at, revoked_at)) = found else {
        return Ok(Err(Denied::Unknown));
    };
    if revoked_at.is_some() {
        return Ok(Err(Denied::Revoked));
    }
    if now_ms >= expires_at {
        return Ok(Err(Denied::Expired));
    }
    Ok(Ok(Device {
        id,
        scope: parse_scope(&role, &codes)?,
    }))
}

/// The scope of a device this server knows (revoked or not: what it made before stays its).
pub fn scope_of(conn: &Connection, device_id: &str) -> Result<Option<Scope>> {
    let found: Option<(String, String)> = conn
        .prepare_cached("SELECT role, scope FROM devices WHERE id = ?1")?
        .query_row([device_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    found.map(|(role, codes)| parse_scope(&role, &codes)).transpose()
}

/// The signing key a device registered (`None`: enrolled by a version that made none).
pub fn public_key(conn: &Connection, device_id: &str) -> Result<Option<pendamping_vault::PublicKey>> {
    let found: Option<Option<Vec<u8>>> = conn
        .prepare_cached("SELECT public_key FROM devices WHERE id = ?1")?
        .query_row([device_id], |r| r.get(0))
        .optional()?;
    found
        .flatten()
        .map(|b| {
            pendamping_vault::PublicKey::from_slice(&b)
                .ok_or_else(|| ServerError::Corrupt(format!("device {device_id}: a key of {} bytes", b.len())))
        })
        .transpose()
}

pub fn touch(conn: &Connection, device_id: &str, now_ms: i64) -> Result<()> {
    conn.prepare_cached("UPDATE devices SET last_seen_at = ?1 WHERE id = ?2")?
        .execute((now_ms, device_id))?;
    Ok(())
}

/// Records the versions a device derives results with; true when they changed.
pub fn note_versions(conn: &Connection, device_id: &str, rules: &str, tables: &str) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE devices SET rules_version = ?2, tables_version = ?3 WHERE id = ?1 \
             AND (rules_version IS NOT ?2 OR tables_version IS NOT ?3)",
        )?
        .execute((device_id, rules, tables))?;
    Ok(n > 0)
}

/// Revokes a device: its token stops working at once. Its data stays.
pub fn revoke(conn: &Connection, device_id: &str, now_ms: i64) -> Result<()> {
    let n = conn.execute(
        // On a hub, a revocation is handed up on its next sync (`relay::not_uploaded`).
        "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?1), uploaded_at = NULL WHERE id = ?2",
        (now_ms, device_id),
    )?;
    if n == 0 {
        return Err(ServerError::NoSuchDevice(device_id.to_string()));
    }
    audit::record(conn, now_ms, "admin", Action::Revoked, device_id, "")?;
    tracing::info!(device = device_id, "device revoked");
    Ok(())
}

pub fn devices(conn: &Connection) -> Result<Vec<DeviceInfo>> {
    let mut stmt = conn.prepare(
        "SELECT id, name, user_name, role, scope, enrolled_at, expires_at, revoked_at, last_seen_at, \
         rules_version, tables_version FROM devices ORDER BY enrolled_at",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(DeviceInfo {
            id: r.get(0)?,
            name: r.get(1)?,
            user_name: r.get(2)?,
            role: r.get(3)?,
            scope: r.get(4)?,
            enrolled_at: r.get(5)?,
            expires_at: r.get(6)?,
            revoked_at: r.get(7)?,
            last_seen_at: r.get(8)?,
            rules_version: r.get(9)?,
            tables_version: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(code: &str, nonce: Option<&str>, name: &str) -> Redeem {
        Redeem {
            code: code.to_string(),
            nonce: nonce.map(str::to_string),
            public_key: key(),
            device_name: name.to_string(),
            holds: Vec::new(),
        }
    }

    fn key() -> pendamping_vault::PublicKey {
        pendamping_vault::DeviceKey::generate().unwrap().public()
    }

    #[test]
    fn a_code_enrols_once_and_the_token_works_until_revoked() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::db::open(&dir.path().join("c.db"), None).unwrap();
        let scope = Scope::new(Role::Cadre, &["3602012002"]).unwrap();
        let code = new_enrollment_code(&conn, "Siti", &scope, 1_000, 60_000).unwrap();
        assert_eq!(code.len(), 14);
        let typed = code.to_lowercase().replace('-', " ");
        let ok = enroll(&mut conn, &ask(&typed, None, "tablet"), 2_000, 10_000)
            .unwrap()
            .unwrap();
        assert_eq!(ok.scope, scope);
        assert_eq!(ok.recovery_key, Some(crate::recovery::public_key(&conn).unwrap()));
        assert_eq!(
            enroll(&mut conn, &ask(&code, None, "again"), 2_000, 10_000).unwrap(),
            Err(CodeRefused::Used)
        );
        assert_eq!(
            enroll(&mut conn, &ask("ABCD-EFGH-JKMN", None, "x"), 2_000, 10_000).unwrap(),
            Err(CodeRefused::Unknown)
        );
        let late = new_enrollment_code(&conn, "Ani", &scope, 1_000, 60_000).unwrap();
        assert_eq!(
            enroll(&mut conn, &ask(&late, None, "x"), 61_000, 10_000).unwrap(),
            Err(CodeRefused::Expired)
        );

        let dev = authenticate(&conn, &ok.token, 3_000).unwrap().unwrap();
        assert_eq!(dev.id, ok.device_id.to_string());
        assert_eq!(
            authenticate(&conn, &ok.token, 12_000).unwrap().unwrap_err(),
            Denied::Expired
        );
        assert_eq!(
            authenticate(&conn, "nope", 3_000).unwrap().unwrap_err(),
            Denied::Unknown
        );
        revoke(&conn, &dev.id, 4_000).unwrap();
        assert_eq!(
            authenticate(&conn, &ok.token, 5_000).unwrap().unwrap_err(),
            Denied::Revoked
        );
        assert!(matches!(revoke(&conn, "missing", 1), Err(ServerError::NoSuchDevice(_))));
        let stored: Vec<u8> = conn
            .query_row("SELECT token_hash FROM devices", [], |r| r.get(0))
            .unwrap();
        assert_ne!(stored, ok.token.as_bytes(), "only the hash is kept");
        assert_eq!(devices(&conn).unwrap()[0].revoked_at, Some(4_000));
    }

    #[test]
    fn an_enrolment_retried_with_its_nonce_gets_the_same_device_and_a_new_token() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::db::open(&dir.path().join("c.db"), None).unwrap();
        let scope = Scope::new(Role::Cadre, &["3602012002"]).unwrap();
        let code = new_enrollment_code(&conn, "Siti", &scope, 1_000, 60_000).unwrap();
        let first = enroll(&mut conn, &ask(&code, Some("n-1"), "tablet"), 2_000, 100_000)
            .unwrap()
            .unwrap();
        // The answer was lost; the client sends the same request again.
        let again = enroll(&mut conn, &ask(&code, Some("n-1"), "tablet"), 3_000, 100_000)
            .unwrap()
            .unwrap();
        assert_eq!(again.device_id, first.device_id);
        assert_ne!(again.token, first.token);
        assert!(
            authenticate(&conn, &first.token, 4_000).unwrap().is_err(),
            "the lost token is void"
        );
        assert!(authenticate(&conn, &again.token, 4_000).unwrap().is_ok());
        assert_eq!(devices(&conn).unwrap().len(), 1, "one device, not two");
        // Another nonce, no nonce, or the same one too late is a second use of the code.
        for (nonce, at) in [
            (Some("n-2"), 5_000),
            (None, 5_000),
            (Some("n-1"), 2_000 + ENROLL_RETRY_MS),
        ] {
            assert_eq!(
                enroll(&mut conn, &ask(&code, nonce, "tablet"), at, 100_000).unwrap(),
                Err(CodeRefused::Used),
                "{nonce:?} at {at}"
            );
        }
    }
}
