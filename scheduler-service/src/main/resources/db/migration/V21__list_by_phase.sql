-- The console's and the CLI's list, GET /migrations?phase=RUNNING (newest first, a page of 50), read every few
-- seconds by every console open: with the phase alone, PostgreSQL fetched every migration in the phase (hundreds under
-- way in an evacuation, each row rewritten by its rounds) and sorted them for the first 50; with the creation time
-- beside it, it reads the 50 in order. It replaces the phase-only index, which every query on the phase can use as
-- well, so that the rounds' updates maintain no more indexes than before. Built in the upgrade's transaction (not
-- CONCURRENTLY): the table holds the migrations of the retention period, thousands of rows, so writes wait for
-- milliseconds, and the DROP waits for the transactions open on the table then.
CREATE INDEX migration_by_phase_newest ON migration (phase, created_at DESC);
DROP INDEX migration_by_phase;
