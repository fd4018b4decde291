//! Devices, tokens and enrollment codes. Tokens are 256-bit random and stored only as
//! SHA-256 hashes; enrollment codes are single-use and expire.

use pendamping_protocol::{EnrollResponse, Role, Scope};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{self, Action};
use crate::codes::{hash, new_code, normalize_code, random, show_code};
use crate::error::{Result, ServerError};
use crate::storage::{CodeRow, DeviceRow, Devices, Meta, Setting, Tx, Which};

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

pub(crate) fn parse_scope(role: &str, codes: &str) -> Result<Scope> {
    let role = Role::parse(role).ok_or_else(|| ServerError::Corrupt(format!("role {role:?}")))?;
    let codes: Vec<&str> = codes.split(',').collect();
    Ok(Scope::new(role, &codes)?)
}

/// Makes a single-use enrollment code (12 letters and digits, about 59 bits) for a user.
/// A hub makes codes only within its own scope (the centre takes those enrolments on the
/// hub's next upstream sync).
pub fn new_enrollment_code(tx: &mut dyn Tx, user: &str, scope: &Scope, now_ms: i64, ttl_ms: i64) -> Result<String> {
    if let Some(hub) = hub_scope(tx)?
        && !hub.covers(scope)
    {
        return Err(ServerError::OutsideHub {
            asked: scope.codes(),
            hub: hub.codes(),
        });
    }
    let code = new_code();
    tx.add_code(
        &hash(&code),
        &CodeRow {
            user_name: user.to_string(),
            role: scope.role.as_str().to_string(),
            scope: scope.codes(),
            created_at: now_ms,
            expires_at: now_ms + ttl_ms,
            used_at: None,
            device_id: None,
            nonce_hash: None,
        },
    )?;
    let detail = format!("{} {}", scope.role.as_str(), scope.codes());
    audit::record(tx, now_ms, "admin", Action::EnrollmentCodeIssued, user, &detail)?;
    Ok(show_code(&code))
}

/// The scope this server was enrolled upstream with, as a hub (its kecamatan); `None` for
/// a centre.
pub fn hub_scope(meta: &mut dyn Meta) -> Result<Option<Scope>> {
    Ok(meta
        .setting(Setting::HubScope)?
        .and_then(|s| serde_json::from_str(&s).ok()))
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

/// Redeems an enrollment code for a new device and its token, in the caller's transaction
/// (committed whatever the answer: a refusal writes nothing). The same code with the same
/// `nonce` within [`ENROLL_RETRY_MS`] is a retry whose first answer was lost: it gets the
/// same device and a new token (the first one was never seen).
pub fn enroll(
    tx: &mut dyn Tx,
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
    let Some(found) = tx.code(&code_hash)? else {
        return Ok(Err(CodeRefused::Unknown));
    };
    let scope = parse_scope(&found.role, &found.scope)?;
    let token: String = hex::encode(random::<32>());
    let recovery_key = Some(crate::recovery::public_key(tx)?);
    if let Some(used_at) = found.used_at {
        let retry = nonce_hash.is_some() && found.nonce_hash == nonce_hash && now_ms - used_at < ENROLL_RETRY_MS;
        let Some(device) = found.device_id.filter(|_| retry) else {
            return Ok(Err(CodeRefused::Used));
        };
        if !tx.retoken(&device, &hash(&token), &key)? {
            return Ok(Err(CodeRefused::Used));
        }
        audit::record(tx, now_ms, &found.user_name, Action::EnrolmentRetried, &device, "")?;
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
    if now_ms >= found.expires_at {
        return Ok(Err(CodeRefused::Expired));
    }
    let uncovered: Vec<String> = holds.iter().filter(|v| !scope.contains(v)).cloned().collect();
    if !uncovered.is_empty() {
        // Nothing written, and so the code is not used up.
        return Ok(Err(CodeRefused::Uncovered(uncovered)));
    }
    let device_id = Uuid::now_v7();
    tx.add_device(&DeviceRow {
        id: device_id.to_string(),
        name: device_name.clone(),
        user_name: found.user_name.clone(),
        role: found.role.clone(),
        scope: found.scope.clone(),
        token_hash: hash(&token),
        enrolled_at: now_ms,
        expires_at: now_ms + token_ttl_ms,
        revoked_at: None,
        last_seen_at: None,
        public_key: Some(key),
        rules_version: None,
        tables_version: None,
    })?;
    tx.use_code(&code_hash, now_ms, &device_id.to_string(), nonce_hash.as_deref())?;
    let detail = format!("{} {}", found.role, found.scope);
    audit::record(
        tx,
        now_ms,
        &found.user_name,
        Action::Enrolled,
        &device_id.to_string(),
        &detail,
    )?;
    tracing::info!(device = %device_id, role = %found.role, "device enrolled");
    Ok(Ok(EnrollResponse {
        device_id,
        token,
        scope,
        recovery_key,
    }))
}

/// The device a bearer token belongs to, if it may still sync.
pub fn authenticate(devices: &mut dyn Devices, token: &str, now_ms: i64) -> Result<Result<Device, Denied>> {
    let Some(d) = devices.device_by_token(&hash(token))? else {
        return Ok(Err(Denied::Unknown));
    };
    if d.revoked_at.is_some() {
        return Ok(Err(Denied::Revoked));
    }
    if now_ms >= d.expires_at {
        return Ok(Err(Denied::Expired));
    }
    Ok(Ok(Device {
        scope: parse_scope(&d.role, &d.scope)?,
        id: d.id,
    }))
}

/// The scope of a device this server knows (revoked or not: what it made before stays its).
pub fn scope_of(devices: &mut dyn Devices, device_id: &str) -> Result<Option<Scope>> {
    devices
        .device(device_id)?
        .map(|d| parse_scope(&d.role, &d.scope))
        .transpose()
}

/// The signing key a device registered (`None`: enrolled by a version that made none).
pub fn public_key(devices: &mut dyn Devices, device_id: &str) -> Result<Option<pendamping_vault::PublicKey>> {
    devices
        .device(device_id)?
        .and_then(|d| d.public_key)
        .map(|b| {
            pendamping_vault::PublicKey::from_slice(&b)
                .ok_or_else(|| ServerError::Corrupt(format!("device {device_id}: a key of {} bytes", b.len())))
        })
        .transpose()
}

/// Revokes a device: its token stops working at once. Its data stays. (On a hub, the
/// revocation is handed up on its next sync: `relay::not_uploaded`.)
pub fn revoke(tx: &mut dyn Tx, device_id: &str, now_ms: i64) -> Result<()> {
    if !tx.revoke(device_id, now_ms)? {
        return Err(ServerError::NoSuchDevice(device_id.to_string()));
    }
    audit::record(tx, now_ms, "admin", Action::Revoked, device_id, "")?;
    tracing::info!(device = device_id, "device revoked");
    Ok(())
}

/// Every device, in order of enrolment.
pub fn devices(devices: &mut dyn Devices) -> Result<Vec<DeviceInfo>> {
    Ok(devices
        .devices(Which::All)?
        .into_iter()
        .map(|d| DeviceInfo {
            id: d.id,
            name: d.name,
            user_name: d.user_name,
            role: d.role,
            scope: d.scope,
            enrolled_at: d.enrolled_at,
            expires_at: d.expires_at,
            revoked_at: d.revoked_at,
            last_seen_at: d.last_seen_at,
            rules_version: d.rules_version,
            tables_version: d.tables_version,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::sqlite::{on, scratch};

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
        let (_dir, c) = scratch();
        let scope = Scope::new(Role::Cadre, &["3602012002"]).unwrap();
        let code = on(&c, |tx| new_enrollment_code(tx, "Siti", &scope, 1_000, 60_000)).unwrap();
        assert_eq!(code.len(), 14);
        let typed = code.to_lowercase().replace('-', " ");
        let ok = on(&c, |tx| enroll(tx, &ask(&typed, None, "tablet"), 2_000, 10_000))
            .unwrap()
            .unwrap();
        assert_eq!(ok.scope, scope);
        assert_eq!(
            ok.recovery_key,
            Some(on(&c, |tx| crate::recovery::public_key(tx)).unwrap())
        );
        assert_eq!(
            on(&c, |tx| enroll(tx, &ask(&code, None, "again"), 2_000, 10_000)).unwrap(),
            Err(CodeRefused::Used)
        );
        assert_eq!(
            on(&c, |tx| enroll(tx, &ask("ABCD-EFGH-JKMN", None, "x"), 2_000, 10_000)).unwrap(),
            Err(CodeRefused::Unknown)
        );
        let late = on(&c, |tx| new_enrollment_code(tx, "Ani", &scope, 1_000, 60_000)).unwrap();
        assert_eq!(
            on(&c, |tx| enroll(tx, &ask(&late, None, "x"), 61_000, 10_000)).unwrap(),
            Err(CodeRefused::Expired)
        );

        let dev = on(&c, |tx| authenticate(tx, &ok.token, 3_000)).unwrap().unwrap();
        assert_eq!(dev.id, ok.device_id.to_string());
        assert_eq!(
            on(&c, |tx| authenticate(tx, &ok.token, 12_000)).unwrap().unwrap_err(),
            Denied::Expired
        );
        assert_eq!(
            on(&c, |tx| authenticate(tx, "nope", 3_000)).unwrap().unwrap_err(),
            Denied::Unknown
        );
        on(&c, |tx| revoke(tx, &dev.id, 4_000)).unwrap();
        assert_eq!(
            on(&c, |tx| authenticate(tx, &ok.token, 5_000)).unwrap().unwrap_err(),
            Denied::Revoked
        );
        assert!(matches!(
            on(&c, |tx| revoke(tx, "missing", 1)),
            Err(ServerError::NoSuchDevice(_))
        ));
        let stored = on(&c, |tx| Ok(tx.devices(Which::All)?[0].token_hash.clone())).unwrap();
        assert_ne!(stored, ok.token.as_bytes(), "only the hash is kept");
        assert_eq!(on(&c, |tx| devices(tx)).unwrap()[0].revoked_at, Some(4_000));
    }

    #[test]
    fn an_enrolment_retried_with_its_nonce_gets_the_same_device_and_a_new_token() {
        let (_dir, c) = scratch();
        let scope = Scope::new(Role::Cadre, &["3602012002"]).unwrap();
        let code = on(&c, |tx| new_enrollment_code(tx, "Siti", &scope, 1_000, 60_000)).unwrap();
        let first = on(&c, |tx| enroll(tx, &ask(&code, Some("n-1"), "tablet"), 2_000, 100_000))
            .unwrap()
            .unwrap();
        // The answer was lost; the client sends the same request again.
        let again = on(&c, |tx| enroll(tx, &ask(&code, Some("n-1"), "tablet"), 3_000, 100_000))
            .unwrap()
            .unwrap();
        assert_eq!(again.device_id, first.device_id);
        assert_ne!(again.token, first.token);
        assert!(
            on(&c, |tx| authenticate(tx, &first.token, 4_000)).unwrap().is_err(),
            "the lost token is void"
        );
        assert!(on(&c, |tx| authenticate(tx, &again.token, 4_000)).unwrap().is_ok());
        assert_eq!(on(&c, |tx| devices(tx)).unwrap().len(), 1, "one device, not two");
        // Another nonce, no nonce, or the same one too late is a second use of the code.
        for (nonce, at) in [
            (Some("n-2"), 5_000),
            (None, 5_000),
            (Some("n-1"), 2_000 + ENROLL_RETRY_MS),
        ] {
            assert_eq!(
                on(&c, |tx| enroll(tx, &ask(&code, nonce, "tablet"), at, 100_000)).unwrap(),
                Err(CodeRefused::Used),
                "{nonce:?} at {at}"
            );
        }
    }
}
