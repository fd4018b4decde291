//! Enrolment, recovery of a forgotten PIN, and the device registry a hub and the centre
//! exchange; a hub's own certificate authority.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pendamping_protocol::{EnrollRequest, ErrorCode, HubDevices, RecoverRequest};

use crate::auth::{self, CodeRefused, Device};
use crate::http::{ApiError, Authed, answer, guarded, json, parse, read_body};
use crate::limits::Class;
use crate::relay;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use crate::state::AppState;

/// A hub's own certificate authority, for a tablet to show its fingerprint before trusting
/// it; public (a certificate is), and 404 at a server whose certificate a public authority
/// signed.
async fn hub_authority(State(state): State<AppState>) -> Result<Response, ApiError> {
    let Some(path) = state.config().tls_authority.clone() else {
        return Err(ApiError::new(ErrorCode::NotFound, "no authority of its own"));
    };
    // A certificate of a kilobyte: read as it is, no need to leave the async thread.
    let pem = std::fs::read(&path).map_err(|e| {
        tracing::error!(error = %e, "the hub's authority cannot be read");
        ApiError::internal()
    })?;
    Ok(([(header::CONTENT_TYPE, "application/x-pem-file")], pem).into_response())
}

async fn enroll(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (req, wire): (EnrollRequest, _) = guarded(&state, Class::Enrol, &extensions, &headers, body).await?;
    let name = req.device_name.trim().to_string();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(ApiError::new(
            ErrorCode::Invalid,
            "device_name must be 1 to 80 characters",
        ));
    }
    // A device signs what it pushes; only one enrolled before signing existed (its row has
    // no key) may push unsigned. Refused before the code is looked at: nothing is used up.
    let Some(key) = req.public_key else {
        return Err(ApiError::new(
            ErrorCode::Invalid,
            "public_key is required: a device signs what it pushes (update the app)",
        ));
    };
    let (now, ttl) = (state.now_ms(), state.config().token_ttl_days as i64 * 86_400_000);
    if req.holds.len() > 10_000
        || req
            .holds
            .iter()
            .any(|v| v.len() != 10 || !v.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(ApiError::new(ErrorCode::Invalid, "holds: village codes of 10 digits"));
    }
    let ask = auth::Redeem {
        code: req.enrollment_code,
        nonce: req.nonce,
        public_key: key,
        device_name: name,
        holds: req.holds,
    };
    let out = state.write(move |c| auth::enroll(c, &ask, now, ttl)).await?;
    let resp = match out {
        Ok(r) => r,
        Err(CodeRefused::Unknown) => {
            return Err(ApiError::new(ErrorCode::BadEnrollmentCode, "unknown enrollment code"));
        }
        Err(CodeRefused::Expired) => {
            return Err(ApiError::new(
                ErrorCode::EnrollmentCodeExpired,
                "this enrollment code has expired; ask for a new one",
            ));
        }
        Err(CodeRefused::Used) => {
            return Err(ApiError::new(
                ErrorCode::EnrollmentCodeUsed,
                "this enrollment code was already used",
            ));
        }
        Err(CodeRefused::Uncovered(villages)) => {
            return Err(ApiError::new(
                ErrorCode::ForbiddenArea,
                format!(
                    "this code's area leaves out villages whose records the device holds: {}; the code is not used",
                    villages.join(", ")
                ),
            ));
        }
    };
    Ok(answer(&state, wire, &resp))
}

/// A forgotten PIN: the device's data key back, sealed to its one-time reply key, for a
/// recovery code an admin issued to that device (see `crate::recovery`).
async fn recover(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (req, wire): (RecoverRequest, _) = guarded(&state, Class::Recover, &extensions, &headers, body).await?;
    let now = state.now_ms();
    let out = state.write(move |c| crate::recovery::recover(c, &req, now)).await?;
    let Ok(resp) = out else {
        return Err(ApiError::new(
            ErrorCode::RecoveryRefused,
            "recovery refused: ask the admin for a new recovery code for this device",
        ));
    };
    Ok(answer(&state, wire, &resp))
}

/// Only a hub's enrolment (PLKB or admin) may use the registry routes.
fn relaying(device: &Device) -> Result<(), ApiError> {
    if device.scope.role.may_relay() {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Forbidden,
            "only a hub (a PLKB or admin enrolment) may do this",
        ))
    }
}

/// The devices that may sync through the calling hub.
async fn hub_devices(
    State(state): State<AppState>,
    Authed(device): Authed,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    relaying(&device)?;
    let devices = state.read(move |c| relay::devices_for(c, &device)).await?;
    let body = serde_json::to_vec(&HubDevices { devices }).map_err(|_| ApiError::internal())?;
    Ok(json(&headers, StatusCode::OK, body))
}

/// Devices a hub enrolled (offline perhaps), within its scope, taken into the registry.
async fn hub_enrolled(
    State(state): State<AppState>,
    Authed(device): Authed,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    relaying(&device)?;
    let (bytes, _) = read_body(&headers, body, 4 << 20).await?;
    let req: HubDevices = parse(&bytes)?;
    let now = state.now_ms();
    let refused = state
        .write(move |c| relay::take(c, &device.id, &device.scope, &req.devices, relay::Home::Here, now))
        .await?;
    if !refused.is_empty() {
        tracing::warn!(refused = refused.len(), "a hub handed up devices outside its scope");
    }
    let body = serde_json::to_vec(&pendamping_protocol::Refused { refused }).map_err(|_| ApiError::internal())?;
    Ok(json(&headers, StatusCode::OK, body))
}

/// This resource's routes.
pub(super) fn table() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::POST, "/v1/devices/enroll", post(enroll)),
        (Method::POST, "/v1/devices/recover", post(recover)),
        (Method::GET, "/v1/hub/devices", get(hub_devices)),
        (Method::GET, pendamping_protocol::authority::PATH, get(hub_authority)),
        (Method::POST, "/v1/hub/devices", post(hub_enrolled)),
    ]
}
