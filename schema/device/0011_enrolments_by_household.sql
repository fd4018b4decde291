-- Device store, version 11: a household's enrolments by index. A person's change during
-- sync re-derives the enrolments of their household, and the KRS list reads each family's
-- last visit through its enrolments (the visits keep their few indexes, for fast writes);
-- both scanned every enrolment of the store before (80,000 at a kabupaten).
CREATE INDEX enrolments_household ON enrolments(household_id);
