-- A hub forgets the hashes it kept of a seal once none of its changes can go upstream again
-- (each confirmed or refused by the centre): kept, it costs some 80 bytes per relayed
-- change. This index finds a seal's changes still open.
CREATE INDEX changes_open_seal ON changes (seal) WHERE upstream IS NULL OR upstream = 1;
