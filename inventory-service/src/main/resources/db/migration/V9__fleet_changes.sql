-- The fleet's audit trail (docs/SECURITY.md): every change made through the API, with who made it, written in the
-- change's own transaction so that a change and its record commit together or not at all.
CREATE TABLE fleet_change (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    changed_at        TIMESTAMPTZ NOT NULL,
    principal         TEXT        NOT NULL,
    principal_subject TEXT        NOT NULL,
    action            TEXT        NOT NULL,
    entity            TEXT        NOT NULL,
    entity_id         BIGINT,
    detail            TEXT
);
CREATE INDEX fleet_change_entity ON fleet_change (entity, entity_id, id DESC);
CREATE INDEX fleet_change_principal ON fleet_change (principal, id DESC);
