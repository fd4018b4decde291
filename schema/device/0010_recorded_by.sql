-- Who recorded a visit: the team member logged in on the device that saved it first.
ALTER TABLE visits ADD COLUMN recorded_by TEXT;
