-- Who asked (docs/SECURITY.md): the name and subject of the token behind every operator request, on the migration,
-- the evacuation and the audit trail.
ALTER TABLE migration ADD COLUMN requested_by TEXT, ADD COLUMN requested_by_subject TEXT,
    ADD COLUMN cancel_requested_by TEXT, ADD COLUMN cancel_requested_by_subject TEXT,
    ADD COLUMN force_complete_requested_by TEXT, ADD COLUMN force_complete_requested_by_subject TEXT;
CREATE INDEX migration_requested_by ON migration (requested_by, created_at DESC);
CREATE INDEX migration_requested_by_subject ON migration (requested_by_subject, created_at DESC);
ALTER TABLE evacuation ADD COLUMN requested_by TEXT, ADD COLUMN requested_by_subject TEXT;
ALTER TABLE audit_entry ADD COLUMN principal TEXT, ADD COLUMN principal_subject TEXT;
