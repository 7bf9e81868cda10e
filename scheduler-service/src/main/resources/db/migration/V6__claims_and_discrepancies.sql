-- Truth under faults. A worker acts on the hypervisor only while it holds the migration's claim: the scheduler grants
-- it for the current attempt, the worker renews it with its heartbeat, and a claim not renewed in time lets the
-- migration be taken over (retried as a new attempt, within the request's retry budget).
ALTER TABLE migration ADD COLUMN owner_id TEXT;
ALTER TABLE migration ADD COLUMN lease_expires_at TIMESTAMPTZ;
ALTER TABLE migration ADD COLUMN jobs_outlive_worker BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE migration ADD COLUMN max_retries INT NOT NULL DEFAULT 1;

-- The watchdog's pre-filter learns the claims' clock.
CREATE INDEX migration_claimed ON migration (lease_expires_at) WHERE phase IN ('SCHEDULED', 'RUNNING');

-- What contradicted a decided outcome, or a migration whose outcome nobody knows: kept for an operator to resolve.
CREATE TABLE discrepancy (
    id            BIGSERIAL PRIMARY KEY,
    migration_id  UUID        NOT NULL REFERENCES migration (id),
    kind          TEXT        NOT NULL,
    detail        TEXT        NOT NULL,
    record_id     TEXT,
    raised_at     TIMESTAMPTZ NOT NULL,
    resolved_at   TIMESTAMPTZ,
    resolution    TEXT
);
CREATE INDEX discrepancy_open ON discrepancy (raised_at) WHERE resolved_at IS NULL;
CREATE INDEX discrepancy_by_migration ON discrepancy (migration_id);

-- Rounds are read a page at a time (the view shows the latest): by migration, in the order they arrived.
CREATE INDEX migration_round_by_migration ON migration_round (migration_id, id);
