//! For the engineer: health and metrics.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pendamping_protocol::{ErrorCode, Health};

use crate::http::{ApiError, json, peer};
use axum::http::Method;
use axum::routing::{MethodRouter, get};

use crate::state::AppState;

/// Up, and its store answers: a load balancer sends no sync to a process whose database
/// is gone (503, "unavailable"), and the reason is in this process's log.
async fn health(State(state): State<AppState>) -> Response {
    // A store that does not answer within this is as good as down to a load balancer (a
    // frozen database host never answers at all).
    const WITHIN: std::time::Duration = std::time::Duration::from_secs(5);
    let (code, status) = match tokio::time::timeout(WITHIN, state.read(|tx| Ok(tx.latest()?))).await {
        Ok(Ok(_)) => (StatusCode::OK, "ok"),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "health: the store does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
        Err(_) => {
            tracing::error!(within = ?WITHIN, "health: the store did not answer in time");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
    };
    let body = serde_json::to_vec(&Health {
        status: status.into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
    .unwrap_or_default();
    json(&HeaderMap::new(), code, body)
}

/// The server's metrics, for a scraper on this machine, or elsewhere with the bearer token
/// of `metrics_token_file`: they tell who syncs how much, which is nobody else's business.
async fn metrics(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let local = peer(&extensions).is_none_or(|ip| ip.is_loopback());
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let token_ok = match (&state.metrics_token(), bearer) {
        (Some(want), Some(got)) => {
            use sha2::Digest;
            // Compared as digests: the time taken says nothing of how much matched.
            sha2::Sha256::digest(want.as_bytes()) == sha2::Sha256::digest(got.trim().as_bytes())
        }
        _ => false,
    };
    if !local && !token_ok {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "metrics are served to this machine, or with the metrics token",
        ));
    }
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics().render(),
    )
        .into_response())
}

/// This resource's routes.
pub(super) fn table() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/health", get(health)),
        (Method::GET, "/metrics", get(metrics)),
    ]
}
