package dev.ferry.scheduler.model;

/** Which queued migration starts first when a slot frees up. */
public enum MigrationPriority {
    /** Emptying a host for maintenance: the host is waiting on it. */
    EVACUATION,
    /** An operator asked for this one migration. */
    USER,
    /** Balancing a cluster: useful, never urgent. */
    REBALANCE
}
