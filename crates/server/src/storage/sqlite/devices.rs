//! The device registry: `enrollment_codes`, `devices`, `recovery_codes`.

use rusqlite::OptionalExtension;

use super::SqliteTx;
use crate::storage::{CodeRow, DeviceRow, Devices, Home, Issued, RecoveryRow, Result, StorageError, Which};

const DEVICE: &str = "SELECT id, name, user_name, role, scope, token_hash, enrolled_at, expires_at, revoked_at, \
                      last_seen_at, public_key, rules_version, tables_version FROM devices";

fn device(r: &rusqlite::Row) -> rusqlite::Result<DeviceRow> {
    Ok(DeviceRow {
        id: r.get(0)?,
        name: r.get(1)?,
        user_name: r.get(2)?,
        role: r.get(3)?,
        scope: r.get(4)?,
        token_hash: r.get(5)?,
        enrolled_at: r.get(6)?,
        expires_at: r.get(7)?,
        revoked_at: r.get(8)?,
        last_seen_at: r.get(9)?,
        public_key: r.get(10)?,
        rules_version: r.get(11)?,
        tables_version: r.get(12)?,
    })
}

impl Devices for SqliteTx<'_> {
    fn add_code(&mut self, code_hash: &[u8], c: &CodeRow) -> Result<()> {
        self.prepare_cached(
            "INSERT INTO enrollment_codes (code_hash, user_name, role, scope, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute((code_hash, &c.user_name, &c.role, &c.scope, c.created_at, c.expires_at))?;
        Ok(())
    }

    fn code(&mut self, code_hash: &[u8]) -> Result<Option<CodeRow>> {
        Ok(self
            .prepare_cached(
                "SELECT user_name, role, scope, created_at, expires_at, used_at, device_id, nonce_hash \
                 FROM enrollment_codes WHERE code_hash = ?1",
            )?
            .query_row([code_hash], |r| {
                Ok(CodeRow {
                    user_name: r.get(0)?,
                    role: r.get(1)?,
                    scope: r.get(2)?,
                    created_at: r.get(3)?,
                    expires_at: r.get(4)?,
                    used_at: r.get(5)?,
                    device_id: r.get(6)?,
                    nonce_hash: r.get(7)?,
                })
            })
            .optional()?)
    }

    fn use_code(&mut self, code_hash: &[u8], at_ms: i64, device_id: &str, nonce_hash: Option<&[u8]>) -> Result<()> {
        self.prepare_cached(
            "UPDATE enrollment_codes SET used_at = ?1, device_id = ?2, nonce_hash = ?3 WHERE code_hash = ?4",
        )?
        .execute((at_ms, device_id, nonce_hash, code_hash))?;
        Ok(())
    }

    fn add_device(&mut self, d: &DeviceRow) -> Result<()> {
        self.prepare_cached(
            "INSERT INTO devices (id, name, user_name, role, scope, token_hash, enrolled_at, expires_at, public_key) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute((
            &d.id,
            &d.name,
            &d.user_name,
            &d.role,
            &d.scope,
            &d.token_hash,
            d.enrolled_at,
            d.expires_at,
            &d.public_key,
        ))?;
        Ok(())
    }

    fn take_device(&mut self, d: &DeviceRow, home: Home) -> Result<bool> {
        let sql = match home {
            Home::Here => {
                "INSERT INTO devices (id, name, user_name, role, scope, token_hash, enrolled_at, expires_at, \
                 revoked_at, public_key, home) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'here') \
                 ON CONFLICT(id) DO UPDATE SET revoked_at = COALESCE(devices.revoked_at, excluded.revoked_at)"
            }
            Home::Upstream => {
                "INSERT INTO devices (id, name, user_name, role, scope, token_hash, enrolled_at, expires_at, \
                 revoked_at, public_key, home) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'upstream') \
                 ON CONFLICT(id) DO UPDATE \
                 SET name = excluded.name, user_name = excluded.user_name, role = excluded.role, \
                 scope = excluded.scope, token_hash = excluded.token_hash, expires_at = excluded.expires_at, \
                 revoked_at = COALESCE(devices.revoked_at, excluded.revoked_at), public_key = excluded.public_key"
            }
        };
        let done = self.prepare_cached(sql)?.execute((
            &d.id,
            &d.name,
            &d.user_name,
            &d.role,
            &d.scope,
            &d.token_hash,
            d.enrolled_at,
            d.expires_at,
            d.revoked_at,
            &d.public_key,
        ));
        match done {
            Ok(_) => Ok(true),
            // Another device already holds this token hash.
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                Ok(false)
            }
            Err(e) => Err(StorageError::from(e)),
        }
    }

    fn retoken(&mut self, id: &str, token_hash: &[u8], public_key: &[u8]) -> Result<bool> {
        let n = self
            .prepare_cached("UPDATE devices SET token_hash = ?1, public_key = ?3 WHERE id = ?2 AND revoked_at IS NULL")?
            .execute((token_hash, id, public_key))?;
        Ok(n > 0)
    }

    fn device(&mut self, id: &str) -> Result<Option<DeviceRow>> {
        Ok(self
            .prepare_cached(&format!("{DEVICE} WHERE id = ?1"))?
            .query_row([id], device)
            .optional()?)
    }

    fn device_by_token(&mut self, token_hash: &[u8]) -> Result<Option<DeviceRow>> {
        Ok(self
            .prepare_cached(&format!("{DEVICE} WHERE token_hash = ?1"))?
            .query_row([token_hash], device)
            .optional()?)
    }

    fn devices(&mut self, which: Which) -> Result<Vec<DeviceRow>> {
        let mut stmt;
        let rows = match which {
            Which::All => {
                stmt = self.prepare_cached(&format!("{DEVICE} ORDER BY enrolled_at"))?;
                stmt.query_map([], device)?
            }
            Which::Except(id) => {
                stmt = self.prepare_cached(&format!("{DEVICE} WHERE id <> ?1 ORDER BY enrolled_at"))?;
                stmt.query_map([id], device)?
            }
            Which::NotUploaded => {
                stmt = self.prepare_cached(&format!(
                    "{DEVICE} WHERE uploaded_at IS NULL AND (home = 'here' OR revoked_at IS NOT NULL) \
                     ORDER BY enrolled_at"
                ))?;
                stmt.query_map([], device)?
            }
        };
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn touch(&mut self, id: &str, at_ms: i64) -> Result<()> {
        self.prepare_cached("UPDATE devices SET last_seen_at = ?1 WHERE id = ?2")?
            .execute((at_ms, id))?;
        Ok(())
    }

    fn note_versions(&mut self, id: &str, rules: &str, tables: &str) -> Result<bool> {
        let n = self
            .prepare_cached(
                "UPDATE devices SET rules_version = ?2, tables_version = ?3 WHERE id = ?1 \
                 AND (rules_version IS NOT ?2 OR tables_version IS NOT ?3)",
            )?
            .execute((id, rules, tables))?;
        Ok(n > 0)
    }

    fn revoke(&mut self, id: &str, at_ms: i64) -> Result<bool> {
        let n = self
            .prepare_cached(
                "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?1), uploaded_at = NULL WHERE id = ?2",
            )?
            .execute((at_ms, id))?;
        Ok(n > 0)
    }

    fn mark_uploaded(&mut self, ids: &[String], at_ms: i64) -> Result<()> {
        let mut stmt = self.prepare_cached("UPDATE devices SET uploaded_at = ?2 WHERE id = ?1")?;
        for id in ids {
            stmt.execute((id, at_ms))?;
        }
        Ok(())
    }

    fn add_recovery_code(&mut self, code_hash: &[u8], i: &Issued) -> Result<()> {
        self.prepare_cached(
            "INSERT INTO recovery_codes (code_hash, device_id, issued_by, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute((code_hash, i.device_id, i.by, i.at_ms, i.expires_at))?;
        Ok(())
    }

    fn recovery_code(&mut self, code_hash: &[u8]) -> Result<Option<RecoveryRow>> {
        Ok(self
            .prepare_cached(
                "SELECT c.device_id, c.expires_at, c.used_at, c.reply_to, d.revoked_at \
                 FROM recovery_codes c JOIN devices d ON d.id = c.device_id WHERE c.code_hash = ?1",
            )?
            .query_row([code_hash], |r| {
                Ok(RecoveryRow {
                    device_id: r.get(0)?,
                    expires_at: r.get(1)?,
                    used_at: r.get(2)?,
                    reply_to: r.get(3)?,
                    revoked_at: r.get(4)?,
                })
            })
            .optional()?)
    }

    fn use_recovery_code(&mut self, code_hash: &[u8], at_ms: i64, reply_to: &str) -> Result<()> {
        self.prepare_cached("UPDATE recovery_codes SET used_at = ?1, reply_to = ?2 WHERE code_hash = ?3")?
            .execute((at_ms, reply_to, code_hash))?;
        Ok(())
    }
}
