-- What an evacuation's ETA said as it ran (docs/ARCHITECTURE.md, "Evacuation"), so that once it has ended its error a
-- quarter, half and three quarters of the way through can be told; and when it ended.
CREATE TABLE evacuation_eta (
    evacuation_id UUID        NOT NULL REFERENCES evacuation (id) ON DELETE CASCADE,
    at            TIMESTAMPTZ NOT NULL,
    eta_at        TIMESTAMPTZ NOT NULL,
    concurrency   INT         NOT NULL,
    PRIMARY KEY (evacuation_id, at)
);
ALTER TABLE evacuation ADD COLUMN finished_at TIMESTAMPTZ;
-- the host's outbound limit at the start: a re-plan with measured throughput may choose any concurrency up to it
ALTER TABLE evacuation ADD COLUMN max_outbound INT;
