//! The accounts of the people who read the dashboard: a PLKB officer sees a kecamatan, the
//! kabupaten's staff (district) and admins a regency. Passwords are kept only as Argon2id
//! hashes (PHC strings, salted per account); an admin makes accounts on the server's
//! command line (`pendamping server user add`).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use pendamping_protocol::{Role, Scope};
use rusqlite::{Connection, OptionalExtension};

use crate::error::{Result, ServerError};

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
    conn: &Connection,
    name: &str,
    role: AccountRole,
    areas: &[&str],
    password: &str,
    now_ms: i64,
) -> Result<Account> {
    let name = name.trim().to_lowercase();
    if name.is_empty() || name.len() > 64 || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ServerError::Account("nama akun harus 1–64 huruf tanpa spasi".into()));
    }
    if password.chars().count() < MIN_PASSWORD {
        return Err(ServerError::Account(format!(
            "kata sandi terlalu pendek: paling sedikit {MIN_PASSWORD} karakter"
        )));
    }
    let scope = Scope::new(role.level(), areas)?;
    let exists: Option<String> = conn
        .query_row("SELECT name FROM accounts WHERE name = ?1", [&name], |r| r.get(0))
        .optional()?;
    if exists.is_some() {
        return Err(ServerError::Account(format!("akun {name:?} sudah ada")));
    }
    conn.execute(
        "INSERT INTO accounts (name, role, areas, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        (&name, role.as_str(), scope.codes(), hash(password)?, now_ms),
    )?;
    let detail = format!("{} {}", role.as_str(), scope.codes());
    crate::audit::record(
        conn,
        now_ms,
        "admin",
        crate::audit::Action::AccountAdded,
        &name,
        &detail,
    )?;
    Ok(Account { name, role, scope })
}

/// The account of `name` if `password` is its password and it is not disabled. An unknown
/// name costs as much as a wrong password, so a caller cannot tell which names exist.
pub fn verify(conn: &Connection, name: &str, password: &str) -> Result<Verified> {
    let name = name.trim().to_lowercase();
    let row: Option<(String, String, String, Option<i64>)> = conn
        .query_row(
            "SELECT role, areas, hash, disabled_at FROM accounts WHERE name = ?1",
            [&name],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((role, areas, stored, disabled)) = row else {
        let _ = hash(password)?;
        return Ok(Verified::Refused);
    };
    let parsed =
        PasswordHash::new(&stored).map_err(|e| ServerError::Corrupt(format!("accounts.hash of {name}: {e}")))?;
    if hasher().verify_password(password.as_bytes(), &parsed).is_err() {
        return Ok(Verified::Refused);
    }
    if disabled.is_some() {
        return Ok(Verified::Disabled);
    }
    account(name, &role, &areas).map(Verified::Account)
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
pub fn active(conn: &Connection, name: &str) -> Result<Option<Account>> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT role, areas FROM accounts WHERE name = ?1 AND disabled_at IS NULL",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(role, areas)| account(name.to_string(), &role, &areas))
        .transpose()
}

/// Every account, by name: (name, role, areas, disabled).
pub fn list(conn: &Connection) -> Result<Vec<(String, String, String, bool)>> {
    let mut stmt = conn.prepare("SELECT name, role, areas, disabled_at IS NOT NULL FROM accounts ORDER BY name")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Stops an account logging in; its history stays.
pub fn disable(conn: &Connection, name: &str, now_ms: i64) -> Result<()> {
    let n = conn.execute(
        "UPDATE accounts SET disabled_at = ?2 WHERE name = ?1 AND disabled_at IS NULL",
        (name.trim().to_lowercase(), now_ms),
    )?;
    if n == 0 {
        return Err(ServerError::Account(format!("tidak ada akun aktif bernama {name:?}")));
    }
    let name = name.trim().to_lowercase();
    crate::audit::record(conn, now_ms, "admin", crate::audit::Action::AccountDisabled, &name, "")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(&dir.path().join("central.db"), None).unwrap();
        (dir, conn)
    }

    #[test]
    fn a_password_is_kept_only_as_an_argon2id_hash_and_checked() {
        let (_dir, c) = db();
        let a = add(&c, "Sari.PLKB", AccountRole::Plkb, &["36.02.01"], "rahasia-sekali", 1).unwrap();
        assert_eq!((a.name.as_str(), a.scope.codes()), ("sari.plkb", "360201".to_string()));
        let stored: String = c.query_row("SELECT hash FROM accounts", [], |r| r.get(0)).unwrap();
        assert!(stored.starts_with("$argon2id$v=19$"), "{stored}");
        assert!(!stored.contains("rahasia"));
        assert_eq!(
            verify(&c, "sari.plkb", "rahasia-sekali").unwrap(),
            Verified::Account(a.clone())
        );
        let Verified::Account(found) = verify(&c, "SARI.PLKB ", "rahasia-sekali").unwrap() else {
            panic!("the name is read as typed, in any case")
        };
        assert_eq!(found.name, "sari.plkb");
        assert_eq!(verify(&c, "sari.plkb", "rahasia-sekalI").unwrap(), Verified::Refused);
        assert_eq!(verify(&c, "nobody", "rahasia-sekali").unwrap(), Verified::Refused);
        // A second account with the same password gets another salt.
        add(&c, "budi", AccountRole::District, &["3602"], "rahasia-sekali", 1).unwrap();
        let hashes: Vec<String> = c
            .prepare("SELECT hash FROM accounts")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|h| h.unwrap())
            .collect();
        assert_ne!(hashes[0], hashes[1]);
        disable(&c, "budi", 2).unwrap();
        assert_eq!(
            verify(&c, "budi", "rahasia-sekali").unwrap(),
            Verified::Disabled,
            "a disabled account cannot log in, and with its right password is told why"
        );
        assert_eq!(verify(&c, "budi", "salah-sekali").unwrap(), Verified::Refused);
    }

    #[test]
    fn bad_accounts_are_refused_with_the_reason() {
        let (_dir, c) = db();
        let e = add(&c, "x", AccountRole::Plkb, &["360201"], "pendek", 1).unwrap_err();
        assert!(e.to_string().contains("paling sedikit 10"), "{e}");
        let e = add(&c, "dua kata", AccountRole::Plkb, &["360201"], "rahasia-sekali", 1).unwrap_err();
        assert!(e.to_string().contains("tanpa spasi"), "{e}");
        // A PLKB sees a kecamatan, not a regency.
        assert!(add(&c, "x", AccountRole::Plkb, &["3602"], "rahasia-sekali", 1).is_err());
        add(&c, "x", AccountRole::Plkb, &["360201"], "rahasia-sekali", 1).unwrap();
        let e = add(&c, "X", AccountRole::Admin, &["3602"], "rahasia-sekali", 1).unwrap_err();
        assert!(e.to_string().contains("sudah ada"), "{e}");
    }
}
