-- The CPU a running guest was measured to use (cores: its CPU time per second of the probe's window) by its host's
-- last report, kept on the guest's row as reported and on the VM's row with when it was measured. The VM keeps it
-- when it moves (the load is the guest's, wherever it runs) until a report of its new host measures it again.
ALTER TABLE host_guest ADD COLUMN cpu_cores_used DOUBLE PRECISION;
ALTER TABLE vm ADD COLUMN cpu_cores_used DOUBLE PRECISION;
ALTER TABLE vm ADD COLUMN cpu_measured_at TIMESTAMPTZ;
