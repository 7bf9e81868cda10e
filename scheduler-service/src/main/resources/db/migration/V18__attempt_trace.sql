-- Tracing (AttemptTraces): the W3C traceparent of the span that began the migration's current attempt. The
-- attempt's commands and the scheduler's decisions go out in that trace; null while tracing is off.
ALTER TABLE migration ADD COLUMN trace_parent TEXT;
