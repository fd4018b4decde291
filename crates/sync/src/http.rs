//! One HTTP exchange with retries: exponential backoff with jitter on network errors
//! and 5xx, never on 4xx. Bodies are compressed both ways and counted as sent.

use std::time::Duration;

use pendamping_protocol::ErrorBody;
use pendamping_protocol::codec::{self, Encoding};
use rand::Rng;
use reqwest::{Method, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Result, SyncError};

#[derive(Debug, Clone)]
pub struct Retry {
    pub attempts: u32,
    pub base: Duration,
    pub max: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 6,
            base: Duration::from_millis(500),
            max: Duration::from_secs(30),
        }
    }
}

impl Retry {
    /// The pause before attempt `n` (1-based): base·2ⁿ⁻¹, capped, times a random 50–100 %
    /// so that devices coming back online together do not retry in step.
    pub fn delay(&self, n: u32) -> Duration {
        let full = self.base.saturating_mul(1 << n.saturating_sub(1).min(16)).min(self.max);
        full.mul_f64(rand::rng().random_range(0.5..=1.0))
    }
}

/// Largest answer accepted (decompressed).
const MAX_ANSWER: usize = 64 << 20;

#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    base: String,
    token: Option<String>,
    pub retry: Retry,
    pub encoding: Encoding,
    /// Headers every request carries (the versions a push states).
    pub headers: Vec<(&'static str, String)>,
}

/// Bytes on the wire (bodies) of one exchange, retries included.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Bytes {
    pub sent: u64,
    pub received: u64,
    /// Requests tried, each a round trip at least.
    pub requests: u64,
}

impl Bytes {
    pub fn add(&mut self, other: Bytes) {
        self.sent += other.sent;
        self.received += other.received;
        self.requests += other.requests;
    }
}

/// The variable naming a PEM file of extra certificate authorities to trust.
pub const CA_FILE: &str = "PENDAMPING_CA_FILE";

/// Authorities trusted by this process for every server besides the public ones:
/// [`CA_FILE`]'s (an operator's choice for the machine).
static TRUSTED: std::sync::Mutex<Option<Vec<reqwest::Certificate>>> = std::sync::Mutex::new(None);

/// A hub's authority is trusted for that hub only (its origin, `host:port`), the one whose
/// fingerprint a person compared ([`trust`]): whoever copied a hub's authority key can
/// then vouch for no other server to this device, the centre least of all.
static HUBS: std::sync::Mutex<Vec<(String, Vec<reqwest::Certificate>)>> = std::sync::Mutex::new(Vec::new());

fn pem_certs(pem: &[u8], from: &str) -> Result<Vec<reqwest::Certificate>> {
    reqwest::Certificate::from_pem_bundle(pem).map_err(|e| SyncError::Local(format!("{from}: {e}")))
}

/// `host:port` of a server's address, as a hub's trust is kept (`None`: not an address).
fn origin(base: &str) -> Option<String> {
    let url = reqwest::Url::parse(base.trim()).ok()?;
    Some(format!("{}:{}", url.host_str()?, url.port_or_known_default()?))
}

/// The machine-wide authorities, [`CA_FILE`]'s read at the first use.
fn machine_wide() -> Result<Vec<reqwest::Certificate>> {
    let mut held = TRUSTED.lock().unwrap_or_else(|p| p.into_inner());
    if held.is_none() {
        let mut certs = Vec::new();
        if let Some(path) = std::env::var_os(CA_FILE) {
            let from = format!("{CA_FILE} {}", path.to_string_lossy());
            let pem = std::fs::read(&path).map_err(|e| SyncError::Local(format!("{from}: {e}")))?;
            certs = pem_certs(&pem, &from)?;
        }
        *held = Some(certs);
    }
    Ok(held.clone().unwrap_or_default())
}

/// The authorities trusted for `base`: the machine's, and a hub's compared for it.
fn trusted(base: &str) -> Result<Vec<reqwest::Certificate>> {
    let mut certs = machine_wide()?;
    if let Some(origin) = origin(base) {
        let hubs = HUBS.lock().unwrap_or_else(|p| p.into_inner());
        certs.extend(
            hubs.iter()
                .filter(|(o, _)| *o == origin)
                .flat_map(|(_, c)| c.iter().cloned()),
        );
    }
    Ok(certs)
}

/// A client for `base` that trusts the public authorities and [`trusted`]'s for it,
/// refusing any other certificate.
fn client(base: &str, timeout: Duration) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(15).min(timeout))
        .timeout(timeout);
    for cert in trusted(base)? {
        builder = builder.add_root_certificate(cert);
    }
    builder.build().map_err(|e| SyncError::BadAnswer(e.to_string()))
}

/// Trusts the certificate authorities of `pem` (a bundle) from now on, in this process, for
/// the server at `server` only (its host and port).
pub fn trust(server: &str, pem: &[u8]) -> Result<()> {
    let origin = origin(server).ok_or_else(|| SyncError::Local(format!("{server:?} is not a server's address")))?;
    let more = pem_certs(pem, "certificate")?;
    let mut hubs = HUBS.lock().unwrap_or_else(|p| p.into_inner());
    match hubs.iter_mut().find(|(o, _)| *o == origin) {
        Some((_, certs)) => *certs = more,
        None => hubs.push((origin, more)),
    }
    Ok(())
}

/// A hub's own certificate authority (PEM), fetched from `base` without checking its
/// certificate: the one request that may, since it carries nothing and brings back only
/// what a person then compares with the hub's screen (`authority::fingerprint`) before
/// [`trust`] is called.
pub async fn authority(base: &str) -> Result<Vec<u8>> {
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(30))
        .danger_accept_invalid_certs(true)
        .build()
        .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
    let url = format!(
        "{}{}",
        base.trim().trim_end_matches('/'),
        pendamping_protocol::authority::PATH
    );
    let resp = client.get(&url).send().await.map_err(|e| SyncError::Unreachable {
        attempts: 1,
        last: e.to_string(),
    })?;
    if !resp.status().is_success() {
        return Err(SyncError::BadAnswer(format!("{url}: {}", resp.status())));
    }
    let pem = resp.bytes().await.map_err(|e| SyncError::BadAnswer(e.to_string()))?;
    if pem.len() > 64 << 10 || pendamping_protocol::authority::fingerprint(&pem).is_none() {
        return Err(SyncError::BadAnswer(format!("{url}: not a certificate")));
    }
    pem_certs(&pem, "the hub's authority")?;
    Ok(pem.to_vec())
}

impl Http {
    pub fn new(base: &str, token: Option<String>) -> Result<Http> {
        let client = client(base, Duration::from_secs(120))?;
        Ok(Http {
            client,
            base: base.trim_end_matches('/').to_string(),
            token,
            retry: Retry::default(),
            encoding: Encoding::Zstd,
            headers: Vec::new(),
        })
    }

    /// Sends `body` (if any) and decodes the JSON answer, retrying what may succeed later.
    pub async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        bytes: &mut Bytes,
    ) -> Result<T> {
        let payload = match body {
            Some(b) => {
                let plain = serde_json::to_vec(b).map_err(|e| SyncError::BadAnswer(e.to_string()))?;
                Some(codec::encode(self.encoding, &plain))
            }
            None => None,
        };
        self.call_encoded(method, path, payload, bytes).await
    }

    /// Like `call`, with a body already encoded in `self.encoding`.
    pub async fn call_encoded<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        payload: Option<Vec<u8>>,
        bytes: &mut Bytes,
    ) -> Result<T> {
        let mut failures = Failures::default();
        for attempt in 1..=self.retry.attempts {
            if attempt > 1 {
                tokio::time::sleep(self.retry.delay(attempt - 1)).await;
            }
            match self.attempt(&method, path, payload.as_deref(), bytes).await {
                Ok(Ok(v)) => return Ok(v),
                Ok(Err(refused)) => return Err(refused),
                Err(Failure::Untrusted(why)) => return Err(SyncError::Untrusted(why)),
                Err(transient) => {
                    tracing::debug!(attempt, path, error = %transient, "sync request failed; will retry");
                    failures.note(transient);
                }
            }
        }
        Err(failures.into_error(0, None))
    }

    /// One try, with a JSON body (if any) and a JSON answer. `Err` is transient (try
    /// again); `Ok(Err)` is final.
    pub async fn attempt<T: DeserializeOwned>(
        &self,
        method: &Method,
        path: &str,
        payload: Option<&[u8]>,
        bytes: &mut Bytes,
    ) -> std::result::Result<Result<T>, Failure> {
        let answer = match self
            .exchange(method, path, payload.map(|p| (p, JSON)), JSON, bytes)
            .await?
        {
            Ok(a) => a,
            Err(refused) => return Ok(Err(refused)),
        };
        // A body that does not parse after an OK status was most likely cut short.
        serde_json::from_slice(&answer.body)
            .map(Ok)
            .map_err(|e| Failure::Dropped(format!("answer: {e}")))
    }

    /// One try: sends `payload` (bytes and their media type, encoded in `self.encoding`)
    /// and returns the answer's media type and decompressed body.
    pub async fn exchange(
        &self,
        method: &Method,
        path: &str,
        payload: Option<(&[u8], &str)>,
        accept: &str,
        bytes: &mut Bytes,
    ) -> std::result::Result<Result<Answer>, Failure> {
        let resp = match self.open(method, path, payload, accept, bytes).await? {
            Ok(r) => r,
            Err(refused) => return Ok(Err(refused)),
        };
        let media_type = header_text(&resp, header::CONTENT_TYPE);
        let plain = body_of(resp, bytes).await?;
        Ok(Ok(Answer {
            media_type,
            body: plain,
        }))
    }

    /// One try, up to the answer's status: an OK answer whose body is still to be read
    /// (as it arrives, for a streamed pull), or the server's refusal.
    pub async fn open(
        &self,
        method: &Method,
        path: &str,
        payload: Option<(&[u8], &str)>,
        accept: &str,
        bytes: &mut Bytes,
    ) -> std::result::Result<Result<reqwest::Response>, Failure> {
        let mut req = self
            .client
            .request(method.clone(), format!("{}{path}", self.base))
            .header(header::ACCEPT, accept)
            .header(header::ACCEPT_ENCODING, "zstd, gzip");
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        for (name, value) in &self.headers {
            req = req.header(*name, value);
        }
        if let Some((p, media_type)) = payload {
            req = req
                .header(header::CONTENT_TYPE, media_type)
                .header(header::CONTENT_ENCODING, self.encoding.token())
                .body(p.to_vec());
            bytes.sent += p.len() as u64;
        }
        bytes.requests += 1;
        let resp = req.send().await.map_err(Failure::from_send)?;
        let status = resp.status();
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::REQUEST_TIMEOUT
        {
            let _ = body_of(resp, bytes).await;
            return Err(Failure::Server(format!("server answered {status}")));
        }
        if status.is_success() {
            return Ok(Ok(resp));
        }
        let plain = body_of(resp, bytes).await?;
        let err: ErrorBody = serde_json::from_slice(&plain).unwrap_or(ErrorBody {
            // Not our JSON (a proxy's page): the status and the text say what happened.
            code: pendamping_protocol::ErrorCode::Other,
            message: String::from_utf8_lossy(&plain).into_owned(),
        });
        Ok(Err(SyncError::Refused {
            status: status.as_u16(),
            code: err.code,
            message: err.message,
        }))
    }
}

fn header_text(resp: &reqwest::Response, name: header::HeaderName) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The whole body, counted as it came over the wire, decompressed. A body cut short, even
/// after an OK status, is the link failing, not the server's will.
async fn body_of(resp: reqwest::Response, bytes: &mut Bytes) -> std::result::Result<Vec<u8>, Failure> {
    let enc = header_text(&resp, header::CONTENT_ENCODING);
    let raw = resp.bytes().await.map_err(|e| Failure::Dropped(e.to_string()))?;
    bytes.received += raw.len() as u64;
    Encoding::from_header(enc.as_deref())
        .and_then(|e| codec::decode(e, &raw, MAX_ANSWER))
        .map_err(|e| Failure::Dropped(format!("answer body: {e}")))
}

const JSON: &str = "application/json";

/// An answer's media type and its decompressed body.
pub struct Answer {
    pub media_type: Option<String>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn is(&self, media_type: &str) -> bool {
        self.media_type.as_deref().is_some_and(|t| t.starts_with(media_type))
    }
}

/// Why one try failed, when another may succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No connection could be made: the server is down or there is no link.
    Connect(String),
    /// A connection was made and then broke (or timed out) mid-exchange.
    Dropped(String),
    /// The server answered 5xx, 408 or 429.
    Server(String),
    /// The server's certificate is not one this device trusts: final, never retried.
    Untrusted(String),
}

impl Failure {
    fn from_send(e: reqwest::Error) -> Failure {
        // reqwest's own message is "error sending request"; the cause is further down.
        let mut why = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            why = format!("{why}: {s}");
            source = s.source();
        }
        if why.contains("invalid peer certificate") {
            Failure::Untrusted(why)
        } else if e.is_connect() {
            Failure::Connect(why)
        } else {
            Failure::Dropped(why)
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Connect(s) | Failure::Dropped(s) | Failure::Server(s) | Failure::Untrusted(s) => f.write_str(s),
        }
    }
}

/// The failed tries of one step, to say honestly what went wrong when giving up.
#[derive(Debug, Default)]
pub struct Failures {
    pub tries: u32,
    /// Tries whose connection was made and then broke: the link, not the server.
    pub dropped: u32,
    pub last: Option<Failure>,
}

impl Failures {
    pub fn note(&mut self, f: Failure) {
        self.tries += 1;
        self.dropped += matches!(f, Failure::Dropped(_)) as u32;
        self.last = Some(f);
    }

    /// The error for giving up after these tries, with what got through before.
    pub fn into_error(self, done: u64, total: Option<u64>) -> SyncError {
        let last = self.last.map(|f| f.to_string()).unwrap_or_default();
        if self.dropped > 0 {
            SyncError::LinkDropping {
                attempts: self.tries,
                done,
                total,
                last,
            }
        } else {
            SyncError::Unreachable {
                attempts: self.tries,
                last,
            }
        }
    }
}

/// Does the server answer `/health` within `timeout`? One quick try, no retries.
pub async fn reachable(base: &str, timeout: Duration) -> bool {
    let Ok(client) = client(base, timeout) else {
        return false;
    };
    let url = format!("{}/health", base.trim_end_matches('/'));
    match client.get(url).send().await {
        Ok(r) => r.status().is_success(),
        // A certificate this device does not trust: the sync says so (a hub renewed, an
        // interceptor), rather than "no connection" and a retry for ever.
        Err(e) => matches!(Failure::from_send(e), Failure::Untrusted(_)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hubs_trust_is_kept_for_its_host_and_port_only() {
        assert_eq!(
            origin("https://192.168.1.10:8787/").as_deref(),
            Some("192.168.1.10:8787")
        );
        assert_eq!(origin(" https://Hub.local ").as_deref(), Some("hub.local:443"));
        assert_eq!(origin("http://[fd00::2]:80").as_deref(), Some("[fd00::2]:80"));
        assert_eq!(origin("not an address"), None);
        assert!(trust("no address", b"").is_err());
    }

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        let r = Retry {
            attempts: 5,
            base: Duration::from_millis(100),
            max: Duration::from_millis(1000),
        };
        for _ in 0..50 {
            let d1 = r.delay(1);
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100));
            let d3 = r.delay(3);
            assert!(d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400));
            assert!(r.delay(30) <= Duration::from_millis(1000));
        }
        let spread: std::collections::BTreeSet<_> = (0..20).map(|_| r.delay(4)).collect();
        assert!(spread.len() > 1, "jitter varies the delay");
    }
}
