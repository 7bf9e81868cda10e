-- What the operator asked of a running migration, kept apart from the phase (KubeVirt's orthogonal
-- fields): a cancel or force-complete is a request until the worker's event confirms it.
ALTER TABLE migration ADD COLUMN cancel_requested_at TIMESTAMPTZ;
ALTER TABLE migration ADD COLUMN force_complete_requested_at TIMESTAMPTZ;
