//! The key file beside the store: the members of the device's team, each with the data
//! key wrapped by their PIN and their count of wrong PINs, and the recovery wrap. It holds
//! no personal data but the members' names (the team's, not the families'), and is
//! replaced atomically (a crash mid-write leaves the old file).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::key::random;
use crate::pin::derive;
use crate::sealed::{Boxed, data_key, lock, unlock};
use crate::{DataKey, KdfParams, RecoveryPublic, Result, Sealed, VaultError, check_pin, recovery_aad};

/// Wrong PINs allowed before each further try waits.
pub const FREE_TRIES: u32 = 3;
/// Wrong PINs after which the member's wrap is erased: only recovery opens the store then.
pub const MAX_TRIES: u32 = 10;

/// How long to wait after `failures` wrong PINs in a row: nothing for the first
/// [`FREE_TRIES`], then 30 s, doubling, at most 32 min.
pub fn wait_after_ms(failures: u32) -> i64 {
    if failures < FREE_TRIES {
        0
    } else {
        30_000 << (failures - FREE_TRIES).min(6)
    }
}

const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyFile {
    version: u32,
    /// The store's device id, known once the device enrolled (the recovery wrap names it).
    #[serde(default)]
    device_id: Option<Uuid>,
    /// Where recovery is asked for: the server the device enrolled with.
    #[serde(default)]
    server: Option<String>,
    #[serde(default)]
    recovery: Option<Sealed>,
    members: Vec<Member>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Member {
    id: Uuid,
    name: String,
    /// None once erased after too many wrong PINs.
    wrap: Option<PinWrap>,
    failures: u32,
    wait_until_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PinWrap {
    kdf: KdfParams,
    #[serde(with = "hex::serde")]
    salt: Vec<u8>,
    #[serde(flatten)]
    boxed: Boxed,
}

/// A member as the log-in screen lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberInfo {
    pub id: Uuid,
    pub name: String,
    /// Too many wrong PINs: only recovery lets this member in again.
    pub erased: bool,
    /// No try before this time (ms since the epoch), 0 when none.
    pub wait_until_ms: i64,
}

/// The key file, loaded.
#[derive(Debug)]
pub struct Vault {
    path: PathBuf,
    file: KeyFile,
    kdf: KdfParams,
}

fn member_aad(id: Uuid) -> Vec<u8> {
    format!("pendamping pin wrap v1 member {id}").into_bytes()
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> VaultError + '_ {
    move |source| VaultError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn wrap(key: &DataKey, id: Uuid, pin: &str, kdf: KdfParams) -> Result<PinWrap> {
    check_pin(pin)?;
    let salt: [u8; 16] = random()?;
    let kek = derive(pin, &salt, kdf)?;
    Ok(PinWrap {
        kdf,
        salt: salt.to_vec(),
        boxed: lock(&kek, key.bytes(), &member_aad(id))?,
    })
}

/// A member's name as kept: spaces squeezed, 1 to 60 characters.
pub fn check_name(name: &str) -> Result<String> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 60 {
        return Err(VaultError::BadName);
    }
    Ok(name)
}

impl Vault {
    /// The key file of the store at `store`: `<store>.keys`.
    pub fn path_for(store: &Path) -> PathBuf {
        let mut name = store.as_os_str().to_owned();
        name.push(".keys");
        PathBuf::from(name)
    }

    /// The key file at `path`, if there is one.
    pub fn load(path: &Path) -> Result<Option<Vault>> {
        let text = match std::fs::read(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(path)(e)),
        };
        let file: KeyFile = serde_json::from_slice(&text).map_err(|e| VaultError::Corrupt {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        if file.version != VERSION {
            return Err(VaultError::Corrupt {
                path: path.to_path_buf(),
                reason: format!("version {} (this app reads {VERSION})", file.version),
            });
        }
        Ok(Some(Vault {
            path: path.to_path_buf(),
            file,
            kdf: KdfParams::default(),
        }))
    }

    /// A new key file for `key` (a new store's, or a plain store's being encrypted), with
    /// its first member.
    pub fn create(path: &Path, key: &DataKey, name: &str, pin: &str) -> Result<(Vault, Uuid)> {
        Vault::create_with(path, key, name, pin, KdfParams::default())
    }

    /// [`Vault::create`] with another Argon2id cost (benchmarks compare them).
    pub fn create_with(path: &Path, key: &DataKey, name: &str, pin: &str, kdf: KdfParams) -> Result<(Vault, Uuid)> {
        let mut vault = Vault {
            path: path.to_path_buf(),
            file: KeyFile {
                version: VERSION,
                device_id: None,
                server: None,
                recovery: None,
                members: Vec::new(),
            },
            kdf,
        };
        let id = vault.add_member(key, name, pin)?;
        Ok((vault, id))
    }

    pub fn members(&self) -> Vec<MemberInfo> {
        self.file
            .members
            .iter()
            .map(|m| MemberInfo {
                id: m.id,
                name: m.name.clone(),
                erased: m.wrap.is_none(),
                wait_until_ms: m.wait_until_ms,
            })
            .collect()
    }

    pub fn member_name(&self, id: Uuid) -> Option<&str> {
        self.file.members.iter().find(|m| m.id == id).map(|m| m.name.as_str())
    }

    fn member(&mut self, id: Uuid) -> Result<&mut Member> {
        self.file
            .members
            .iter_mut()
            .find(|m| m.id == id)
            .ok_or(VaultError::NoMember(id))
    }

    /// Opens the data key with a member's PIN. The try is counted in the file before the
    /// PIN is checked, so that ending the app mid-check does not give a free guess.
    pub fn unlock(&mut self, id: Uuid, pin: &str, now_ms: i64) -> Result<DataKey> {
        let m = self.member(id)?;
        let Some(w) = m.wrap.clone() else {
            return Err(VaultError::PinErased);
        };
        if now_ms < m.wait_until_ms {
            return Err(VaultError::Wait {
                until_ms: m.wait_until_ms,
            });
        }
        m.failures += 1;
        let failures = m.failures;
        m.wait_until_ms = now_ms + wait_after_ms(failures);
        self.save()?;
        let opened = crate::pin::check_typed_pin(pin).and_then(|()| {
            let kek = derive(pin, &w.salt, w.kdf)?;
            data_key(&unlock(&kek, &w.boxed, &member_aad(id))?)
        });
        let m = self.member(id)?;
        match opened {
            Ok(key) => {
                m.failures = 0;
                m.wait_until_ms = 0;
                self.save()?;
                Ok(key)
            }
            Err(VaultError::Unwrap | VaultError::BadPin) if failures >= MAX_TRIES => {
                m.wrap = None;
                self.save()?;
                tracing::warn!(member = %id, "too many wrong PINs: the member's wrap was erased");
                Err(VaultError::PinErased)
            }
            Err(VaultError::Unwrap | VaultError::BadPin) => Err(VaultError::WrongPin {
                left: MAX_TRIES - failures,
                wait_ms: wait_after_ms(failures),
            }),
            Err(e) => Err(e),
        }
    }

    /// Adds a member with their own PIN (the store is open: its key is at hand).
    pub fn add_member(&mut self, key: &DataKey, name: &str, pin: &str) -> Result<Uuid> {
        let name = check_name(name)?;
        if self.file.members.iter().any(|m| m.name.eq_ignore_ascii_case(&name)) {
            return Err(VaultError::NameTaken(name));
        }
        let id = Uuid::new_v4();
        let w = wrap(key, id, pin, self.kdf)?;
        self.file.members.push(Member {
            id,
            name,
            wrap: Some(w),
            failures: 0,
            wait_until_ms: 0,
        });
        self.save()?;
        Ok(id)
    }

    /// A new PIN for a member: the data key wrapped again (the store is not re-encrypted);
    /// after recovery, this is what lets an erased member in again.
    pub fn set_pin(&mut self, key: &DataKey, id: Uuid, pin: &str) -> Result<()> {
        let kdf = self.kdf;
        let w = wrap(key, id, pin, kdf)?;
        let m = self.member(id)?;
        m.wrap = Some(w);
        m.failures = 0;
        m.wait_until_ms = 0;
        self.save()
    }

    /// Seals the data key to the server's recovery key, at enrolment.
    pub fn set_recovery(&mut self, key: &DataKey, device_id: Uuid, server: &str, to: RecoveryPublic) -> Result<()> {
        self.file.recovery = Some(to.seal_key(key, &recovery_aad(device_id))?);
        self.file.device_id = Some(device_id);
        self.file.server = Some(server.to_string());
        self.save()
    }

    /// What a recovery request sends: the device, its server and the sealed key.
    pub fn recovery(&self) -> Result<(Uuid, &str, &Sealed)> {
        match (&self.file.device_id, &self.file.server, &self.file.recovery) {
            (Some(d), Some(s), Some(r)) => Ok((*d, s, r)),
            _ => Err(VaultError::NoRecovery),
        }
    }

    pub fn has_recovery(&self) -> bool {
        self.recovery().is_ok()
    }

    fn save(&self) -> Result<()> {
        let text = serde_json::to_vec_pretty(&self.file).map_err(|e| VaultError::Corrupt {
            path: self.path.clone(),
            reason: e.to_string(),
        })?;
        let tmp = self.path.with_extension("keys.tmp");
        let mut f = crate::files::create_private(&tmp).map_err(io(&tmp))?;
        f.write_all(&text).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        drop(f);
        std::fs::rename(&tmp, &self.path).map_err(io(&self.path))?;
        // The rename itself is durable only once the directory is.
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RecoverySecret;

    /// A cheap cost: these tests are about the rules, not the cost.
    const CHEAP: KdfParams = KdfParams { m_kib: 256, t: 1, p: 1 };

    fn vault(dir: &Path) -> (Vault, Uuid, DataKey) {
        let key = DataKey::random().unwrap();
        let (v, id) = Vault::create_with(&dir.join("s.db.keys"), &key, "Bu Sari", "13579024", CHEAP).unwrap();
        (v, id, key)
    }

    #[test]
    fn each_member_opens_the_same_key_with_their_own_pin_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, sari, key) = vault(dir.path());
        let dewi = v.add_member(&key, " Dewi  Lestari ", "24680224").unwrap();
        assert!(matches!(
            v.add_member(&key, "bu sari", "11111124"),
            Err(VaultError::NameTaken(_))
        ));
        let mut again = Vault::load(&Vault::path_for(&dir.path().join("s.db")))
            .unwrap()
            .unwrap();
        again.kdf = CHEAP;
        let names: Vec<_> = again.members().into_iter().map(|m| m.name).collect();
        assert_eq!(names, ["Bu Sari", "Dewi Lestari"]);
        assert_eq!(again.unlock(sari, "13579024", 0).unwrap(), key);
        assert_eq!(again.unlock(dewi, "24680224", 0).unwrap(), key);
        // Dewi's PIN does not open Sari's wrap, nor the other way round.
        assert!(matches!(
            again.unlock(sari, "24680224", 0),
            Err(VaultError::WrongPin { .. })
        ));
    }

    #[test]
    fn wrong_pins_wait_longer_and_longer_then_erase_the_wrap_and_recovery_still_opens() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, sari, key) = vault(dir.path());
        let server = RecoverySecret::generate().unwrap();
        let device = Uuid::new_v4();
        v.set_recovery(&key, device, "https://pusat", server.public()).unwrap();
        let mut now = 1_000_000;
        let mut waits = Vec::new();
        for n in 1..MAX_TRIES {
            match v.unlock(sari, "00000024", now) {
                Err(VaultError::WrongPin { left, wait_ms }) => {
                    assert_eq!(left, MAX_TRIES - n);
                    waits.push(wait_ms);
                    if wait_ms > 0 {
                        // Too early, even with the right PIN: refused, and not counted.
                        assert!(matches!(
                            v.unlock(sari, "13579024", now + wait_ms - 1),
                            Err(VaultError::Wait { .. })
                        ));
                    }
                    now += wait_ms;
                }
                other => panic!("try {n}: {other:?}"),
            }
        }
        assert_eq!(&waits[..4], &[0, 0, 30_000, 60_000]);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
        // The tries were kept in the file: a restart does not reset them.
        let mut again = Vault::load(&dir.path().join("s.db.keys")).unwrap().unwrap();
        assert!(matches!(
            again.unlock(sari, "99999924", now),
            Err(VaultError::PinErased)
        ));
        assert!(matches!(
            again.unlock(sari, "13579024", now + 10_000_000),
            Err(VaultError::PinErased)
        ));
        assert!(again.members()[0].erased);
        // The server opens the recovery wrap; a new PIN lets the member in again.
        let (d, url, sealed) = again.recovery().unwrap();
        assert_eq!((d, url), (device, "https://pusat"));
        let recovered = server.open_key(sealed, &recovery_aad(device)).unwrap();
        assert_eq!(recovered, key);
        again.kdf = CHEAP;
        again.set_pin(&recovered, sari, "86420024").unwrap();
        assert_eq!(again.unlock(sari, "86420024", now).unwrap(), key);
    }

    #[test]
    fn a_right_pin_resets_the_count_and_bad_pins_and_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, sari, key) = vault(dir.path());
        for _ in 0..2 {
            assert!(v.unlock(sari, "00000024", 0).is_err());
        }
        v.unlock(sari, "13579024", 0).unwrap();
        assert_eq!(v.members()[0].wait_until_ms, 0);
        assert!(
            matches!(v.unlock(sari, "00000024", 0), Err(VaultError::WrongPin { left, .. }) if left == MAX_TRIES - 1)
        );
        for pin in ["12345", "1234567890123", "12a456", ""] {
            assert!(
                matches!(v.add_member(&key, "Ani", pin), Err(VaultError::BadPin)),
                "{pin}"
            );
        }
        assert!(matches!(v.add_member(&key, "  ", "12345624"), Err(VaultError::BadName)));
        assert!(matches!(v.recovery(), Err(VaultError::NoRecovery)));
    }

    #[test]
    fn a_wrap_moved_to_another_member_does_not_open() {
        let dir = tempfile::tempdir().unwrap();
        let (mut v, sari, key) = vault(dir.path());
        let dewi = v.add_member(&key, "Dewi", "13579024").unwrap();
        let sari_wrap = v.file.members[0].wrap.clone();
        v.member(dewi).unwrap().wrap = sari_wrap;
        assert!(matches!(
            v.unlock(dewi, "13579024", 0),
            Err(VaultError::WrongPin { .. })
        ));
        assert_eq!(v.unlock(sari, "13579024", 0).unwrap(), key);
    }

    #[test]
    fn a_damaged_key_file_is_an_error_not_an_empty_vault() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db.keys");
        std::fs::write(&path, b"{\"version\":1,\"members\":[{\"id\":").unwrap();
        assert!(matches!(Vault::load(&path), Err(VaultError::Corrupt { .. })));
        assert!(Vault::load(&dir.path().join("none.keys")).unwrap().is_none());
    }
}
