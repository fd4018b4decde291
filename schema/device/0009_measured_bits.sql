-- Device store, version 9: what of a child a visit measured, in the bits of `services` the
-- recap reads without parsing JSON (16: weighed, a weight-for-age z; 32: length/height
-- measured, a length/height-for-age z), so the district's prevalences divide by the
-- children measured this month (docs/src/design/domain.md §3.4). Visits stored before get them here.
UPDATE visits SET services = coalesce(services, 0)
    | (CASE WHEN json_extract(results, '$.anthro.wei') IS NOT NULL THEN 16 ELSE 0 END)
    | (CASE WHEN json_extract(results, '$.anthro.len') IS NOT NULL THEN 32 ELSE 0 END)
  WHERE results IS NOT NULL AND json_extract(results, '$.anthro') IS NOT NULL;
