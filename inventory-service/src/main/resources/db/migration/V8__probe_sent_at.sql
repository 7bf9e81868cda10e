-- When inventory last sent a probe for the host, and last received a report for it, both by inventory's clock (a
-- report's observed_at is the worker's): the sync claims due hosts by probe_sent_at (one replica probes each host per
-- interval), and a probe with no report received since, older than ferry.inventory.probe-answer-timeout, is raised.
ALTER TABLE host ADD COLUMN probe_sent_at TIMESTAMPTZ;
ALTER TABLE host ADD COLUMN report_received_at TIMESTAMPTZ;
