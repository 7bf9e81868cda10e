-- Tracing (docs/DEPLOY.md, "Tracing"): a row remembers the span that wrote it, as a W3C traceparent, and the relay
-- sends it as the record's traceparent header, so that the trace goes on past the commit to whoever consumes the
-- record. Null: tracing is off, or nothing traced wrote the row. Version 2.2 applies out of order like 2.1.
ALTER TABLE outbox_message ADD COLUMN IF NOT EXISTS trace_parent TEXT;

CREATE OR REPLACE FUNCTION outbox_write(p_topic TEXT, p_key TEXT, p_payload TEXT, p_trace_parent TEXT) RETURNS BIGINT AS $$
DECLARE
    written BIGINT;
BEGIN
    -- the same per-key serialisation as the three-argument form (V2_1)
    PERFORM pg_advisory_xact_lock(hashtextextended(p_topic || '/' || p_key, 0));
    INSERT INTO outbox_message (topic, record_key, payload, created_at, trace_parent)
        VALUES (p_topic, p_key, p_payload, now(), p_trace_parent)
        RETURNING id INTO written;
    RETURN written;
END
$$ LANGUAGE plpgsql;
