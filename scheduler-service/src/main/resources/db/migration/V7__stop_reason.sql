-- Why the scheduler itself asked a worker to stop a migration (its deadline passed, or it made no progress). The
-- worker confirms such a stop as a cancel; the migration then ends FAILED with this reason, not CANCELLED as if an
-- operator had asked.
ALTER TABLE migration ADD COLUMN stop_reason TEXT;
