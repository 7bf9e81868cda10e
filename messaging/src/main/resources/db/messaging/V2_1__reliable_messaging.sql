-- Reliable messaging, the same in every service's database (module messaging). Version 2.1: after the services'
-- first scripts, which created outbox_message and consumed_event before this module existed (they stay as they
-- were, so that databases made by them still validate); Flyway runs with out-of-order, so that on those databases
-- this script applies after their later ones. Every statement therefore tolerates what those scripts made: the
-- tables had this very shape.

-- Transactional outbox: a row is written in the same transaction as the change that caused it; the relay
-- publishes it after the commit and marks it published only after Kafka acknowledged it.
CREATE TABLE IF NOT EXISTS outbox_message (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic        TEXT NOT NULL,
    record_key   TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ,
    attempts     INT  NOT NULL DEFAULT 0,
    last_error   TEXT
);
-- Every row is written through this function. Its transaction-scoped lock on the key makes a second writer of
-- the same key take its id only after the first one committed: within a key, ids follow commit order, and the
-- relay, reading by id, never sends a later change while an earlier one is still to commit.
CREATE OR REPLACE FUNCTION outbox_write(p_topic TEXT, p_key TEXT, p_payload TEXT) RETURNS BIGINT AS $$
DECLARE
    written BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_topic || '/' || p_key, 0));
    INSERT INTO outbox_message (topic, record_key, payload, created_at) VALUES (p_topic, p_key, p_payload, now())
        RETURNING id INTO written;
    RETURN written;
END
$$ LANGUAGE plpgsql;
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox_message (id) WHERE published_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_published ON outbox_message (published_at) WHERE published_at IS NOT NULL;

-- Every commit that wrote outbox rows wakes the relays (PostgreSQL delivers a NOTIFY only when the transaction
-- commits, to every listening replica); their poll is only the fallback.
CREATE OR REPLACE FUNCTION ferry_outbox_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('ferry_outbox', '');
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS outbox_message_notify ON outbox_message;
CREATE TRIGGER outbox_message_notify AFTER INSERT ON outbox_message
    FOR EACH STATEMENT EXECUTE FUNCTION ferry_outbox_notify();

-- Of the service's replicas, only the holder of a lease does the work it names (DatabaseLease): 'outbox' publishes,
-- so rows go out once and in order per key; scheduler-service's 'dispatcher' starts queued migrations.
CREATE TABLE IF NOT EXISTS service_lease (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- Idempotent consumers: the id of every applied event, written in the same transaction as its effect.
CREATE TABLE IF NOT EXISTS consumed_event (
    event_id    TEXT PRIMARY KEY,
    consumed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS consumed_event_by_time ON consumed_event (consumed_at);
