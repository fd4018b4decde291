//! A throwaway PostgreSQL cluster for the tests and benchmarks that need one: `initdb` and
//! `pg_ctl` from Debian's `postgresql` package, run as the `postgres` user (through
//! `runuser` when the tests run as root: PostgreSQL refuses to run as root), listening only
//! on a unix socket in a temporary directory. It is stopped and removed when the test
//! process ends (a watchdog waits for it). It never skips: when PostgreSQL cannot start,
//! the test fails and says why.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// A running cluster.
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    /// Stops the cluster once this process has ended (it outlives us, never waited for).
    _watchdog: std::process::Child,
}

/// Where Debian keeps the server's programs (`/usr/lib/postgresql/<version>/bin`), the
/// newest first; `PG_BIN` overrides.
fn find_bin() -> PathBuf {
    if let Ok(b) = std::env::var("PG_BIN") {
        return PathBuf::from(b);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    found.retain(|p| p.join("initdb").exists());
    found.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found.pop().unwrap_or_else(|| {
        panic!(
            "PostgreSQL is not installed: no /usr/lib/postgresql/*/bin/initdb. Install Debian's `postgresql` \
             package (scripts/test.sh does) or set PG_BIN."
        )
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a server program as the `postgres` user; panics with its output when it fails.
fn as_postgres(program: &Path, args: &[&str]) {
    let mut cmd = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    let out = cmd
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("PostgreSQL: cannot run {}: {e}", program.display()));
    assert!(
        out.status.success(),
        "PostgreSQL: {} {} failed ({}):\n{}\n{}",
        program.display(),
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// How the cluster runs: durable (fsync, as in production: benchmarks) or not (tests).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Durable,
    Fast,
}

impl Cluster {
    /// Starts a new cluster.
    pub fn start(durability: Durability) -> Cluster {
        let bin = find_bin();
        let dir = std::env::temp_dir().join(format!("pendamping-pg-{}-{}", std::process::id(), next()));
        std::fs::create_dir_all(&dir).expect("a directory for the cluster");
        if is_root() {
            let owner = Command::new("chown")
                .args(["postgres:postgres", dir.to_str().expect("a UTF-8 temp dir")])
                .status()
                .expect("chown");
            assert!(
                owner.success(),
                "PostgreSQL: cannot give {} to the postgres user (is the package installed?)",
                dir.display()
            );
        }
        let data = dir.join("data");
        let d = data.to_str().expect("UTF-8");
        as_postgres(
            &bin.join("initdb"),
            &[
                "-D",
                d,
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        let mut opts = format!(
            "-k {} -c listen_addresses='' -p 5432 -c max_connections=400 -c shared_buffers=256MB",
            dir.display()
        );
        if durability == Durability::Fast {
            opts.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        // More server settings for a measurement (e.g. `-c shared_preload_libraries=pg_stat_statements`).
        if let Ok(extra) = std::env::var("PG_EXTRA_OPTS") {
            opts.push(' ');
            opts.push_str(&extra);
        }
        let log = dir.join("server.log");
        as_postgres(
            &bin.join("pg_ctl"),
            &[
                "-D",
                d,
                "-o",
                &opts,
                "-l",
                log.to_str().expect("UTF-8"),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        // Stopped and removed when this process ends, however it ends.
        let watchdog = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop}; rm -rf '{dir}'",
            pid = std::process::id(),
            stop = if is_root() {
                format!(
                    "runuser -u postgres -- '{}' -D '{d}' stop -m immediate",
                    bin.join("pg_ctl").display()
                )
            } else {
                format!("'{}' -D '{d}' stop -m immediate", bin.join("pg_ctl").display())
            },
            dir = dir.display(),
        );
        let watchdog = Command::new("sh")
            .args(["-c", &watchdog])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the cluster's watchdog");
        Cluster {
            dir,
            bin,
            _watchdog: watchdog,
        }
    }

    /// The cluster of this test process, started on first use (not durable: tests).
    pub fn shared() -> &'static Cluster {
        static SHARED: OnceLock<Cluster> = OnceLock::new();
        SHARED.get_or_init(|| Cluster::start(Durability::Fast))
    }

    /// The URL of database `name` (which may not exist yet).
    pub fn url(&self, name: &str) -> String {
        format!(
            "postgres://postgres@localhost/{name}?host={}&port=5432",
            self.dir.display()
        )
    }

    /// How a client program reaches this cluster: its socket's directory, port and user.
    fn client_args(&self) -> [&str; 6] {
        ["-h", self.dir.to_str().expect("UTF-8"), "-p", "5432", "-U", "postgres"]
    }

    /// A new, empty database; its URL.
    pub fn database(&self) -> String {
        let name = format!("t{}_{}", std::process::id(), next());
        as_postgres(
            &self.bin.join("createdb"),
            &[&self.client_args()[..], &[name.as_str()]].concat(),
        );
        self.url(&name)
    }

    /// Runs `sql` with `psql` on database `name`; its output.
    pub fn psql(&self, name: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(self.client_args())
            .args(["-d", name, "-c", sql])
            .output()
            .expect("psql");
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    /// The name of the database a URL of [`Cluster::url`] names.
    pub fn name_of(url: &str) -> &str {
        let path = url.split('/').nth(3).expect("a URL of Cluster::url");
        path.split('?').next().unwrap_or(path)
    }

    /// The server's log (for a failure's reason).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }
}

fn next() -> u32 {
    static N: AtomicU32 = AtomicU32::new(0);
    N.fetch_add(1, Ordering::SeqCst)
}
