-- A forgotten PIN: an admin who verified the person issues a one-time code for one device;
-- the device sends it with its recovery wrap and a one-time reply key, and receives its
-- data key sealed to that reply key. The same code with the same reply key answers again
-- (the first answer may have been lost on the way); anything else is refused.
CREATE TABLE recovery_codes (
    code_hash  BLOB PRIMARY KEY,
    device_id  TEXT NOT NULL REFERENCES devices (id),
    issued_by  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    reply_to   TEXT
) WITHOUT ROWID;

-- An enrolment retried after its answer was lost: the same client nonce gets the same
-- device with a fresh token, instead of "code already used".
ALTER TABLE enrollment_codes ADD COLUMN nonce_hash BLOB;
