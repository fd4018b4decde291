-- Who did what on this server, append only and hash-chained: each entry's hash covers the
-- one before, so an entry changed or removed in the middle breaks every hash after it
-- (`pendamping server audit verify`). No personal data: device ids, account names, area
-- codes, counts.
CREATE TABLE audit (
    seq     INTEGER PRIMARY KEY,
    at_ms   INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL,
    hash    BLOB NOT NULL
);

CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append only'); END;

CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append only'); END;
