//! The district's rules, a recap and the NIK digest, for an enrolled device.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use pendamping_protocol::{ErrorCode, RulesResponse};
use serde::Deserialize;

use crate::http::{ApiError, Authed, json, query};
use axum::http::Method;
use axum::routing::{MethodRouter, get};

use crate::state::AppState;

#[derive(Deserialize)]
struct RulesParams {
    /// The version the device holds: the file is sent only when it differs.
    have: Option<String>,
}

/// The district's rules for an enrolled device: one file, changed once on the server.
async fn rules(
    State(state): State<AppState>,
    Authed(_device): Authed,
    headers: HeaderMap,
    params: Result<Query<RulesParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let params = query(params)?;
    let held = state.rules();
    let version = held.rules.version.clone();
    let toml = (params.have.as_deref() != Some(version.as_str())).then(|| held.toml.clone());
    let body = serde_json::to_vec(&RulesResponse { version, toml }).map_err(|_| ApiError::internal())?;
    Ok(json(&headers, StatusCode::OK, body))
}

#[derive(Deserialize)]
struct RecapParams {
    month: String,
    area: String,
}

/// The monthly recap of an area the caller may see (docs/src/design/domain.md §3.2): the device's own
/// recap function over this server's replica, so the numbers match wherever computed.
async fn recap(
    State(state): State<AppState>,
    Authed(device): Authed,
    headers: HeaderMap,
    params: Result<Query<RecapParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let params = query(params)?;
    let bad = |m: String| ApiError::new(ErrorCode::Malformed, m);
    let month = pendamping_core::recap::Month::parse(&params.month)
        .ok_or_else(|| bad(format!("month {:?} must be YYYY-MM", params.month)))?;
    let area = pendamping_core::area::lookup(&params.area)
        .ok_or_else(|| bad(format!("area {:?} is not in the Kemendagri list", params.area)))?
        .area_code();
    if !device.scope.includes(area.as_str()) {
        return Err(ApiError::new(
            ErrorCode::ForbiddenArea,
            format!("wilayah {area} di luar wilayah perangkat ini"),
        ));
    }
    let worker = state.clone();
    let code = area.clone();
    let recap = worker.blocking(move |s| s.recap(month, &code)).await?;
    let body = serde_json::to_vec(&pendamping_protocol::RecapResponse {
        area: area.to_string(),
        recap,
    })
    .map_err(|_| ApiError::internal())?;
    Ok(json(&headers, StatusCode::OK, body))
}

/// The caller's kecamatan NIK digest (`NikDigest`), unless it holds that version.
async fn nik_digest(
    State(state): State<AppState>,
    Authed(device): Authed,
    headers: HeaderMap,
    params: Result<Query<RulesParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let params = query(params)?;
    let worker = state.clone();
    let digest = worker.blocking(move |s| s.nik_digest(&device)).await?;
    let answer = pendamping_protocol::NikDigestResponse {
        version: digest.version.clone(),
        digest: (params.have.as_deref() != Some(digest.version.as_str())).then_some(digest),
    };
    let body = serde_json::to_vec(&answer).map_err(|_| ApiError::internal())?;
    Ok(json(&headers, StatusCode::OK, body))
}

/// This resource's routes.
pub(super) fn table() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/v1/rules", get(rules)),
        (Method::GET, "/v1/recap", get(recap)),
        (Method::GET, "/v1/nik-digest", get(nik_digest)),
    ]
}
