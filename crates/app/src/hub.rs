//! The PLKB hub switch: the office laptop runs the kecamatan's sync server inside the app
//! (the same `pendamping_server::service` as `pendamping hub`), with its own store
//! `plkb.db` beside the device store. The screen shows the address the tablets use, how
//! far the hub's store has gone upstream, its devices, and makes enrolment codes for them.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pendamping_core::TimeSource;
use pendamping_protocol::{Role, Scope};
use pendamping_server::service::{Enrol, Running};
use pendamping_server::storage::Setting;
use pendamping_server::{Admin, Config, ServerError, hub_tls as server_tls};
use pendamping_store::{DataKey, SystemTime};
use pendamping_sync::keys;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::AppError;
use crate::recap::area_title;

/// The port tablets reach the hub on when the PLKB does not choose another.
pub const DEFAULT_PORT: u16 = 8787;
/// The hub's store, in the app's data directory.
const STORE_FILE: &str = "plkb.db";

/// What the PLKB types to start the hub the first time (later starts need no code).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct HubStart {
    /// The centre's address.
    pub upstream: String,
    /// The PLKB enrolment code from the centre's admin; only the first time.
    pub code: Option<String>,
    pub name: String,
    pub port: u16,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HubScreen {
    pub running: bool,
    /// Enrolled with the centre (it starts without a code from now on).
    pub enrolled: bool,
    pub upstream: Option<String>,
    pub port: u16,
    /// The hub's kecamatan, named.
    pub scope_titles: Vec<String>,
    /// Its villages' codes, for the enrolment-code form.
    pub scope: Vec<pendamping_core::area::AreaCode>,
    /// Where the tablets on the office network reach it: "https://192.168.1.20:8787".
    pub addresses: Vec<String>,
    /// The fingerprint of the hub's own certificate authority, which a tablet shows the
    /// cadre to compare before it trusts the hub (`authority`).
    pub fingerprint: Option<String>,
    /// Changes not yet sent to the centre, sent and held there, at the centre, refused by it.
    pub unsent: u64,
    pub held: u64,
    pub confirmed: u64,
    pub refused: u64,
    pub last_upstream: Option<String>,
    pub upstream_busy: bool,
    /// Why the last upstream sync failed (no uplink, a refused code…).
    pub upstream_error: Option<AppError>,
    pub devices: Vec<HubDeviceView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HubDeviceView {
    pub id: String,
    pub name: String,
    pub user_name: String,
    pub role: Role,
    pub area_titles: Vec<String>,
    pub last_seen: Option<String>,
    pub revoked: bool,
}

/// A one-time code a cadre's tablet enrols with at this hub.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HubCode {
    pub code: String,
    pub user_name: String,
    pub area_titles: Vec<String>,
    pub expires_at: String,
}

pub struct Hub {
    dir: PathBuf,
    time: Arc<dyn TimeSource>,
    running: Mutex<Option<Running>>,
    /// The hub store's key, derived from the laptop's data key once a member is in: the
    /// store holds a kecamatan's families and is encrypted like the device's own. It stays
    /// while the app locks, as the hub keeps serving the tablets.
    key: std::sync::Mutex<Option<DataKey>>,
    /// The fingerprint of the authority the running hub serves under, for its screen.
    fingerprint: std::sync::Mutex<Option<String>>,
}

/// What the hub store's key is derived for (`DataKey::derive`).
const KEY_PURPOSE: &str = "pendamping plkb hub store v1";

fn iso(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339())
}

fn hub_off() -> AppError {
    AppError::new(
        "hub_off",
        "Hub PLKB belum dijalankan di laptop ini",
        "The PLKB hub is not running on this laptop",
    )
}

impl From<ServerError> for AppError {
    fn from(e: ServerError) -> AppError {
        match e {
            ServerError::Upstream(e) => e.into(),
            ServerError::Bind { addr, .. } => AppError::invalid(
                "port",
                format!("Port {} sudah dipakai program lain; pilih port lain", addr.port()),
                format!("Port {} is taken by another program; choose another port", addr.port()),
            ),
            ServerError::OutsideHub { hub, .. } => AppError::invalid(
                "villages",
                format!("Hub ini hanya melayani wilayah {}", area_title(&hub)),
                format!("This hub serves only {}", area_title(&hub)),
            ),
            ServerError::HubNotEnrolled => AppError::invalid(
                "code",
                "Hub belum terdaftar ke server pusat: isi kode PLKB dari admin pusat",
                "The hub is not enrolled with the central server: enter the PLKB code from the central admin",
            ),
            other => {
                tracing::error!(error = %other, "hub store");
                AppError::new(
                    "store",
                    "Penyimpanan hub gagal; data yang sudah disimpan tetap aman",
                    "The hub's store failed; what was already saved is safe",
                )
            }
        }
    }
}

impl Hub {
    pub fn new(dir: &Path) -> Hub {
        Hub::with_time(dir, Arc::new(SystemTime))
    }

    pub fn with_time(dir: &Path, time: Arc<dyn TimeSource>) -> Hub {
        Hub {
            dir: dir.to_path_buf(),
            time,
            running: Mutex::new(None),
            key: std::sync::Mutex::new(None),
            fingerprint: std::sync::Mutex::new(None),
        }
    }

    /// A member got in: the hub's store can be opened (and the hub resumed) from now on.
    pub fn unlock(&self, device_key: &DataKey) {
        *self.key.lock().unwrap_or_else(|p| p.into_inner()) = Some(device_key.derive(KEY_PURPOSE));
    }

    fn key(&self) -> Result<DataKey, AppError> {
        self.key
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(AppError::locked)
    }

    fn store_path(&self) -> PathBuf {
        self.dir.join(STORE_FILE)
    }

    /// The hub's store, if it was ever made (opening migrates it, and encrypts one that an
    /// earlier version left plain).
    fn open(&self) -> Result<Option<Admin>, AppError> {
        let path = self.store_path();
        Ok(if path.exists() {
            Some(Admin::at(&path, Some(&self.key()?))?)
        } else {
            None
        })
    }

    /// Starts the hub, enrolling it with the centre the first time; it starts again with
    /// the app until it is stopped.
    pub async fn start(&self, form: HubStart) -> Result<HubScreen, AppError> {
        let upstream = form.upstream.trim().trim_end_matches('/').to_string();
        if !(upstream.starts_with("http://") || upstream.starts_with("https://")) {
            return Err(AppError::invalid(
                "upstream",
                "Alamat server pusat harus diawali http:// atau https://",
                "The central server's address must begin with http:// or https://",
            ));
        }
        if form.port < 1024 {
            return Err(AppError::invalid(
                "port",
                "Port harus antara 1024 dan 65535",
                "The port must be between 1024 and 65535",
            ));
        }
        let key = self.key()?;
        let mut running = self.running.lock().await;
        if let Some(r) = running.take() {
            r.stop().await?;
        }
        // TLS on the office network under the hub's own authority; this laptop trusts it
        // at once (its own file), a tablet once its cadre has compared the fingerprint.
        let tls = server_tls::ensure(&self.dir, &server_tls::lan_ips())?;
        let own = [
            format!("https://127.0.0.1:{0}", form.port),
            format!("https://localhost:{0}", form.port),
        ];
        for address in own.into_iter().chain(lan_addresses(form.port)) {
            pendamping_sync::trust(&address, tls.authority_pem.as_bytes())?;
        }
        *self.fingerprint.lock().unwrap_or_else(|p| p.into_inner()) = Some(tls.fingerprint.clone());
        let config = Config {
            db: self.store_path(),
            listen: SocketAddr::from((Ipv4Addr::UNSPECIFIED, form.port)),
            upstream: Some(upstream),
            tls_cert: Some(tls.cert),
            tls_key: Some(tls.key),
            tls_authority: Some(tls.authority),
            db_key: Some(key),
            ..Config::default()
        };
        let code = form.code.as_deref().map(str::trim).filter(|c| !c.is_empty());
        let enrol = code.map(|code| Enrol { code, name: &form.name });
        let r = pendamping_server::service::start(config, self.time.clone(), enrol).await?;
        if let Some(conn) = self.open()? {
            conn.set_setting(Setting::HubOn, "1")?;
            conn.set_setting(Setting::HubPort, &form.port.to_string())?;
        }
        tracing::info!(addr = %r.addr, "PLKB hub started");
        *running = Some(r);
        drop(running);
        self.screen().await
    }

    /// When the first member gets in after the app starts (its store's key comes with
    /// them): the hub runs again if it ran when the app closed. Whether it started now.
    pub async fn resume(&self) -> bool {
        if self.running.lock().await.is_some() {
            return false;
        }
        let on = match self.open() {
            Ok(Some(c)) => (
                c.setting(Setting::HubOn).ok().flatten(),
                c.setting(Setting::HubPort).ok().flatten(),
                c.setting(Setting::Upstream(keys::SERVER)).ok().flatten(),
            ),
            _ => return false,
        };
        let (Some(_), Some(port), Some(upstream)) = on else {
            return false;
        };
        let form = HubStart {
            upstream,
            code: None,
            name: String::new(),
            port: port.parse().unwrap_or(DEFAULT_PORT),
        };
        match self.start(form).await {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!(error = %e.message, "the PLKB hub could not start again");
                false
            }
        }
    }

    /// Stops the hub (it stays stopped at the next start of the app). Its store is kept.
    pub async fn stop(&self) -> Result<HubScreen, AppError> {
        if let Some(r) = self.running.lock().await.take() {
            r.stop().await?;
        }
        if let Some(c) = self.open()? {
            c.clear_setting(Setting::HubOn)?;
        }
        self.screen().await
    }

    /// Syncs with the centre now rather than at the next interval.
    pub async fn relay_now(&self) {
        if let Some(r) = self.running.lock().await.as_ref() {
            r.relay_now();
        }
    }

    pub async fn screen(&self) -> Result<HubScreen, AppError> {
        let running = self.running.lock().await;
        let report = running.as_ref().map(|r| r.upstream()).unwrap_or_default();
        let port = running.as_ref().map(|r| r.addr.port());
        drop(running);
        let Some(conn) = self.open()? else {
            return Ok(HubScreen {
                running: false,
                enrolled: false,
                upstream: None,
                port: DEFAULT_PORT,
                scope_titles: Vec::new(),
                scope: Vec::new(),
                addresses: Vec::new(),
                fingerprint: None,
                unsent: 0,
                held: 0,
                confirmed: 0,
                refused: 0,
                last_upstream: None,
                upstream_busy: false,
                upstream_error: None,
                devices: Vec::new(),
            });
        };
        let scope = conn.hub_scope()?;
        let backlog = conn.backlog()?;
        let devices = conn
            .devices()?
            .into_iter()
            .map(|d| {
                let scope = d.scope().ok();
                HubDeviceView {
                    area_titles: scope
                        .as_ref()
                        .map(|s| s.areas.iter().map(|a| area_title(a.as_str())).collect())
                        .unwrap_or_default(),
                    role: scope.map_or(Role::Cadre, |s| s.role),
                    id: d.id,
                    name: d.name,
                    user_name: d.user_name,
                    last_seen: d.last_seen_at.and_then(iso),
                    revoked: d.revoked_at.is_some(),
                }
            })
            .collect();
        let saved_port = conn.setting(Setting::HubPort)?.and_then(|p| p.parse().ok());
        Ok(HubScreen {
            running: port.is_some(),
            enrolled: scope.is_some(),
            upstream: conn.setting(Setting::Upstream(keys::SERVER))?,
            port: port.or(saved_port).unwrap_or(DEFAULT_PORT),
            scope_titles: scope
                .iter()
                .flat_map(|s| s.areas.iter().map(|a| area_title(a.as_str())))
                .collect(),
            addresses: port.map(lan_addresses).unwrap_or_default(),
            fingerprint: self.fingerprint.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            scope: scope.map(|s| s.areas).unwrap_or_default(),
            unsent: backlog.unsent,
            held: backlog.held,
            confirmed: backlog.confirmed,
            refused: backlog.refused,
            last_upstream: conn.setting(Setting::Upstream(keys::LAST_SUCCESS))?,
            upstream_busy: report.busy,
            upstream_error: report.error.as_deref().map(AppError::from),
            devices,
        })
    }

    /// A one-time code for a cadre's tablet, for villages of the hub's kecamatan. It works
    /// with no uplink; the centre learns the device on the hub's next upstream sync.
    pub fn new_code(&self, user_name: &str, villages: &[String]) -> Result<HubCode, AppError> {
        let conn = self.open()?.ok_or_else(hub_off)?;
        let user_name = user_name.trim();
        if user_name.is_empty() {
            return Err(AppError::invalid(
                "user",
                "Isi nama kader pemegang tablet",
                "Enter the name of the cadre holding the tablet",
            ));
        }
        let codes: Vec<&str> = villages.iter().map(String::as_str).collect();
        let scope = Scope::new(Role::Cadre, &codes)
            .map_err(|_| AppError::invalid("villages", "Pilih sedikitnya satu desa", "Choose at least one village"))?;
        let now = self.time.now_millis() as i64;
        let ttl = Config::default().enrollment_ttl_hours as i64 * 3_600_000;
        let code = conn.enrollment_code(user_name, &scope, now, ttl)?;
        Ok(HubCode {
            code,
            user_name: user_name.to_string(),
            area_titles: scope.areas.iter().map(|a| area_title(a.as_str())).collect(),
            expires_at: iso(now + ttl).unwrap_or_default(),
        })
    }
}

/// A one-time code that recovers a forgotten PIN on one of this hub's tablets.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HubRecoveryCode {
    pub device_id: String,
    pub code: String,
    pub expires_at: String,
}

impl Hub {
    /// A recovery code for a tablet enrolled here (its recovery wrap is sealed to this
    /// hub's key): for the PLKB to give after checking, in person, who is asking.
    pub fn recovery_code(&self, device_id: &str, issued_by: &str) -> Result<HubRecoveryCode, AppError> {
        let conn = self.open()?.ok_or_else(hub_off)?;
        let now = self.time.now_millis() as i64;
        let code = conn.recovery_code(device_id, issued_by, now).map_err(|e| match e {
            pendamping_server::ServerError::NoSuchDevice(_) => AppError::new(
                "not_found",
                "Tablet ini tidak terdaftar di hub",
                "This tablet is not enrolled at this hub",
            ),
            pendamping_server::ServerError::Account(m) => AppError::new(
                "revoked",
                format!("Ditolak: {m}"),
                "This tablet was revoked at this hub",
            ),
            other => other.into(),
        })?;
        Ok(HubRecoveryCode {
            device_id: device_id.to_string(),
            code,
            expires_at: iso(now + pendamping_server::recovery::CODE_TTL_MS).unwrap_or_default(),
        })
    }
}

/// The addresses for the tablets to type.
fn lan_addresses(port: u16) -> Vec<String> {
    server_tls::lan_ips()
        .into_iter()
        .map(|ip| match ip {
            IpAddr::V4(v4) => format!("https://{v4}:{port}"),
            IpAddr::V6(v6) => format!("https://[{v6}]:{port}"),
        })
        .collect()
}
