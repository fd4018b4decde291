//! The audit log: enrolments, revocations, pushes, merges, exports, dashboard log-ins and
//! admin actions, appended in the transaction of what they record (an action that rolls
//! back leaves no entry). Each entry's hash is SHA-256 over the previous entry's hash and
//! its own fields, so `verify` finds any entry altered, removed or inserted in the middle;
//! removing the newest entries is found by comparing with a head hash kept elsewhere (the
//! CLI prints it). SQL triggers refuse updates and deletes. Nothing personal goes in.

use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::Result;

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
    RecoveryCodeIssued,
    Recovered,
    RecoveryRefused,
    /// A device a hub enrolled, taken into this registry.
    HubDeviceTaken,
    /// A device a hub handed up, refused (outside its scope, malformed).
    HubDeviceRefused,
}

impl Action {
    pub const ALL: [Action; 16] = [
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
            Action::RecoveryCodeIssued => "recovery_code_issued",
            Action::Recovered => "recovered",
            Action::RecoveryRefused => "recovery_refused",
            Action::HubDeviceTaken => "hub_device_taken",
            Action::HubDeviceRefused => "hub_device_refused",
        }
    }
}

/// One entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub hash: Vec<u8>,
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

/// Appends an entry (on the connection or transaction of the action itself).
pub fn record(conn: &Connection, at_ms: i64, actor: &str, action: Action, subject: &str, detail: &str) -> Result<()> {
    let last: Option<(i64, Vec<u8>)> = conn
        .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_vec()),
    };
    let hash = chain(&prev, seq, at_ms, [actor, action.as_str(), subject, detail]);
    conn.prepare_cached(
        "INSERT INTO audit (seq, at_ms, actor, action, subject, detail, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute((seq, at_ms, actor, action.as_str(), subject, detail, hash))?;
    Ok(())
}

/// The newest `limit` entries, newest first.
pub fn recent(conn: &Connection, limit: usize) -> Result<Vec<Entry>> {
    let mut stmt =
        conn.prepare("SELECT seq, at_ms, actor, action, subject, detail, hash FROM audit ORDER BY seq DESC LIMIT ?1")?;
    let rows = stmt.query_map([limit as i64], entry)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn entry(r: &rusqlite::Row) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: r.get(0)?,
        at_ms: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        subject: r.get(4)?,
        detail: r.get(5)?,
        hash: r.get(6)?,
    })
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
pub fn verify(conn: &Connection) -> Result<Verified> {
    let mut stmt = conn.prepare("SELECT seq, at_ms, actor, action, subject, detail, hash FROM audit ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let (mut prev, mut expect, mut n) = (GENESIS.to_vec(), 1i64, 0u64);
    while let Some(r) = rows.next()? {
        let e = entry(r)?;
        n += 1;
        let broken = |why: String| Verified {
            entries: n,
            head: hex::encode(&prev),
            broken: Some((e.seq, why)),
        };
        if e.seq != expect {
            return Ok(broken(format!("entry {expect} is missing")));
        }
        let want = chain(&prev, e.seq, e.at_ms, [&e.actor, &e.action, &e.subject, &e.detail]);
        if want != e.hash {
            return Ok(broken(
                "its hash does not follow from its fields and the entry before".into(),
            ));
        }
        prev = e.hash;
        expect += 1;
    }
    Ok(Verified {
        entries: n,
        head: hex::encode(&prev),
        broken: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(&dir.path().join("c.db"), None).unwrap();
        (dir, conn)
    }

    #[test]
    fn a_clean_log_verifies_and_any_tampering_in_the_middle_breaks_it() {
        let (_d, conn) = db();
        for i in 0..5 {
            record(
                &conn,
                1_000 + i,
                "device-1",
                Action::Pushed,
                "device-1",
                &format!("accepted {i}"),
            )
            .unwrap();
        }
        let ok = verify(&conn).unwrap();
        assert_eq!((ok.entries, ok.broken.clone()), (5, None));
        assert_eq!(recent(&conn, 2).unwrap()[0].seq, 5);
        // The triggers refuse changes through SQL.
        assert!(
            conn.execute("UPDATE audit SET detail = 'accepted 99' WHERE seq = 3", [])
                .is_err()
        );
        assert!(conn.execute("DELETE FROM audit WHERE seq = 3", []).is_err());
        // Someone with the file drops the triggers and edits an entry: found at that entry.
        conn.execute_batch(
            "DROP TRIGGER audit_append_only_update; DROP TRIGGER audit_append_only_delete; \
             UPDATE audit SET detail = 'accepted 99' WHERE seq = 3;",
        )
        .unwrap();
        assert_eq!(verify(&conn).unwrap().broken.map(|b| b.0), Some(3));
        conn.execute("UPDATE audit SET detail = 'accepted 2' WHERE seq = 3", [])
            .unwrap();
        assert_eq!(verify(&conn).unwrap().broken, None, "restored, it verifies again");
        // An entry removed: found where the sequence breaks.
        conn.execute("DELETE FROM audit WHERE seq = 2", []).unwrap();
        let gap = verify(&conn).unwrap().broken.unwrap();
        assert_eq!(gap.0, 3);
        assert!(gap.1.contains("missing"), "{}", gap.1);
    }

    #[test]
    fn fields_are_hashed_apart() {
        assert_ne!(
            chain(&GENESIS, 1, 0, ["ab", "c", "", ""]),
            chain(&GENESIS, 1, 0, ["a", "bc", "", ""])
        );
    }
}
