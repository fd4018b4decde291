-- Device store, version 2: name search tokens, incoming-change bookkeeping, conflicts,
-- and the mother link (a woman's children, for the "too many" rule).

CREATE INDEX persons_mother ON persons(mother_id);

-- One row per word of a person's name, folded (lower case, no accents), for prefix search.
CREATE TABLE person_names (
    token     TEXT NOT NULL,
    person_id TEXT NOT NULL,
    PRIMARY KEY (token, person_id)
) WITHOUT ROWID;
CREATE INDEX person_names_person ON person_names(person_id);

-- Change ids already applied here: a replayed change is skipped, never applied twice.
CREATE TABLE applied_changes (
    change_id TEXT PRIMARY KEY
) WITHOUT ROWID;

-- A remote write that met an unsynced local edit of the same field. The LWW winner is
-- already applied; this keeps both sides for a person to review.
CREATE TABLE conflicts (
    id               INTEGER PRIMARY KEY,
    entity           TEXT NOT NULL,
    row_id           TEXT NOT NULL,
    field            TEXT NOT NULL,
    local_value      TEXT,
    local_hlc        TEXT NOT NULL,
    remote_value     TEXT,
    remote_hlc       TEXT NOT NULL,
    remote_change_id TEXT NOT NULL,
    winner           TEXT NOT NULL CHECK (winner IN ('local', 'remote')),
    recorded_at      TEXT NOT NULL,
    resolved         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conflicts_open ON conflicts(resolved, row_id);
