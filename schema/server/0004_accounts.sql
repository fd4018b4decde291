-- Server, version 4: accounts of the people who read the dashboard (PLKB officers, the
-- kabupaten's staff, admins). A device's enrolment is not an account: devices sync, people
-- log in.
CREATE TABLE accounts (
    name        TEXT PRIMARY KEY,    -- the log-in name, lower case
    role        TEXT NOT NULL CHECK (role IN ('plkb', 'district', 'admin')),
    areas       TEXT NOT NULL,       -- the Kemendagri codes the account may see, comma-separated
    hash        TEXT NOT NULL,       -- the password's Argon2id PHC string, never the password
    created_at  INTEGER NOT NULL,
    disabled_at INTEGER
) WITHOUT ROWID;
