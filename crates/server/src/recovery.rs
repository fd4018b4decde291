//! A forgotten PIN, recovered without losing what the device has not synced. At enrolment
//! a device seals its store's data key to this server's recovery key (X25519, kept in the
//! server's store). When a member forgets their PIN, an admin who verified the person in
//! person issues a one-time code for that device; the device sends the code, its sealed
//! key and a one-time reply key, and gets its data key back sealed to that reply key. The
//! server never keeps the data key; a code opens one device's wrap once.

use pendamping_protocol::{RecoverRequest, RecoverResponse};
use pendamping_vault::{RecoveryPublic, RecoverySecret, VaultError, recovery_aad};

use crate::audit::{self, Action};
use crate::codes::{hash, new_code, normalize_code, show_code};
use crate::error::{Result, ServerError};
use crate::storage::{Issued, Meta, RecoveryRow, Setting, Tx};

/// How long an issued code may be used: the same working day.
pub const CODE_TTL_MS: i64 = 24 * 3_600_000;

pub(crate) fn vault_err(e: VaultError) -> ServerError {
    ServerError::Corrupt(format!("recovery key: {e}"))
}

fn secret(meta: &mut dyn Meta) -> Result<RecoverySecret> {
    let hex = meta
        .setting(Setting::RecoverySecret)?
        .ok_or_else(|| ServerError::Corrupt("meta recovery_secret is missing".into()))?;
    RecoverySecret::from_hex(&hex).map_err(vault_err)
}

/// Makes the recovery key the first time a store is opened.
pub(crate) fn ensure_secret(meta: &mut dyn Meta) -> Result<()> {
    if meta.setting(Setting::RecoverySecret)?.is_none() {
        let secret = RecoverySecret::generate().map_err(vault_err)?;
        meta.set_setting(Setting::RecoverySecret, &secret.to_hex())?;
    }
    Ok(())
}

/// The public half, given to every device at enrolment.
pub fn public_key(meta: &mut dyn Meta) -> Result<RecoveryPublic> {
    Ok(secret(meta)?.public())
}

/// Issues a one-time recovery code for a device that is enrolled and not revoked.
pub fn issue_code(tx: &mut dyn Tx, device_id: &str, issued_by: &str, now_ms: i64) -> Result<String> {
    match tx.device(device_id)? {
        None => return Err(ServerError::NoSuchDevice(device_id.to_string())),
        Some(d) if d.revoked_at.is_some() => {
            return Err(ServerError::Account(format!("perangkat {device_id} sudah dicabut")));
        }
        Some(_) => {}
    }
    let code = new_code();
    let issued = Issued {
        device_id,
        by: issued_by,
        at_ms: now_ms,
        expires_at: now_ms + CODE_TTL_MS,
    };
    tx.add_recovery_code(&hash(&code), &issued)?;
    audit::record(tx, now_ms, issued_by, Action::RecoveryCodeIssued, device_id, "")?;
    tracing::info!(device = device_id, "recovery code issued");
    Ok(show_code(&code))
}

/// Why a recovery was refused. The device is told only "refused", whatever the reason, so
/// that guessing codes teaches nothing; the log says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryRefused {
    UnknownCode,
    OtherDevice,
    Expired,
    Used,
    Revoked,
    /// The wrap does not open for this device: altered, or another device's.
    BadWrap,
}

/// Opens a device's recovery wrap with a valid code and seals its key to the reply key.
/// Recorded too (the caller commits): guessing shows in the audit log.
pub fn recover(tx: &mut dyn Tx, req: &RecoverRequest, now_ms: i64) -> Result<Result<RecoverResponse, RecoveryRefused>> {
    let code_hash = hash(&normalize_code(&req.recovery_code));
    let found = tx.recovery_code(&code_hash)?;
    let refuse = |tx: &mut dyn Tx, why: RecoveryRefused| -> Result<Result<RecoverResponse, RecoveryRefused>> {
        tracing::warn!(device = %req.device_id, reason = ?why, "recovery refused");
        let device = req.device_id.to_string();
        audit::record(
            tx,
            now_ms,
            &device,
            Action::RecoveryRefused,
            &device,
            &format!("{why:?}"),
        )?;
        Ok(Err(why))
    };
    let Some(RecoveryRow {
        device_id: device,
        expires_at,
        used_at,
        reply_to,
        revoked_at,
    }) = found
    else {
        return refuse(tx, RecoveryRefused::UnknownCode);
    };
    let reply = req.reply_to.to_string();
    let refused = if device != req.device_id.to_string() {
        Some(RecoveryRefused::OtherDevice)
    } else if revoked_at.is_some() {
        Some(RecoveryRefused::Revoked)
    } else if now_ms >= expires_at {
        Some(RecoveryRefused::Expired)
    } else if used_at.is_some() && reply_to.as_deref() != Some(reply.as_str()) {
        Some(RecoveryRefused::Used)
    } else {
        None
    };
    if let Some(r) = refused {
        return refuse(tx, r);
    }
    let aad = recovery_aad(req.device_id);
    let key = match secret(tx)?.open_key(&req.sealed, &aad) {
        Ok(k) => k,
        Err(_) => return refuse(tx, RecoveryRefused::BadWrap),
    };
    let sealed = req.reply_to.seal_key(&key, &aad).map_err(vault_err)?;
    if used_at.is_none() {
        tx.use_recovery_code(&code_hash, now_ms, &reply)?;
    }
    audit::record(tx, now_ms, &device, Action::Recovered, &device, "")?;
    tracing::info!(device = %req.device_id, "device recovered its key");
    Ok(Ok(RecoverResponse { sealed }))
}
