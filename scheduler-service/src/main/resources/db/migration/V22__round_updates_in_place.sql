-- A worker's round rewrites its migration's row: progress, bytes, the round, and updated_at (the last word from the
-- worker, which the watchdog's clocks count from). PostgreSQL can update a row in place (a heap-only tuple, HOT),
-- touching none of the table's indexes, only when no indexed column changes and the page has room. Two indexes held
-- updated_at, so every round of a running migration wrote a new entry into nine of the table's eleven indexes
-- (docs/benchmarks/README.md, "Rounds written in place", has what that cost at 10,000 rounds a second).
--
-- The watchdog's pre-filter (migration_waiting) reads the migrations under way through the phase index instead: they
-- are as many as run or wait at once, not the history. Retention and the prediction report find ended migrations by
-- when they ended (ended_at, set once as the phase becomes final, Migration#transition), not by updated_at.
-- Run in the upgrade's transaction, not CONCURRENTLY: the table stays locked while the ended rows of the retention
-- period are backfilled and the index built, and an older replica's writes to it wait that long (not measured at a
-- large history).
DROP INDEX migration_waiting;
DROP INDEX migration_ended;
ALTER TABLE migration ADD COLUMN ended_at TIMESTAMPTZ;
UPDATE migration SET ended_at = updated_at WHERE phase IN ('SUCCEEDED', 'FAILED', 'CANCELLED');
CREATE INDEX migration_ended ON migration (ended_at) WHERE ended_at IS NOT NULL;
-- A replica of the version before this one, still running during a rolling upgrade, ends migrations without setting
-- ended_at; retention stamps them (HistoryRetention#STAMP), finding them through this index, empty otherwise.
CREATE INDEX migration_ended_unstamped ON migration (id) WHERE ended_at IS NULL AND phase IN ('SUCCEEDED', 'FAILED', 'CANCELLED');
-- Room on each page for a row's next version (pages written from now on; a page full today gains it as it empties).
ALTER TABLE migration SET (fillfactor = 80);
