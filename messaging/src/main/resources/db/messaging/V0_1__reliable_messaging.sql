-- Reliable messaging, the same in every service's database (module messaging). Versioned 0.x so that it sorts
-- apart from the service's own scripts; Flyway runs with out-of-order so that a later 0.x script still applies.

-- Transactional outbox: a row is written in the same transaction as the change that caused it; the relay
-- publishes it after the commit and marks it published only after Kafka acknowledged it.
CREATE TABLE outbox_message (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic        TEXT NOT NULL,
    record_key   TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ,
    attempts     INT  NOT NULL DEFAULT 0,
    last_error   TEXT
);
CREATE INDEX outbox_unpublished ON outbox_message (id) WHERE published_at IS NULL;
CREATE INDEX outbox_published ON outbox_message (published_at) WHERE published_at IS NOT NULL;

-- Every commit that wrote outbox rows wakes the relays (PostgreSQL delivers a NOTIFY only when the transaction
-- commits, to every listening replica); their poll is only the fallback.
CREATE FUNCTION ferry_outbox_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('ferry_outbox', '');
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER outbox_message_notify AFTER INSERT ON outbox_message
    FOR EACH STATEMENT EXECUTE FUNCTION ferry_outbox_notify();

-- Of the service's replicas, only the holder of this lease publishes: rows go out once and in order per key.
CREATE TABLE outbox_lease (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- Idempotent consumers: the id of every applied event, written in the same transaction as its effect.
CREATE TABLE consumed_event (
    event_id    TEXT PRIMARY KEY,
    consumed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX consumed_event_by_time ON consumed_event (consumed_at);
