-- Migrations wait QUEUED for a concurrency slot; the destination is reserved only when one frees up,
-- so a queued migration holds no reservation yet.
ALTER TABLE migration ALTER COLUMN reservation_id DROP NOT NULL;
ALTER TABLE migration ADD COLUMN priority TEXT NOT NULL DEFAULT 'USER';
ALTER TABLE migration ADD COLUMN source_max_outbound INT NOT NULL DEFAULT 2;
ALTER TABLE migration ADD COLUMN target_max_inbound INT NOT NULL DEFAULT 2;
ALTER TABLE migration ADD COLUMN deadline TIMESTAMPTZ;
ALTER TABLE migration ADD COLUMN throttle_ceiling_percent INT;
ALTER TABLE migration ADD COLUMN allow_post_copy BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX migration_queue ON migration (priority, created_at) WHERE phase = 'QUEUED';
