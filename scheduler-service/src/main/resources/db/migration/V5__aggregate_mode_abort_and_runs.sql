-- The migration as an aggregate: facts orthogonal to the phase are columns of their own (KubeVirt's style), and the
-- history of rounds is append-only: a worker taking a migration over adds a run, it does not replace the rounds.
ALTER TABLE migration ADD COLUMN mode TEXT NOT NULL DEFAULT 'PRE_COPY';
ALTER TABLE migration ADD COLUMN abort_status TEXT NOT NULL DEFAULT 'NONE';
ALTER TABLE migration ADD COLUMN target_choice TEXT NOT NULL DEFAULT 'PLACEMENT';
ALTER TABLE migration ADD COLUMN run INT NOT NULL DEFAULT 1;
UPDATE migration SET target_choice = 'OPERATOR' WHERE target_reason = 'chosen by the operator';
UPDATE migration SET target_choice = 'EVACUATION' WHERE evacuation_id IS NOT NULL;

ALTER TABLE migration_round ADD COLUMN run INT NOT NULL DEFAULT 1;
ALTER TABLE migration_round ADD COLUMN worker_id TEXT;
ALTER TABLE migration_round ADD COLUMN mode TEXT NOT NULL DEFAULT 'PRE_COPY';
ALTER TABLE migration_round DROP CONSTRAINT migration_round_migration_id_attempt_round_key;
ALTER TABLE migration_round ADD CONSTRAINT migration_round_once UNIQUE (migration_id, attempt, run, round);

-- The watchdog's pre-filter: non-final migrations by their clocks.
CREATE INDEX migration_waiting ON migration (updated_at) WHERE phase IN ('QUEUED', 'SCHEDULED', 'RUNNING');
