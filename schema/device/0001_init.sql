-- Device store, version 1: the synced entities and the outbox.
-- Every synced row: id (UUIDv7), area_code, hlc of its last change, deleted tombstone, and
-- clocks: each field's last-write HLC (field-level last-writer-wins), comma-separated in the
-- order of Entity::fields then deleted: empty = never written, '=' = the row's hlc.
-- Data columns are nullable: a change carries only the fields it changed, and rows may
-- arrive partially. Columns after "-- local" are derived on this device and never synced.
-- No foreign keys between synced tables: changes may arrive in any order (a visit before
-- its enrolment, via a hub), and merge must commute. Local writes check references instead.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE households (
    id             TEXT PRIMARY KEY,
    area_code      TEXT NOT NULL,
    hlc            TEXT NOT NULL,
    deleted        INTEGER NOT NULL DEFAULT 0,
    clocks         TEXT NOT NULL,
    kk_number      TEXT,
    head_name      TEXT,
    address        TEXT,
    rt             TEXT,
    rw             TEXT,
    water_source   TEXT,
    latrine        TEXT,
    welfare_decile INTEGER,
    floor_area_m2  REAL,
    latitude       REAL,
    longitude      REAL,
    tpk            TEXT,
    -- local
    krs            INTEGER NOT NULL DEFAULT 0,
    krs_criteria   TEXT
);
CREATE INDEX households_area ON households(area_code, head_name);

CREATE TABLE persons (
    id           TEXT PRIMARY KEY,
    area_code    TEXT NOT NULL,
    hlc          TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    clocks       TEXT NOT NULL,
    household_id TEXT,
    nik          TEXT,
    name         TEXT,
    sex          TEXT,
    birth_date   TEXT,
    relationship TEXT,
    mother_id    TEXT,
    mother_nik   TEXT,
    phone        TEXT,
    -- local
    name_key     TEXT
);
CREATE INDEX persons_household ON persons(household_id);
CREATE INDEX persons_nik ON persons(nik);
CREATE INDEX persons_area ON persons(area_code);

CREATE TABLE enrolments (
    id           TEXT PRIMARY KEY,
    area_code    TEXT NOT NULL,
    hlc          TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    clocks       TEXT NOT NULL,
    person_id    TEXT,
    household_id TEXT,
    kind         TEXT,
    start_date   TEXT,
    end_date     TEXT,
    end_reason   TEXT,
    tpk          TEXT,
    details      TEXT,
    -- local
    next_due     TEXT,
    active_until TEXT,
    last_flags   TEXT
);
CREATE INDEX enrolments_due ON enrolments(area_code, next_due);
CREATE INDEX enrolments_person ON enrolments(person_id);

CREATE TABLE visits (
    id                TEXT PRIMARY KEY,
    area_code         TEXT NOT NULL,
    hlc               TEXT NOT NULL,
    deleted           INTEGER NOT NULL DEFAULT 0,
    clocks            TEXT NOT NULL,
    enrolment_id      TEXT,
    person_id         TEXT,
    household_id      TEXT,
    visit_date        TEXT,
    data              TEXT,
    correction_reason TEXT,
    results           TEXT,
    -- local: what lists and the recap read without parsing JSON
    kind              TEXT,
    flags             TEXT,
    ttd_total         INTEGER,
    kbpp_method       TEXT,
    services          INTEGER
);
CREATE INDEX visits_enrolment ON visits(enrolment_id, visit_date);
CREATE INDEX visits_person ON visits(person_id, visit_date);
CREATE INDEX visits_area_date ON visits(area_code, visit_date);

-- Local changes not yet acknowledged by the server, in the order they were made.
CREATE TABLE outbox (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id TEXT NOT NULL UNIQUE,
    row_id    TEXT NOT NULL,
    body      TEXT NOT NULL
);
CREATE INDEX outbox_row ON outbox(row_id);
