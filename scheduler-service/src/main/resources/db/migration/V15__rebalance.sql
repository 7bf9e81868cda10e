-- The cluster a rebalance migration evens out: a cluster is not planned again while its last rebalance has moves left.
ALTER TABLE migration ADD COLUMN rebalance_cluster_id BIGINT;
-- The share of the links last sent to the migration's worker (START or LIMIT_BANDWIDTH); null: the whole link.
-- Written only with the command it goes with, in one transaction (LinkAllocation).
ALTER TABLE migration ADD COLUMN bandwidth_cap_bytes_per_second BIGINT;
