//! The door of the device: who is using it. The store is encrypted; each member of the
//! TPK opens it with their own PIN (`pendamping_vault`), a forgotten PIN is recovered
//! through the server, and what a member records carries their name. The window shows
//! nothing of the store until a member is in.

use std::path::{Path, PathBuf};

use pendamping_protocol::RecoverRequest;
use pendamping_store::{DataKey, Options, Store, encrypt_file, is_plain};
use pendamping_vault::{RecoveryPublic, RecoverySecret, Vault, VaultError, recovery_aad};
use serde::Serialize;
use uuid::Uuid;

use crate::AppError;

/// What the log-in screen shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DoorView {
    pub state: DoorState,
    pub members: Vec<MemberView>,
    /// Whether a forgotten PIN can be recovered (the device enrolled with a server).
    pub recoverable: bool,
    /// What the admin asks for to issue a recovery code: the device's id at its server.
    pub device_id: Option<Uuid>,
    pub min_pin: u32,
    /// The shortest PIN that still unlocks: one set before `min_pin` was raised.
    pub unlock_min_pin: u32,
    pub max_pin: u32,
    /// The member in now, if any.
    pub member_in: Option<MemberView>,
    /// The window locks itself after this long with no touch or key.
    pub idle_seconds: u32,
}

/// Ten minutes: a cadre talking with a mother between two entries is not locked out, a
/// tablet left on a table is locked soon.
pub const IDLE_LOCK_SECONDS: u32 = 600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DoorState {
    /// A new device: the first member sets up their PIN.
    New,
    /// A store of an earlier version, not yet encrypted: the first member's PIN encrypts it.
    Plain,
    /// Members pick their name and type their PIN.
    Locked,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MemberView {
    pub id: Uuid,
    pub name: String,
    /// Too many wrong PINs: only recovery lets this member in again.
    pub erased: bool,
    /// Seconds before the next try is allowed (0: now).
    pub wait_seconds: u32,
}

/// The member in, and the key that opened the store.
pub struct Opened {
    pub key: DataKey,
    pub member: Uuid,
    pub name: String,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field("member", &self.member)
            .finish_non_exhaustive()
    }
}

/// The store file and its key file, in the app's data directory.
#[derive(Debug, Clone)]
pub struct Door {
    store: PathBuf,
    keys: PathBuf,
}

fn vault_error(e: VaultError) -> AppError {
    match e {
        VaultError::WrongPin { left, wait_ms } => AppError {
            field: Some("pin".into()),
            ..AppError::new(
                "wrong_pin",
                if wait_ms > 0 {
                    format!(
                        "PIN salah. Sisa {left} kali percobaan; coba lagi dalam {} detik",
                        wait_ms / 1000
                    )
                } else {
                    format!("PIN salah. Sisa {left} kali percobaan")
                },
                if wait_ms > 0 {
                    format!("Wrong PIN. {left} tries left; try again in {} seconds", wait_ms / 1000)
                } else {
                    format!("Wrong PIN. {left} tries left")
                },
            )
        },
        VaultError::Wait { .. } => AppError::new(
            "pin_wait",
            "Terlalu banyak PIN salah; tunggu sebentar lalu coba lagi",
            "Too many wrong PINs; wait a moment, then try again",
        ),
        VaultError::PinErased => AppError::new(
            "pin_erased",
            "PIN anggota ini dihapus setelah terlalu banyak percobaan salah; pulihkan dengan kode dari admin",
            "This member's PIN was erased after too many wrong tries; recover it with a code from the admin",
        ),
        VaultError::BadPin => AppError::invalid(
            "pin",
            format!(
                "PIN terdiri dari {}–{} angka",
                pendamping_vault::MIN_PIN,
                pendamping_vault::MAX_PIN
            ),
            format!(
                "A PIN is {} to {} digits",
                pendamping_vault::MIN_PIN,
                pendamping_vault::MAX_PIN
            ),
        ),
        VaultError::BadName => AppError::invalid(
            "name",
            "Nama anggota wajib diisi (paling banyak 60 huruf)",
            "The member's name is required (60 letters at most)",
        ),
        VaultError::NameTaken(name) => AppError::invalid(
            "name",
            format!("Sudah ada anggota bernama {name}"),
            format!("There is already a member named {name}"),
        ),
        VaultError::NoRecovery => AppError::new(
            "no_recovery",
            "Perangkat ini belum terdaftar ke server, jadi PIN tidak dapat dipulihkan",
            "This device is not enrolled with a server, so the PIN cannot be recovered",
        ),
        VaultError::NoMember(_) => AppError::new("not_found", "Anggota tidak ditemukan", "No such member"),
        other => {
            tracing::error!(error = %other, "key file");
            AppError::new(
                "keys",
                "Berkas kunci perangkat tidak dapat dibaca atau ditulis",
                "The device's key file cannot be read or written",
            )
        }
    }
}

impl From<VaultError> for AppError {
    fn from(e: VaultError) -> AppError {
        vault_error(e)
    }
}

fn same_pins(pin: &str, again: &str) -> Result<(), AppError> {
    pendamping_vault::check_pin(pin)?;
    if pin != again {
        return Err(AppError::invalid(
            "pin_again",
            "Kedua PIN tidak sama",
            "The two PINs differ",
        ));
    }
    Ok(())
}

impl Door {
    /// The door of the store at `store` (its key file beside it).
    pub fn new(store: &Path) -> Door {
        Door {
            store: store.to_path_buf(),
            keys: Vault::path_for(store),
        }
    }

    pub fn store_path(&self) -> &Path {
        &self.store
    }

    fn vault(&self) -> Result<Option<Vault>, AppError> {
        Ok(Vault::load(&self.keys)?)
    }

    fn locked(&self) -> Result<Vault, AppError> {
        self.vault()?.ok_or_else(|| {
            AppError::new(
                "no_members",
                "Belum ada anggota di perangkat ini",
                "This device has no members yet",
            )
        })
    }

    /// The screen's view; `member_in` is who the window has let in (by id).
    pub fn view(&self, now_ms: i64, member_in: Option<Uuid>) -> Result<DoorView, AppError> {
        let vault = self.vault()?;
        let state = match &vault {
            Some(_) => DoorState::Locked,
            None if self.store.exists() && is_plain(&self.store)? => DoorState::Plain,
            None => DoorState::New,
        };
        let members: Vec<MemberView> = vault
            .as_ref()
            .map(|v| {
                v.members()
                    .into_iter()
                    .map(|m| MemberView {
                        id: m.id,
                        name: m.name,
                        erased: m.erased,
                        wait_seconds: ((m.wait_until_ms - now_ms).max(0) as u64).div_ceil(1000) as u32,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let recovery = vault.as_ref().and_then(|v| v.recovery().ok().map(|(d, ..)| d));
        let member_in = member_in.and_then(|id| members.iter().find(|m| m.id == id).cloned());
        Ok(DoorView {
            member_in,
            idle_seconds: IDLE_LOCK_SECONDS,
            state,
            members,
            recoverable: recovery.is_some(),
            device_id: recovery,
            min_pin: pendamping_vault::MIN_PIN as u32,
            unlock_min_pin: pendamping_vault::MIN_PIN_KEPT as u32,
            max_pin: pendamping_vault::MAX_PIN as u32,
        })
    }

    /// The first member, on a new device or one whose plain store is encrypted now. The key
    /// file is on disk before any encrypted page is.
    pub fn create(&self, name: &str, pin: &str, pin_again: &str) -> Result<Opened, AppError> {
        if self.vault()?.is_some() {
            return Err(AppError::new(
                "has_members",
                "Perangkat ini sudah punya anggota; masuk dengan PIN",
                "This device already has members; enter with a PIN",
            ));
        }
        // Checked before a byte is copied: a refused name must not leave a half-made store.
        pendamping_vault::check_name(name)?;
        same_pins(pin, pin_again)?;
        let key = DataKey::random()?;
        let mut made = None;
        if self.store.exists() && is_plain(&self.store)? {
            encrypt_file(&self.store, &key, || {
                made = Some(Vault::create(&self.keys, &key, name, pin)?);
                Ok::<(), AppError>(())
            })?;
        }
        let (vault, member) = match made {
            Some(made) => made,
            None => Vault::create(&self.keys, &key, name, pin)?,
        };
        let name = vault.member_name(member).unwrap_or_default().to_string();
        Ok(Opened { key, member, name })
    }

    pub fn unlock(&self, member: Uuid, pin: &str, now_ms: i64) -> Result<Opened, AppError> {
        let mut vault = self.locked()?;
        let key = vault.unlock(member, pin, now_ms)?;
        let name = vault.member_name(member).unwrap_or_default().to_string();
        Ok(Opened { key, member, name })
    }

    /// Opens the store with the key. A plain store beside a key file is one whose
    /// encryption was cut after the key file was written: it is finished now.
    pub fn open_store(&self, opened: &Opened, opts: Options) -> Result<Store, AppError> {
        if self.store.exists() && is_plain(&self.store)? {
            encrypt_file(&self.store, &opened.key, || Ok::<(), AppError>(()))?;
        }
        Ok(Store::open(
            &self.store,
            Options {
                key: Some(opened.key.clone()),
                ..opts
            },
        )?)
    }

    /// Another member of the team, with their own PIN (a member who is in adds them).
    pub fn add_member(&self, opened: &Opened, name: &str, pin: &str, pin_again: &str) -> Result<MemberView, AppError> {
        same_pins(pin, pin_again)?;
        let mut vault = self.locked()?;
        let id = vault.add_member(&opened.key, name, pin)?;
        Ok(MemberView {
            id,
            name: vault.member_name(id).unwrap_or_default().to_string(),
            erased: false,
            wait_seconds: 0,
        })
    }

    /// A member changes their own PIN, typing the old one first: the key is wrapped again.
    pub fn change_pin(
        &self,
        opened: &Opened,
        old: &str,
        pin: &str,
        pin_again: &str,
        now_ms: i64,
    ) -> Result<(), AppError> {
        same_pins(pin, pin_again)?;
        let mut vault = self.locked()?;
        vault.unlock(opened.member, old, now_ms).map_err(|e| AppError {
            field: Some("old_pin".into()),
            ..vault_error(e)
        })?;
        Ok(vault.set_pin(&opened.key, opened.member, pin)?)
    }

    /// At enrolment: the key sealed to the server's recovery key.
    pub fn set_recovery(
        &self,
        opened: &Opened,
        device_id: Uuid,
        server: &str,
        to: RecoveryPublic,
    ) -> Result<(), AppError> {
        Ok(self.locked()?.set_recovery(&opened.key, device_id, server, to)?)
    }

    /// A forgotten PIN: the server opens the recovery wrap for the code the admin issued,
    /// and the member sets a new PIN. Nothing in the store is touched.
    pub async fn recover(&self, member: Uuid, code: &str, pin: &str, pin_again: &str) -> Result<Opened, AppError> {
        same_pins(pin, pin_again)?;
        if code.trim().is_empty() {
            return Err(AppError::invalid(
                "code",
                "Kode pemulihan wajib diisi",
                "The recovery code is required",
            ));
        }
        let (device_id, server, sealed) = {
            let vault = self.locked()?;
            let (d, s, sealed) = vault.recovery()?;
            (d, s.to_string(), sealed.clone())
        };
        let reply = RecoverySecret::generate()?;
        let req = RecoverRequest {
            device_id,
            recovery_code: code.trim().to_string(),
            sealed,
            reply_to: reply.public(),
        };
        let resp = pendamping_sync::recover(&server, &req).await.map_err(|e| match &e {
            pendamping_sync::SyncError::Refused {
                code: pendamping_protocol::ErrorCode::RecoveryRefused,
                ..
            } => AppError {
                field: Some("code".into()),
                ..AppError::new(
                    "recovery_refused",
                    "Kode pemulihan ditolak (salah, sudah dipakai, atau kedaluwarsa); minta kode baru kepada admin",
                    "The recovery code was refused (wrong, used or expired); ask the admin for a new one",
                )
            },
            _ => AppError::from(e),
        })?;
        let key = reply.open_key(&resp.sealed, &recovery_aad(device_id))?;
        let mut vault = self.locked()?;
        let name = vault.member_name(member).unwrap_or_default().to_string();
        let opened = Opened { key, member, name };
        // The answer is checked against the store, the way the window opens it, before the
        // new PIN replaces anything.
        self.open_store(&opened, Options::default()).map_err(|_| {
            AppError::new(
                "recovery_refused",
                "Kunci dari server tidak membuka data perangkat ini",
                "The key from the server does not open this device's data",
            )
        })?;
        vault.set_pin(&opened.key, member, pin)?;
        tracing::info!(member = %member, "PIN recovered through the server");
        Ok(opened)
    }
}
