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
        let state = pendamping_server::open(config, clock.clone()).expect("server state");
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

    /// A fresh enrollment code, made as `pendamping server enroll` makes it.
    pub fn code(&self, role: Role, areas: &[&str]) -> String {
        enrollment_code(&self.db, role, areas, self.clock.now_millis())
    }

    /// A read connection on the server's database, for checking what it holds.
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).expect("server db")
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

pub fn enrollment_code(db: &Path, role: Role, areas: &[&str], now_ms: u64) -> String {
    let conn = pendamping_server::db::open(db).expect("server db");
    let scope = Scope::new(role, areas).expect("scope");
    pendamping_server::auth::new_enrollment_code(&conn, "tester", &scope, now_ms as i64, 3_600_000).expect("code")
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
    /// Each chunk forwarded waits up to this long.
    pub max_delay: Duration,
}

impl Faults {
    pub fn none() -> Faults {
        Faults {
            cut: 0.0,
            cut_within: 1,
            max_delay: Duration::ZERO,
        }
    }
}

/// A TCP proxy that cuts connections at random byte offsets, in both directions, and
/// delays what it forwards.
pub struct FaultProxy {
    pub addr: SocketAddr,
    faults: Arc<Mutex<(Faults, StdRng)>>,
    pub cuts: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    task: JoinHandle<()>,
}

impl FaultProxy {
    pub async fn start(upstream: SocketAddr, faults: Faults, seed: u64) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("addr");
        let shared = Arc::new(Mutex::new((faults, StdRng::seed_from_u64(seed))));
        let cuts = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, c, st) = (shared.clone(), cuts.clone(), stop.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if st.load(Ordering::Relaxed) {
                    break;
                }
                let (s, c) = (s.clone(), c.clone());
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(upstream).await {
                        relay(client, server, s, c).await;
                    }
                });
            }
        });
        FaultProxy {
            addr,
            faults: shared,
            cuts,
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

/// Per direction: forward until the cut offset (if any), then close both ends.
async fn relay(client: TcpStream, server: TcpStream, faults: Arc<Mutex<(Faults, StdRng)>>, cuts: Arc<AtomicU64>) {
    let (cut_up, cut_down, delay, seed) = {
        let (f, rng) = &mut *faults.lock().expect("faults");
        let cut = rng.random_bool(f.cut.clamp(0.0, 1.0));
        let at = rng.random_range(0..f.cut_within.max(1));
        let upward = rng.random_bool(0.5);
        (
            (cut && upward).then_some(at),
            (cut && !upward).then_some(at),
            f.max_delay,
            rng.random::<u64>(),
        )
    };
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    let up = pump(cr, sw, cut_up, delay, seed);
    let down = pump(sr, cw, cut_down, delay, seed ^ 0x5555);
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
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    cut_at: Option<u64>,
    max_delay: Duration,
    seed: u64,
) -> bool {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut buf = vec![0u8; 16 << 10];
    let mut sent = 0u64;
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => {
                let _ = to.shutdown().await;
                // Keep the other direction going until it finishes too.
                std::future::pending::<()>().await;
                return false;
            }
            Ok(n) => n,
        };
        if !max_delay.is_zero() {
            tokio::time::sleep(max_delay.mul_f64(rng.random_range(0.0..1.0))).await;
        }
        let mut n = n as u64;
        let cutting = cut_at.is_some_and(|at| sent + n >= at);
        if let Some(at) = cut_at.filter(|_| cutting) {
            n = at - sent;
        }
        if to.write_all(&buf[..n as usize]).await.is_err() {
            return false;
        }
        sent += n;
        if cutting {
            return true;
        }
    }
}
