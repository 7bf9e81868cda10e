-- A migration is a durable state machine: one row with its phase and latest progress,
-- an append-only history of phase transitions, one row per reported round, and the audit trail.
CREATE TABLE migration (
    id                         UUID PRIMARY KEY,
    idempotency_key            TEXT UNIQUE,
    vm_id                      BIGINT NOT NULL,
    vm_name                    TEXT   NOT NULL,
    memory_bytes               BIGINT NOT NULL,
    source_host_id             BIGINT NOT NULL,
    target_host_id             BIGINT NOT NULL,
    target_reason              TEXT   NOT NULL,
    reservation_id             BIGINT NOT NULL,
    link_bandwidth_bytes_per_second BIGINT NOT NULL,
    max_downtime_millis        BIGINT NOT NULL,
    phase                      TEXT   NOT NULL,
    attempt                    INT    NOT NULL,
    driver                     TEXT,
    worker_id                  TEXT,
    current_round              INT    NOT NULL DEFAULT 0,
    bytes_sent                 BIGINT NOT NULL DEFAULT 0,
    remaining_bytes            BIGINT NOT NULL,
    dirty_rate_pages_per_second DOUBLE PRECISION NOT NULL DEFAULT 0,
    bandwidth_bytes_per_second DOUBLE PRECISION NOT NULL DEFAULT 0,
    expected_downtime_millis   BIGINT NOT NULL DEFAULT 0,
    throttle_percent           INT    NOT NULL DEFAULT 0,
    progress_percent           DOUBLE PRECISION NOT NULL DEFAULT 0,
    downtime_millis            BIGINT,
    total_time_millis          BIGINT,
    failure_reason             TEXT,
    last_sequence              BIGINT NOT NULL DEFAULT 0,
    created_at                 TIMESTAMPTZ NOT NULL,
    updated_at                 TIMESTAMPTZ NOT NULL,
    version                    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX migration_by_phase ON migration (phase);
CREATE INDEX migration_by_vm ON migration (vm_id);

CREATE TABLE phase_transition (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    migration_id UUID NOT NULL REFERENCES migration (id),
    from_phase   TEXT,
    to_phase     TEXT NOT NULL,
    at           TIMESTAMPTZ NOT NULL,
    reason       TEXT NOT NULL
);
CREATE INDEX phase_transition_by_migration ON phase_transition (migration_id, id);

CREATE TABLE migration_round (
    id                          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    migration_id                UUID   NOT NULL REFERENCES migration (id),
    attempt                     INT    NOT NULL,
    round                       INT    NOT NULL,
    bytes_sent                  BIGINT NOT NULL,
    pages_dirtied               BIGINT NOT NULL,
    dirty_rate_pages_per_second DOUBLE PRECISION NOT NULL,
    bandwidth_bytes_per_second  DOUBLE PRECISION NOT NULL,
    duration_millis             BIGINT NOT NULL,
    remaining_bytes             BIGINT NOT NULL,
    expected_downtime_millis    BIGINT NOT NULL,
    throttle_percent            INT    NOT NULL,
    decision                    TEXT   NOT NULL,
    reason                      TEXT   NOT NULL,
    stop_and_copy               BOOLEAN NOT NULL,
    UNIQUE (migration_id, attempt, round)
);

-- Every command sent and every event received for a migration, in the order recorded.
CREATE TABLE audit_entry (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    migration_id UUID NOT NULL,
    direction    TEXT NOT NULL,
    record_type  TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    attempt      INT  NOT NULL,
    sequence     BIGINT,
    note         TEXT,
    payload      TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_entry_by_migration ON audit_entry (migration_id, id);

-- Transactional outbox: written with the state change, published by the relay in id order.
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

CREATE TABLE consumed_event (
    event_id    TEXT PRIMARY KEY,
    consumed_at TIMESTAMPTZ NOT NULL
);
