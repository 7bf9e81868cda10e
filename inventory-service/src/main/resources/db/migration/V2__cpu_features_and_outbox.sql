-- CPU feature flags of hosts, and what a VM requires of its host's CPU: a vendor and family, or a named
-- CPU model, and a set of features (as libvirt's host-model / custom CPU modes express it).
CREATE TABLE host_cpu_flag (
    host_id BIGINT NOT NULL REFERENCES host (id) ON DELETE CASCADE,
    flag    TEXT   NOT NULL,
    PRIMARY KEY (host_id, flag)
);
ALTER TABLE vm ADD COLUMN cpu_vendor TEXT;
ALTER TABLE vm ADD COLUMN cpu_family INT;
ALTER TABLE vm ADD COLUMN cpu_model_name TEXT;
CREATE TABLE vm_cpu_feature (
    vm_id   BIGINT NOT NULL REFERENCES vm (id) ON DELETE CASCADE,
    feature TEXT   NOT NULL,
    PRIMARY KEY (vm_id, feature)
);
ALTER TABLE cluster ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE storage_pool ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE network ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- Transactional outbox for inventory-events: written with the change, published by a relay.
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
