//! The server's side of relay through a hub (SYNC.md): which held changes the centre has
//! (`POST /v1/sync/confirm`), and the device registry a hub and the centre exchange
//! (`/v1/hub/devices`). The same code answers at the centre and at a hub.

use pendamping_protocol::{ConfirmResponse, HubDevice, Rejection, Scope};
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::audit::{self, Action};
use crate::auth::{self, Device};
use crate::error::{Result, ServerError};
use crate::store;

/// What became of the caller's changes `ids` here. At the centre a change it holds is
/// confirmed; at a hub only once the centre has acknowledged it. A change the caller did
/// not make is reported unknown: one device learns nothing of another's.
pub fn confirm(conn: &Connection, device: &Device, ids: &[Uuid], hub: bool) -> Result<ConfirmResponse> {
    let mut out = ConfirmResponse::default();
    let mut found = conn.prepare_cached("SELECT device_id, upstream FROM changes WHERE change_id = ?1")?;
    for id in ids {
        let row: Option<(String, Option<i64>)> = found
            .query_row([id.as_bytes()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            Some((origin, _)) if origin != device.id => out.unknown.push(*id),
            Some((_, up)) if !hub || up == Some(store::CONFIRMED) => out.confirmed.push(*id),
            Some((_, Some(store::REFUSED))) => match refusal(conn, id, Refusals::Upstream, device)? {
                Some(r) => out.rejected.push(r),
                None => out.unknown.push(*id),
            },
            // Held here (or upstream): not yet at the centre.
            Some(_) => {}
            None => match refusal(conn, id, Refusals::Here, device)? {
                Some(r) => out.rejected.push(r),
                None => out.unknown.push(*id),
            },
        }
    }
    Ok(out)
}

/// A refusal kept in `table` (`upstream_rejections`, or `quarantine` for the caller's own).
fn refusal(conn: &Connection, id: &Uuid, table: Refusals, device: &Device) -> Result<Option<Rejection>> {
    let to_rejection = |r: &rusqlite::Row| {
        Ok(Rejection {
            change_id: *id,
            code: pendamping_protocol::RejectCode::parse(&r.get::<_, String>(0)?),
            field: r.get(1)?,
            message: r.get(2)?,
        })
    };
    Ok(match table {
        Refusals::Upstream => conn
            .prepare_cached("SELECT code, field, message FROM upstream_rejections WHERE change_id = ?1")?
            .query_row([id.as_bytes()], to_rejection),
        Refusals::Here => conn
            .prepare_cached("SELECT code, field, message FROM quarantine WHERE change_id = ?1 AND device_id = ?2")?
            .query_row((id.to_string(), &device.id), to_rejection),
    }
    .optional()?)
}

#[derive(Clone, Copy)]
enum Refusals {
    /// The centre refused it after this hub relayed it.
    Upstream,
    /// This server refused it.
    Here,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// The devices whose areas lie in `hub`'s scope (not the hub itself): those that may sync
/// through it. Revoked ones too, so a revocation reaches the hub.
pub fn devices_for(conn: &Connection, hub: &Device) -> Result<Vec<HubDevice>> {
    let all = devices_where(conn, "id <> ?1", [&hub.id])?;
    Ok(all.into_iter().filter(|d| hub.scope.covers(&d.scope)).collect())
}

/// How `take` treats a device it already knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    /// The centre: an enrolment it holds is its own; a hub's copy never overrides it, but a
    /// revocation made at the hub is taken (a revocation made anywhere wins everywhere).
    Keep,
    /// A hub: the centre's word wins (a renewed token, a revocation), except that a
    /// revocation made here stays until the centre has it.
    Update,
}

/// Takes devices enrolled elsewhere into this registry: each checked as an enrolment here
/// is (a well-formed scope of its role's level, codes from the Kemendagri list, within
/// `within`, a token hash and an id of the right form) and written to the audit log as
/// taken or refused, by `actor` (the hub that handed it up, or the centre). Returns the
/// ids of those refused.
pub fn take(
    conn: &mut Connection,
    actor: &str,
    within: &Scope,
    devices: &[HubDevice],
    known: Known,
    now_ms: i64,
) -> Result<Vec<String>> {
    let tx = conn.transaction()?;
    let mut refused = Vec::new();
    let refuse = |tx: &Connection, refused: &mut Vec<String>, d: &HubDevice, why: &str| -> Result<()> {
        tracing::warn!(device = %d.id, by = actor, why, "a device handed over refused");
        audit::record(tx, now_ms, actor, Action::HubDeviceRefused, &d.id, why)?;
        refused.push(d.id.clone());
        Ok(())
    };
    for d in devices {
        let why = if Uuid::parse_str(&d.id).is_err() {
            Some("id perangkat bukan UUID".to_string())
        } else if let Err(e) = d.scope.well_formed() {
            Some(format!("wilayah tidak sah: {e}"))
        } else if !within.covers(&d.scope) {
            Some(format!(
                "wilayah {} di luar wilayah {}",
                d.scope.codes(),
                within.codes()
            ))
        } else if d.name.chars().count() > 200 || d.user_name.chars().count() > 200 {
            Some("nama terlalu panjang".to_string())
        } else {
            None
        };
        let hash = unhex(&d.token_hash);
        let (Some(hash), None) = (hash, &why) else {
            refuse(
                &tx,
                &mut refused,
                d,
                why.as_deref().unwrap_or("token_hash bukan 64 digit hex"),
            )?;
            continue;
        };
        let before: Option<Option<i64>> = tx
            .prepare_cached("SELECT revoked_at FROM devices WHERE id = ?1")?
            .query_row([&d.id], |r| r.get(0))
            .optional()?;
        let sql = match known {
            Known::Keep => {
                "INSERT INTO devices (id, name, user_name, role, scope, token_hash, enrolled_at, expires_at, \
                 revoked_at, public_key, home) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'here') \
                 ON CONFLICT(id) DO UPDATE SET revoked_at = COALESCE(devices.revoked_at, excluded.revoked_at)"
            }
            Known::Update => {
                "INSERT INTO devices (id, name, user_name, role, scope, token_hash, enrolled_at, expires_at, \
                 revoked_at, public_key, home) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'upstream') \
                 ON CONFLICT(id) DO UPDATE \
                 SET name = excluded.name, user_name = excluded.user_name, role = excluded.role, \
                 scope = excluded.scope, token_hash = excluded.token_hash, expires_at = excluded.expires_at, \
                 revoked_at = COALESCE(devices.revoked_at, excluded.revoked_at), public_key = excluded.public_key"
            }
        };
        let n = tx.prepare_cached(sql)?.execute((
            &d.id,
            &d.name,
            &d.user_name,
            d.scope.role.as_str(),
            d.scope.codes(),
            hash,
            d.enrolled_at,
            d.expires_at,
            d.revoked_at,
            d.public_key.map(|k| k.as_bytes().to_vec()),
        ));
        match n {
            Ok(_) => {}
            // Another device already holds this token hash: refuse this one, keep the rest.
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                refuse(&tx, &mut refused, d, "token sudah dipakai perangkat lain")?;
                continue;
            }
            Err(e) => return Err(ServerError::from(e)),
        }
        let detail = format!("{} {}", d.scope.role.as_str(), d.scope.codes());
        match before {
            None => audit::record(&tx, now_ms, actor, Action::HubDeviceTaken, &d.id, &detail)?,
            Some(None) if d.revoked_at.is_some() => {
                audit::record(&tx, now_ms, actor, Action::Revoked, &d.id, "dicabut di hub")?
            }
            Some(_) => {}
        }
    }
    tx.commit()?;
    Ok(refused)
}

/// Devices this registry has to hand up (a hub's): those enrolled here, offline perhaps,
/// and those revoked here, until the centre has taken them.
pub fn not_uploaded(conn: &Connection) -> Result<Vec<HubDevice>> {
    devices_where(
        conn,
        "uploaded_at IS NULL AND (home = 'here' OR revoked_at IS NOT NULL)",
        [],
    )
}

pub fn mark_uploaded(conn: &Connection, ids: &[String], now_ms: i64) -> Result<()> {
    for id in ids {
        conn.prepare_cached("UPDATE devices SET uploaded_at = ?2 WHERE id = ?1")?
            .execute((id, now_ms))?;
    }
    Ok(())
}

fn devices_where(conn: &Connection, filter: &str, params: impl rusqlite::Params) -> Result<Vec<HubDevice>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT id, name, user_name, role, scope, token_hash, enrolled_at, expires_at, revoked_at, public_key \
         FROM devices \
         WHERE {filter} ORDER BY enrolled_at"
    ))?;
    let rows = stmt.query_map(params, |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Vec<u8>>(5)?,
            (r.get::<_, i64>(6)?, r.get::<_, i64>(7)?, r.get::<_, Option<i64>>(8)?),
            r.get::<_, Option<Vec<u8>>>(9)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, user_name, role, codes, hash, (enrolled_at, expires_at, revoked_at), key) = row?;
        // A row an earlier version let in with a scope no reader takes is left out (and
        // said), never a reason for every hub's list to fail.
        let scope = match auth::parse_scope(&role, &codes) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(device = %id, error = %e, "a registered device's scope does not read; left out");
                continue;
            }
        };
        out.push(HubDevice {
            id,
            name,
            user_name,
            scope,
            token_hash: hex(&hash),
            enrolled_at,
            expires_at,
            revoked_at,
            public_key: key.and_then(|k| pendamping_vault::PublicKey::from_slice(&k)),
        });
    }
    Ok(out)
}
