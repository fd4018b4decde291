-- Device store, version 5: persons in name order, for searches whose first letters match
-- thousands of names ("a", "si"): the list is walked in order and stops at the page size.
CREATE INDEX persons_name ON persons(name_key, area_code, deleted);
