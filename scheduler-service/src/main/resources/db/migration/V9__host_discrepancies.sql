-- Discrepancies a host's report raises (inventory-events HOST_DISCREPANCY) belong to a host and maybe a VM, not to a
-- migration.
ALTER TABLE discrepancy ALTER COLUMN migration_id DROP NOT NULL;
ALTER TABLE discrepancy ADD COLUMN host_id BIGINT;
ALTER TABLE discrepancy ADD COLUMN vm_id BIGINT;
CREATE INDEX discrepancy_open_record ON discrepancy (kind, record_id) WHERE resolved_at IS NULL;
