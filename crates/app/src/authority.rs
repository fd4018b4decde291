//! Trusting a PLKB hub on this device. A hub serves TLS under an authority it made itself
//! (no public one vouches for a laptop on the office Wi-Fi): when the tablet meets a
//! certificate it does not trust, it fetches the hub's authority and shows its fingerprint;
//! the cadre compares it with the hub's screen, and only then is it trusted — for that hub's
//! address only, never for the centre or another server — kept in [`FILE`] beside the key
//! file with the address it was compared for (a certificate is public, and a forgotten PIN
//! is recovered through the hub before the store can be opened).

use std::path::Path;

use serde::Serialize;

use crate::AppError;

/// The hub authority this device trusts, in the app's data directory.
pub const FILE: &str = "trusted-hub.pem";

/// What the screen shows the cadre to compare.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ServerAuthority {
    pub server: String,
    /// Five groups of four hex digits, as the hub's screen shows them.
    pub fingerprint: String,
}

fn not_a_hub() -> AppError {
    AppError::invalid(
        "server",
        "Server ini tidak memberi sertifikat hub PLKB; periksa alamatnya, atau hubungi admin",
        "This server gives no PLKB hub certificate; check its address, or call the admin",
    )
}

async fn fetch(server: &str) -> Result<(Vec<u8>, String), AppError> {
    let pem = pendamping_sync::authority(server).await.map_err(|e| match e {
        pendamping_sync::SyncError::BadAnswer(_) => not_a_hub(),
        other => other.into(),
    })?;
    let fingerprint = pendamping_protocol::authority::fingerprint(&pem).ok_or_else(not_a_hub)?;
    Ok((pem, fingerprint))
}

/// The hub's authority at `server`, for the cadre to compare with the hub's screen.
pub async fn inspect(server: &str) -> Result<ServerAuthority, AppError> {
    let (_, fingerprint) = fetch(server).await?;
    Ok(ServerAuthority {
        server: server.trim().to_string(),
        fingerprint,
    })
}

/// Trusts the hub's authority once the cadre found `fingerprint` on the hub's screen:
/// fetched again, and trusted only if it is still the one compared.
pub async fn trust(dir: &Path, server: &str, fingerprint: &str) -> Result<(), AppError> {
    let (pem, now) = fetch(server).await?;
    if now != fingerprint {
        return Err(AppError::invalid(
            "fingerprint",
            "Sertifikat hub berubah sejak dicocokkan; cocokkan lagi dengan layar hub",
            "The hub's certificate changed since it was compared; compare it again with the hub's screen",
        ));
    }
    let server = server.trim();
    pendamping_sync::trust(server, &pem)?;
    let mut kept = format!("{SERVER_LINE}{server}\n").into_bytes();
    kept.extend_from_slice(&pem);
    std::fs::write(dir.join(FILE), &kept).map_err(|e| {
        AppError::new(
            "store",
            format!("Sertifikat hub tidak dapat disimpan: {e}"),
            format!("The hub's certificate cannot be saved: {e}"),
        )
    })?;
    tracing::info!(fingerprint = %now, "trusting a PLKB hub's authority");
    Ok(())
}

/// The first line of [`FILE`]: the address the authority was compared for.
const SERVER_LINE: &str = "# server: ";

/// At the app's start: the hub authority trusted before is trusted again, in this process,
/// for the address it was compared for. A file of an earlier version names none: it is
/// left alone, and the next sync asks the cadre to compare the fingerprint again.
pub fn restore(dir: &Path) -> Result<(), AppError> {
    match std::fs::read(dir.join(FILE)) {
        Ok(kept) => {
            let text = String::from_utf8_lossy(&kept);
            let Some((server, pem)) = text.strip_prefix(SERVER_LINE).and_then(|rest| rest.split_once('\n')) else {
                tracing::warn!("a trusted hub authority without its address is no longer trusted");
                return Ok(());
            };
            Ok(pendamping_sync::trust(server, pem.as_bytes())?)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(AppError::new(
            "store",
            format!("Sertifikat hub tidak dapat dibaca: {e}"),
            format!("The hub's certificate cannot be read: {e}"),
        )),
    }
}
