-- Each end's own migration link, so that concurrent migrations' shares of a host's outbound and inbound bandwidth can
-- be computed (LinkAllocation). Older rows stay null and count the stream's link for both ends.
ALTER TABLE migration ADD COLUMN source_link_bytes_per_second BIGINT;
ALTER TABLE migration ADD COLUMN target_link_bytes_per_second BIGINT;
