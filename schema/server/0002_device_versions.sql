-- The rules and growth-table versions a device last pushed with: visits' results are
-- derived on every replica, so the server records which versions each device derives
-- them with (and logs when they differ from its own).
ALTER TABLE devices ADD COLUMN rules_version TEXT;
ALTER TABLE devices ADD COLUMN tables_version TEXT;
