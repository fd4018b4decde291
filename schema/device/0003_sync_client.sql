-- Device store, version 3: changes the server refused. They leave the outbox (so they
-- never block the changes behind them) and wait here for the user to correct the record.
CREATE TABLE rejected_changes (
    change_id   TEXT PRIMARY KEY,
    entity      TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    body        TEXT NOT NULL,
    code        TEXT NOT NULL,
    field       TEXT,
    message     TEXT NOT NULL,
    rejected_at TEXT NOT NULL
) WITHOUT ROWID;
