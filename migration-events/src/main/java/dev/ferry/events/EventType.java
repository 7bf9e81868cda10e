package dev.ferry.events;

/** What happened to a migration, as a worker reports it. */
public enum EventType {
    /** A worker took the migration; round 1 follows (after a measurement of the guest, when the START asks for one). */
    MIGRATION_STARTED,
    /**
     * The worker watched the guest write just before round 1, as the start command asked; carries a
     * {@link DirtyMeasurement}. The scheduler forecasts the migration again from it.
     */
    DIRTY_RATE_MEASURED,
    /** One pre-copy round (or the final stop-and-copy) finished; carries a {@link DirtyPageRound}. */
    ROUND_COMPLETED,
    /** The VM runs on the destination; carries a {@link MigrationOutcome}. */
    MIGRATION_SUCCEEDED,
    /** The migration failed; the VM runs on the source. Carries a {@link MigrationOutcome} with the reason. */
    MIGRATION_FAILED,
    /** The migration was cancelled; the VM runs on the source. */
    MIGRATION_CANCELLED,
    /** The worker still runs the migration (sent every few seconds while a long round runs); carries nothing. */
    HEARTBEAT,
    /**
     * Nobody can tell where the VM runs: decided by the scheduler (a cancel nobody confirmed, a worker silent after
     * post-copy began), or reported by a worker whose hypervisor could not say where the guest runs after a run
     * ended. Inventory keeps the hold until the driver or an operator states where the VM runs.
     */
    OUTCOME_UNKNOWN;

    /** True for the three outcomes after which no event of the same attempt follows. */
    public boolean isOutcome() {
        return this == MIGRATION_SUCCEEDED || this == MIGRATION_FAILED || this == MIGRATION_CANCELLED;
    }
}
