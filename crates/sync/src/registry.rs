//! A hub's device registry, exchanged with the server it syncs to (`/v1/hub/devices`):
//! it hands up the devices it enrolled (offline perhaps) and takes the list of those that
//! may sync through it. The registry goes before the changes, so the server knows every
//! origin device a relayed change names.

use pendamping_protocol::{HubDevices, Refused};
use reqwest::Method;

use crate::access::{Access, Replica};
use crate::engine::credentials;
use crate::error::Result;
use crate::http::{Bytes, Http};

/// Hands `mine` up and returns (ids the server refused, the devices it lists for us).
pub async fn exchange<A: Access>(
    store: &mut A,
    mine: &HubDevices,
    retry: &crate::Retry,
) -> Result<(Vec<String>, HubDevices)> {
    let (server, token) = store.with(|s| credentials(s))?;
    let mut http = Http::new(&server, Some(token))?;
    http.retry = retry.clone();
    let mut bytes = Bytes::default();
    let refused = if mine.devices.is_empty() {
        Vec::new()
    } else {
        let r: Refused = http
            .call(Method::POST, "/v1/hub/devices", Some(mine), &mut bytes)
            .await?;
        r.refused
    };
    let theirs: HubDevices = http
        .call::<(), _>(Method::GET, "/v1/hub/devices", None, &mut bytes)
        .await?;
    Ok((refused, theirs))
}

/// The scope the replica was enrolled with.
pub fn scope(r: &impl Replica) -> Result<Option<pendamping_protocol::Scope>> {
    Ok(r.setting(crate::engine::SCOPE_KEY)?
        .and_then(|s| serde_json::from_str(&s).ok()))
}
