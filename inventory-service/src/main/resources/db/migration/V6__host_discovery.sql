-- Host discovery: what a host's libvirtd last said (through a worker), and the guests it runs.
ALTER TABLE host ADD COLUMN last_report_at TIMESTAMPTZ;       -- the last report a worker sent for it, reachable or not
ALTER TABLE host ADD COLUMN unreachable_reason TEXT;          -- why the last probe got no answer; null when it did

-- The guests (libvirt domains) a host reported, replaced by each report. cpu_runs_on and cpu_refusals: which peers'
-- hypervisors libvirt said can, or cannot, run the guest's CPU definition (the LIBVIRT_CPU pre-check).
CREATE TABLE host_guest (
    host_id       BIGINT      NOT NULL REFERENCES host (id) ON DELETE CASCADE,
    name          TEXT        NOT NULL,
    uuid          TEXT,
    running       BOOLEAN     NOT NULL,
    memory_bytes  BIGINT      NOT NULL,
    vcpus         INT         NOT NULL,
    cpu_runs_on   BIGINT[]    NOT NULL,
    cpu_refusals  TEXT        NOT NULL,   -- JSON: [{"hostId": 3, "reason": "..."}]
    observed_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (host_id, name)
);
CREATE INDEX host_guest_name ON host_guest (name);
