//! The device registry: `enrollment_codes`, `devices`, `recovery_codes`.

use super::PgTx;
use crate::storage::{CodeRow, DeviceRow, Devices, Home, Issued, RecoveryRow, Result, Which};

const DEVICE: &str = "SELECT id, name, user_name, role, scope, token_hash, enrolled_at, expires_at, revoked_at, \
                      last_seen_at, public_key, rules_version, tables_version FROM devices";

fn device(r: &postgres::Row) -> DeviceRow {
    DeviceRow {
        id: r.get(0),
        name: r.get(1),
        user_name: r.get(2),
        role: r.get(3),
        scope: r.get(4),
        token_hash: r.get(5),
        enrolled_at: r.get(6),
        expires_at: r.get(7),
        revoked_at: r.get(8),
        last_seen_at: r.get(9),
        public_key: r.get(10),
        rules_version: r.get(11),
        tables_version: r.get(12),
    }
}

impl Devices for PgTx<'_> {
    fn add_code(&mut self, code_hash: &[u8], c: &CodeRow) -> Result<()> {
        self.run(
            "INSERT INTO enrollment_codes (code_hash, user_name, role, scope, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &code_hash,
                &c.user_name,
                &c.role,
                &c.scope,
                &c.created_at,
                &c.expires_at,
            ],
        )?;
        Ok(())
    }

    fn code(&mut self, code_hash: &[u8]) -> Result<Option<CodeRow>> {
        Ok(self
            .row(
                "SELECT user_name, role, scope, created_at, expires_at, used_at, device_id, nonce_hash \
                 FROM enrollment_codes WHERE code_hash = $1",
                &[&code_hash],
            )?
            .map(|r| CodeRow {
                user_name: r.get(0),
                role: r.get(1),
                scope: r.get(2),
                created_at: r.get(3),
                expires_at: r.get(4),
                used_at: r.get(5),
                device_id: r.get(6),
                nonce_hash: r.get(7),
            }))
    }

    fn use_code(&mut self, code_hash: &[u8], at_ms: i64, device_id: &str, nonce_hash: Option<&[u8]>) -> Result<()> {
        self.run(
            "UPDATE enrollment_codes SET used_at = $1, device_id = $2, nonce_hash = $3 WHERE code_hash = $4",
            &[&at_ms, &device_id, &nonce_hash, &code_hash],
        )?;
        Ok(())
    }

    fn add_device(&mut self, d: &DeviceRow) -> Result<()> {
        self.run(
            "INSERT INTO devices (id, name, user_name, role, scope, token_hash, enrolled_at, expires_at, public_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                &d.id,
                &d.name,
                &d.user_name,
                &d.role,
                &d.scope,
                &d.token_hash,
                &d.enrolled_at,
                &d.expires_at,
                &d.public_key,
            ],
        )?;
        Ok(())
    }

    fn take_device(&mut self, d: &DeviceRow, home: Home) -> Result<bool> {
        // Asked first, not caught: a failed statement ends a PostgreSQL transaction. The
        // writer lock keeps the answer true until this transaction ends.
        let taken = self
            .row(
                "SELECT 1 FROM devices WHERE token_hash = $1 AND id <> $2",
                &[&d.token_hash, &d.id],
            )?
            .is_some();
        if taken {
            return Ok(false);
        }
        let sql = match home {
            Home::Here => {
                "INSERT INTO devices (id, name, user_name, role, scope, token_hash, enrolled_at, expires_at, \
                 revoked_at, public_key, home) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'here') \
                 ON CONFLICT (id) DO UPDATE SET revoked_at = COALESCE(devices.revoked_at, excluded.revoked_at)"
            }
            Home::Upstream => {
                "INSERT INTO devices (id, name, user_name, role, scope, token_hash, enrolled_at, expires_at, \
                 revoked_at, public_key, home) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'upstream') \
                 ON CONFLICT (id) DO UPDATE \
                 SET name = excluded.name, user_name = excluded.user_name, role = excluded.role, \
                 scope = excluded.scope, token_hash = excluded.token_hash, expires_at = excluded.expires_at, \
                 revoked_at = COALESCE(devices.revoked_at, excluded.revoked_at), public_key = excluded.public_key"
            }
        };
        self.run(
            sql,
            &[
                &d.id,
                &d.name,
                &d.user_name,
                &d.role,
                &d.scope,
                &d.token_hash,
                &d.enrolled_at,
                &d.expires_at,
                &d.revoked_at,
                &d.public_key,
            ],
        )?;
        Ok(true)
    }

    fn retoken(&mut self, id: &str, token_hash: &[u8], public_key: &[u8]) -> Result<bool> {
        let n = self.run(
            "UPDATE devices SET token_hash = $1, public_key = $3 WHERE id = $2 AND revoked_at IS NULL",
            &[&token_hash, &id, &public_key],
        )?;
        Ok(n > 0)
    }

    fn device(&mut self, id: &str) -> Result<Option<DeviceRow>> {
        Ok(self
            .row(&format!("{DEVICE} WHERE id = $1"), &[&id])?
            .as_ref()
            .map(device))
    }

    fn device_by_token(&mut self, token_hash: &[u8]) -> Result<Option<DeviceRow>> {
        Ok(self
            .row(&format!("{DEVICE} WHERE token_hash = $1"), &[&token_hash])?
            .as_ref()
            .map(device))
    }

    fn devices(&mut self, which: Which) -> Result<Vec<DeviceRow>> {
        let rows = match which {
            Which::All => self.rows(&format!("{DEVICE} ORDER BY enrolled_at, id"), &[])?,
            Which::Except(id) => self.rows(&format!("{DEVICE} WHERE id <> $1 ORDER BY enrolled_at, id"), &[&id])?,
            Which::NotUploaded => self.rows(
                &format!(
                    "{DEVICE} WHERE uploaded_at IS NULL AND (home = 'here' OR revoked_at IS NOT NULL) \
                     ORDER BY enrolled_at, id"
                ),
                &[],
            )?,
        };
        Ok(rows.iter().map(device).collect())
    }

    fn touch(&mut self, id: &str, at_ms: i64) -> Result<()> {
        self.run("UPDATE devices SET last_seen_at = $1 WHERE id = $2", &[&at_ms, &id])?;
        Ok(())
    }

    fn note_versions(&mut self, id: &str, rules: &str, tables: &str) -> Result<bool> {
        let n = self.run(
            "UPDATE devices SET rules_version = $2, tables_version = $3 WHERE id = $1 \
             AND (rules_version IS DISTINCT FROM $2 OR tables_version IS DISTINCT FROM $3)",
            &[&id, &rules, &tables],
        )?;
        Ok(n > 0)
    }

    fn revoke(&mut self, id: &str, at_ms: i64) -> Result<bool> {
        let n = self.run(
            "UPDATE devices SET revoked_at = COALESCE(revoked_at, $1), uploaded_at = NULL WHERE id = $2",
            &[&at_ms, &id],
        )?;
        Ok(n > 0)
    }

    fn mark_uploaded(&mut self, ids: &[String], at_ms: i64) -> Result<()> {
        self.run(
            "UPDATE devices SET uploaded_at = $2 WHERE id = ANY($1)",
            &[&ids, &at_ms],
        )?;
        Ok(())
    }

    fn add_recovery_code(&mut self, code_hash: &[u8], i: &Issued) -> Result<()> {
        self.run(
            "INSERT INTO recovery_codes (code_hash, device_id, issued_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[&code_hash, &i.device_id, &i.by, &i.at_ms, &i.expires_at],
        )?;
        Ok(())
    }

    fn recovery_code(&mut self, code_hash: &[u8]) -> Result<Option<RecoveryRow>> {
        Ok(self
            .row(
                "SELECT c.device_id, c.expires_at, c.used_at, c.reply_to, d.revoked_at \
                 FROM recovery_codes c JOIN devices d ON d.id = c.device_id WHERE c.code_hash = $1",
                &[&code_hash],
            )?
            .map(|r| RecoveryRow {
                device_id: r.get(0),
                expires_at: r.get(1),
                used_at: r.get(2),
                reply_to: r.get(3),
                revoked_at: r.get(4),
            }))
    }

    fn use_recovery_code(&mut self, code_hash: &[u8], at_ms: i64, reply_to: &str) -> Result<()> {
        self.run(
            "UPDATE recovery_codes SET used_at = $1, reply_to = $2 WHERE code_hash = $3",
            &[&at_ms, &reply_to, &code_hash],
        )?;
        Ok(())
    }
}
