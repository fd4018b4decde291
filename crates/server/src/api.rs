//! The HTTP API (schema/openapi.yaml): handlers, authentication, bodies, errors.

use pendamping_core::area::AreaCode;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use crate::limits::Class;
use axum::Router;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, MatchedPath, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use chrono::FixedOffset;
use futures_util::StreamExt;
use pendamping_core::{Rules, TimeSource};
use pendamping_protocol::codec::{self, CodecError, Encoding};
use pendamping_protocol::{
    CONFIRM_MAX, ConfirmRequest, EnrollRequest, ErrorBody, ErrorCode, Health, HubDevices, OriginRun,
    PULL_LIMIT_DEFAULT, PULL_LIMIT_MAX, PullHead, PushHead, PushResponse, RULES_VERSION_HEADER, RecoverRequest,
    RulesResponse, SCHEMA_VERSION, TABLES_VERSION_HEADER, wire,
};
use rusqlite::Connection;
use serde::Deserialize;

use crate::auth::{self, CodeRefused, Denied, Device};
use crate::config::Config;
use crate::db::Readers;
use crate::error::ServerError;
use crate::metrics::Metrics;
use crate::{ingest, pull, relay};

pub struct Inner {
    pub _checkpoints: crate::db::Checkpointer,
    pub writer: Mutex<Connection>,
    pub readers: Readers,
    pub config: Config,
    pub time: Arc<dyn TimeSource>,
    /// A hub adopts the centre's rules on its upstream sync, so they can change.
    pub rules: RwLock<Arc<HeldRules>>,
    pub metrics: Metrics,
    pub utc_offset: FixedOffset,
    /// This store's id (`PullResponse::store`).
    pub store_id: String,
    /// The salt of this store's NIK digests.
    pub nik_salt: String,
    /// The queryable replica of the log (recap).
    pub view: crate::view::View,
    /// A background catch-up of the view is running.
    pub view_busy: std::sync::atomic::AtomicBool,
    /// The dashboard's log-in sessions.
    pub sessions: crate::dashboard::session::Sessions,
    /// Requests that invite guessing, counted per client address.
    pub limits: crate::limits::Limits,
    /// The bearer token that lets a scraper elsewhere read `/metrics` (`metrics_token_file`).
    pub metrics_token: Option<String>,
}

/// The district's rules, and the file as read, served to devices as it is.
pub struct HeldRules {
    pub rules: Rules,
    pub toml: String,
}

#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl AppState {
    pub(crate) fn now_ms(&self) -> i64 {
        self.0.time.now_millis() as i64
    }

    pub fn rules(&self) -> Arc<HeldRules> {
        self.0.rules.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// What a batch's checks go by, now.
    pub(crate) fn ingest_context<'a>(&self, rules: &'a Rules) -> ingest::Context<'a> {
        ingest::Context {
            now_ms: self.now_ms(),
            utc_offset: self.0.utc_offset,
            rules,
            max_skew_ms: self.0.config.max_skew_ms(),
            hub: self.is_hub(),
        }
    }

    /// Is this server a hub (it syncs upstream)?
    pub fn is_hub(&self) -> bool {
        self.0.config.upstream.is_some()
    }

    /// Appends to the audit log on the writer (blocking): for what has no transaction of
    /// its own to record in (a log-in, an export).
    pub fn audit(
        &self,
        actor: &str,
        action: crate::audit::Action,
        subject: &str,
        detail: &str,
    ) -> Result<(), ServerError> {
        let conn = self.0.writer.lock().unwrap_or_else(|p| p.into_inner());
        crate::audit::record(&conn, self.now_ms(), actor, action, subject, detail)
    }

    /// Runs a write on the one writer connection, off the async threads.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, ServerError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = self.clone();
        let out = tokio::task::spawn_blocking(move || {
            let mut conn = state.0.writer.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut conn)
        })
        .await;
        flatten(out)
    }

    pub(crate) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, ServerError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = self.clone();
        flatten(tokio::task::spawn_blocking(move || state.0.readers.with(f)).await)
    }
}

/// The rules and tables versions a push states (both, or neither).
fn versions_of(headers: &HeaderMap) -> Option<(String, String)> {
    let get = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    Some((get(RULES_VERSION_HEADER)?, get(TABLES_VERSION_HEADER)?))
}

impl AppState {
    /// Records the versions a device derives its visits' results with, and says in the log
    /// when they are not the server's: the device fetches the district's rules after this
    /// sync; other growth tables mean an app to update.
    fn note_versions(&self, device: &Device, rules: &str, tables: &str) {
        let conn = self.0.writer.lock().unwrap_or_else(|p| p.into_inner());
        let ours = self.rules();
        match auth::note_versions(&conn, &device.id, rules, tables) {
            Ok(true) if rules != ours.rules.version || tables != pendamping_core::growth::TABLES_VERSION => {
                tracing::warn!(
                    device = %device.id,
                    rules,
                    tables,
                    server_rules = %ours.rules.version,
                    server_tables = pendamping_core::growth::TABLES_VERSION,
                    "the device derives results with other rules or growth tables"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not record the device's versions"),
        }
    }

    /// A packed push (`wire::MEDIA_TYPE`), applied as its JSON form is; `wire` is its size
    /// as it came over the network, which bounds what unpacking it may build.
    pub fn push_packed(&self, device: &Device, packed: &[u8], wire: usize) -> Result<PushResponse, ApiError> {
        let max = self.0.config.max_batch_changes;
        let (head, mut changes) =
            PushHead::unpack_within(packed, wire::Bounds::for_wire(wire, max)).map_err(|e| match e {
                wire::WireError::TooMany(_) => too_many_changes(max),
                wire::WireError::TooLarge => {
                    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge, e.to_string())
                }
                e => ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::Malformed, e.to_string()),
            })?;
        if head.schema_version != SCHEMA_VERSION {
            return Err(wrong_version(head.schema_version));
        }
        // Each change written once as the text the log keeps, then read as the batch ingest
        // takes (borrowed from that text).
        let bodies = changes
            .iter_mut()
            .map(|c| {
                c.drop_retired();
                serde_json::to_string(c)
            })
            .collect::<serde_json::Result<Vec<String>>>()
            .map_err(|_| ApiError::internal())?;
        drop(changes);
        let wires = bodies
            .iter()
            .map(|b| serde_json::from_str::<ingest::Wire>(b))
            .collect::<serde_json::Result<Vec<_>>>()
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::Malformed, e.to_string()))?;
        self.push_batch(device, head.seen, wires, &bodies, &head.origins, head.seals)
    }

    /// A push as the handler applies it, minus HTTP: parse the JSON, check the batch, and
    /// store it in one transaction. Blocking: call it off the async threads.
    pub fn push_json(&self, device: &Device, json: &[u8]) -> Result<PushResponse, ApiError> {
        let (req, bodies) = decode_json(json)?;
        self.push_batch(device, req.seen, req.changes, &bodies, &req.origins, req.seals)
    }

    /// A decoded push, packed or JSON: its size, origins and seals checked, then stored in
    /// one transaction.
    fn push_batch(
        &self,
        device: &Device,
        seen: u64,
        changes: Vec<ingest::Wire>,
        bodies: &[String],
        origins: &[OriginRun],
        seals: Vec<pendamping_protocol::seal::Seal>,
    ) -> Result<PushResponse, ApiError> {
        if changes.len() > self.0.config.max_batch_changes {
            return Err(too_many_changes(self.0.config.max_batch_changes));
        }
        let origins = pendamping_protocol::expand_origins(origins, changes.len()).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::Malformed,
                "origins must account for every change, in order",
            )
        })?;
        let seals = pendamping_protocol::seal::runs(seals, changes.len()).map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::Malformed,
                "seals must cover every change, in order",
            )
        })?;
        let batch = ingest::Batch {
            seen,
            changes,
            bodies,
            origins,
            seals: Some(seals),
        };
        let rules = self.rules();
        let ctx = self.ingest_context(&rules.rules);
        let mut conn = self.0.writer.lock().unwrap_or_else(|p| p.into_inner());
        flatten(Ok(ingest::push(&mut conn, device, &batch, &ctx)))
    }
}

/// A JSON push read as the batch ingest takes: each change borrowed from the body, and
/// its text as the log would keep it (an older device's derived results dropped).
fn decode_json(json: &[u8]) -> Result<(RawPush<'_>, Vec<String>), ApiError> {
    // A key twice in one object (a change's `fields` too) is read by a map as its last
    // value and by other readers as its first: the request is refused, not guessed at.
    if let Ok(text) = std::str::from_utf8(json)
        && let Err(e) = pendamping_core::shape::unique_keys(text)
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::Malformed,
            e.to_string(),
        ));
    }
    let mut req: RawPush = match parse(json) {
        Ok(r) => r,
        Err(e) => {
            // Changes of another version may not parse as ours: say which problem it is.
            #[derive(Deserialize)]
            struct Version {
                schema_version: u32,
            }
            return Err(match serde_json::from_slice::<Version>(json) {
                Ok(v) if v.schema_version != SCHEMA_VERSION => wrong_version(v.schema_version),
                _ => e,
            });
        }
    };
    if req.schema_version != SCHEMA_VERSION {
        return Err(wrong_version(req.schema_version));
    }
    let mut bodies = Vec::with_capacity(req.changes.len());
    for change in req.changes.iter_mut() {
        // An older device may still send derived results: they are computed here.
        for f in change.entity.retired() {
            change.fields.remove(f);
        }
        // Field values are raw JSON text: writing the change back is a copy, not a re-encoding.
        bodies.push(serde_json::to_string(&change).map_err(|_| ApiError::internal())?);
    }
    Ok((req, bodies))
}

/// The log's door for a JSON push, from its bytes alone: each change's text as the log
/// would keep it, with the door's verdict on it (`shape::read_change`, the check `ingest`
/// makes). The fuzz target `json_push` drives it: what the door lets in, every reader reads.
pub fn door_json(json: &[u8]) -> Result<Vec<(String, bool)>, String> {
    let (_, bodies) = decode_json(json).map_err(|e| e.to_string())?;
    Ok(bodies
        .into_iter()
        .map(|b| {
            let open = pendamping_core::shape::read_change(&b).is_ok();
            (b, open)
        })
        .collect())
}

fn wrong_version(v: u32) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        ErrorCode::SchemaVersion,
        format!("this server speaks schema version {SCHEMA_VERSION}, the request {v}; update the app"),
    )
}

fn too_many_changes(max: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::TooManyChanges,
        format!("at most {max} changes per push"),
    )
}

impl AppState {
    /// A page's own fields: the cursor, the rules version, this store, and for a caller
    /// that relays (a hub) who made each change.
    fn pull_head(&self, device: &Device, page: &pull::Page) -> PullHead {
        let origins = if device.scope.role.may_relay() {
            let each: Vec<Option<String>> = page.origins.iter().cloned().map(Some).collect();
            pendamping_protocol::origin_runs(&each, "")
        } else {
            Vec::new()
        };
        // A device's NIK digest version rides on its last page (a hub keeps the NIKs).
        let digest = (!page.more && !device.scope.role.may_relay())
            .then(|| self.nik_digest(device).map(|d| d.version))
            .and_then(|d| d.map_err(|e| tracing::warn!(error = %e, "no NIK digest")).ok());
        PullHead {
            next: page.next,
            more: page.more,
            remaining: page.remaining,
            rules: Some(self.rules().rules.version.clone()),
            store: self.0.store_id.clone(),
            origins,
            digest,
        }
    }
}

/// The changes of a pull page read back (an older device's derived results dropped). A row
/// that does not read back is taken out of the page, with its origin (the view sets it
/// aside and lists it): one bad row never stops a device's pull.
fn readable(page: &mut pull::Page) -> Vec<pendamping_core::Change> {
    let mut changes = Vec::with_capacity(page.bodies.len());
    let mut keep = Vec::with_capacity(page.bodies.len());
    for b in &page.bodies {
        match crate::store::logged(b) {
            Ok(mut c) => {
                c.drop_retired();
                changes.push(c);
                keep.push(true);
            }
            Err(e) => {
                tracing::error!(reason = %e, "a change of the log does not read back; left out of the page");
                keep.push(false);
            }
        }
    }
    if keep.contains(&false) {
        let mut k = keep.iter();
        page.bodies.retain(|_| *k.next().unwrap_or(&true));
        let mut k = keep.iter();
        page.origins.retain(|_| *k.next().unwrap_or(&true));
    }
    changes
}

/// A pull page as a packed batch.
fn pack_page(state: &AppState, device: &Device, mut page: pull::Page) -> Vec<u8> {
    let changes = readable(&mut page);
    wire::pack(state.pull_head(device, &page), &changes)
}

fn flatten<T>(r: Result<Result<T, ServerError>, tokio::task::JoinError>) -> Result<T, ApiError> {
    match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "request failed");
            Err(ApiError::internal())
        }
        Err(e) => {
            tracing::error!(error = %e, "request task failed");
            Err(ApiError::internal())
        }
    }
}

/// An error answer: `{code, message}` with its status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    /// Seconds, for a 429.
    retry_after: Option<i64>,
}

impl ApiError {
    fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub(crate) fn rate_limited(secs: i64) -> ApiError {
        ApiError {
            retry_after: Some(secs),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                format!("too many requests from this address; try again in {secs} s"),
            )
        }
    }

    fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "server error; nothing of this request was stored — try again",
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&ErrorBody {
            code: self.code,
            message: self.message,
        })
        .unwrap_or_default();
        let mut resp = (self.status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
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
    pub(crate) fn limit(&self, class: crate::limits::Class, ip: Option<std::net::IpAddr>) -> Result<(), ApiError> {
        let Some(ip) = ip else { return Ok(()) };
        self.0.limits.hit(class, ip, self.now_ms()).map_err(|secs| {
            tracing::warn!(%ip, ?class, "rate limited");
            ApiError::rate_limited(secs)
        })
    }
}

/// A JSON answer, compressed when the client accepts it and it pays.
fn json(headers: &HeaderMap, status: StatusCode, body: Vec<u8>) -> Response {
    respond(headers, status, "application/json", body)
}

/// Does the request take `media_type` in answer?
fn accepts(headers: &HeaderMap, media_type: &str) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.split(';').next().is_some_and(|t| t.trim() == media_type))
        })
}

fn takes_packed(headers: &HeaderMap) -> bool {
    accepts(headers, wire::MEDIA_TYPE)
}

/// The last page ends a sync: note it off the async threads (the write is an fsync'd
/// commit), waiting for the writer if it is busy — skipped when busy, a tablet that had just
/// synced read "belum pernah" on the hub's screen.
fn last_page(state: &AppState, device: &Device) {
    let (writer, id, now) = (state.clone(), device.id.clone(), state.now_ms());
    tokio::task::spawn_blocking(move || {
        let conn = writer.0.writer.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = auth::touch(&conn, &id, now) {
            tracing::warn!(error = %e, "could not record the device's last sync");
        }
    });
}

/// The whole pull in one answer (`wire::PAGES_MEDIA_TYPE`): page after page of `limit`
/// changes, each read in its own snapshot, packed, framed and flushed, until the last. A
/// slow reader holds the next page back (two are queued at most); a reader that goes away
/// stops it.
fn stream_pages(state: AppState, device: Device, headers: &HeaderMap, first: pull::Page, limit: usize) -> Response {
    let accept = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok());
    let mut enc = codec::StreamEncoder::new(Encoding::negotiate(accept));
    let encoding = enc.encoding();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(2);
    tokio::spawn(async move {
        let mut page = first;
        loop {
            let (next, more) = (page.next, page.more);
            state.0.metrics.pulled(page.bodies.len());
            let (st, dev) = (state.clone(), device.clone());
            let packed = match tokio::task::spawn_blocking(move || pack_page(&st, &dev, page)).await {
                Ok(p) => p,
                _ => {
                    let _ = tx.send(Err(std::io::Error::other("a page could not be packed"))).await;
                    return;
                }
            };
            let mut bytes = enc.push(&wire::frame(&packed));
            if !more {
                bytes.extend(enc.finish());
            }
            state.0.metrics.bytes(0, bytes.len());
            if tx.send(Ok(bytes)).await.is_err() {
                return;
            }
            if !more {
                last_page(&state, &device);
                return;
            }
            let dev = device.clone();
            page = match state.read(move |c| pull::page(c, &dev, next, limit)).await {
                Ok(Ok(p)) => p,
                _ => {
                    let _ = tx.send(Err(std::io::Error::other("a page could not be read"))).await;
                    return;
                }
            };
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    let mut resp = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, wire::PAGES_MEDIA_TYPE)],
        Body::from_stream(body),
    )
        .into_response();
    if encoding != Encoding::Identity {
        resp.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding.token()));
    }
    resp
}

/// Is the request's body a packed batch?
fn is_packed(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().starts_with(wire::MEDIA_TYPE))
}

/// An answer compressed as the request accepts.
fn respond(headers: &HeaderMap, status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Response {
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
async fn read_body(headers: &HeaderMap, body: Body, max: usize) -> Result<(Vec<u8>, usize), ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooLarge,
            format!("body over {max} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let enc =
        Encoding::from_header(headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok())).map_err(|e| {
            ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::BadEncoding,
                e.to_string(),
            )
        })?;
    let mut raw = Vec::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            let stalled = std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
                .any(|e| e.is::<crate::connections::BodyStalled>());
            if stalled {
                ApiError::new(StatusCode::REQUEST_TIMEOUT, ErrorCode::RequestTimeout, e.to_string())
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::Malformed, e.to_string())
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
        e => ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadEncoding, e.to_string()),
    })?;
    Ok((plain, wire))
}

fn parse<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::Malformed, e.to_string()))
}

/// The device behind the bearer token.
pub struct Authed(pub Device);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ip = peer(&parts.extensions);
        if let Some(secs) = ip.and_then(|ip| state.0.limits.over(Class::BadToken, ip, state.now_ms())) {
            return Err(ApiError::rate_limited(secs));
        }
        let unauthorized = |code, msg: &str| {
            // A refused token counts against the address; over the limit, this is a 429.
            if let Err(e) = state.limit(Class::BadToken, ip) {
                return e;
            }
            ApiError::new(StatusCode::UNAUTHORIZED, code, msg)
        };
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string())
            .ok_or_else(|| unauthorized(ErrorCode::Unauthorized, "a bearer token is required"))?;
        let now = state.now_ms();
        match state.read(move |c| auth::authenticate(c, &token, now)).await? {
            Ok(device) => Ok(Authed(device)),
            Err(Denied::Unknown) => Err(unauthorized(ErrorCode::Unauthorized, "unknown token")),
            Err(Denied::Revoked) => Err(unauthorized(
                ErrorCode::Revoked,
                "this device was revoked; enrol it again",
            )),
            Err(Denied::Expired) => Err(unauthorized(
                ErrorCode::TokenExpired,
                "this device's token expired; enrol it again",
            )),
        }
    }
}

/// A query string that does not parse is the caller's error: 400 `malformed`, named.
fn query<T>(params: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    params
        .map(|Query(p)| p)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::Malformed, e.body_text()))
}

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

async fn health() -> Response {
    let body = serde_json::to_vec(&Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
    .unwrap_or_default();
    json(&HeaderMap::new(), StatusCode::OK, body)
}

/// A hub's own certificate authority, for a tablet to show its fingerprint before trusting
/// it; public (a certificate is), and 404 at a server whose certificate a public authority
/// signed.
async fn hub_authority(State(state): State<AppState>) -> Result<Response, ApiError> {
    let Some(path) = state.0.config.tls_authority.clone() else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "no authority of its own",
        ));
    };
    // A certificate of a kilobyte: read as it is, no need to leave the async thread.
    let pem = std::fs::read(&path).map_err(|e| {
        tracing::error!(error = %e, "the hub's authority cannot be read");
        ApiError::internal()
    })?;
    Ok(([(header::CONTENT_TYPE, "application/x-pem-file")], pem).into_response())
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
    let token_ok = match (&state.0.metrics_token, bearer) {
        (Some(want), Some(got)) => {
            use sha2::Digest;
            // Compared as digests: the time taken says nothing of how much matched.
            sha2::Sha256::digest(want.as_bytes()) == sha2::Sha256::digest(got.trim().as_bytes())
        }
        _ => false,
    };
    if !local && !token_ok {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "metrics are served to this machine, or with the metrics token",
        ));
    }
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.0.metrics.render(),
    )
        .into_response())
}

/// A small JSON answer (enrolment, recovery), its bytes counted.
fn answer<T: serde::Serialize>(state: &AppState, wire: usize, resp: &T) -> Response {
    let body = serde_json::to_vec(resp).unwrap_or_default();
    state.0.metrics.bytes(wire, body.len());
    json(&HeaderMap::new(), StatusCode::OK, body)
}

/// A small request that invites guessing (no token): counted against the address first,
/// then read (64 KiB at most) and parsed. Returns it and its size on the wire.
async fn guarded<T: serde::de::DeserializeOwned>(
    state: &AppState,
    class: Class,
    extensions: &axum::http::Extensions,
    headers: &HeaderMap,
    body: Body,
) -> Result<(T, usize), ApiError> {
    state.limit(class, peer(extensions))?;
    let (bytes, wire) = read_body(headers, body, 64 << 10).await?;
    Ok((parse(&bytes)?, wire))
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
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Invalid,
            "device_name must be 1 to 80 characters",
        ));
    }
    // A device signs what it pushes; only one enrolled before signing existed (its row has
    // no key) may push unsigned. Refused before the code is looked at: nothing is used up.
    let Some(key) = req.public_key else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Invalid,
            "public_key is required: a device signs what it pushes (update the app)",
        ));
    };
    let (now, ttl) = (state.now_ms(), state.0.config.token_ttl_days as i64 * 86_400_000);
    if req.holds.len() > 10_000
        || req
            .holds
            .iter()
            .any(|v| v.len() != 10 || !v.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Invalid,
            "holds: village codes of 10 digits",
        ));
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
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::BadEnrollmentCode,
                "unknown enrollment code",
            ));
        }
        Err(CodeRefused::Expired) => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::EnrollmentCodeExpired,
                "this enrollment code has expired; ask for a new one",
            ));
        }
        Err(CodeRefused::Used) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                ErrorCode::EnrollmentCodeUsed,
                "this enrollment code was already used",
            ));
        }
        Err(CodeRefused::Uncovered(villages)) => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
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
            StatusCode::FORBIDDEN,
            ErrorCode::RecoveryRefused,
            "recovery refused: ask the admin for a new recovery code for this device",
        ));
    };
    Ok(answer(&state, wire, &resp))
}

async fn push(
    State(state): State<AppState>,
    Authed(device): Authed,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (bytes, wire) = read_body(&headers, body, state.0.config.max_body_bytes).await?;
    let packed = is_packed(&headers);
    let versions = versions_of(&headers);
    let worker = state.clone();
    let out = tokio::task::spawn_blocking(move || {
        if let Some((rules, tables)) = &versions {
            worker.note_versions(&device, rules, tables);
        }
        if packed {
            worker.push_packed(&device, &bytes, wire)
        } else {
            worker.push_json(&device, &bytes)
        }
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "push task failed");
        ApiError::internal()
    })??;
    let rejected: Vec<&str> = out.rejected.iter().map(|r| r.code.as_str()).collect();
    state
        .0
        .metrics
        .pushed(out.accepted, out.duplicates, &rejected, out.conflicts.len());
    if !out.rejected.is_empty() {
        tracing::warn!(rejected = out.rejected.len(), "changes quarantined");
    }
    if out.accepted > out.duplicates {
        state.refresh_view();
    }
    let body = serde_json::to_vec(&out).unwrap_or_default();
    let resp = json(&headers, StatusCode::OK, body);
    state.0.metrics.bytes(wire, body_len(&resp));
    Ok(resp)
}

fn body_len(resp: &Response) -> usize {
    use axum::body::HttpBody;
    resp.body().size_hint().exact().unwrap_or(0) as usize
}

/// A push request, each change's values kept as the JSON text the device sent.
#[derive(Deserialize)]
struct RawPush<'a> {
    schema_version: u32,
    #[serde(default)]
    seen: u64,
    #[serde(borrow)]
    changes: Vec<ingest::Wire<'a>>,
    #[serde(default)]
    origins: Vec<OriginRun>,
    #[serde(default)]
    seals: Vec<pendamping_protocol::seal::Seal>,
}

#[derive(Debug, Deserialize)]
struct PullParams {
    #[serde(default)]
    since: u64,
    limit: Option<usize>,
    /// The store `since` counts in (`PullResponse::store`).
    store: Option<String>,
}

async fn pull(
    State(state): State<AppState>,
    Authed(device): Authed,
    headers: HeaderMap,
    params: Result<Query<PullParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let params = query(params)?;
    let limit = params.limit.unwrap_or(PULL_LIMIT_DEFAULT);
    if limit == 0 || limit > PULL_LIMIT_MAX {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::Malformed,
            format!("limit must be 1 to {PULL_LIMIT_MAX}"),
        ));
    }
    if let Some(other) = params
        .store
        .as_deref()
        .filter(|s| *s != state.0.store_id && params.since > 0)
    {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            ErrorCode::Resnapshot,
            format!(
                "cursor {} counts in store {other}, not this one: pull again from 0",
                params.since
            ),
        ));
    }
    let dev = device.clone();
    let page = state.read(move |c| pull::page(c, &dev, params.since, limit)).await?;
    let page = page.map_err(|ahead| {
        ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            ErrorCode::Resnapshot,
            format!(
                "cursor {} is ahead of this server (latest {}): pull again from 0",
                params.since, ahead.latest
            ),
        )
    })?;
    if accepts(&headers, wire::PAGES_MEDIA_TYPE) {
        return Ok(stream_pages(state, device, &headers, page, limit));
    }
    if !page.more {
        last_page(&state, &device);
    }
    state.0.metrics.pulled(page.bodies.len());
    if takes_packed(&headers) {
        let (st, dev) = (state.clone(), device.clone());
        let body = tokio::task::spawn_blocking(move || pack_page(&st, &dev, page))
            .await
            .map_err(|_| ApiError::internal())?;
        let resp = respond(&headers, StatusCode::OK, wire::MEDIA_TYPE, body);
        state.0.metrics.bytes(0, body_len(&resp));
        return Ok(resp);
    }
    // Served as stored, but only what reads back (`readable` says why).
    let mut page = page;
    readable(&mut page);
    let mut body = Vec::with_capacity(page.bodies.iter().map(|b| b.len() + 1).sum::<usize>() + 64);
    body.extend_from_slice(b"{\"changes\":[");
    for (i, b) in page.bodies.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(b.as_bytes());
    }
    let remaining = page
        .remaining
        .map(|n| format!(",\"remaining\":{n}"))
        .unwrap_or_default();
    // The head reads the view (the NIK digest): off the async threads.
    let (st, dev) = (state.clone(), device.clone());
    let (head, page) = tokio::task::spawn_blocking(move || (st.pull_head(&dev, &page), page))
        .await
        .map_err(|_| ApiError::internal())?;
    let rules = serde_json::to_string(&head.rules).unwrap_or_default();
    let store = serde_json::to_string(&head.store).unwrap_or_default();
    let origins = if head.origins.is_empty() {
        String::new()
    } else {
        format!(
            ",\"origins\":{}",
            serde_json::to_string(&head.origins).unwrap_or_default()
        )
    };
    body.extend_from_slice(
        format!(
            "],\"next\":{},\"more\":{}{remaining},\"rules\":{rules},\"store\":{store}{origins}}}",
            page.next, page.more
        )
        .as_bytes(),
    );
    let resp = json(&headers, StatusCode::OK, body);
    state.0.metrics.bytes(0, body_len(&resp));
    Ok(resp)
}

#[derive(Deserialize)]
struct RecapParams {
    month: String,
    area: String,
}

impl AppState {
    /// The recap of `area` for `month`, from the view brought up to date with the log first.
    /// Blocking.
    pub fn recap(
        &self,
        month: pendamping_core::recap::Month,
        area: &AreaCode,
    ) -> Result<pendamping_core::recap::Recap, ServerError> {
        self.view_current()?;
        self.0.view.recap(month, area, self.today_in(area.as_str()))
    }

    /// A list with names of `area`, from the same view and walk as the recap; overdue
    /// targets as of today in the area's own zone.
    pub fn name_list(
        &self,
        list: pendamping_core::lists::NameList,
        month: pendamping_core::recap::Month,
        area: &AreaCode,
    ) -> Result<Vec<pendamping_store::ListRow>, ServerError> {
        self.view_current()?;
        self.0.view.name_list(list, month, area, self.today_in(area.as_str()))
    }

    /// The first month anything was recorded at this server (`None`: nothing yet).
    pub fn first_month(&self) -> Result<Option<pendamping_core::recap::Month>, ServerError> {
        self.view_current()?;
        self.0.view.first_month()
    }

    /// Today in `area`'s own time zone.
    pub fn today_in(&self, area: &str) -> chrono::NaiveDate {
        let rules = self.rules();
        self.ingest_context(&rules.rules).today_in(area)
    }

    /// The indicators of `area` for `month`, by child area (`key_len` code characters),
    /// from the same view and walk as the recap (blocking).
    pub fn indicators(
        &self,
        month: pendamping_core::recap::Month,
        area: &AreaCode,
        key_len: usize,
    ) -> Result<Arc<std::collections::BTreeMap<String, pendamping_core::indicators::Indicators>>, ServerError> {
        self.view_current()?;
        self.0
            .view
            .indicators(month, area, key_len, self.today_in(area.as_str()))
    }

    /// Brings the view up to date with the log, under the server's rules now (blocking).
    pub(crate) fn view_current(&self) -> Result<u64, ServerError> {
        let rules = self.rules();
        let done = self.0.readers.with(|log| self.0.view.catch_up(log, &rules))?;
        if !done.set_aside.is_empty() {
            // Listed for the engineer (`pendamping server quarantine`) and counted; the
            // view's cursor has passed them, so each is found once per view.
            let conn = self.0.writer.lock().unwrap_or_else(|p| p.into_inner());
            let total = crate::store::set_aside(&conn, &done.set_aside, self.now_ms())?;
            self.0.metrics.set_aside(total);
        }
        Ok(done.applied)
    }

    /// The NIK digest for `device` (blocking). The view catches up first: a NIK registered
    /// a moment ago counts.
    pub fn nik_digest(&self, device: &Device) -> Result<pendamping_protocol::NikDigest, ServerError> {
        self.view_current()?;
        self.0.view.nik_digest(&self.0.nik_salt, &device.scope)
    }

    /// Brings the view up to date off the request path, `view_follow_secs` after a push
    /// stored something: one catch-up for a whole burst of pushes, so pushes never wait on
    /// it nor share the machine with it while they come in. A recap catches up the rest
    /// itself, so it is never stale.
    pub(crate) fn refresh_view(&self) {
        use std::sync::atomic::Ordering;
        if self.0.view_busy.swap(true, Ordering::AcqRel) {
            return;
        }
        let state = self.clone();
        let wait = std::time::Duration::from_secs(self.0.config.view_follow_secs);
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            // Pushes arriving from here on schedule the next catch-up.
            state.0.view_busy.store(false, Ordering::Release);
            let worker = state.clone();
            let done = tokio::task::spawn_blocking(move || worker.view_current()).await;
            if let Ok(Err(e)) = done {
                tracing::warn!(error = %e, "the view could not catch up; the next recap tries again");
            }
        });
    }
}

/// The monthly recap of an area the caller may see (DOMAIN.md §3.2): the device's own
/// recap function over this server's replica, so the numbers match wherever computed.
async fn recap(
    State(state): State<AppState>,
    Authed(device): Authed,
    headers: HeaderMap,
    params: Result<Query<RecapParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let params = query(params)?;
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::Malformed, m);
    let month = pendamping_core::recap::Month::parse(&params.month)
        .ok_or_else(|| bad(format!("month {:?} must be YYYY-MM", params.month)))?;
    let area = pendamping_core::area::lookup(&params.area)
        .ok_or_else(|| bad(format!("area {:?} is not in the Kemendagri list", params.area)))?
        .area_code();
    if !device.scope.includes(area.as_str()) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::ForbiddenArea,
            format!("wilayah {area} di luar wilayah perangkat ini"),
        ));
    }
    let worker = state.clone();
    let code = area.clone();
    let recap = tokio::task::spawn_blocking(move || worker.recap(month, &code)).await;
    let recap = flatten(recap)?;
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
    let digest = flatten(tokio::task::spawn_blocking(move || worker.nik_digest(&device)).await)?;
    let answer = pendamping_protocol::NikDigestResponse {
        version: digest.version.clone(),
        digest: (params.have.as_deref() != Some(digest.version.as_str())).then_some(digest),
    };
    let body = serde_json::to_vec(&answer).map_err(|_| ApiError::internal())?;
    Ok(json(&headers, StatusCode::OK, body))
}

/// Which of the caller's changes held by a hub the centre has (SYNC.md, end to end).
async fn confirm(
    State(state): State<AppState>,
    Authed(device): Authed,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (bytes, wire) = read_body(&headers, body, 1 << 20).await?;
    let req: ConfirmRequest = parse(&bytes)?;
    if req.change_ids.len() > CONFIRM_MAX {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooManyChanges,
            format!("at most {CONFIRM_MAX} change ids per confirm"),
        ));
    }
    let hub = state.is_hub();
    let out = state
        .read(move |c| relay::confirm(c, &device, &req.change_ids, hub))
        .await?;
    let resp = json(&headers, StatusCode::OK, serde_json::to_vec(&out).unwrap_or_default());
    state.0.metrics.bytes(wire, body_len(&resp));
    Ok(resp)
}

/// Only a hub's enrolment (PLKB or admin) may use the registry routes.
fn relaying(device: &Device) -> Result<(), ApiError> {
    if device.scope.role.may_relay() {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
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
        .write(move |c| relay::take(c, &device.id, &device.scope, &req.devices, relay::Known::Keep, now))
        .await?;
    if !refused.is_empty() {
        tracing::warn!(refused = refused.len(), "a hub handed up devices outside its scope");
    }
    let body = serde_json::to_vec(&pendamping_protocol::Refused { refused }).map_err(|_| ApiError::internal())?;
    Ok(json(&headers, StatusCode::OK, body))
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such endpoint")
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
    state.0.metrics.request(&route, status, took);
    tracing::info!(%method, route, status, ms = took.as_secs_f64() * 1000.0, "request");
    resp
}

/// Every route: the router is built from this table, and the OpenAPI test checks it.
fn table() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/health", get(health)),
        (Method::GET, "/metrics", get(metrics)),
        (Method::POST, "/v1/devices/enroll", post(enroll)),
        (Method::POST, "/v1/devices/recover", post(recover)),
        (Method::POST, "/v1/sync/push", post(push)),
        (Method::GET, "/v1/sync/pull", get(pull)),
        (Method::POST, "/v1/sync/confirm", post(confirm)),
        (Method::GET, "/v1/hub/devices", get(hub_devices)),
        (Method::GET, pendamping_protocol::authority::PATH, get(hub_authority)),
        (Method::POST, "/v1/hub/devices", post(hub_enrolled)),
        (Method::GET, "/v1/rules", get(rules)),
        (Method::GET, "/v1/recap", get(recap)),
        (Method::GET, "/v1/nik-digest", get(nik_digest)),
    ]
}

/// (method, path) of every route.
pub fn routes() -> Vec<(Method, &'static str)> {
    table().into_iter().map(|(m, p, _)| (m, p)).collect()
}

/// What every answer says to a browser: no script, style or image from anywhere but
/// here, no framing, no sniffing; and under TLS (the server's own, or a proxy's that says
/// so) every cookie is `Secure`.
async fn protect(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let tls = state.0.config.tls_cert.is_some()
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
