//! The router: every route of the sync API from one table (checked against
//! `schema/openapi.yaml`), the dashboard's pages beside it, and what every answer carries.

mod devices;
mod ops;
mod reports;
mod sync;

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::MethodRouter;
use pendamping_protocol::ErrorCode;

use crate::http::ApiError;
use crate::state::AppState;

async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such endpoint")
}

/// Request metrics and one log line per request: route and status, never the body,
/// the query or a header (no NIK, name or token reaches the log).
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let resp = next.run(req).await;
    let took = start.elapsed();
    let status = resp.status().as_u16();
    state.metrics().request(&route, status, took);
    tracing::info!(%method, route, status, ms = took.as_secs_f64() * 1000.0, "request");
    resp
}

/// Every route, from each resource's table: the router is built from it, and the OpenAPI
/// test checks it.
fn table() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    [ops::table(), devices::table(), sync::table(), reports::table()].concat()
}

/// (method, path) of every route.
pub fn routes() -> Vec<(Method, &'static str)> {
    table().into_iter().map(|(m, p, _)| (m, p)).collect()
}

/// What every answer says to a browser: no script, style or image from anywhere but
/// here, no framing, no sniffing; and under TLS (the server's own, or a proxy's that says
/// so) every cookie is `Secure`.
async fn protect(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let tls = state.config().tls_cert.is_some()
        || req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // The language switch goes back to the page it was made on: same-origin referrers only.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if tls {
        let cookies: Vec<HeaderValue> = h.get_all(header::SET_COOKIE).iter().cloned().collect();
        h.remove(header::SET_COOKIE);
        for c in cookies {
            let secure = c
                .to_str()
                .ok()
                .and_then(|t| HeaderValue::from_str(&format!("{t}; Secure")).ok())
                .unwrap_or(c);
            h.append(header::SET_COOKIE, secure);
        }
    }
    resp
}

pub fn router(state: AppState) -> Router {
    // The dashboard's pages are not the sync API: they are outside `table()` and the OpenAPI.
    let mut r = crate::dashboard::routes();
    for (_, path, handler) in table() {
        r = r.route(path, handler);
    }
    r.route_layer(middleware::from_fn_with_state(state.clone(), observe))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), protect))
        .with_state(state)
}
