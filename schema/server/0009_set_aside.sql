-- Rows of the change log that its readers (the view, a pull) cannot read back: set aside
-- with the reason, so that one bad row never stops a recap or a pull of anyone else, and
-- listed for the engineer (`pendamping server quarantine`). The log itself stays as it
-- was (append-only); what the door lets in since has the shape every reader reads.
CREATE TABLE set_aside (
    seq      INTEGER PRIMARY KEY,
    reason   TEXT NOT NULL,
    found_at INTEGER NOT NULL
);
