-- The VM's vCPUs, so that the room queued migrations claim on their destinations counts CPUs as well as memory.
-- Older rows stay null and claim none.
ALTER TABLE migration ADD COLUMN vcpus INTEGER;
