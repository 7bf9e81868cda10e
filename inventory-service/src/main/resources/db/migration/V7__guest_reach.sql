-- What the other hosts' libvirtd said about each reported guest's devices (the STORAGE_REACHABLE and NETWORKS_CARRIED
-- pre-checks): the peers that reach every disk, those that carry every network, and those that refused, with the
-- reason, as JSON like cpu_refusals. A peer in neither list of a kind could not say.
ALTER TABLE host_guest ADD COLUMN disks_reached_by    BIGINT[] NOT NULL DEFAULT '{}';
ALTER TABLE host_guest ADD COLUMN disk_refusals       TEXT     NOT NULL DEFAULT '[]';
ALTER TABLE host_guest ADD COLUMN networks_reached_by BIGINT[] NOT NULL DEFAULT '{}';
ALTER TABLE host_guest ADD COLUMN network_refusals    TEXT     NOT NULL DEFAULT '[]';
