-- Device store, version 8: duplicate persons (a person registered in two villages).
-- A merged person is a tombstone naming its survivor; a device that holds the tombstone
-- but not the survivor (another village's) still finds the person's birth date and sex
-- through it.
ALTER TABLE persons ADD COLUMN merged_into TEXT;
CREATE INDEX persons_merged ON persons(merged_into) WHERE merged_into IS NOT NULL;
-- The kecamatan's NIK digest, pulled on sync: keyed, truncated hashes of the NIKs of the
-- kecamatan's other villages, never the NIKs (docs/src/design/duplicates.md).
CREATE TABLE nik_digest (
    bucket INTEGER PRIMARY KEY
) WITHOUT ROWID;
