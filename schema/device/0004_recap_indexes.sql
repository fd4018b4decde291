-- Device store, version 4: covering indexes for the monthly recap. On a PLKB laptop just
-- switched on, the recap then reads a few index ranges instead of one table page per
-- visit and enrolment (measured on 1.2 M visits: ~2 s cold before, see docs/src/design/architecture.md).
DROP INDEX visits_area_date;
CREATE INDEX visits_recap ON visits(area_code, visit_date, deleted, enrolment_id, household_id, flags, services,
                                    ttd_total, kbpp_method);
DROP INDEX visits_enrolment;
CREATE INDEX visits_enrolment ON visits(enrolment_id, visit_date, deleted, ttd_total);
CREATE INDEX enrolments_recap ON enrolments(area_code, deleted, start_date, active_until, id, household_id,
                                            person_id, tpk, kind, end_date, end_reason);
CREATE INDEX persons_birth ON persons(id, birth_date);
