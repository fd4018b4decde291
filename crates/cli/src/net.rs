//! The network commands: run the central server and administer it, enrol a device,
//! and sync a device store from the command line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use pendamping_core::TimeSource;
use pendamping_protocol::{Role, Scope};
use pendamping_server::Config;
use pendamping_store::{Store, SystemTime};

/// The server's settings: defaults, the TOML file, `PENDAMPING_*` variables, then flags.
pub fn server_config(
    file: Option<&Path>,
    db: Option<PathBuf>,
    listen: Option<String>,
    allow_plain_http: bool,
) -> Result<Config> {
    let mut config = match file {
        Some(p) => Config::from_toml(&std::fs::read_to_string(p).with_context(|| format!("membaca {}", p.display()))?)?,
        None => Config::default(),
    };
    config.apply_env(std::env::vars())?;
    if let Some(db) = db {
        config.db = db;
    }
    if let Some(l) = listen {
        config.listen = l
            .parse()
            .with_context(|| format!("alamat {l:?} harus seperti 127.0.0.1:8787"))?;
    }
    config.allow_plain_http |= allow_plain_http;
    if config.store_key()?.is_none() {
        crate::keys::require_plain(&keyed_file(&config))?;
    }
    Ok(config)
}

fn is_postgres(config: &Config) -> bool {
    matches!(config.place(), pendamping_server::config::Place::Postgres(_))
}

/// The file the store key encrypts: the store itself, or with PostgreSQL this process's view.
fn keyed_file(config: &Config) -> PathBuf {
    match config.place() {
        pendamping_server::config::Place::File(p) => p.to_path_buf(),
        pendamping_server::config::Place::Postgres(_) => config.view_path(),
    }
}

/// TLS under the hub's own authority, kept beside its store: printed, the fingerprint the
/// tablets' cadres compare before trusting the hub.
pub fn own_certificate(config: &mut Config) -> Result<()> {
    let dir = match config.db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tls = pendamping_server::hub_tls::ensure(&dir, &pendamping_server::hub_tls::lan_ips())?;
    eprintln!(
        "sidik jari sertifikat hub: {} (tablet menampilkan yang sama saat pertama tersambung)",
        tls.fingerprint
    );
    config.tls_cert = Some(tls.cert);
    config.tls_key = Some(tls.key);
    config.tls_authority = Some(tls.authority);
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down: finishing requests in flight");
}

/// Runs the central server until Ctrl-C or SIGTERM.
pub fn run_server(config: Config) -> Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let db = config.db_shown();
        let running = pendamping_server::service::start(config, Arc::new(SystemTime), None).await?;
        eprintln!(
            "server Pendamping di http://{} (basis data {}); dasbor: http://{}{}",
            running.addr,
            db,
            running.addr,
            pendamping_server::dashboard::HOME
        );
        until_signal(running).await
    })
}

/// Runs a hub until Ctrl-C or SIGTERM: it serves its devices and syncs upstream in the
/// background. The first start enrols it upstream with `code`.
pub fn run_hub(config: Config, code: Option<&str>, name: &str) -> Result<()> {
    let Some(upstream) = config.upstream.clone() else {
        bail!("hub memerlukan --upstream (alamat server pusat)");
    };
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let db = config.db_shown();
        let enrol = code.map(|code| pendamping_server::service::Enrol { code, name });
        let running = pendamping_server::service::start(config, Arc::new(SystemTime), enrol)
            .await
            .context("menjalankan hub")?;
        let scope = running.scope.as_ref().map(|s| s.codes()).unwrap_or_default();
        eprintln!(
            "hub Pendamping untuk {scope} di http://{} (basis data {}), ke pusat {upstream}; dasbor: http://{}{}",
            running.addr,
            db,
            running.addr,
            pendamping_server::dashboard::HOME
        );
        until_signal(running).await
    })
}

/// Serves until a signal, then stops in order; a failure of serving itself ends it too.
async fn until_signal(mut running: pendamping_server::service::Running) -> Result<()> {
    let ended = tokio::select! {
        _ = shutdown_signal() => false,
        r = running.wait() => { r?; true }
    };
    if !ended {
        running.stop().await?;
    }
    Ok(())
}

pub fn hub_status(db: &Path, out: &mut dyn Write) -> Result<()> {
    let b = open_db(db)?.backlog()?;
    writeln!(
        out,
        "belum dikirim ke pusat {} · ditahan hub atas {} · sudah di pusat {} · ditolak pusat {}",
        b.unsent, b.held, b.confirmed, b.refused
    )?;
    admin_devices(db, out)
}

/// Now, for what an engineer's command stamps (enrolments, revocations, accounts).
pub fn now_ms() -> i64 {
    SystemTime.now_millis() as i64
}

pub fn admin_enroll(db: &Path, user: &str, role: &str, scope: &[String], ttl_hours: u64) -> Result<String> {
    let Some(role) = Role::parse(role) else {
        bail!("peran {role:?} harus cadre, plkb atau admin");
    };
    let codes: Vec<&str> = scope.iter().flat_map(|s| s.split(',')).map(str::trim).collect();
    let scope = Scope::new(role, &codes)?;
    let code = create_db(db)?.enrollment_code(user, &scope, now_ms(), ttl_hours as i64 * 3_600_000)?;
    Ok(code)
}

pub fn admin_revoke(db: &Path, device: &str) -> Result<()> {
    open_db(db)?.revoke(device, now_ms())?;
    Ok(())
}

/// The config an engineer's command opens a server's store with: its path, and the key of
/// an encrypted one from `PENDAMPING_DB_KEY_FILE`, the variable the server reads too.
pub(crate) fn store_config(db: &Path) -> Result<Config> {
    let mut config = Config {
        db: db.to_path_buf(),
        ..Config::default()
    };
    // The key, and with PostgreSQL where this command may keep a view of its own.
    config.apply_env(std::env::vars().filter(|(k, _)| k == crate::keys::KEY_FILE_VAR || k == "PENDAMPING_VIEW"))?;
    // A file holds the names itself; on PostgreSQL only a command that builds a view does
    // (`open_state_from`).
    if config.store_key()?.is_none() && !is_postgres(&config) {
        crate::keys::require_plain(&keyed_file(&config))?;
    }
    Ok(config)
}

/// A server's (or hub's) store opened by an engineer's command (accounts, codes, audit).
/// It must be there: a mistyped path or an empty database is said to be, not made a store.
pub fn open_db(db: &Path) -> Result<pendamping_server::Admin> {
    let config = existing(db)?;
    pendamping_server::Admin::open(&config).with_context(|| format!("membuka {}", config.db_shown()))
}

/// A server's store for a first step that may come before the server ever ran (an
/// enrolment code, the first account): made when it is not there.
pub fn create_db(db: &Path) -> Result<pendamping_server::Admin> {
    let config = store_config(db)?;
    pendamping_server::Admin::open(&config).with_context(|| format!("membuka {}", config.db_shown()))
}

/// The config of a store that must be there already.
fn existing(db: &Path) -> Result<Config> {
    must_exist(store_config(db)?)
}

fn must_exist(config: Config) -> Result<Config> {
    // A folder, a pipe or another program's database is said to be what it is, not that
    // nothing is there: the stores' own look at a file, before anything is done to it.
    if let pendamping_server::config::Place::File(path) = config.place() {
        pendamping_store::ours::check(path, pendamping_store::ours::Kind::Server)?;
    }
    let there = pendamping_server::store_exists(&config).with_context(|| format!("membuka {}", config.db_shown()))?;
    if !there {
        bail!(
            "tidak ada penyimpanan server di {}: periksa --db (server membuatnya saat pertama dijalankan)",
            config.db_shown()
        );
    }
    Ok(config)
}

/// A server's (or hub's) store opened by an engineer's command, with the view its answers
/// are read from.
pub struct Opened {
    pub state: pendamping_server::AppState,
    /// On PostgreSQL without `PENDAMPING_VIEW`: the command's own view, built from the log
    /// in a private directory and removed with it (after `state`: fields drop in order), so
    /// no copy of a province's names is left in the working directory.
    _scratch: Option<tempfile::TempDir>,
}

impl std::ops::Deref for Opened {
    type Target = pendamping_server::AppState;
    fn deref(&self) -> &pendamping_server::AppState {
        &self.state
    }
}

/// What a command's own view folder is called: `<this>-<pid>-<random>`.
const SCRATCH: &str = "pendamping-view-";

/// A folder only its owner may enter (0700, whatever the umask), for a command's own view,
/// removed when dropped. The folders of earlier runs killed before they could remove theirs
/// (their process is gone) are removed first: a view holds names.
fn scratch_dir() -> std::io::Result<tempfile::TempDir> {
    use std::os::unix::fs::PermissionsExt;
    let tmp = std::env::temp_dir();
    let dir = tempfile::Builder::new()
        .prefix(&format!("{SCRATCH}{}-", std::process::id()))
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir_in(&tmp)?;
    remove_stale(&tmp, dir.path());
    Ok(dir)
}

/// Removes the view folders in `tmp` of processes that are gone, made by this user (as
/// `ours` was).
fn remove_stale(tmp: &Path, ours: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(me) = std::fs::symlink_metadata(ours).map(|m| m.uid()) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(SCRATCH))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let mine = entry.metadata().is_ok_and(|m| m.is_dir() && m.uid() == me);
        if mine && !Path::new(&format!("/proc/{pid}")).exists() {
            match std::fs::remove_dir_all(entry.path()) {
                Ok(()) => {
                    tracing::info!(folder = %entry.path().display(), "a view left by a run that was stopped, removed")
                }
                Err(e) => tracing::warn!(error = %e, "a view left by a stopped run could not be removed"),
            }
        }
    }
}

/// A server's (or hub's) store, opened by an engineer's command. It must be there.
pub fn open_state(db: &Path) -> Result<Opened> {
    open_state_from(store_config(db)?)
}

/// The store `config` names, opened as [`open_state`] opens it.
pub fn open_state_from(config: Config) -> Result<Opened> {
    let mut config = must_exist(config)?;
    let scratch = match (config.place(), &config.view) {
        (pendamping_server::config::Place::Postgres(_), None) => {
            let dir = scratch_dir().context("folder sementara untuk view")?;
            config.view = Some(dir.path().join("view.db"));
            Some(dir)
        }
        _ => None,
    };
    if config.store_key()?.is_none() && is_postgres(&config) {
        crate::keys::require_plain(&config.view_path())?;
    }
    let shown = config.db_shown();
    let state =
        pendamping_server::open_beside(config, Arc::new(SystemTime)).with_context(|| format!("membuka {shown}"))?;
    Ok(Opened {
        state,
        _scratch: scratch,
    })
}

/// The recap from a server's (or hub's) store, its view brought up to date first.
pub fn server_recap(
    db: &Path,
    month: pendamping_core::recap::Month,
    area: &pendamping_core::area::AreaCode,
) -> Result<pendamping_core::recap::Recap> {
    Ok(open_state(db)?.recap(month, area)?)
}

/// A list with names of `area`, from the server's replica, and today there.
pub fn server_list(
    db: &Path,
    list: pendamping_core::lists::NameList,
    month: pendamping_core::recap::Month,
    area: &pendamping_core::area::AreaCode,
) -> Result<(Vec<pendamping_store::ListRow>, chrono::NaiveDate)> {
    let state = open_state(db)?;
    Ok((state.name_list(list, month, area)?, state.today_in(area.as_str())))
}

/// Lists the possible duplicates under `area`, NIKs masked.
pub fn duplicates(db: &Path, area: Option<&pendamping_core::area::AreaCode>, out: &mut dyn Write) -> Result<()> {
    let pairs = open_state(db)?.possible_duplicates(area)?;
    let line = |p: &pendamping_core::Person| {
        format!(
            "  {}  {:<28} lahir {}  NIK {:<18} {}",
            p.id,
            p.name,
            p.birth_date.format("%d/%m/%Y"),
            p.nik
                .as_deref()
                .map(pendamping_core::nik::mask)
                .unwrap_or_else(|| "-".into()),
            pendamping_report::labels::area_title(&p.area_code)
        )
    };
    for d in &pairs {
        let why = match d.likeness {
            pendamping_store::Likeness::Nik => "NIK sama",
            pendamping_store::Likeness::NameBirthMother => "nama, tanggal lahir dan NIK ibu sama",
        };
        writeln!(out, "mungkin orang yang sama ({why}):\n{}\n{}", line(&d.a), line(&d.b))?;
    }
    eprintln!(
        "{} pasangan; gabungkan dengan: pendamping server merge --db … --keep ID --merge ID",
        pairs.len()
    );
    Ok(())
}

pub fn admin_devices(db: &Path, out: &mut dyn Write) -> Result<()> {
    let admin = open_db(db)?;
    let when = |ms: Option<i64>| {
        ms.and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "-".into())
    };
    for d in admin.devices()? {
        writeln!(
            out,
            "{}  {:<20} {:<16} {:<6} {:<24} terakhir {}  {}  aturan {}",
            d.id,
            d.name,
            d.user_name,
            d.role,
            d.scope,
            when(d.last_seen_at),
            if d.revoked_at.is_some() { "DICABUT" } else { "aktif" },
            d.rules_version.as_deref().unwrap_or("-")
        )?;
    }
    Ok(())
}

pub fn admin_quarantine(db: &Path, limit: usize, out: &mut dyn Write) -> Result<()> {
    let admin = open_db(db)?;
    let rows = admin.not_used(limit)?;
    if rows.is_empty() {
        writeln!(out, "tidak ada perubahan yang ditolak atau disisihkan")?;
    }
    for r in rows {
        let when = chrono::DateTime::from_timestamp_millis(r.at_ms)
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "-".into());
        writeln!(
            out,
            "{:<10} {}  {}  perangkat {}  {}  {}  {}",
            r.place,
            when,
            r.change_id,
            r.device_id,
            r.code,
            r.field.as_deref().unwrap_or("-"),
            r.message
        )?;
    }
    Ok(())
}

pub fn enroll(store: &mut Store, server: &str, code: &str, name: &str) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let resp = rt.block_on(pendamping_sync::enroll(store, server, code, name))?;
    eprintln!(
        "terdaftar: perangkat {} ({} {})",
        resp.device_id,
        resp.scope.role.as_str(),
        resp.scope.codes()
    );
    Ok(())
}

/// One sync, with progress on stderr and the summary line at the end.
pub fn sync(store: &mut Store) -> Result<pendamping_sync::Summary> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let opts = pendamping_sync::Options::default();
    let mut progress = |p: pendamping_sync::Progress| {
        let phase = match p.phase {
            pendamping_sync::Phase::Push => "kirim",
            pendamping_sync::Phase::Pull => "terima",
        };
        let total = p.total.map(|t| format!(" / {t}")).unwrap_or_default();
        let eta = p
            .eta_secs
            .map(|s| format!(" · sisa ±{}:{:02}", s / 60, s % 60))
            .unwrap_or_default();
        eprint!(
            "\r{phase}: {}{total} perubahan{eta} · {} B keluar · {} B masuk   ",
            p.done, p.bytes_sent, p.bytes_received
        );
    };
    let result = rt.block_on(pendamping_sync::sync(store, &opts, &mut progress));
    eprintln!();
    Ok(result?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hub_with_its_own_certificate_serves_tls_from_files_beside_its_store() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            db: dir.path().join("plkb.db"),
            ..Config::default()
        };
        own_certificate(&mut config).unwrap();
        let (cert, key) = (config.tls_cert.clone().unwrap(), config.tls_key.clone().unwrap());
        assert!(cert.starts_with(dir.path()) && key.starts_with(dir.path()));
        pendamping_server::tls::acceptor(&cert, &key).unwrap();
        let authority = std::fs::read(config.tls_authority.unwrap()).unwrap();
        // The authority beside the store, the one every later start certifies with.
        let again = pendamping_server::hub_tls::ensure(dir.path(), &[]).unwrap();
        assert_eq!(
            pendamping_protocol::authority::fingerprint(&authority),
            Some(again.fingerprint)
        );
    }
}
