-- The prediction made before a migration starts is kept beside the actual outcome, so that the error
-- can be shown and an operator can judge how far to trust it.
ALTER TABLE migration ADD COLUMN predicted_rounds INT;
ALTER TABLE migration ADD COLUMN predicted_total_time_millis BIGINT;
ALTER TABLE migration ADD COLUMN predicted_downtime_millis BIGINT;
ALTER TABLE migration ADD COLUMN prediction_basis TEXT;
ALTER TABLE migration ADD COLUMN evacuation_id UUID;
CREATE INDEX migration_by_evacuation ON migration (evacuation_id);

-- A host evacuation: the plan made when it was requested, and what could not be placed.
CREATE TABLE evacuation (
    id                        UUID PRIMARY KEY,
    host_id                   BIGINT NOT NULL,
    state                     TEXT   NOT NULL,
    concurrency               INT    NOT NULL,
    predicted_makespan_millis BIGINT NOT NULL,
    unplaceable               TEXT   NOT NULL,
    created_at                TIMESTAMPTZ NOT NULL,
    cancelled_at              TIMESTAMPTZ
);
