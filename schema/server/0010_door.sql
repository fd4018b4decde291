-- Server, version 10: what the door keeps, in the store rather than in one process's
-- memory, so that several server processes (on PostgreSQL, behind a load balancer) share
-- it: dashboard sessions (the SHA-256 of each token, never the token) and counters (wrong
-- passwords in a row and their lock-outs; requests per address in a rate window).
CREATE TABLE door_sessions (
    digest  TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    until   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE door_counters (
    key TEXT PRIMARY KEY,   -- 'try\n<name>[\n<address>]' or 'rate\n<class>\n<address>'
    n   INTEGER NOT NULL,
    at  INTEGER NOT NULL    -- a lock's end, or a window's start (ms)
) WITHOUT ROWID;
