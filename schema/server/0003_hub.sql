-- Server, version 3: relay through a PLKB hub (docs/src/design/sync.md). The same schema serves the
-- centre and a hub; a hub also syncs upstream.

-- `changes.device_id` is the change's origin: the device that made it, whichever path it
-- took. `via` is the hub it came through (NULL when its origin pushed it here itself).
ALTER TABLE changes ADD COLUMN via TEXT;
-- On a hub, how far a change has gone upstream: NULL not yet sent, 1 held by an upstream
-- hub, 2 the centre has it, 3 the centre refused it (`upstream_rejections`). The centre
-- stores 2: it is the end of every path.
ALTER TABLE changes ADD COLUMN upstream INTEGER CHECK (upstream IN (1, 2, 3));
UPDATE changes SET upstream = 2;
CREATE INDEX changes_unsent ON changes(seq) WHERE upstream IS NULL;
CREATE INDEX changes_held ON changes(seq) WHERE upstream = 1;
-- What the centre refused of what a hub relayed: handed back to the origin device on its
-- next confirm, as any refusal.
CREATE TABLE upstream_rejections (
    change_id   BLOB PRIMARY KEY,
    code        TEXT NOT NULL,
    field       TEXT,
    message     TEXT NOT NULL,
    received_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Where a device's enrolment was made: 'here', or 'upstream' (a hub learns the devices of
-- its kecamatan from the centre). A hub hands up what it enrolled offline; `uploaded_at`
-- is when the centre took it.
ALTER TABLE devices ADD COLUMN home TEXT NOT NULL DEFAULT 'here' CHECK (home IN ('here', 'upstream'));
ALTER TABLE devices ADD COLUMN uploaded_at INTEGER;
