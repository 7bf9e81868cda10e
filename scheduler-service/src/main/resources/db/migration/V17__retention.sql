-- Retention (HistoryRetention) finds what is past its time through these, a slice at a time, without reading the
-- whole table: ended migrations by when they last changed, audit entries by when they were recorded.
CREATE INDEX migration_ended ON migration (updated_at) WHERE phase IN ('SUCCEEDED', 'FAILED', 'CANCELLED');
CREATE INDEX audit_entry_by_time ON audit_entry (recorded_at);
