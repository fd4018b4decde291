//! HTTP plumbing shared by every route: the error answer and its status, bodies read within
//! bounds and decompressed, answers compressed, query strings, the bearer token.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use pendamping_protocol::codec::{self, CodecError, Encoding};
use pendamping_protocol::{ErrorBody, ErrorCode, wire};
use serde::Deserialize;

use crate::auth::{self, Denied, Device};
use crate::error::ServerError;
use crate::limits::Class;
use crate::state::AppState;

/// The one status of each error code: a client may go by either, and they never disagree.
pub(crate) fn status(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::Malformed | ErrorCode::BadEncoding => StatusCode::BAD_REQUEST,
        ErrorCode::UnsupportedEncoding => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::TooLarge | ErrorCode::TooManyChanges => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::Unauthorized
        | ErrorCode::Revoked
        | ErrorCode::TokenExpired
        | ErrorCode::BadEnrollmentCode
        | ErrorCode::EnrollmentCodeExpired => StatusCode::UNAUTHORIZED,
        ErrorCode::EnrollmentCodeUsed | ErrorCode::SchemaVersion => StatusCode::CONFLICT,
        ErrorCode::Forbidden | ErrorCode::ForbiddenArea | ErrorCode::RecoveryRefused => StatusCode::FORBIDDEN,
        ErrorCode::Resnapshot => StatusCode::PRECONDITION_FAILED,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        // `Other` is a client's name for a code it does not know; the server sends none.
        ErrorCode::Internal | ErrorCode::Other => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<ServerError> for ApiError {
    /// What went wrong inside is logged, never told: the caller learns only that nothing of
    /// its request was stored.
    fn from(e: ServerError) -> ApiError {
        tracing::error!(error = %e, "request failed");
        match e {
            // A load balancer may send it elsewhere; a device tries again later.
            ServerError::Unavailable(_) => ApiError::new(
                ErrorCode::Unavailable,
                "the server's database does not answer; nothing of this request was stored — try again later",
            ),
            _ => ApiError::internal(),
        }
    }
}

/// An error answer: `{code, message}` with its status.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
    /// Seconds, for a 429.
    retry_after: Option<i64>,
}

impl ApiError {
    /// Is this the answer to too many requests (and not a failure of the server)?
    pub(crate) fn is_rate_limited(&self) -> bool {
        self.code == ErrorCode::RateLimited
    }

    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub(crate) fn rate_limited(secs: i64) -> ApiError {
        ApiError {
            retry_after: Some(secs),
            ..ApiError::new(
                ErrorCode::RateLimited,
                format!("too many requests from this address; try again in {secs} s"),
            )
        }
    }

    pub(crate) fn internal() -> ApiError {
        ApiError::new(
            ErrorCode::Internal,
            "server error; nothing of this request was stored — try again",
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", status(self.code).as_u16(), self.code, self.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&ErrorBody {
            code: self.code,
            message: self.message,
        })
        .unwrap_or_default();
        let mut resp = (status(self.code), [(header::CONTENT_TYPE, "application/json")], body).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        resp
    }
}

/// The client's address, when the server was started with connection info (always, but
/// a router driven directly in a test has none: then nothing is limited).
pub(crate) fn peer(extensions: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<crate::limits::Peer>>()
        .map(|c| c.0.0.ip())
}

impl AppState {
    /// Counts a request of `class` from `ip`: 429 `rate_limited` over the limit.
    pub(crate) async fn limit(
        &self,
        class: crate::limits::Class,
        ip: Option<std::net::IpAddr>,
    ) -> Result<(), ApiError> {
        let Some(ip) = ip else { return Ok(()) };
        let now = self.now_ms();
        self.write(move |tx| crate::limits::hit(tx, class, ip, now))
            .await?
            .map_err(|secs| {
                tracing::warn!(%ip, ?class, "rate limited");
                ApiError::rate_limited(secs)
            })
    }
}

/// A JSON answer, compressed when the client accepts it and it pays.
pub(crate) fn json(headers: &HeaderMap, status: StatusCode, body: Vec<u8>) -> Response {
    respond(headers, status, "application/json", body)
}

/// Does the request take `media_type` in answer?
pub(crate) fn accepts(headers: &HeaderMap, media_type: &str) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.split(';').next().is_some_and(|t| t.trim() == media_type))
        })
}

pub(crate) fn takes_packed(headers: &HeaderMap) -> bool {
    accepts(headers, wire::MEDIA_TYPE)
}

/// Is the request's body a packed batch?
pub(crate) fn is_packed(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().starts_with(wire::MEDIA_TYPE))
}

/// An answer compressed as the request accepts.
pub(crate) fn respond(headers: &HeaderMap, status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response {
    let accept = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok());
    let enc = if body.len() > 256 {
        Encoding::negotiate(accept)
    } else {
        Encoding::Identity
    };
    let mut resp = (
        status,
        [(header::CONTENT_TYPE, content_type)],
        codec::encode(enc, &body),
    )
        .into_response();
    if enc != Encoding::Identity {
        resp.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc.token()));
    }
    resp
}

/// Reads a request body of at most `max` bytes on the wire and once decompressed.
pub(crate) async fn read_body(headers: &HeaderMap, body: Body, max: usize) -> Result<(Vec<u8>, usize), ApiError> {
    let too_large = || ApiError::new(ErrorCode::TooLarge, format!("body over {max} bytes"));
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let enc = Encoding::from_header(headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()))
        .map_err(|e| ApiError::new(ErrorCode::UnsupportedEncoding, e.to_string()))?;
    let mut raw = Vec::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            let stalled = std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
                .any(|e| e.is::<crate::connections::BodyStalled>());
            if stalled {
                ApiError::new(ErrorCode::RequestTimeout, e.to_string())
            } else {
                ApiError::new(ErrorCode::Malformed, e.to_string())
            }
        })?;
        if raw.len() + chunk.len() > max {
            return Err(too_large());
        }
        raw.extend_from_slice(&chunk);
    }
    let wire = raw.len();
    // A small body that decodes to a large one is a bomb: bounded by its own size too.
    let plain = codec::decode(enc, &raw, codec::expansion_bound(wire, max)).map_err(|e| match e {
        CodecError::TooLarge(_) => too_large(),
        e => ApiError::new(ErrorCode::BadEncoding, e.to_string()),
    })?;
    Ok((plain, wire))
}

pub(crate) fn parse<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::new(ErrorCode::Malformed, e.to_string()))
}

/// The device behind the bearer token.
pub struct Authed(pub Device);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ip = peer(&parts.extensions);
        let now = state.now_ms();
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string());
        // One read: the address's standing and the token's device.
        let (over, found) = state
            .read(move |c| {
                let over = match ip {
                    Some(ip) => crate::limits::over(c, Class::BadToken, ip, now)?,
                    None => None,
                };
                let found = match (over, token) {
                    (None, Some(token)) => Some(auth::authenticate(c, &token, now)?),
                    _ => None,
                };
                Ok((over, found))
            })
            .await?;
        if let Some(secs) = over {
            return Err(ApiError::rate_limited(secs));
        }
        let (code, msg) = match found {
            Some(Ok(device)) => return Ok(Authed(device)),
            None => (ErrorCode::Unauthorized, "a bearer token is required"),
            Some(Err(Denied::Unknown)) => (ErrorCode::Unauthorized, "unknown token"),
            Some(Err(Denied::Revoked)) => (ErrorCode::Revoked, "this device was revoked; enrol it again"),
            Some(Err(Denied::Expired)) => (ErrorCode::TokenExpired, "this device's token expired; enrol it again"),
        };
        // A refused token counts against the address; over the limit, this is a 429.
        state.limit(Class::BadToken, ip).await?;
        Err(ApiError::new(code, msg))
    }
}

/// A query string that does not parse is the caller's error: 400 `malformed`, named.
pub(crate) fn query<T>(params: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    params
        .map(|Query(p)| p)
        .map_err(|e| ApiError::new(ErrorCode::Malformed, e.body_text()))
}

/// A small JSON answer (enrolment, recovery), its bytes counted.
pub(crate) fn answer<T: serde::Serialize>(state: &AppState, wire: usize, resp: &T) -> Response {
    let body = serde_json::to_vec(resp).unwrap_or_default();
    state.metrics().bytes(wire, body.len());
    json(&HeaderMap::new(), StatusCode::OK, body)
}

/// A small request that invites guessing (no token): counted against the address first,
/// then read (64 KiB at most) and parsed. Returns it and its size on the wire.
pub(crate) async fn guarded<T: serde::de::DeserializeOwned>(
    state: &AppState,
    class: Class,
    extensions: &axum::http::Extensions,
    headers: &HeaderMap,
    body: Body,
) -> Result<(T, usize), ApiError> {
    state.limit(class, peer(extensions)).await?;
    let (bytes, wire) = read_body(headers, body, 64 << 10).await?;
    Ok((parse(&bytes)?, wire))
}

pub(crate) fn body_len(resp: &Response) -> usize {
    use axum::body::HttpBody;
    resp.body().size_hint().exact().unwrap_or(0) as usize
}
