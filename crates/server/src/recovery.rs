//! A forgotten PIN, recovered without losing what the device has not synced. At enrolment
//! a device seals its store's data key to this server's recovery key (X25519, kept in the
//! server's store). When a member forgets their PIN, an admin who verified the person in
//! person issues a one-time code for that device; the device sends the code, its sealed
//! key and a one-time reply key, and gets its data key back sealed to that reply key. The
//! server never keeps the data key; a code opens one device's wrap once.

use pendamping_protocol::{RecoverRequest, RecoverResponse};
use pendamping_vault::{RecoveryPublic, RecoverySecret, VaultError, recovery_aad};
use rusqlite::{Connection, OptionalExtension};

use crate::audit::{self, Action};
use crate::auth::{hash, new_code, normalize_code, show_code};
use crate::db::meta_get;
use crate::error::{Result, ServerError};

pub(crate) const SECRET_KEY: &str = "recovery_secret";

/// How long an issued code may be used: the same working day.
pub const CODE_TTL_MS: i64 = 24 * 3_600_000;

pub(crate) fn vault_err(e: VaultError) -> ServerError {
    ServerError::Corrupt(format!("recovery key: {e}"))
}

fn secret(conn: &Connection) -> Result<RecoverySecret> {
    let hex =
        meta_get(conn, SECRET_KEY)?.ok_or_else(|| ServerError::Corrupt("meta recovery_secret is missing".into()))?;
    RecoverySecret::from_hex(&hex).map_err(vault_err)
}

/// The public half, given to every device at enrolment.
pub fn public_key(conn: &Connection) -> Result<RecoveryPublic> {
    Ok(secret(conn)?.public())
}

/// Issues a one-time recovery code for a device that is enrolled and not revoked.
pub fn issue_code(conn: &Connection, device_id: &str, issued_by: &str, now_ms: i64) -> Result<String> {
    let revoked: Option<Option<i64>> = conn
        .query_row("SELECT revoked_at FROM devices WHERE id = ?1", [device_id], |r| {
            r.get(0)
        })
        .optional()?;
    match revoked {
        None => return Err(ServerError::NoSuchDevice(device_id.to_string())),
        Some(Some(_)) => return Err(ServerError::Account(format!("perangkat {device_id} sudah dicabut"))),
        Some(None) => {}
    }
    let code = new_code();
    conn.execute(
        "INSERT INTO recovery_codes (code_hash, device_id, issued_by, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        (hash(&code), device_id, issued_by, now_ms, now_ms + CODE_TTL_MS),
    )?;
    audit::record(conn, now_ms, issued_by, Action::RecoveryCodeIssued, device_id, "")?;
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

/// An issued code as stored, with its device's revocation.
struct Issued {
    device: String,
    expires_at: i64,
    used_at: Option<i64>,
    reply_to: Option<String>,
    revoked_at: Option<i64>,
}

/// Opens a device's recovery wrap with a valid code and seals its key to the reply key.
pub fn recover(
    conn: &mut Connection,
    req: &RecoverRequest,
    now_ms: i64,
) -> Result<Result<RecoverResponse, RecoveryRefused>> {
    let code_hash = hash(&normalize_code(&req.recovery_code));
    let tx = conn.transaction()?;
    let found = tx
        .query_row(
            "SELECT c.device_id, c.expires_at, c.used_at, c.reply_to, d.revoked_at \
             FROM recovery_codes c JOIN devices d ON d.id = c.device_id WHERE c.code_hash = ?1",
            [&code_hash],
            |r| {
                Ok(Issued {
                    device: r.get(0)?,
                    expires_at: r.get(1)?,
                    used_at: r.get(2)?,
                    reply_to: r.get(3)?,
                    revoked_at: r.get(4)?,
                })
            },
        )
        .optional()?;
    // A refusal is recorded too: guessing shows in the audit log.
    let refuse =
        |tx: rusqlite::Transaction, why: RecoveryRefused| -> Result<Result<RecoverResponse, RecoveryRefused>> {
            tracing::warn!(device = %req.device_id, reason = ?why, "recovery refused");
            let device = req.device_id.to_string();
            audit::record(
                &tx,
                now_ms,
                &device,
                Action::RecoveryRefused,
                &device,
                &format!("{why:?}"),
            )?;
            tx.commit()?;
            Ok(Err(why))
        };
    let Some(Issued {
        device,
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
    let key = match secret(&tx)?.open_key(&req.sealed, &aad) {
        Ok(k) => k,
        Err(_) => return refuse(tx, RecoveryRefused::BadWrap),
    };
    let sealed = req.reply_to.seal_key(&key, &aad).map_err(vault_err)?;
    if used_at.is_none() {
        tx.execute(
            "UPDATE recovery_codes SET used_at = ?1, reply_to = ?2 WHERE code_hash = ?3",
            (now_ms, &reply, &code_hash),
        )?;
    }
    audit::record(&tx, now_ms, &device, Action::Recovered, &device, "")?;
    tx.commit()?;
    tracing::info!(device = %req.device_id, "device recovered its key");
    Ok(Ok(RecoverResponse { sealed }))
}
