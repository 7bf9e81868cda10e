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
    /** Records a consumer could not process land here, with the reason in the headers; the consumer keeps going. */
    public static final String MIGRATION_COMMANDS_DLQ = "migration-commands-dlq";
    /** Dead-letter topic for migration-events consumers. */
    public static final String MIGRATION_EVENTS_DLQ = "migration-events-dlq";
    /** Dead-letter topic for inventory-events consumers. */
    public static final String INVENTORY_EVENTS_DLQ = "inventory-events-dlq";

    private Topics() {
    }
}
