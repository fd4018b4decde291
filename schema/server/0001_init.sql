-- Central server, version 1. Applied in order by the server crate, tracked in
-- PRAGMA user_version. Append only: never edit a migration that has shipped.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Enrolled devices. Only the SHA-256 of a token is kept: a stolen database file does
-- not let anyone sync.
CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    user_name    TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('cadre', 'plkb', 'admin')),
    scope        TEXT NOT NULL,            -- comma-separated area codes
    token_hash   BLOB NOT NULL UNIQUE,
    enrolled_at  INTEGER NOT NULL,         -- ms since the epoch
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_seen_at INTEGER
);

-- Single-use, short-lived codes an admin hands to a user to enrol a device.
CREATE TABLE enrollment_codes (
    code_hash  BLOB PRIMARY KEY,
    user_name  TEXT NOT NULL,
    role       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    device_id  TEXT
) WITHOUT ROWID;

-- Every accepted change, append only. `seq` is the server sequence pulls page through;
-- SQLite commits one writer at a time, so a sequence never becomes visible out of order.
CREATE TABLE changes (
    seq         INTEGER PRIMARY KEY,
    change_id   BLOB NOT NULL UNIQUE,
    area_code   TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    body        TEXT NOT NULL              -- the change as JSON, served to pulls unchanged
);
CREATE INDEX changes_area ON changes(area_code, seq);

-- The merged current state of every row: field -> {hlc, value}, and the server sequence
-- of each field's last write (for conflict detection). A row made by one change and never
-- changed since (most visits) keeps no copy: `state` is NULL and `base_seq` names the
-- change it is. A rowid table: its rows can be kilobytes, too big for WITHOUT ROWID.
CREATE TABLE records (
    entity    TEXT NOT NULL,
    id        BLOB NOT NULL,
    area_code TEXT NOT NULL,
    state     TEXT,
    seqs      TEXT,
    base_seq  INTEGER,
    UNIQUE (entity, id),
    CHECK ((state IS NULL) = (base_seq IS NOT NULL))
);

-- Refused changes, kept for review and reported back to the device.
CREATE TABLE quarantine (
    change_id   TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL,
    code        TEXT NOT NULL,
    field       TEXT,
    message     TEXT NOT NULL,
    body        TEXT NOT NULL,
    received_at INTEGER NOT NULL
) WITHOUT ROWID;

-- A pushed field that met a write by another device the pusher had not seen.
CREATE TABLE conflicts (
    id             INTEGER PRIMARY KEY,
    entity         TEXT NOT NULL,
    row_id         TEXT NOT NULL,
    field          TEXT NOT NULL,
    pushed_value   TEXT NOT NULL,
    pushed_hlc     TEXT NOT NULL,
    existing_value TEXT NOT NULL,
    existing_hlc   TEXT NOT NULL,
    winner         TEXT NOT NULL CHECK (winner IN ('pushed', 'existing')),
    change_id      TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    recorded_at    INTEGER NOT NULL
);
CREATE INDEX conflicts_row ON conflicts(row_id);
