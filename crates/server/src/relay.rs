//! The server's side of relay through a hub (docs/src/design/sync.md): which held changes the centre has
//! (`POST /v1/sync/confirm`), and the device registry a hub and the centre exchange
//! (`/v1/hub/devices`). The same code answers at the centre and at a hub.

use pendamping_protocol::{ConfirmResponse, HubDevice, Scope};
use uuid::Uuid;

use crate::audit::{self, Action};
use crate::auth::{self, Device};
use crate::error::Result;
pub use crate::storage::Home;
use crate::storage::{ChangeLog, DeviceRow, Devices, Tx, Upstream, Which};

/// What became of the caller's changes `ids` here. At the centre a change it holds is
/// confirmed; at a hub only once the centre has acknowledged it. A change the caller did
/// not make is reported unknown: one device learns nothing of another's.
pub fn confirm(log: &mut dyn ChangeLog, device: &Device, ids: &[Uuid], hub: bool) -> Result<ConfirmResponse> {
    let mut out = ConfirmResponse::default();
    for id in ids {
        match log.change_path(id)? {
            Some((origin, _)) if origin != device.id => out.unknown.push(*id),
            Some((_, up)) if !hub || up == Some(Upstream::Confirmed) => out.confirmed.push(*id),
            Some((_, Some(Upstream::Refused))) => match log.upstream_refusal(id)? {
                Some(r) => out.rejected.push(r),
                None => out.unknown.push(*id),
            },
            // Held here (or upstream): not yet at the centre.
            Some(_) => {}
            None => match log.refusal(id, &device.id)? {
                Some(r) => out.rejected.push(r),
                None => out.unknown.push(*id),
            },
        }
    }
    Ok(out)
}

/// The devices whose areas lie in `hub`'s scope (not the hub itself): those that may sync
/// through it. Revoked ones too, so a revocation reaches the hub.
pub fn devices_for(devices: &mut dyn Devices, hub: &Device) -> Result<Vec<HubDevice>> {
    let all = handed(devices.devices(Which::Except(&hub.id))?);
    Ok(all.into_iter().filter(|d| hub.scope.covers(&d.scope)).collect())
}

/// Takes devices enrolled elsewhere into this registry: each checked as an enrolment here
/// is (a well-formed scope of its role's level, codes from the Kemendagri list, within
/// `within`, a token hash and an id of the right form) and written to the audit log as
/// taken or refused, by `actor` (the hub that handed it up, or the centre). Returns the
/// ids of those refused.
pub fn take(
    tx: &mut dyn Tx,
    actor: &str,
    within: &Scope,
    devices: &[HubDevice],
    home: Home,
    now_ms: i64,
) -> Result<Vec<String>> {
    let mut refused = Vec::new();
    let refuse = |tx: &mut dyn Tx, refused: &mut Vec<String>, d: &HubDevice, why: &str| -> Result<()> {
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
        let hash = hex::decode(&d.token_hash).ok().filter(|h| h.len() == 32);
        let (Some(hash), None) = (hash, &why) else {
            refuse(
                tx,
                &mut refused,
                d,
                why.as_deref().unwrap_or("token_hash bukan 64 digit hex"),
            )?;
            continue;
        };
        let before = tx.device(&d.id)?.map(|known| known.revoked_at);
        // A device signs what it pushes: a hub may hand up only an enrolment that brings its
        // key (one enrolled before signing existed is known here already), or any hub could
        // mint a device that pushes unsigned.
        if home == Home::Here && before.is_none() && d.public_key.is_none() {
            refuse(tx, &mut refused, d, "perangkat baru tanpa kunci tanda tangan")?;
            continue;
        }
        let row = DeviceRow {
            id: d.id.clone(),
            name: d.name.clone(),
            user_name: d.user_name.clone(),
            role: d.scope.role.as_str().to_string(),
            scope: d.scope.codes(),
            token_hash: hash,
            enrolled_at: d.enrolled_at,
            expires_at: d.expires_at,
            revoked_at: d.revoked_at,
            last_seen_at: None,
            public_key: d.public_key.map(|k| k.as_bytes().to_vec()),
            rules_version: None,
            tables_version: None,
        };
        if !tx.take_device(&row, home)? {
            // Another device already holds this token hash: refuse this one, keep the rest.
            refuse(tx, &mut refused, d, "token sudah dipakai perangkat lain")?;
            continue;
        }
        let detail = format!("{} {}", d.scope.role.as_str(), d.scope.codes());
        match before {
            None => audit::record(tx, now_ms, actor, Action::HubDeviceTaken, &d.id, &detail)?,
            Some(None) if d.revoked_at.is_some() => {
                audit::record(tx, now_ms, actor, Action::Revoked, &d.id, "dicabut di hub")?
            }
            Some(_) => {}
        }
    }
    Ok(refused)
}

/// Devices this registry has to hand up (a hub's): those enrolled here, offline perhaps,
/// and those revoked here, until the centre has taken them.
pub fn not_uploaded(devices: &mut dyn Devices) -> Result<Vec<HubDevice>> {
    Ok(handed(devices.devices(Which::NotUploaded)?))
}

/// Registered devices as a registry hands them over.
fn handed(rows: Vec<DeviceRow>) -> Vec<HubDevice> {
    let mut out = Vec::with_capacity(rows.len());
    for d in rows {
        // A row an earlier version let in with a scope no reader takes is left out (and
        // said), never a reason for every hub's list to fail.
        let scope = match auth::parse_scope(&d.role, &d.scope) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(device = %d.id, error = %e, "a registered device's scope does not read; left out");
                continue;
            }
        };
        out.push(HubDevice {
            id: d.id,
            name: d.name,
            user_name: d.user_name,
            scope,
            token_hash: hex::encode(&d.token_hash),
            enrolled_at: d.enrolled_at,
            expires_at: d.expires_at,
            revoked_at: d.revoked_at,
            public_key: d.public_key.and_then(|k| pendamping_vault::PublicKey::from_slice(&k)),
        });
    }
    out
}
