-- Where the worker's libvirt driver reaches a migration's two hosts, and where the destination takes the migration
-- stream: copied from inventory when the migration is placed, and sent with its START.
ALTER TABLE migration ADD COLUMN source_libvirt_uri TEXT;
ALTER TABLE migration ADD COLUMN target_libvirt_uri TEXT;
ALTER TABLE migration ADD COLUMN target_migration_address TEXT;
