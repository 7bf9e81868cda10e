package dev.ferry.events;

/**
 * Kafka topic names, the one copy. Commands and events are keyed by migration id so that
 * every record of one migration lands on one partition, in order.
 */
public final class Topics {
    /** scheduler-service to migration-worker: start or cancel a migration. */
    public static final String MIGRATION_COMMANDS = "migration-commands";
    /** migration-worker to everyone: one event per pre-copy round, and the outcome. */
    public static final String MIGRATION_EVENTS = "migration-events";
    /** inventory-service to everyone: host state, VM placement and reservation changes. */
    public static final String INVENTORY_EVENTS = "inventory-events";
    /** inventory-service to migration-workers: ask a host's libvirtd what it is and runs (discovery and sync), by host. */
    public static final String HOST_PROBES = "host-probes";
    /** migration-worker to inventory-service: what a host said, in answer to a probe, by host. */
    public static final String HOST_REPORTS = "host-reports";
    /** Records a consumer could not process land here, with the reason in the headers; the consumer keeps going. */
    public static final String MIGRATION_COMMANDS_DLQ = "migration-commands-dlq";
    /** Dead-letter topic for migration-events consumers. */
    public static final String MIGRATION_EVENTS_DLQ = "migration-events-dlq";
    /** Dead-letter topic for inventory-events consumers. */
    public static final String INVENTORY_EVENTS_DLQ = "inventory-events-dlq";
    /** Dead-letter topic for the workers' host-probes consumer. */
    public static final String HOST_PROBES_DLQ = "host-probes-dlq";
    /** Dead-letter topic for inventory's host-reports consumer. */
    public static final String HOST_REPORTS_DLQ = "host-reports-dlq";

    private Topics() {
    }
}
