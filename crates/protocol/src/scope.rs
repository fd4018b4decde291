//! Who may see what: a role and the areas it covers (villages for a cadre, a kecamatan
//! for a PLKB officer, a regency for an admin). A change belongs to a scope when its
//! village code lies under one of the scope's codes.

use pendamping_core::area::{self, AreaCode, Level};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Cadre,
    Plkb,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Cadre => "cadre",
            Role::Plkb => "plkb",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Cadre, Role::Plkb, Role::Admin]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

    /// A hub runs with a PLKB's (kecamatan) or an admin's (regency) enrolment: only those
    /// may relay other devices' changes and enrol devices within their scope.
    pub fn may_relay(self) -> bool {
        matches!(self, Role::Plkb | Role::Admin)
    }

    /// The level of the codes a scope of this role names.
    pub fn level(self) -> Level {
        match self {
            Role::Cadre => Level::Village,
            Role::Plkb => Level::District,
            Role::Admin => Level::Regency,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Scope {
    pub role: Role,
    pub areas: Vec<AreaCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("a scope needs at least one area code")]
    Empty,
    #[error("area code {0:?} is not in the Kemendagri list")]
    Unknown(String),
    #[error("a {role} scope names {expected} codes ({len} digits); {code:?} is not one")]
    WrongLevel {
        role: &'static str,
        expected: &'static str,
        len: usize,
        code: String,
    },
}

impl Scope {
    /// A scope from codes written with or without dots, each checked against the list.
    pub fn new(role: Role, codes: &[&str]) -> Result<Scope, ScopeError> {
        if codes.is_empty() {
            return Err(ScopeError::Empty);
        }
        let level = role.level();
        let mut areas = Vec::new();
        for raw in codes {
            let found = area::lookup(raw).ok_or_else(|| ScopeError::Unknown(raw.to_string()))?;
            if found.level != level {
                return Err(ScopeError::WrongLevel {
                    role: role.as_str(),
                    expected: match level {
                        Level::Village => "village",
                        Level::District => "kecamatan",
                        _ => "regency",
                    },
                    len: level.code_len(),
                    code: raw.to_string(),
                });
            }
            areas.push(found.area_code());
        }
        areas.sort();
        areas.dedup();
        Ok(Scope { role, areas })
    }

    /// Is this scope one `Scope::new` makes: codes of the role's level, each in the
    /// Kemendagri list, sorted, once? A scope read from another server (a hub's devices)
    /// is checked with this before it is kept, the check every reader of it makes again.
    pub fn well_formed(&self) -> Result<(), ScopeError> {
        let codes: Vec<&str> = self.areas.iter().map(AreaCode::as_str).collect();
        let again = Scope::new(self.role, &codes)?;
        if again != *self {
            return Err(ScopeError::Unknown(self.codes()));
        }
        Ok(())
    }

    /// Does a village code lie in this scope?
    pub fn contains(&self, village_code: &str) -> bool {
        village_code.len() == 10 && self.includes(village_code)
    }

    /// Does the area `code` (any level) lie within this scope?
    pub fn includes(&self, code: &str) -> bool {
        self.areas.iter().any(|a| a.encloses(code))
    }

    /// Does every area of `other` lie in this scope?
    pub fn covers(&self, other: &Scope) -> bool {
        other.areas.iter().all(|o| self.includes(o.as_str()))
    }

    /// Every village of the scope.
    pub fn villages(&self) -> Vec<String> {
        self.areas
            .iter()
            .flat_map(|a| area::villages_under(a.as_str()))
            .map(|v| v.code.to_string())
            .collect()
    }

    /// The codes as stored and printed: comma-separated.
    pub fn codes(&self) -> String {
        self.areas.iter().map(AreaCode::as_str).collect::<Vec<_>>().join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_names_codes_of_its_level_and_contains_what_lies_under_them() {
        let plkb = Scope::new(Role::Plkb, &["36.02.01"]).unwrap();
        assert!(plkb.contains("3602012002"));
        assert!(!plkb.contains("3602022001"));
        assert!(!plkb.contains("360201"), "only village codes are rows' areas");
        assert!(plkb.villages().len() > 3 && plkb.villages().iter().all(|v| v.starts_with("360201")));
        assert!(matches!(
            Scope::new(Role::Cadre, &["360201"]),
            Err(ScopeError::WrongLevel { .. })
        ));
        assert!(matches!(
            Scope::new(Role::Cadre, &["3602019999"]),
            Err(ScopeError::Unknown(_))
        ));
        assert_eq!(Scope::new(Role::Admin, &[]), Err(ScopeError::Empty));
        let cadre = Scope::new(Role::Cadre, &["3602012003", "3602012002", "3602012003"]).unwrap();
        assert_eq!(cadre.codes(), "3602012002,3602012003");
        assert_eq!(cadre.villages(), vec!["3602012002", "3602012003"]);
        assert!(plkb.covers(&cadre) && !cadre.covers(&plkb));
        // A scope read back (a device's, an account's) holds well-formed codes or is refused.
        let stored = serde_json::to_string(&plkb).unwrap();
        assert_eq!(serde_json::from_str::<Scope>(&stored).unwrap(), plkb);
        assert!(serde_json::from_str::<Scope>(r#"{"role":"plkb","areas":["36020"]}"#).is_err());
        assert!(serde_json::from_str::<Scope>(r#"{"role":"plkb","areas":[""]}"#).is_err());
    }
}
