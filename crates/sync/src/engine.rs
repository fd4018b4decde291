//! A sync: push the outbox in batches, then pull pages until the server has no more.
//! The outbox and the pull cursor are the only state, both transactional in the store,
//! so a sync cut at any point resumes by simply running again.

use std::sync::atomic::Ordering;

use pendamping_core::Change;
use pendamping_protocol::{
    CONFIRM_MAX, ConfirmRequest, ConfirmResponse, EnrollRequest, EnrollResponse, ErrorCode, NikDigestResponse,
    PullHead, PullResponse, PushHead, PushResponse, RecoverRequest, RecoverResponse, RulesResponse, SCHEMA_VERSION,
    Scope,
};
use pendamping_protocol::{codec, wire};
use pendamping_store::Store;
use reqwest::Method;
use serde::Serialize;

use crate::access::{Access, Outgoing, Replica, Signer};
use crate::error::{Result, SyncError};
use crate::http::{Answer, Bytes, Failure, Failures, Http, Retry};
use crate::window::Window;
use pendamping_vault::DeviceKey;

/// Where a sync is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Push,
    Pull,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Progress {
    pub phase: Phase,
    pub done: u64,
    /// Known for a push from the start; for a pull once the server has counted.
    pub total: Option<u64>,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// Seconds left of this phase at the pace so far, once there is a pace to go by.
    pub eta_secs: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Summary {
    /// Changes of this device the server now holds (new or already known).
    pub pushed: u64,
    /// Incoming changes applied here.
    pub pulled: u64,
    pub rejected: u64,
    pub conflicts: u64,
    /// Of `pushed`, those a hub holds: kept here until the centre confirms them.
    pub held: u64,
    /// Changes held by a hub earlier that the centre now has: they left the outbox.
    pub confirmed: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub requests: u64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "dikirim {} (ditahan hub {}) · dikonfirmasi pusat {} · diterima {} · ditolak {} · konflik {} · byte keluar {} · byte masuk {} · permintaan {}",
            self.pushed,
            self.held,
            self.confirmed,
            self.pulled,
            self.rejected,
            self.conflicts,
            self.bytes_sent,
            self.bytes_received,
            self.requests
        )
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    /// Most changes in one push.
    pub batch_changes: usize,
    /// Most bytes of one push or pull page on the wire (compressed). Requests start at
    /// `first_bytes` and adapt to the link (`Window`): a cut halves them, down to
    /// `min_bytes`, so a dropped connection costs only what was on the wire.
    pub batch_bytes: usize,
    pub first_bytes: usize,
    pub min_bytes: usize,
    /// Most changes per pull page (the server allows up to `PULL_LIMIT_MAX`).
    pub pull_limit: usize,
    /// `retry.attempts` is how many failures in a row that a smaller request cannot
    /// answer (no connection, server errors, cuts at the smallest size) end the sync.
    pub retry: Retry,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            batch_changes: 5000,
            batch_bytes: 256 << 10,
            first_bytes: 32 << 10,
            min_bytes: 1 << 10,
            pull_limit: pendamping_protocol::PULL_LIMIT_MAX,
            retry: Retry::default(),
        }
    }
}

impl Options {
    fn window(&self) -> Window {
        Window::new(self.first_bytes, self.min_bytes, self.batch_bytes)
    }
}

/// Consecutive failed tries of a sync, and whether to go on after one.
#[derive(Default)]
struct Tries {
    failures: Failures,
    /// Failures a smaller request could not have avoided.
    stuck: u32,
}

impl Tries {
    /// Notes a failed try of `used` bytes: a cut shrinks the window. Waits before the next
    /// try, or gives up with an error that says what happened and what got through.
    async fn failed(
        &mut self,
        f: Failure,
        win: &mut Window,
        used: usize,
        retry: &Retry,
        (done, total): (u64, Option<u64>),
    ) -> Result<()> {
        if let Failure::Untrusted(why) = f {
            return Err(SyncError::Untrusted(why));
        }
        let cut = matches!(f, Failure::Dropped(_));
        if !cut || win.at_min() {
            self.stuck += 1;
        }
        if cut {
            win.shrink(used);
        }
        tracing::debug!(error = %f, window = win.bytes(), "sync request failed; will retry");
        self.failures.note(f);
        if self.stuck >= retry.attempts {
            return Err(std::mem::take(&mut self.failures).into_error(done, total));
        }
        tokio::time::sleep(retry.delay(self.failures.tries)).await;
        Ok(())
    }
}

/// The settings a replica keeps for the sync (a hub's under `upstream.`).
pub mod keys {
    pub const SERVER: &str = "server";
    pub const DEVICE_ID: &str = "device_id";
    pub const TOKEN: &str = "token";
    pub const SCOPE: &str = "scope";
    pub const LAST_SUCCESS: &str = "last_success";
    /// The device's signing key (`pendamping_vault::DeviceKey`, hex), made at enrolment.
    pub const SIGNING_KEY: &str = "signing_key";
    /// The store (`PullResponse::store`) the pull cursor counts in.
    pub const CURSOR_STORE: &str = "cursor_store";
}

/// The setting the enrolment's scope is kept under (JSON).
pub const SCOPE_KEY: &str = keys::SCOPE;

/// The server and token the replica was enrolled with.
pub(crate) fn credentials(r: &impl Replica) -> Result<(String, String)> {
    match (r.setting(keys::SERVER)?, r.setting(keys::TOKEN)?) {
        (Some(server), Some(token)) => Ok((server, token)),
        _ => Err(SyncError::NotEnrolled),
    }
}

/// The key this replica signs its own changes with, and the id it signs as (`None`:
/// enrolled by a version that made no key).
fn signer(r: &impl Replica) -> Result<Option<Signer>> {
    let (Some(key), Some(device_id)) = (r.setting(keys::SIGNING_KEY)?, r.setting(keys::DEVICE_ID)?) else {
        return Ok(None);
    };
    let key = DeviceKey::from_hex(&key).ok_or_else(|| SyncError::Local("the stored signing key is damaged".into()))?;
    Ok(Some(Signer { key, device_id }))
}

/// Forgets the pull cursor and the store it counted in: the next pull starts from 0.
fn forget_cursor(r: &mut impl Replica) -> Result<()> {
    r.reset_pull_cursor()?;
    r.set_setting(keys::CURSOR_STORE, "")
}

/// Enrols this device with a code from the server's admin and keeps the credentials.
pub async fn enroll<A: Access>(mut store: A, server: &str, code: &str, device_name: &str) -> Result<EnrollResponse> {
    let http = Http::new(server, None)?;
    // What this device pushes is signed with this key; the server registers its public half.
    let key = DeviceKey::generate().map_err(|e| SyncError::Local(e.to_string()))?;
    // The same nonce on every retry of this call: a retry after a lost answer gets the
    // enrolment it made, not "code already used".
    let req = EnrollRequest {
        enrollment_code: code.trim().to_string(),
        device_name: device_name.to_string(),
        nonce: Some(uuid::Uuid::new_v4().simple().to_string()),
        public_key: Some(key.public()),
        // What it recorded before (offline): a code for another area is refused unused.
        holds: store.with(|s| s.villages_held())?,
    };
    let resp: EnrollResponse = http
        .call(Method::POST, "/v1/devices/enroll", Some(&req), &mut Bytes::default())
        .await?;
    store.with(|store| {
        store.set_setting(keys::SERVER, server.trim_end_matches('/'))?;
        store.set_setting(keys::DEVICE_ID, &resp.device_id.to_string())?;
        store.set_setting(keys::TOKEN, &resp.token)?;
        store.set_setting(keys::SIGNING_KEY, &key.to_hex())?;
        store.set_setting(keys::SCOPE, &serde_json::to_string(&resp.scope).unwrap_or_default())?;
        // A new server: start its log from the beginning.
        forget_cursor(store)
    })?;
    Ok(resp)
}

/// A forgotten PIN: asks the server to open the device's recovery wrap (no token: the
/// store that holds it is locked). Retried like any call; the server answers a retry of
/// the same request again.
pub async fn recover(server: &str, req: &RecoverRequest) -> Result<RecoverResponse> {
    Http::new(server, None)?
        .call(Method::POST, "/v1/devices/recover", Some(req), &mut Bytes::default())
        .await
}

/// What the device knows of its enrolment, for a status screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Status {
    pub server: Option<String>,
    pub device_id: Option<String>,
    pub scope: Option<Scope>,
    pub pending: u64,
    /// Sent to a hub, waiting for the centre to confirm them (still kept here).
    pub held: u64,
    pub last_success: Option<String>,
}

pub fn status(store: &Store) -> Result<Status> {
    Ok(Status {
        server: store.setting(keys::SERVER)?,
        device_id: store.setting(keys::DEVICE_ID)?,
        scope: store.setting(keys::SCOPE)?.and_then(|s| serde_json::from_str(&s).ok()),
        pending: store.pending_count()?,
        held: store.held_count()?,
        last_success: store.setting(keys::LAST_SUCCESS)?,
    })
}

/// Runs one whole sync. `progress` is called after every batch and page.
pub async fn sync<A: Access>(
    mut store: A,
    opts: &Options,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Summary> {
    let (server, token) = store.with(|s| credentials(s))?;
    let mut http = Http::new(&server, Some(token))?;
    http.retry = opts.retry.clone();
    let rules = store.with(|s| s.rules_version());
    http.headers = vec![
        (pendamping_protocol::RULES_VERSION_HEADER, rules),
        (
            pendamping_protocol::TABLES_VERSION_HEADER,
            pendamping_core::growth::TABLES_VERSION.to_string(),
        ),
    ];
    let mut run = Run {
        http,
        opts,
        sum: Summary::default(),
        bytes: Bytes::default(),
        progress,
        started: Default::default(),
        base: Default::default(),
        server_rules: None,
        cursor_store: None,
        server_digest: None,
    };
    run.confirm_held(&mut store).await?;
    run.push_all(&mut store).await?;
    run.pull_all(&mut store).await?;
    // The last page named the server's rules: fetched only when they differ from ours.
    let have = store.with(|s| s.rules_version());
    if run.server_rules.as_ref() != Some(&have) {
        run.rules(&mut store).await?;
    }
    let held = store.with(|s| s.nik_digest_version())?.unwrap_or_default();
    if run.server_digest.as_ref().is_some_and(|v| *v != held) {
        run.nik_digest(&mut store, &held).await?;
    }
    let mut sum = run.sum;
    sum.bytes_sent = run.bytes.sent;
    sum.bytes_received = run.bytes.received;
    sum.requests = run.bytes.requests;
    store.with(|s| {
        let now = s.now_rfc3339();
        s.set_setting(keys::LAST_SUCCESS, &now)
    })?;
    tracing::info!(%sum, "sync finished");
    Ok(sum)
}

/// The first `n` of `pending` whose packed push body fits `budget` bytes once encoded (at
/// least one change), and that body.
fn fit(
    pending: &Outgoing,
    signer: Option<&Signer>,
    seen: u64,
    budget: usize,
    enc: codec::Encoding,
) -> (usize, Vec<u8>) {
    let mut n = pending.changes.len();
    loop {
        let head = PushHead {
            schema_version: SCHEMA_VERSION,
            seen,
            origins: pendamping_protocol::origin_runs(&pending.origins[..n], ""),
            seals: pending.seals(n, signer),
        };
        let encoded = codec::encode(enc, &wire::pack(head, &pending.changes[..n]));
        if encoded.len() <= budget || n == 1 {
            return (n, encoded);
        }
        // Aim at the budget from the measured size, a little under so the next try fits.
        n = (n * budget / encoded.len() * 9 / 10).clamp(1, n - 1);
    }
}

/// `path?have=version`: the server leaves the file out when the caller holds that version.
fn having(path: &str, version: &str) -> String {
    let v: String = url::form_urlencoded::byte_serialize(version.as_bytes()).collect();
    format!("{path}?have={v}")
}

/// How far a pull has come.
#[derive(Default)]
struct Pulling {
    done: u64,
    total: Option<u64>,
}

/// Why an answer's pages stopped before the last.
enum Cut {
    /// The link: try again from the cursor of the last page applied.
    Link(Failure),
    Fatal(SyncError),
}

/// Largest page accepted (decompressed).
const MAX_PAGE: usize = 64 << 20;

/// Most changes in one page of a streamed pull (~10 KB on the wire).
const STREAM_PAGE: usize = 500;

/// Most changes merged under one hold of the store (a streamed page: one transaction
/// while nobody waits for the store).
const APPLY_SLICE: usize = STREAM_PAGE;

/// How long one hold merges changes at most, even with nobody waiting; a screen that asks
/// for the store is let in after the change being merged (and the commit). A slice of 100
/// took 30 ms as a rule but over 100 ms now and then on this project's 2-core machine
/// (`cargo bench -p pendamping-tests --bench sync -- stall`).
const APPLY_MOST: std::time::Duration = std::time::Duration::from_millis(120);

/// Between two slices of a page: long enough for a waiting command to take the store.
const SLICE_PAUSE: std::time::Duration = std::time::Duration::from_millis(1);

/// Push batches in flight at once.
const IN_FLIGHT: usize = 2;

/// Pull pages packed, or as JSON from a server that does not pack.
const ACCEPT_PAGES: &str =
    "application/vnd.pendamping.pages, application/vnd.pendamping.batch;q=0.8, application/json;q=0.5";

/// A push answer. It was sent after the server committed; if it does not parse it was cut,
/// and the batch goes again (acknowledged then as duplicates).
fn json_answer<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| SyncError::BadAnswer(e.to_string()))
}

/// A packed page as the page it is.
fn page_from(head: PullHead, changes: Vec<Change>) -> PullResponse {
    PullResponse {
        changes,
        next: head.next,
        more: head.more,
        remaining: head.remaining,
        rules: head.rules,
        store: head.store,
        origins: head.origins,
        digest: head.digest,
    }
}

/// A pull page, packed or JSON. A page that does not read after an OK status was cut.
fn page_of(a: &Answer) -> std::result::Result<PullResponse, Failure> {
    if a.is(wire::MEDIA_TYPE) {
        let (head, changes): (PullHead, _) =
            wire::unpack(&a.body).map_err(|e| Failure::Dropped(format!("page: {e}")))?;
        return Ok(page_from(head, changes));
    }
    serde_json::from_slice(&a.body).map_err(|e| Failure::Dropped(format!("page: {e}")))
}

/// The server's sequence this device has pulled up to.
fn cursor<A: Access>(store: &mut A) -> Result<u64> {
    Ok(store
        .with(|s| s.pull_cursor())?
        .and_then(|c| c.parse().ok())
        .unwrap_or(0))
}

/// One sync in progress: the link, the settings and the tallies so far.
struct Run<'a> {
    http: Http,
    opts: &'a Options,
    sum: Summary,
    bytes: Bytes,
    progress: &'a mut (dyn FnMut(Progress) + Send),
    started: std::collections::HashMap<Phase, std::time::Instant>,
    base: std::collections::HashMap<Phase, u64>,
    /// The rules version the server named in its last pull page.
    server_rules: Option<String>,
    /// The store the pull cursor counts in, once read.
    cursor_store: Option<String>,
    /// The NIK digest version the last page named.
    server_digest: Option<String>,
}

impl Run<'_> {
    fn report(&mut self, phase: Phase, done: u64, total: Option<u64>) {
        let started = *self.started.entry(phase).or_insert_with(std::time::Instant::now);
        let (elapsed, base) = (
            started.elapsed().as_secs_f64(),
            self.base.get(&phase).copied().unwrap_or(0),
        );
        let eta_secs = total.filter(|_| done > base && elapsed > 0.0).map(|t| {
            let pace = (done - base) as f64 / elapsed;
            (t.saturating_sub(done) as f64 / pace).ceil() as u64
        });
        (self.progress)(Progress {
            phase,
            done,
            total,
            bytes_sent: self.bytes.sent,
            bytes_received: self.bytes.received,
            eta_secs,
        });
    }

    /// Marks the start of a phase, with `done` so far, for the pace of `eta_secs`.
    fn begin(&mut self, phase: Phase, done: u64, total: Option<u64>) {
        self.started.insert(phase, std::time::Instant::now());
        self.base.insert(phase, done);
        self.report(phase, done, total);
    }

    /// Asks which changes held by a hub the centre now has: those leave the outbox, those
    /// the server does not know (a rebuilt hub, or another server) are sent again below,
    /// those the centre refused are quarantined as any refusal.
    async fn confirm_held(&mut self, store: &mut impl Access) -> Result<()> {
        let mut after = 0i64;
        loop {
            let batch = store.with(|s| s.held(after, CONFIRM_MAX))?;
            let Some((last, _)) = batch.last() else {
                return Ok(());
            };
            after = *last;
            let req = ConfirmRequest {
                change_ids: batch.iter().map(|(_, id)| *id).collect(),
            };
            let resp: ConfirmResponse = self
                .http
                .call(Method::POST, "/v1/sync/confirm", Some(&req), &mut self.bytes)
                .await?;
            store.with(|s| {
                s.quarantine(&resp.rejected)?;
                s.set_held(&resp.unknown, false)?;
                s.acknowledge(&resp.confirmed)
            })?;
            self.sum.confirmed += resp.confirmed.len() as u64;
            self.sum.rejected += resp.rejected.len() as u64;
            if !resp.unknown.is_empty() {
                tracing::info!(
                    n = resp.unknown.len(),
                    "the server does not hold changes a hub held; sending them again"
                );
            }
        }
    }

    async fn push_all(&mut self, store: &mut impl Access) -> Result<()> {
        let (http, opts) = (self.http.clone(), self.opts);
        let total = store.with(|s| s.pending_count())?;
        if total > 0 {
            self.begin(Phase::Push, 0, Some(total));
        }
        let mut done = 0u64;
        let mut win = opts.window();
        let mut tries = Tries::default();
        // The server's own limits may be tighter than ours: a batch it refuses as too many
        // changes or too large is halved and sent again, down to a single change.
        let mut most = opts.batch_changes.max(1);
        let signer = store.with(|s| signer(s))?;
        loop {
            let mut pending = store.with(|s| s.outbox(most.saturating_mul(4)))?;
            if pending.changes.is_empty() {
                return Ok(());
            }
            // A change queued by an older version may still carry derived results.
            pending.changes.iter_mut().for_each(Change::drop_retired);
            let pending = std::sync::Arc::new(pending);
            let seen = cursor(store)?;
            // Up to `IN_FLIGHT` batches at once: the next is on the wire while the answer
            // to the one before is on its way back (3G: 300 ms a round trip).
            let mut flying = tokio::task::JoinSet::new();
            let (mut at, mut stop, mut failure) = (0, false, None);
            loop {
                while !stop && flying.len() < IN_FLIGHT && at < pending.changes.len() {
                    let upto = (at + most).min(pending.changes.len());
                    let part = pending.slice(at..upto);
                    let (n, body) = fit(&part, signer.as_ref(), seen, win.bytes(), http.encoding);
                    let (http, range) = (http.clone(), at..at + n);
                    flying.spawn(async move {
                        let mut bytes = Bytes::default();
                        let answer = http
                            .exchange(
                                &Method::POST,
                                "/v1/sync/push",
                                Some((&body, wire::MEDIA_TYPE)),
                                "application/json",
                                &mut bytes,
                            )
                            .await
                            .map(|answer| answer.and_then(|a| json_answer::<PushResponse>(&a.body)));
                        (range, body.len(), answer, bytes)
                    });
                    at += n;
                }
                let Some(landed) = flying.join_next().await else {
                    break;
                };
                let (range, used, answer, bytes) = landed.map_err(|e| SyncError::BadAnswer(e.to_string()))?;
                self.bytes.add(bytes);
                let n = range.len();
                let resp = match answer {
                    Err(f) => {
                        // Send nothing new; let what is in flight land, then go on from the
                        // outbox as it then stands.
                        stop = true;
                        failure.get_or_insert((f, used));
                        continue;
                    }
                    Ok(Err(e))
                        if n > 1 && matches!(e.code(), Some(ErrorCode::TooManyChanges | ErrorCode::TooLarge)) =>
                    {
                        tracing::info!(n, code = ?e.code(), "the server refused the batch's size; halving it");
                        most = most.min(n.div_ceil(2));
                        stop = true;
                        continue;
                    }
                    Ok(answer) => answer?,
                };
                win.grow(used);
                tries = Tries::default();
                let ids: Vec<uuid::Uuid> = pending.changes[range].iter().map(|c| c.change_id).collect();
                self.settle(store, &ids, resp)?;
                done += n as u64;
                self.report(Phase::Push, done, Some(total.max(done)));
            }
            if let Some((f, used)) = failure {
                tries
                    .failed(f, &mut win, used, &opts.retry, (self.sum.pushed, Some(total)))
                    .await?;
            }
        }
    }

    /// Takes the server's answer to a batch: conflicts, refusals, then the acknowledgement.
    fn settle(&mut self, store: &mut impl Access, ids: &[uuid::Uuid], resp: PushResponse) -> Result<()> {
        let n = ids.len();
        if resp.accepted + resp.rejected.len() != n {
            return Err(SyncError::BadAnswer(format!(
                "{n} changes sent, {} accounted for",
                resp.accepted + resp.rejected.len()
            )));
        }
        // Conflicts first, the acknowledgement last: a crash in between re-sends the batch,
        // which the server then acknowledges as duplicates.
        store.with(|s| s.record_conflicts(&resp.conflicts))?;
        store.with(|s| s.quarantine(&resp.rejected))?;
        let refused_ids: std::collections::HashSet<uuid::Uuid> = resp.rejected.iter().map(|r| r.change_id).collect();
        let acked: Vec<uuid::Uuid> = ids.iter().copied().filter(|id| !refused_ids.contains(id)).collect();
        // A hub holds them: they stay until the centre has them (docs/src/design/sync.md, end to end).
        if resp.held {
            store.with(|s| s.set_held(&acked, true))?;
            self.sum.held += acked.len() as u64;
        } else {
            store.with(|s| s.acknowledge(&acked))?;
        }
        self.sum.pushed += acked.len() as u64;
        self.sum.rejected += resp.rejected.len() as u64;
        self.sum.conflicts += resp.conflicts.len() as u64;
        Ok(())
    }

    /// The kecamatan's NIK digest, when the server's differs from the one `held`.
    async fn nik_digest(&mut self, store: &mut impl Access, held: &str) -> Result<()> {
        let answer: NikDigestResponse = self
            .http
            .call::<(), _>(Method::GET, &having("/v1/nik-digest", held), None, &mut self.bytes)
            .await?;
        if let Some(d) = answer.digest.filter(|d| d.version != held) {
            store.with(|s| s.adopt_nik_digest(&d))?;
        }
        Ok(())
    }

    /// The district's rules: fetched only when the server holds another version.
    async fn rules(&mut self, store: &mut impl Access) -> Result<()> {
        let have = store.with(|s| s.rules_version());
        let answer: RulesResponse = self
            .http
            .call::<(), _>(Method::GET, &having("/v1/rules", &have), None, &mut self.bytes)
            .await?;
        if let Some(toml) = answer.toml.filter(|_| answer.version != have) {
            // A file this device refuses (out of range, older) leaves its rules as they were;
            // the data it synced stays synced.
            match store.with(|s| s.adopt_rules(&toml)) {
                Err(SyncError::BadAnswer(why) | SyncError::Store(pendamping_store::StoreError::Rules(why))) => {
                    tracing::warn!(version = %answer.version, why, "the server's rules refused; keeping ours");
                }
                other => other?,
            }
        }
        Ok(())
    }

    async fn pull_all(&mut self, store: &mut impl Access) -> Result<()> {
        let (http, opts) = (self.http.clone(), self.opts);
        let mut pulling = Pulling::default();
        let mut restarted = false;
        let mut win = opts.window();
        let mut tries = Tries::default();
        // Bytes per change on the wire, as last measured: turns the window into a page size.
        let mut per_change = 25usize;
        self.begin(Phase::Pull, 0, None);
        loop {
            let since = cursor(store)?;
            // Pages of a streamed pull cost no round trip each: small ones show progress soon
            // on a slow link and lose little to a cut.
            let limit = (win.bytes() / per_change).clamp(1, opts.pull_limit.clamp(1, STREAM_PAGE));
            if self.cursor_store.is_none() {
                self.cursor_store = Some(store.with(|s| s.setting(keys::CURSOR_STORE))?.unwrap_or_default());
            }
            let of = match self.cursor_store.as_deref() {
                Some(id) if since > 0 && !id.is_empty() => format!("&store={id}"),
                _ => String::new(),
            };
            let path = format!("/v1/sync/pull?since={since}&limit={limit}{of}");
            let (before, had) = (self.bytes.received, pulling.done);
            let outcome = match http
                .open(&Method::GET, &path, None, ACCEPT_PAGES, &mut self.bytes)
                .await
            {
                Err(f) => Err(Cut::Link(f)),
                Ok(Err(e)) if e.code() == Some(ErrorCode::Resnapshot) && !restarted => {
                    // The server does not know our cursor (restored or replaced): start over.
                    // Merge is idempotent, so what we already hold is skipped, not doubled.
                    tracing::warn!(since, "server asked for a re-snapshot");
                    store.with(forget_cursor)?;
                    self.cursor_store = Some(String::new());
                    restarted = true;
                    continue;
                }
                Ok(Err(e)) => Err(Cut::Fatal(e)),
                Ok(Ok(resp)) => self.read_pages(store, resp, &mut pulling).await,
            };
            let (used, got) = ((self.bytes.received - before) as usize, pulling.done - had);
            if got > 0 {
                per_change = (used / got as usize).max(8);
                win.grow(used.min(limit * per_change));
                // What got through before a cut is progress: a cut now is no dead end.
                tries = Tries::default();
            }
            match outcome {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                Err(Cut::Link(f)) => {
                    tries
                        .failed(
                            f,
                            &mut win,
                            limit * per_change,
                            &opts.retry,
                            (pulling.done, pulling.total),
                        )
                        .await?
                }
                Err(Cut::Fatal(e)) => return Err(e),
            }
        }
    }

    /// Applies the pages of one answer as they arrive, each with its cursor in one
    /// transaction. True when the last page of the pull was applied.
    async fn read_pages(
        &mut self,
        store: &mut impl Access,
        mut resp: reqwest::Response,
        pulling: &mut Pulling,
    ) -> std::result::Result<bool, Cut> {
        let media = resp.headers().get(reqwest::header::CONTENT_TYPE).cloned();
        let enc = resp.headers().get(reqwest::header::CONTENT_ENCODING).cloned();
        let enc = codec::Encoding::from_header(enc.as_ref().and_then(|v| v.to_str().ok()))
            .map_err(|e| Cut::Link(Failure::Dropped(e.to_string())))?;
        let media = media
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        if !media.starts_with(wire::PAGES_MEDIA_TYPE) {
            // One page, packed or JSON, from a server that does not stream.
            let raw = resp
                .bytes()
                .await
                .map_err(|e| Cut::Link(Failure::Dropped(e.to_string())))?;
            self.bytes.received += raw.len() as u64;
            let body = codec::decode(enc, &raw, MAX_PAGE).map_err(|e| Cut::Link(Failure::Dropped(e.to_string())))?;
            let page = page_of(&Answer {
                media_type: Some(media),
                body,
            })
            .map_err(Cut::Link)?;
            return self.take_page(store, page, pulling).await.map_err(Cut::Fatal);
        }
        let mut decoder =
            codec::StreamDecoder::new(enc, MAX_PAGE).map_err(|e| Cut::Link(Failure::Dropped(e.to_string())))?;
        let mut buf = Vec::new();
        let mut last_report = std::time::Instant::now();
        loop {
            let chunk = match resp.chunk().await {
                Ok(Some(c)) => c,
                Ok(None) => {
                    return Err(Cut::Link(Failure::Dropped(
                        "the answer ended before its last page".into(),
                    )));
                }
                Err(e) => return Err(Cut::Link(Failure::Dropped(e.to_string()))),
            };
            self.bytes.received += chunk.len() as u64;
            // Bytes arriving before a page is whole show on a slow link that it moves.
            if last_report.elapsed() > std::time::Duration::from_millis(250) {
                self.report(Phase::Pull, pulling.done, pulling.total);
                last_report = std::time::Instant::now();
            }
            decoder
                .feed(&chunk, &mut buf)
                .map_err(|e| Cut::Link(Failure::Dropped(e.to_string())))?;
            while let Some(frame) =
                wire::next_frame(&mut buf, MAX_PAGE).map_err(|e| Cut::Link(Failure::Dropped(e.to_string())))?
            {
                let (head, changes): (PullHead, _) =
                    wire::unpack(&frame).map_err(|e| Cut::Link(Failure::Dropped(format!("page: {e}"))))?;
                let page = page_from(head, changes);
                if self.take_page(store, page, pulling).await.map_err(Cut::Fatal)? {
                    return Ok(true);
                }
            }
        }
    }

    /// Merges one page and saves its cursor (one transaction). True if it was the last.
    async fn take_page(&mut self, store: &mut impl Access, page: PullResponse, pulling: &mut Pulling) -> Result<bool> {
        // A page is checked whole before anything of it touches the store: what a server or
        // hub hands over is data from another machine, checked as the log's door checks it.
        if let Some((c, e)) = page
            .changes
            .iter()
            .find_map(|c| pendamping_core::shape::check_change(c).err().map(|e| (c, e)))
        {
            return Err(SyncError::BadAnswer(format!("a page's change {}: {e}", c.change_id)));
        }
        let origins = pendamping_protocol::expand_origins(&page.origins, page.changes.len())
            .ok_or_else(|| SyncError::BadAnswer("a page's origins do not match its changes".into()))?;
        self.server_rules = page.rules.clone();
        if page.digest.is_some() {
            self.server_digest = page.digest.clone();
        }
        // The cursor now counts in this store (saved before the page: a cursor of 0 is
        // valid in any store, and a store's first page starts from 0).
        if !page.store.is_empty() && self.cursor_store.as_deref() != Some(page.store.as_str()) {
            store.with(|s| s.set_setting(keys::CURSOR_STORE, &page.store))?;
            self.cursor_store = Some(page.store.clone());
        }
        // A slice at a time, each under the store's lock for a moment, so the app's screens
        // answer while a first sync of a kecamatan is applied; the cursor goes with the last.
        let cursor = page.next.to_string();
        let n = page.changes.len();
        let waiting = store.waiting();
        let let_go = |held: std::time::Duration| {
            held >= APPLY_MOST || waiting.as_ref().is_some_and(|w| w.load(Ordering::SeqCst) > 0)
        };
        let mut at = 0;
        loop {
            let upto = (at + APPLY_SLICE).min(n);
            let last = (upto == n).then_some(cursor.as_str());
            let report =
                store.with(|s| s.apply_remote(&page.changes[at..upto], &origins[at..upto], last, Some(&let_go)))?;
            self.sum.pulled += report.applied;
            self.sum.conflicts += report.conflicts;
            at += report.consumed.max(1);
            if at >= n {
                break;
            }
            // A mutex is not fair: without a pause the next slice takes the store again
            // before a waiting screen's command wakes.
            tokio::time::sleep(SLICE_PAUSE).await;
        }
        pulling.done += page.changes.len() as u64;
        // The total never counts down: only a change that arrived meanwhile can raise it.
        pulling.total = page
            .remaining
            .map(|r| (r + pulling.done).max(pulling.total.unwrap_or(0)));
        self.report(Phase::Pull, pulling.done, pulling.total);
        Ok(!page.more)
    }
}
