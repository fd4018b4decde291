//! Network test kit: the real server in-process on 127.0.0.1:0, enrolled devices, and a
//! fault-injecting TCP proxy (no netem on these machines).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pendamping_core::hlc::{ManualTime, TimeSource};
use pendamping_protocol::{Role, Scope};
use pendamping_server::{AppState, Config};
use pendamping_store::Store;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestServer {
    pub addr: SocketAddr,
    pub state: AppState,
    pub db: PathBuf,
    pub clock: Arc<ManualTime>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestServer {
    pub async fn start(dir: &Path, clock: Arc<ManualTime>, tune: impl FnOnce(&mut Config)) -> TestServer {
        let db = dir.join("central.db");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut config = Config {
            db: db.clone(),
            listen: addr,
            ..Config::default()
        };
        tune(&mut config);
        let db = config.db.clone();
        // Opening is blocking work (the PostgreSQL client refuses to run on async threads).
        let opening = clock.clone();
        let state = tokio::task::spawn_blocking(move || pendamping_server::open(config, opening))
            .await
            .expect("opened")
            .expect("server state");
        let (tx, rx) = oneshot::channel::<()>();
        let serving = state.clone();
        let task = tokio::spawn(async move {
            pendamping_server::serve(listener, serving, async {
                let _ = rx.await;
            })
            .await
            .expect("serve");
        });
        TestServer {
            addr,
            state,
            db,
            clock,
            stop: Some(tx),
            task: Some(task),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A PLKB hub for `kecamatan` on its own store (`name` in `dir`), enrolled with the
    /// centre at `upstream` (which must be reachable for that, once).
    pub async fn start_hub(dir: &Path, name: &str, clock: Arc<ManualTime>, upstream: &str, code: &str) -> TestServer {
        let hub = TestServer::start(dir, clock, |c| {
            c.db = dir.join(name);
            c.upstream = Some(upstream.to_string());
        })
        .await;
        pendamping_server::hub::enroll(&hub.state, upstream, code, "hub kecamatan")
            .await
            .expect("hub enrolled upstream");
        hub
    }

    /// A centre and a hub for the test kecamatan enrolled with it, on the same day's clocks.
    pub async fn centre_and_hub(dir: &Path, day: chrono::NaiveDate) -> (TestServer, TestServer) {
        let centre = TestServer::start(dir, crate::clock_at(day), |_| {}).await;
        let code = centre.code(Role::Plkb, &[crate::KECAMATAN]);
        let hub = TestServer::start_hub(dir, "hub.db", crate::clock_at(day), &centre.url(), &code).await;
        (centre, hub)
    }

    /// One upstream sync of a hub.
    pub async fn relay(&self) -> Result<pendamping_server::hub::Relayed, pendamping_sync::SyncError> {
        pendamping_server::hub::sync_once(&self.state, &fast_options()).await
    }

    /// A fresh enrollment code, made as `pendamping server enroll` makes it.
    pub fn code(&self, role: Role, areas: &[&str]) -> String {
        enrollment_code(&self.db, role, areas, self.clock.now_millis())
    }

    /// A read connection on the server's database, for checking what it holds.
    /// A push sent as JSON by hand (what a hostile or an older client might send).
    pub async fn push(&self, token: &str, req: &pendamping_protocol::PushRequest) -> pendamping_protocol::PushResponse {
        reqwest::Client::new()
            .post(format!("{}/v1/sync/push", self.url()))
            .bearer_auth(token)
            .json(req)
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("a push answer")
    }

    /// An enrolment made by hand (as a tool would, with a signing key of its own that it
    /// then forgets): the server's answer, with the token.
    pub async fn enrol_by_hand(&self, role: Role, areas: &[&str], name: &str) -> pendamping_protocol::EnrollResponse {
        reqwest::Client::new()
            .post(format!("{}/v1/devices/enroll", self.url()))
            .json(&serde_json::json!({
                "enrollment_code": self.code(role, areas),
                "device_name": name,
                "public_key": public_key_hex(),
            }))
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("an enrolment")
    }

    /// Makes `device` one enrolled before signing existed (its row has no key), which
    /// still pushes unsigned: what tests of other refusals push as, since a new enrolment
    /// must bring a key.
    pub fn forget_signing_key(&self, device: &str) {
        let n = self
            .db()
            .execute("UPDATE devices SET public_key = NULL WHERE id = ?1", [device])
            .expect("the device's row");
        assert_eq!(n, 1, "device {device}");
    }

    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).expect("server db")
    }

    /// The server's store as an engineer's command opens it (codes, revocations, accounts).
    pub fn admin(&self) -> pendamping_server::Admin {
        pendamping_server::Admin::at(&self.db, None).expect("server db")
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

/// A server in `dir` (its store `db`) speaking TLS under a hub's own authority
/// (`hub_tls`, made in `dir` the first time), on `listen`.
pub async fn hub_tls_server(
    dir: &Path,
    db: &str,
    listen: SocketAddr,
    clock: Arc<ManualTime>,
) -> (pendamping_server::service::Running, pendamping_server::hub_tls::HubTls) {
    let tls = pendamping_server::hub_tls::ensure(dir, &[]).expect("the hub's certificates");
    let config = Config {
        db: dir.join(db),
        listen,
        tls_cert: Some(tls.cert.clone()),
        tls_key: Some(tls.key.clone()),
        tls_authority: Some(tls.authority.clone()),
        ..Config::default()
    };
    let running = pendamping_server::service::start(config, clock, None)
        .await
        .expect("the hub serves");
    (running, tls)
}

pub fn enrollment_code(db: &Path, role: Role, areas: &[&str], now_ms: u64) -> String {
    let scope = Scope::new(role, areas).expect("scope");
    // On a thread of its own: an engineer's command is blocking work, and a test may be
    // asking from an async one.
    std::thread::scope(|t| {
        t.spawn(|| {
            pendamping_server::Admin::at(db, None)
                .expect("server db")
                .enrollment_code("tester", &scope, now_ms as i64, 3_600_000)
                .expect("code")
        })
        .join()
        .expect("an enrolment code")
    })
}

/// Every change id a server's store holds (a file or a PostgreSQL database), and how many
/// rows of the log hold them, read through its storage.
pub fn logged_change_ids(db: &Path) -> (std::collections::BTreeSet<uuid::Uuid>, usize) {
    std::thread::scope(|t| {
        t.spawn(|| {
            let config = Config {
                db: db.to_path_buf(),
                ..Config::default()
            };
            let storage = pendamping_server::open_storage(&config, None, true).expect("the server's store");
            let rows = storage.reading(|tx| tx.after(0, usize::MAX >> 2)).expect("the log");
            let ids: Vec<uuid::Uuid> = rows
                .iter()
                .map(|(_, body)| {
                    serde_json::from_str::<pendamping_core::Change>(body)
                        .expect("a change")
                        .change_id
                })
                .collect();
            let n = ids.len();
            (ids.into_iter().collect(), n)
        })
        .join()
        .expect("the log read")
    })
}

/// Every change id the server holds, and how many rows hold them.
pub fn server_change_ids(conn: &rusqlite::Connection) -> (std::collections::BTreeSet<uuid::Uuid>, usize) {
    let mut stmt = conn.prepare("SELECT change_id FROM changes").expect("query");
    let ids: Vec<uuid::Uuid> = stmt
        .query_map([], |r| r.get::<_, Vec<u8>>(0))
        .expect("rows")
        .map(|b| uuid::Uuid::from_slice(&b.expect("row")).expect("uuid"))
        .collect();
    let n = ids.len();
    (ids.into_iter().collect(), n)
}

/// Enrols an in-memory device store.
pub async fn enrolled_device(server: &TestServer, clock: Arc<ManualTime>, role: Role, areas: &[&str]) -> Store {
    let mut store = Store::open_in_memory(crate::options(clock)).expect("store");
    let code = server.code(role, areas);
    pendamping_sync::enroll(&mut store, &server.url(), &code, "test device")
        .await
        .expect("enroll");
    store
}

/// The seal an enrolled device puts on `changes` it pushes itself, made with the key its
/// enrolment kept (for tests that push by hand what the sync engine would).
pub fn sealed_by(store: &Store, changes: &[pendamping_core::Change]) -> Vec<pendamping_protocol::seal::Seal> {
    let setting = |k: &str| store.setting(k).expect("setting").expect(k);
    let key = pendamping_vault::DeviceKey::from_hex(&setting(pendamping_sync::keys::SIGNING_KEY)).expect("key");
    vec![pendamping_protocol::seal::sign(
        &key,
        &setting(pendamping_sync::keys::DEVICE_ID),
        changes,
    )]
}

/// One sync with quick retries; panics on failure.
pub async fn sync(store: &mut Store) -> pendamping_sync::Summary {
    pendamping_sync::sync(store, &fast_options(), &mut |_| {})
        .await
        .expect("sync")
}

/// Quick retries for tests: the link faults are ours, no need to wait out real backoff.
pub fn fast_options() -> pendamping_sync::Options {
    pendamping_sync::Options {
        retry: pendamping_sync::Retry {
            attempts: 3,
            base: Duration::from_millis(5),
            max: Duration::from_millis(40),
        },
        ..pendamping_sync::Options::default()
    }
}

/// What the proxy does to connections.
#[derive(Debug, Clone)]
pub struct Faults {
    /// Chance that a connection is cut, at a random byte of a random direction.
    pub cut: f64,
    /// Cuts fall within the first this-many bytes of the direction.
    pub cut_within: u64,
    /// Each chunk forwarded waits up to this long (jitter, on top of the link's delay).
    pub max_delay: Duration,
    /// Every connection is cut once this many bytes (both directions together) went
    /// through it: a 2G link that drops every few KB.
    pub cut_every: Option<u64>,
    /// Every connection's answers (server to client) are cut after this many bytes.
    pub cut_down_at: Option<u64>,
    /// The link's delay and rate; `None` is loopback speed.
    pub link: Option<Link>,
}

/// A link as a userspace emulator sees it (no netem in this kernel): a fixed one-way
/// delay, and a rate per direction shared by every connection, as one radio is.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    pub rtt: Duration,
    /// Bits per second, each way.
    pub rate_bps: u64,
}

impl Link {
    pub const G3: Link = Link {
        rtt: Duration::from_millis(300),
        rate_bps: 1_000_000,
    };
    pub const G2: Link = Link {
        rtt: Duration::from_millis(600),
        rate_bps: 256_000,
    };

    /// The least a transfer can take: its bytes at the link's rate plus one round trip
    /// per request it needs.
    pub fn floor(&self, bytes: u64, round_trips: u32) -> Duration {
        Duration::from_secs_f64(bytes as f64 * 8.0 / self.rate_bps as f64) + self.rtt * round_trips
    }
}

impl Faults {
    pub fn none() -> Faults {
        Faults {
            cut: 0.0,
            cut_within: 1,
            max_delay: Duration::ZERO,
            cut_every: None,
            cut_down_at: None,
            link: None,
        }
    }

    /// Every connection dropped after `bytes`.
    pub fn drop_every(bytes: u64) -> Faults {
        Faults {
            cut_every: Some(bytes),
            ..Faults::none()
        }
    }

    pub fn link(link: Link) -> Faults {
        Faults {
            link: Some(link),
            ..Faults::none()
        }
    }
}

/// Bytes that went through the proxy, per direction, over every connection.
#[derive(Debug, Default)]
pub struct Traffic {
    pub up: AtomicU64,
    pub down: AtomicU64,
    pub connections: AtomicU64,
}

impl Traffic {
    pub fn total(&self) -> (u64, u64, u64) {
        (
            self.up.load(Ordering::Relaxed),
            self.down.load(Ordering::Relaxed),
            self.connections.load(Ordering::Relaxed),
        )
    }
}

/// A TCP proxy that cuts connections at random or fixed byte offsets, in both
/// directions, and delays and paces what it forwards.
pub struct FaultProxy {
    pub addr: SocketAddr,
    faults: Arc<Mutex<(Faults, StdRng)>>,
    pub cuts: Arc<AtomicU64>,
    pub traffic: Arc<Traffic>,
    stop: Arc<AtomicBool>,
    task: JoinHandle<()>,
}

/// One direction of the emulated link: when it is next free to start sending.
type Pace = Arc<Mutex<tokio::time::Instant>>;

impl FaultProxy {
    pub async fn start(upstream: SocketAddr, faults: Faults, seed: u64) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("addr");
        let shared = Arc::new(Mutex::new((faults, StdRng::seed_from_u64(seed))));
        let cuts = Arc::new(AtomicU64::new(0));
        let traffic = Arc::new(Traffic::default());
        let stop = Arc::new(AtomicBool::new(false));
        let paces: [Pace; 2] = std::array::from_fn(|_| Arc::new(Mutex::new(tokio::time::Instant::now())));
        let (s, c, t, st) = (shared.clone(), cuts.clone(), traffic.clone(), stop.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if st.load(Ordering::Relaxed) {
                    break;
                }
                let (s, c, t, p) = (s.clone(), c.clone(), t.clone(), paces.clone());
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(upstream).await {
                        t.connections.fetch_add(1, Ordering::Relaxed);
                        relay(client, server, s, c, t, p).await;
                    }
                });
            }
        });
        FaultProxy {
            addr,
            faults: shared,
            cuts,
            traffic,
            stop,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set(&self, faults: Faults) {
        self.faults.lock().expect("faults").0 = faults;
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.task.abort();
    }
}

/// What one direction of one connection does.
struct Plan {
    cut_at: Option<u64>,
    max_delay: Duration,
    link: Option<Link>,
    seed: u64,
}

/// Per direction: forward until the cut offset (if any), then close both ends.
async fn relay(
    client: TcpStream,
    server: TcpStream,
    faults: Arc<Mutex<(Faults, StdRng)>>,
    cuts: Arc<AtomicU64>,
    traffic: Arc<Traffic>,
    [pace_up, pace_down]: [Pace; 2],
) {
    let (up, down, every) = {
        let (f, rng) = &mut *faults.lock().expect("faults");
        let cut = rng.random_bool(f.cut.clamp(0.0, 1.0));
        let at = rng.random_range(0..f.cut_within.max(1));
        let upward = rng.random_bool(0.5);
        let plan = |cut_at, seed| Plan {
            cut_at,
            max_delay: f.max_delay,
            link: f.link,
            seed,
        };
        (
            plan((cut && upward).then_some(at), rng.random()),
            plan((cut && !upward).then_some(at).or(f.cut_down_at), rng.random()),
            f.cut_every,
        )
    };
    // Both directions draw on one budget when every connection is cut after N bytes.
    let budget = every.map(|n| Arc::new(AtomicU64::new(n)));
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    let up = pump(cr, sw, up, budget.clone(), pace_up, &traffic.up);
    let down = pump(sr, cw, down, budget, pace_down, &traffic.down);
    // When one direction is cut, the whole connection goes, as on a dropped link.
    let cut = tokio::select! {
        c = up => c,
        c = down => c,
    };
    if cut {
        cuts.fetch_add(1, Ordering::Relaxed);
    }
}

/// Returns true if it cut the connection, false when the reader closed normally.
/// Chunks are read as they come and written at their delivery time by a second task,
/// so the delay overlaps transfer as on a real link.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    plan: Plan,
    budget: Option<Arc<AtomicU64>>,
    pace: Pace,
    counted: &AtomicU64,
) -> bool {
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(tokio::time::Instant, Vec<u8>, bool)>(64);
    let writer = async move {
        while let Some((at, chunk, last)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&chunk).await.is_err() {
                return false;
            }
            if last {
                return true;
            }
        }
        let _ = to.shutdown().await;
        // Keep the other direction going until it finishes too.
        std::future::pending::<()>().await;
        false
    };
    let reader = async move {
        let mut buf = vec![0u8; 4 << 10];
        let mut sent = 0u64;
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n as u64,
            };
            let mut n = n;
            let mut cutting = false;
            if let Some(at) = plan.cut_at.filter(|at| sent + n >= *at) {
                n = at - sent;
                cutting = true;
            }
            if let Some(left) = &budget {
                let had = left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| Some(l.saturating_sub(n)));
                let had = had.unwrap_or(0);
                if had <= n {
                    n = had;
                    cutting = true;
                }
            }
            let mut at = tokio::time::Instant::now();
            if let Some(link) = plan.link {
                let busy = Duration::from_secs_f64(n as f64 * 8.0 / link.rate_bps as f64);
                let mut free = pace.lock().expect("pace");
                let start = (*free).max(at);
                *free = start + busy;
                at = start + busy + link.rtt / 2;
            }
            if !plan.max_delay.is_zero() {
                at += plan.max_delay.mul_f64(rng.random_range(0.0..1.0));
            }
            counted.fetch_add(n, Ordering::Relaxed);
            sent += n;
            if tx.send((at, buf[..n as usize].to_vec(), cutting)).await.is_err() || cutting {
                return;
            }
        }
    };
    let (cut, ()) = tokio::join!(writer, reader);
    cut
}

/// A fresh device signing key's public half, as an enrolment sends it (hex).
pub fn public_key_hex() -> String {
    serde_json::to_value(pendamping_vault::DeviceKey::generate().expect("a key").public())
        .expect("a key serialises")
        .as_str()
        .expect("as hex text")
        .to_string()
}

/// A server process of its own (the `test-server` binary), for tests that kill it: on the
/// store `db` (a file or a PostgreSQL URL), with its view at `view` when given.
pub struct ServerProcess(pub std::process::Child);

impl ServerProcess {
    /// Starts it; returns it and its URL.
    pub fn start(bin: &str, db: &std::ffi::OsStr, view: Option<&Path>) -> (ServerProcess, String) {
        use std::io::BufRead;
        let mut cmd = std::process::Command::new(bin);
        cmd.arg(db).arg("127.0.0.1:0");
        if let Some(v) = view {
            cmd.arg(v);
        }
        let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().expect("start server");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("its output"))
            .read_line(&mut line)
            .expect("its address");
        assert!(!line.trim().is_empty(), "the server process started");
        (ServerProcess(child), format!("http://{}", line.trim()))
    }

    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Syncs `store` (in batches of 5) in up to `rounds` rounds, killing its server process with
/// SIGKILL after a wait drawn from `waits` (ms) in each. After each kill, what the device
/// dropped from its outbox, which the server acknowledged, must be in the log at `db`
/// (one of `created`); then `start` brings a process back and the device is pointed at it.
/// Returns how many kills there were and the process serving now.
pub async fn sync_through_kills(
    store: &mut pendamping_store::Store,
    created: &std::collections::BTreeSet<uuid::Uuid>,
    db: &Path,
    (rounds, waits): (usize, std::ops::Range<u64>),
    rng: &mut rand::rngs::StdRng,
    mut server: ServerProcess,
    start: impl Fn() -> (ServerProcess, String),
) -> (usize, ServerProcess) {
    use rand::Rng;
    let mut opts = fast_options();
    opts.batch_changes = 5;
    opts.retry.attempts = 1;
    let mut kills = 0;
    for round in 0..rounds {
        let mut noop = |_: pendamping_sync::Progress| {};
        let wait = std::time::Duration::from_millis(rng.random_range(waits.clone()));
        let finished = {
            let sync = pendamping_sync::sync(&mut *store, &opts, &mut noop);
            tokio::pin!(sync);
            tokio::select! {
                r = &mut sync => { r.expect("a sync with its server alive"); true }
                _ = tokio::time::sleep(wait) => {
                    server.kill();
                    kills += 1;
                    assert!(sync.await.is_err(), "round {round}: the sync notices the dead server");
                    false
                }
            }
        };
        if finished {
            break;
        }
        let pending: std::collections::BTreeSet<uuid::Uuid> = store
            .outbox(usize::MAX >> 1)
            .expect("the outbox")
            .iter()
            .map(|c| c.change_id)
            .collect();
        let acked: std::collections::BTreeSet<uuid::Uuid> = created.difference(&pending).copied().collect();
        let (held, _) = logged_change_ids(db);
        assert!(acked.is_subset(&held), "round {round}: an acknowledged change was lost");
        let (restarted, url) = start();
        server = restarted;
        store.set_setting("server", &url).expect("the server's address");
    }
    (kills, server)
}
