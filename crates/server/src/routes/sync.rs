//! The sync routes: push, pull (a page, or every page in one streamed answer) and
//! confirm (which of a device's changes held by a hub the centre has).

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pendamping_protocol::codec::{self, Encoding};
use pendamping_protocol::{CONFIRM_MAX, ConfirmRequest, ErrorCode, PULL_LIMIT_DEFAULT, PULL_LIMIT_MAX, PullHead, wire};
use serde::Deserialize;

use crate::auth::Device;
use crate::http::{
    ApiError, Authed, accepts, body_len, is_packed, json, parse, query, read_body, respond, takes_packed,
};
use crate::push::versions_of;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use crate::state::AppState;
use crate::storage::Page;
use crate::{pull, relay};

impl AppState {
    /// A page's own fields: the cursor, the rules version, this store, and for a caller
    /// that relays (a hub) who made each change.
    fn pull_head(&self, device: &Device, page: &Page) -> PullHead {
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
            store: self.store_id().to_string(),
            origins,
            digest,
        }
    }
}

/// The changes of a pull page read back (an older device's derived results dropped). A row
/// that does not read back is taken out of the page, with its origin (the view sets it
/// aside and lists it): one bad row never stops a device's pull.
fn readable(page: &mut Page) -> Vec<pendamping_core::Change> {
    let mut changes = Vec::with_capacity(page.bodies.len());
    let mut keep = Vec::with_capacity(page.bodies.len());
    for b in &page.bodies {
        match pendamping_core::shape::read_change(b) {
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
fn pack_page(state: &AppState, device: &Device, mut page: Page) -> Vec<u8> {
    let changes = readable(&mut page);
    wire::pack(state.pull_head(device, &page), &changes)
}

/// The last page ends a sync: note it off the async threads (the write is an fsync'd
/// commit), waiting for the writer if it is busy — skipped when busy, a tablet that had just
/// synced read "belum pernah" on the hub's screen.
fn last_page(state: &AppState, device: &Device) {
    let (writer, id, now) = (state.clone(), device.id.clone(), state.now_ms());
    tokio::task::spawn_blocking(move || {
        if let Err(e) = writer.storage().writing(|tx| tx.touch(&id, now)) {
            tracing::warn!(error = %e, "could not record the device's last sync");
        }
    });
}

/// The whole pull in one answer (`wire::PAGES_MEDIA_TYPE`): page after page of `limit`
/// changes, each read in its own snapshot, packed, framed and flushed, until the last. A
/// slow reader holds the next page back (two are queued at most); a reader that goes away
/// stops it.
fn stream_pages(state: AppState, device: Device, headers: &HeaderMap, first: Page, limit: usize) -> Response {
    let accept = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok());
    let mut enc = codec::StreamEncoder::new(Encoding::negotiate(accept));
    let encoding = enc.encoding();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(2);
    tokio::spawn(async move {
        let mut page = first;
        // Counted on the first page; each later page's is what is left of it.
        let mut remaining = page.remaining;
        loop {
            if page.remaining.is_none() {
                page.remaining = remaining.map(|r| r.saturating_sub(page.bodies.len() as u64));
            }
            remaining = page.remaining;
            let (next, more) = (page.next, page.more);
            state.metrics().pulled(page.bodies.len());
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
            state.metrics().bytes(0, bytes.len());
            if tx.send(Ok(bytes)).await.is_err() {
                return;
            }
            if !more {
                last_page(&state, &device);
                return;
            }
            let dev = device.clone();
            page = match state.read(move |c| pull::page(c, &dev, next, limit, false)).await {
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

async fn push(
    State(state): State<AppState>,
    Authed(device): Authed,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (bytes, wire) = read_body(&headers, body, state.config().max_body_bytes).await?;
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
        .metrics()
        .pushed(out.accepted, out.duplicates, &rejected, out.conflicts.len());
    if !out.rejected.is_empty() {
        tracing::warn!(rejected = out.rejected.len(), "changes quarantined");
    }
    if out.accepted > out.duplicates {
        state.refresh_view();
    }
    let body = serde_json::to_vec(&out).unwrap_or_default();
    let resp = json(&headers, StatusCode::OK, body);
    state.metrics().bytes(wire, body_len(&resp));
    Ok(resp)
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
            ErrorCode::Malformed,
            format!("limit must be 1 to {PULL_LIMIT_MAX}"),
        ));
    }
    if let Some(other) = params
        .store
        .as_deref()
        .filter(|s| *s != state.store_id() && params.since > 0)
    {
        return Err(ApiError::new(
            ErrorCode::Resnapshot,
            format!(
                "cursor {} counts in store {other}, not this one: pull again from 0",
                params.since
            ),
        ));
    }
    let dev = device.clone();
    let page = state
        .read(move |c| pull::page(c, &dev, params.since, limit, true))
        .await?;
    let page = page.map_err(|ahead| {
        ApiError::new(
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
    state.metrics().pulled(page.bodies.len());
    if takes_packed(&headers) {
        let (st, dev) = (state.clone(), device.clone());
        let body = tokio::task::spawn_blocking(move || pack_page(&st, &dev, page))
            .await
            .map_err(|_| ApiError::internal())?;
        let resp = respond(&headers, StatusCode::OK, wire::MEDIA_TYPE, body);
        state.metrics().bytes(0, body_len(&resp));
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
    state.metrics().bytes(0, body_len(&resp));
    Ok(resp)
}

/// Which of the caller's changes held by a hub the centre has (docs/src/design/sync.md, end to end).
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
            ErrorCode::TooManyChanges,
            format!("at most {CONFIRM_MAX} change ids per confirm"),
        ));
    }
    let hub = state.is_hub();
    let out = state
        .read(move |c| relay::confirm(c, &device, &req.change_ids, hub))
        .await?;
    let resp = json(&headers, StatusCode::OK, serde_json::to_vec(&out).unwrap_or_default());
    state.metrics().bytes(wire, body_len(&resp));
    Ok(resp)
}

/// This resource's routes.
pub(super) fn table() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::POST, "/v1/sync/push", post(push)),
        (Method::GET, "/v1/sync/pull", get(pull)),
        (Method::POST, "/v1/sync/confirm", post(confirm)),
    ]
}
