//! What an engineer's command does to a server's store, beside the server or without it
//! (the CLI's `pendamping server …`, the app's hub switch): codes, devices, accounts, the
//! audit log, what was set aside. It opens the store from the server's config, as the server
//! does, and holds no connection of a database's own kind: the CLI and the app never see one.

use std::path::Path;

use pendamping_protocol::Scope;

use crate::accounts::{self, Account, AccountRole};
use crate::audit;
use crate::auth::{self, DeviceInfo};
use crate::config::Config;
use crate::error::Result;
use crate::storage::{Backlog, NotUsed, Setting, Storage, Tx};

/// A server's store, opened for an engineer's task.
pub struct Admin {
    storage: Box<dyn Storage>,
}

impl Admin {
    /// The store `config` names, keyed as the server keys it (`db_key_file`).
    pub fn open(config: &Config) -> Result<Admin> {
        let key = config.store_key()?;
        let storage = crate::open_storage(config, key.as_ref(), true)?;
        crate::ready(&*storage)?;
        Ok(Admin { storage })
    }

    /// The store at `db`, with its key if it is encrypted.
    pub fn at(db: &Path, key: Option<&pendamping_vault::DataKey>) -> Result<Admin> {
        Admin::open(&Config {
            db: db.to_path_buf(),
            db_key: key.cloned(),
            ..Config::default()
        })
    }

    fn write<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        self.storage.writing(f)
    }

    fn read<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        self.storage.reading(f)
    }

    /// A single-use enrolment code for `user` over `scope`, valid `ttl_ms`.
    pub fn enrollment_code(&self, user: &str, scope: &Scope, now_ms: i64, ttl_ms: i64) -> Result<String> {
        self.write(|tx| auth::new_enrollment_code(tx, user, scope, now_ms, ttl_ms))
    }

    /// The device a bearer token belongs to, if it may still sync.
    pub fn authenticate(&self, token: &str, now_ms: i64) -> Result<Result<auth::Device, auth::Denied>> {
        self.read(|tx| auth::authenticate(tx, token, now_ms))
    }

    pub fn revoke(&self, device_id: &str, now_ms: i64) -> Result<()> {
        self.write(|tx| auth::revoke(tx, device_id, now_ms))
    }

    /// Every device, in order of enrolment.
    pub fn devices(&self) -> Result<Vec<DeviceInfo>> {
        self.read(|tx| auth::devices(tx))
    }

    /// A one-time code to recover the data key of a device whose PIN was forgotten.
    pub fn recovery_code(&self, device_id: &str, issued_by: &str, now_ms: i64) -> Result<String> {
        self.write(|tx| crate::recovery::issue_code(tx, device_id, issued_by, now_ms))
    }

    /// The changes held but not used: refused at the door, then set aside in the log.
    pub fn not_used(&self, limit: usize) -> Result<Vec<NotUsed>> {
        self.read(|tx| Ok(tx.not_used(limit)?))
    }

    /// How far a hub's log has gone upstream.
    pub fn backlog(&self) -> Result<Backlog> {
        self.read(|tx| crate::hub::backlog(tx))
    }

    /// The hub's kecamatan, if this store is a hub's enrolled upstream.
    pub fn hub_scope(&self) -> Result<Option<Scope>> {
        self.read(|tx| crate::hub::scope_of(tx))
    }

    /// A setting of this store (a hub's upstream, the app's hub switch).
    pub fn setting(&self, s: Setting) -> Result<Option<String>> {
        self.read(|tx| Ok(tx.setting(s)?))
    }

    pub fn set_setting(&self, s: Setting, value: &str) -> Result<()> {
        self.write(|tx| Ok(tx.set_setting(s, value)?))
    }

    pub fn clear_setting(&self, s: Setting) -> Result<()> {
        self.write(|tx| Ok(tx.clear_setting(s)?))
    }

    pub fn add_account(
        &self,
        name: &str,
        role: AccountRole,
        areas: &[&str],
        password: &str,
        now_ms: i64,
    ) -> Result<Account> {
        self.write(|tx| accounts::add(tx, name, role, areas, password, now_ms))
    }

    /// Every account, by name: (name, role, areas, disabled).
    pub fn accounts(&self) -> Result<Vec<(String, String, String, bool)>> {
        self.read(|tx| accounts::list(tx))
    }

    pub fn disable_account(&self, name: &str, now_ms: i64) -> Result<()> {
        self.write(|tx| accounts::disable(tx, name, now_ms))
    }

    /// Ends `name`'s log-in lock-outs.
    pub fn unlock_account(&self, name: &str, now_ms: i64) -> Result<accounts::Unlocked> {
        self.write(|tx| accounts::unlock(tx, name, now_ms))
    }

    /// The newest `limit` entries of the audit log, newest first.
    pub fn audit_recent(&self, limit: usize) -> Result<Vec<audit::Entry>> {
        self.read(|tx| audit::recent(tx, limit))
    }

    /// The audit chain walked whole.
    pub fn audit_verify(&self) -> Result<audit::Verified> {
        self.read(|tx| audit::verify(tx))
    }
}
