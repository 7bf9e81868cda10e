-- A reservation is history: a VM or host deleted after its migrations ended keeps them on record (who held what,
-- when, and how it ended). Deletion is refused while a hold is active (checked by the service, under the row lock).
ALTER TABLE reservation DROP CONSTRAINT IF EXISTS reservation_vm_id_fkey;
ALTER TABLE reservation DROP CONSTRAINT IF EXISTS reservation_source_host_id_fkey;
ALTER TABLE reservation DROP CONSTRAINT IF EXISTS reservation_host_id_fkey;
CREATE INDEX IF NOT EXISTS reservation_by_vm ON reservation (vm_id);
