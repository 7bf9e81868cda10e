-- A running guest's load (discovery's GuestCpu): each report's reading of its CPU time so far and when, the cores it
-- used between two readings and when that window ended; and on the VM, its last load and when, which it keeps when it
-- moves (the load is the guest's, wherever it runs) until reports of its new host find it again.
ALTER TABLE host_guest ADD COLUMN cpu_time_nanos BIGINT;
ALTER TABLE host_guest ADD COLUMN cpu_read_at TIMESTAMPTZ;
ALTER TABLE host_guest ADD COLUMN cpu_cores_used DOUBLE PRECISION;
ALTER TABLE host_guest ADD COLUMN cpu_cores_at TIMESTAMPTZ;
ALTER TABLE vm ADD COLUMN cpu_cores_used DOUBLE PRECISION;
ALTER TABLE vm ADD COLUMN cpu_measured_at TIMESTAMPTZ;
