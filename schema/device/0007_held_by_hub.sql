-- Device store, version 7: changes a PLKB hub holds but the centre does not have yet
-- (docs/src/design/sync.md, end-to-end confirmation). They stay in the outbox, marked held, and are not
-- sent again to the hub that holds them; a confirm tells when the centre has them.
ALTER TABLE outbox ADD COLUMN held INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1));
CREATE INDEX outbox_unsent ON outbox(seq) WHERE held = 0;
CREATE INDEX outbox_held ON outbox(seq) WHERE held = 1;
