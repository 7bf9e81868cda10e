-- What a migration's shares of the links have let it send since its attempt's START (the integral of its cap over
-- time, up to share_since; the cap in force since then is bandwidth_cap_bytes_per_second, or the whole link), and
-- when that START was: the mean share it has run at, which an evacuation's ETA judges its progress by. Written with
-- each cap sent (LinkAllocation), in the same UPDATE. Null on migrations started before this was kept.
ALTER TABLE migration ADD COLUMN share_capacity_bytes DOUBLE PRECISION;
ALTER TABLE migration ADD COLUMN share_since TIMESTAMPTZ;
ALTER TABLE migration ADD COLUMN share_from TIMESTAMPTZ;
