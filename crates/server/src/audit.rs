//! The audit log: enrolments, revocations, pushes, merges, exports, dashboard log-ins and
//! admin actions, appended in the transaction of what they record (an action that rolls
//! back leaves no entry). Each entry's hash is SHA-256 over the previous entry's hash and
//! its own fields, so `verify` finds any entry altered, removed or inserted in the middle;
//! removing the newest entries is found by comparing with a head hash kept elsewhere (the
//! CLI prints it). SQL triggers refuse updates and deletes. Nothing personal goes in.

use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::storage::AuditLog;
pub use crate::storage::Entry;

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    EnrollmentCodeIssued,
    Enrolled,
    EnrolmentRetried,
    Revoked,
    Pushed,
    Merged,
    Exported,
    LoggedIn,
    LogInRefused,
    AccountAdded,
    AccountDisabled,
    /// An account's log-in lock-out ended by an engineer.
    AccountUnlocked,
    RecoveryCodeIssued,
    Recovered,
    RecoveryRefused,
    /// A device a hub enrolled, taken into this registry.
    HubDeviceTaken,
    /// A device a hub handed up, refused (outside its scope, malformed).
    HubDeviceRefused,
}

impl Action {
    pub const ALL: [Action; 17] = [
        Action::EnrollmentCodeIssued,
        Action::Enrolled,
        Action::EnrolmentRetried,
        Action::Revoked,
        Action::Pushed,
        Action::Merged,
        Action::Exported,
        Action::LoggedIn,
        Action::LogInRefused,
        Action::AccountAdded,
        Action::AccountDisabled,
        Action::AccountUnlocked,
        Action::RecoveryCodeIssued,
        Action::Recovered,
        Action::RecoveryRefused,
        Action::HubDeviceTaken,
        Action::HubDeviceRefused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::EnrollmentCodeIssued => "enrollment_code_issued",
            Action::Enrolled => "enrolled",
            Action::EnrolmentRetried => "enrolment_retried",
            Action::Revoked => "revoked",
            Action::Pushed => "pushed",
            Action::Merged => "merged",
            Action::Exported => "exported",
            Action::LoggedIn => "logged_in",
            Action::LogInRefused => "log_in_refused",
            Action::AccountAdded => "account_added",
            Action::AccountDisabled => "account_disabled",
            Action::AccountUnlocked => "account_unlocked",
            Action::RecoveryCodeIssued => "recovery_code_issued",
            Action::Recovered => "recovered",
            Action::RecoveryRefused => "recovery_refused",
            Action::HubDeviceTaken => "hub_device_taken",
            Action::HubDeviceRefused => "hub_device_refused",
        }
    }
}

/// A character that would break a printed entry into two or that prints as nothing, so
/// that "ani" with it reads as "ani": a control character, a line or paragraph separator,
/// and the format characters that show no glyph (zero-width spaces and joiners, direction
/// marks and overrides, the byte-order mark, variation selectors, tags).
pub fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}' | '\u{E0000}'..='\u{E0FFF}')
}

/// `text` as one line of a listing: every [`invisible`] character, and the backslash that
/// begins an escape, shown escaped (`\u{a}`, `\u{5c}`), so no entry prints as two, as
/// another's name, or as an escape it is not.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if invisible(c) || c == '\\' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn chain(prev: &[u8], seq: i64, at_ms: i64, parts: [&str; 4]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(at_ms.to_be_bytes());
    // Length-prefixed: ("ab", "c") and ("a", "bc") hash apart.
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    h.finalize().to_vec()
}

const GENESIS: [u8; 32] = [0; 32];

/// Appends an entry (in the transaction of the action itself).
pub fn record(
    log: &mut dyn AuditLog,
    at_ms: i64,
    actor: &str,
    action: Action,
    subject: &str,
    detail: &str,
) -> Result<()> {
    let (seq, prev) = match log.audit_head()? {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_vec()),
    };
    let hash = chain(&prev, seq, at_ms, [actor, action.as_str(), subject, detail]);
    log.audit_append(&Entry {
        seq,
        at_ms,
        actor: actor.to_string(),
        action: action.as_str().to_string(),
        subject: subject.to_string(),
        detail: detail.to_string(),
        hash,
    })?;
    Ok(())
}

/// The newest `limit` entries, newest first.
pub fn recent(log: &mut dyn AuditLog, limit: usize) -> Result<Vec<Entry>> {
    Ok(log.audit_recent(limit)?)
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub entries: u64,
    /// The newest entry's hash (hex): kept elsewhere, it shows whether newer entries were
    /// removed later.
    pub head: String,
    /// The first entry that does not follow from the one before, and why.
    pub broken: Option<(i64, String)>,
}

/// Walks the whole chain.
pub fn verify(log: &mut dyn AuditLog) -> Result<Verified> {
    let (mut prev, mut expect, mut n) = (GENESIS.to_vec(), 1i64, 0u64);
    let mut broken = None;
    log.audit_walk(&mut |e: Entry| {
        n += 1;
        let why = if e.seq != expect {
            Some(format!("entry {expect} is missing"))
        } else if chain(&prev, e.seq, e.at_ms, [&e.actor, &e.action, &e.subject, &e.detail]) != e.hash {
            Some("its hash does not follow from its fields and the entry before".to_string())
        } else {
            None
        };
        if let Some(why) = why {
            broken = Some((e.seq, why));
            return false;
        }
        prev = e.hash;
        expect += 1;
        true
    })?;
    Ok(Verified {
        entries: n,
        head: hex::encode(&prev),
        broken,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_hashed_apart() {
        assert_ne!(
            chain(&GENESIS, 1, 0, ["ab", "c", "", ""]),
            chain(&GENESIS, 1, 0, ["a", "bc", "", ""])
        );
    }
}
