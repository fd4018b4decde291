//! The accounts of the people who read the dashboard: a PLKB officer sees a kecamatan, the
//! kabupaten's staff (district) and admins a regency. Passwords are kept only as Argon2id
//! hashes (PHC strings, salted per account); an admin makes accounts on the server's
//! command line (`pendamping server user add`).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use pendamping_protocol::{Role, Scope};

use crate::error::{Result, ServerError};
use crate::storage::{AccountRow, Accounts, Tx};

/// Shorter passwords are refused: the dashboard shows names of pregnant women and children.
pub const MIN_PASSWORD: usize = 10;

/// What an account may do and see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountRole {
    /// A kecamatan's PLKB officer: its villages.
    Plkb,
    /// The kabupaten's staff (TPPS): the regency, read only.
    District,
    /// The regency, and the accounts.
    Admin,
}

impl AccountRole {
    pub const ALL: [AccountRole; 3] = [AccountRole::Plkb, AccountRole::District, AccountRole::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountRole::Plkb => "plkb",
            AccountRole::District => "district",
            AccountRole::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<AccountRole> {
        AccountRole::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The device role whose level its areas have (a kecamatan, or a regency).
    fn level(self) -> Role {
        match self {
            AccountRole::Plkb => Role::Plkb,
            AccountRole::District | AccountRole::Admin => Role::Admin,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub name: String,
    pub role: AccountRole,
    /// The areas the account may see.
    pub scope: Scope,
}

fn hasher() -> Argon2<'static> {
    // Argon2id, version 0x13, RFC 9106's second recommendation (19 MiB, 2 passes).
    Argon2::default()
}

fn account_err(e: impl std::fmt::Display) -> ServerError {
    ServerError::Account(e.to_string())
}

/// A PHC string of `password`, with a fresh salt from the OS.
fn hash(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(account_err)?;
    let salt = SaltString::encode_b64(&salt).map_err(account_err)?;
    Ok(hasher()
        .hash_password(password.as_bytes(), &salt)
        .map_err(account_err)?
        .to_string())
}

/// Makes an account. The name is kept in lower case; it must be new.
pub fn add(
    tx: &mut dyn Tx,
    name: &str,
    role: AccountRole,
    areas: &[&str],
    password: &str,
    now_ms: i64,
) -> Result<Account> {
    let name = name.trim().to_lowercase();
    if name.is_empty() || name.len() > 64 || name.chars().any(|c| c.is_whitespace() || crate::audit::invisible(c)) {
        return Err(ServerError::Account("nama akun harus 1–64 huruf tanpa spasi".into()));
    }
    if password.chars().count() < MIN_PASSWORD {
        return Err(ServerError::Account(format!(
            "kata sandi terlalu pendek: paling sedikit {MIN_PASSWORD} karakter"
        )));
    }
    let scope = Scope::new(role.level(), areas)?;
    if tx.account(&name)?.is_some() {
        return Err(ServerError::Account(format!("akun {name:?} sudah ada")));
    }
    let row = AccountRow {
        name: name.clone(),
        role: role.as_str().to_string(),
        areas: scope.codes(),
        hash: hash(password)?,
        disabled_at: None,
    };
    tx.add_account(&row, now_ms)?;
    let detail = format!("{} {}", role.as_str(), scope.codes());
    crate::audit::record(tx, now_ms, "admin", crate::audit::Action::AccountAdded, &name, &detail)?;
    Ok(Account { name, role, scope })
}

/// The account of `name` if `password` is its password and it is not disabled. An unknown
/// name costs as much as a wrong password, so a caller cannot tell which names exist.
pub fn verify(accounts: &mut dyn Accounts, name: &str, password: &str) -> Result<Verified> {
    let name = name.trim().to_lowercase();
    let Some(row) = accounts.account(&name)? else {
        let _ = hash(password)?;
        return Ok(Verified::Refused);
    };
    let parsed =
        PasswordHash::new(&row.hash).map_err(|e| ServerError::Corrupt(format!("accounts.hash of {name}: {e}")))?;
    if hasher().verify_password(password.as_bytes(), &parsed).is_err() {
        return Ok(Verified::Refused);
    }
    if row.disabled_at.is_some() {
        return Ok(Verified::Disabled);
    }
    account(name, &row.role, &row.areas).map(Verified::Account)
}

/// What a name and password open.
#[derive(Debug, Clone, PartialEq)]
pub enum Verified {
    Account(Account),
    /// The right password of an account an admin disabled: told so, since whoever typed it
    /// knows the password already (a wrong one is never told which part was wrong).
    Disabled,
    Refused,
}

/// An account as stored.
fn account(name: String, role: &str, areas: &str) -> Result<Account> {
    let role = AccountRole::parse(role).ok_or_else(|| ServerError::Corrupt(format!("accounts.role of {name}")))?;
    let codes: Vec<&str> = areas.split(',').collect();
    Ok(Account {
        scope: Scope::new(role.level(), &codes)?,
        name,
        role,
    })
}

/// The account `name` as it is now, if it is not disabled: a dashboard session reads it
/// on every request, so disabling an account ends its sessions at once.
pub fn active(accounts: &mut dyn Accounts, name: &str) -> Result<Option<Account>> {
    match accounts.account(name)? {
        Some(row) if row.disabled_at.is_none() => account(row.name, &row.role, &row.areas).map(Some),
        _ => Ok(None),
    }
}

/// Every account, by name: (name, role, areas, disabled).
pub fn list(accounts: &mut dyn Accounts) -> Result<Vec<(String, String, String, bool)>> {
    Ok(accounts
        .accounts()?
        .into_iter()
        .map(|a| (a.name, a.role, a.areas, a.disabled_at.is_some()))
        .collect())
}

/// Stops an account logging in; its history stays.
pub fn disable(tx: &mut dyn Tx, name: &str, now_ms: i64) -> Result<()> {
    let name = name.trim().to_lowercase();
    if !tx.disable_account(&name, now_ms)? {
        return Err(ServerError::Account(format!("tidak ada akun aktif bernama {name:?}")));
    }
    crate::audit::record(tx, now_ms, "admin", crate::audit::Action::AccountDisabled, &name, "")?;
    Ok(())
}

/// What `unlock` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unlocked {
    /// It was locked somewhere.
    pub locked: bool,
    /// An account has that name (a name without one is counted, and locked, all the same,
    /// so that the log-in page says nothing of which names exist).
    pub known: bool,
}

/// Ends `name`'s log-in lock-outs, from every address (`dashboard::session::unlock`), and
/// says so in the audit log.
pub fn unlock(tx: &mut dyn Tx, name: &str, now_ms: i64) -> Result<Unlocked> {
    let name = crate::dashboard::session::counted_name(name);
    if name.is_empty() {
        return Err(ServerError::Account("nama akun kosong".into()));
    }
    let locked = crate::dashboard::session::unlock(tx, &name, now_ms)?;
    let known = tx.account(&name)?.is_some();
    let detail = if locked { "locked" } else { "not locked" };
    crate::audit::record(
        tx,
        now_ms,
        "admin",
        crate::audit::Action::AccountUnlocked,
        &name,
        detail,
    )?;
    Ok(Unlocked { locked, known })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::storage::sqlite::{on, scratch};

    fn db() -> (tempfile::TempDir, crate::storage::sqlite::Sqlite) {
        scratch()
    }

    #[test]
    fn a_password_is_kept_only_as_an_argon2id_hash_and_checked() {
        let (_dir, c) = db();
        let a = on(&c, |tx| {
            add(tx, "Sari.PLKB", AccountRole::Plkb, &["36.02.01"], "rahasia-sekali", 1)
        })
        .unwrap();
        assert_eq!((a.name.as_str(), a.scope.codes()), ("sari.plkb", "360201".to_string()));
        let stored = on(&c, |tx| Ok(tx.accounts()?[0].hash.clone())).unwrap();
        assert!(stored.starts_with("$argon2id$v=19$"), "{stored}");
        assert!(!stored.contains("rahasia"));
        assert_eq!(
            on(&c, |tx| verify(tx, "sari.plkb", "rahasia-sekali")).unwrap(),
            Verified::Account(a.clone())
        );
        let Verified::Account(found) = on(&c, |tx| verify(tx, "SARI.PLKB ", "rahasia-sekali")).unwrap() else {
            panic!("the name is read as typed, in any case")
        };
        assert_eq!(found.name, "sari.plkb");
        assert_eq!(
            on(&c, |tx| verify(tx, "sari.plkb", "rahasia-sekalI")).unwrap(),
            Verified::Refused
        );
        assert_eq!(
            on(&c, |tx| verify(tx, "nobody", "rahasia-sekali")).unwrap(),
            Verified::Refused
        );
        // A second account with the same password gets another salt.
        on(&c, |tx| {
            add(tx, "budi", AccountRole::District, &["3602"], "rahasia-sekali", 1)
        })
        .unwrap();
        let hashes: Vec<String> = on(&c, |tx| Ok(tx.accounts()?.into_iter().map(|a| a.hash).collect())).unwrap();
        assert_ne!(hashes[0], hashes[1]);
        on(&c, |tx| disable(tx, "budi", 2)).unwrap();
        assert_eq!(
            on(&c, |tx| verify(tx, "budi", "rahasia-sekali")).unwrap(),
            Verified::Disabled,
            "a disabled account cannot log in, and with its right password is told why"
        );
        assert_eq!(
            on(&c, |tx| verify(tx, "budi", "salah-sekali")).unwrap(),
            Verified::Refused
        );
    }

    #[test]
    fn bad_accounts_are_refused_with_the_reason() {
        let (_dir, c) = db();
        let e = on(&c, |tx| add(tx, "x", AccountRole::Plkb, &["360201"], "pendek", 1)).unwrap_err();
        assert!(e.to_string().contains("paling sedikit 10"), "{e}");
        let e = on(&c, |tx| {
            add(tx, "dua kata", AccountRole::Plkb, &["360201"], "rahasia-sekali", 1)
        })
        .unwrap_err();
        assert!(e.to_string().contains("tanpa spasi"), "{e}");
        // A PLKB sees a kecamatan, not a regency.
        assert!(on(&c, |tx| add(tx, "x", AccountRole::Plkb, &["3602"], "rahasia-sekali", 1)).is_err());
        on(&c, |tx| {
            add(tx, "x", AccountRole::Plkb, &["360201"], "rahasia-sekali", 1)
        })
        .unwrap();
        let e = on(&c, |tx| {
            add(tx, "X", AccountRole::Admin, &["3602"], "rahasia-sekali", 1)
        })
        .unwrap_err();
        assert!(e.to_string().contains("sudah ada"), "{e}");
    }
}
