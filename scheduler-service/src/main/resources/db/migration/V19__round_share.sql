-- When the scheduler last sent a migration a cap (its share of the links), and, for each round, the share it had
-- throughout that round: an evacuation's ETA compares the time rounds took with what their bytes take at their shares,
-- to tell a slow link from a guest that sends more. A round during which the share changed has none (its mean share
-- is not known), nor do rounds recorded before this was kept.
ALTER TABLE migration ADD COLUMN cap_changed_at TIMESTAMPTZ;
-- When the current attempt first ran: a worker taken over (the same attempt, its next run) does not start it again.
ALTER TABLE migration ADD COLUMN attempt_running_since TIMESTAMPTZ;
-- those running at the upgrade: their last step into RUNNING, the best there is
UPDATE migration m SET attempt_running_since = (SELECT max(t.at) FROM phase_transition t
        WHERE t.migration_id = m.id AND t.to_phase = 'RUNNING')
    WHERE m.phase = 'RUNNING';
ALTER TABLE migration_round ADD COLUMN share_bytes_per_second DOUBLE PRECISION;
