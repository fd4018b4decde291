-- Central server on PostgreSQL (a province, the country), version 1: the same tables as the
-- embedded store's migrations 0001-0010 (schema/server/*.sql), in one step. Applied in order
-- by the server crate (storage/postgres), tracked in `schema_version`, one process at a time
-- (an advisory lock). Append only: never edit a migration that has shipped.

CREATE TABLE meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

-- Enrolled devices. Only the SHA-256 of a token is kept.
CREATE TABLE devices (
    id             text PRIMARY KEY,
    name           text NOT NULL,
    user_name      text NOT NULL,
    role           text NOT NULL CHECK (role IN ('cadre', 'plkb', 'admin')),
    scope          text NOT NULL,            -- comma-separated area codes
    token_hash     bytea NOT NULL UNIQUE,
    enrolled_at    bigint NOT NULL,          -- ms since the epoch
    expires_at     bigint NOT NULL,
    revoked_at     bigint,
    last_seen_at   bigint,
    rules_version  text,
    tables_version text,
    home           text NOT NULL DEFAULT 'here' CHECK (home IN ('here', 'upstream')),
    uploaded_at    bigint,
    public_key     bytea
);

CREATE TABLE enrollment_codes (
    code_hash  bytea PRIMARY KEY,
    user_name  text NOT NULL,
    role       text NOT NULL,
    scope      text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    used_at    bigint,
    device_id  text,
    nonce_hash bytea
);

CREATE TABLE recovery_codes (
    code_hash  bytea PRIMARY KEY,
    device_id  text NOT NULL REFERENCES devices (id),
    issued_by  text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    used_at    bigint,
    reply_to   text
);

CREATE TABLE accounts (
    name        text PRIMARY KEY,
    role        text NOT NULL CHECK (role IN ('plkb', 'district', 'admin')),
    areas       text NOT NULL,
    hash        text NOT NULL,
    created_at  bigint NOT NULL,
    disabled_at bigint
);

-- Hash-chained and append only: an update, a delete or a truncate is refused by the
-- database itself (the owner of the table can switch the triggers off: keep the head hash).
CREATE TABLE audit (
    seq     bigint PRIMARY KEY,
    at_ms   bigint NOT NULL,
    actor   text NOT NULL,
    action  text NOT NULL,
    subject text NOT NULL,
    detail  text NOT NULL,
    hash    bytea NOT NULL
);
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append only';
END $$;
CREATE TRIGGER audit_append_only_rows BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_append_only_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

CREATE TABLE seals (
    id     bigserial PRIMARY KEY,
    origin text NOT NULL,
    kept   bytea NOT NULL
);

-- Every accepted change, append only, partitioned by regency (the area code's first four
-- digits): its key, the change's id with its regency, makes a replay a no-op on one node, on
-- partitions and on Citus alike. The id comes first: a change is looked up by its id, and a
-- key led by the regency invites the planner to read a whole regency's keys to narrow a
-- lookup by sequence (seen: 1 ms for what the sequence's index answers in 0.01 ms). `seq` is the one order pulls page through. It is taken under the
-- writer lock (storage/postgres: one write transaction at a time, whichever process), so
-- a sequence never becomes visible before a smaller one.
CREATE SEQUENCE change_seq;
CREATE TABLE changes (
    regency     text NOT NULL,
    change_id   uuid NOT NULL,
    seq         bigint NOT NULL DEFAULT nextval('change_seq'),
    area_code   text NOT NULL,
    device_id   text NOT NULL,            -- the change's origin
    via         text,                     -- the hub it came through
    upstream    smallint CHECK (upstream IN (1, 2, 3)),
    received_at bigint NOT NULL,
    body        text NOT NULL,            -- the change as JSON, served to pulls unchanged
    seal        bigint,
    leaf        bigint,
    PRIMARY KEY (change_id, regency)
) PARTITION BY HASH (regency);
DO $$
BEGIN
    FOR i IN 0..15 LOOP
        EXECUTE format('CREATE TABLE changes_%s PARTITION OF changes FOR VALUES WITH (MODULUS 16, REMAINDER %s)', i, i);
    END LOOP;
END $$;
CREATE INDEX changes_seq ON changes (seq);
-- A village's changes in order, with who made and relayed each: a page and the count of
-- what remains are read from the index alone once autovacuum has marked the pages visible.
CREATE INDEX changes_area ON changes (area_code, seq) INCLUDE (device_id, via);
CREATE INDEX changes_unsent ON changes (seq) WHERE upstream IS NULL;
CREATE INDEX changes_held ON changes (seq) WHERE upstream = 1;
CREATE INDEX changes_open_seal ON changes (seal) WHERE upstream IS NULL OR upstream = 1;

-- The merged state of every record (field -> {hlc, value}) and the sequence of each
-- field's last write; a record made by one change and never changed since keeps no copy:
-- `state` is NULL and `base_seq` names the change it is.
CREATE TABLE records (
    entity    text NOT NULL,
    id        uuid NOT NULL,
    area_code text NOT NULL,
    state     text,
    seqs      text,
    base_seq  bigint,
    PRIMARY KEY (entity, id),
    CHECK ((state IS NULL) = (base_seq IS NOT NULL))
);

CREATE TABLE quarantine (
    change_id   text PRIMARY KEY,
    device_id   text NOT NULL,
    code        text NOT NULL,
    field       text,
    message     text NOT NULL,
    body        text NOT NULL,
    received_at bigint NOT NULL
);

CREATE TABLE conflicts (
    id             bigserial PRIMARY KEY,
    entity         text NOT NULL,
    row_id         text NOT NULL,
    field          text NOT NULL,
    pushed_value   text NOT NULL,
    pushed_hlc     text NOT NULL,
    existing_value text NOT NULL,
    existing_hlc   text NOT NULL,
    winner         text NOT NULL CHECK (winner IN ('pushed', 'existing')),
    change_id      text NOT NULL,
    device_id      text NOT NULL,
    recorded_at    bigint NOT NULL
);
CREATE INDEX conflicts_row ON conflicts (row_id);

CREATE TABLE upstream_rejections (
    change_id   uuid PRIMARY KEY,
    code        text NOT NULL,
    field       text,
    message     text NOT NULL,
    received_at bigint NOT NULL
);

CREATE TABLE set_aside (
    seq      bigint PRIMARY KEY,
    reason   text NOT NULL,
    found_at bigint NOT NULL
);

-- What the door keeps, shared by every server process: dashboard sessions (the SHA-256 of
-- each token) and counters (wrong passwords in a row and their lock-outs; requests per
-- address in a rate window).
CREATE TABLE door_sessions (
    digest  text PRIMARY KEY,
    account text NOT NULL,
    until   bigint NOT NULL
);

CREATE TABLE door_counters (
    key text PRIMARY KEY,   -- 'try\n<name>[\n<address>]' or 'rate\n<class>\n<address>'
    n   bigint NOT NULL,
    at  bigint NOT NULL     -- a lock's end, or a window's start (ms)
);
