package dev.ferry.scheduler.model;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** Where a migration stands. Each waiting phase has a timeout in SchedulerConfig. */
public enum MigrationPhase {
    /** Accepted, waiting for a concurrency slot. */
    QUEUED,
    /** Destination reserved, command sent, no worker has picked it up yet. */
    SCHEDULED,
    /** Rounds are running on the hypervisor. */
    RUNNING,
    /** The VM runs on the destination. */
    SUCCEEDED,
    /** The migration failed; the VM runs on the source. */
    FAILED,
    /** Cancelled; the VM runs on the source. */
    CANCELLED,
    /**
     * Nobody can tell where the VM runs: a cancel no worker confirmed, a worker silent after post-copy began, a worker
     * whose hypervisor job may outlive it died with no retry left. Not final: the driver's late answer or an operator's
     * statement (POST /migrations/{id}/resolve) ends it. Inventory keeps the hold meanwhile.
     */
    OUTCOME_UNKNOWN;

    private static final Map<MigrationPhase, Set<MigrationPhase>> NEXT = Map.of(
            QUEUED, EnumSet.of(SCHEDULED, FAILED, CANCELLED),
            // A worker may report the outcome before we saw its first round: SCHEDULED can end directly.
            SCHEDULED, EnumSet.of(RUNNING, SUCCEEDED, FAILED, CANCELLED, OUTCOME_UNKNOWN),
            // Back to SCHEDULED only as a new attempt, after the worker that ran it died (its job died with it).
            RUNNING, EnumSet.of(SCHEDULED, SUCCEEDED, FAILED, CANCELLED, OUTCOME_UNKNOWN),
            // The driver answers late (or the worker speaks again), or an operator states where the VM runs.
            OUTCOME_UNKNOWN, EnumSet.of(RUNNING, SUCCEEDED, FAILED, CANCELLED),
            SUCCEEDED, EnumSet.noneOf(MigrationPhase.class),
            FAILED, EnumSet.noneOf(MigrationPhase.class),
            CANCELLED, EnumSet.noneOf(MigrationPhase.class));

    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** Phases in which a migration may be moving a VM: they take a slot and keep their destination's hold. */
    public static final java.util.List<MigrationPhase> UNDER_WAY = java.util.List.of(SCHEDULED, RUNNING, OUTCOME_UNKNOWN);

    /**
     * The transition table: a final phase never changes, no phase moves to itself, and nothing goes backwards except a
     * retry (RUNNING to SCHEDULED, as a new attempt) and a worker heard again after its outcome was unknown.
     */
    public boolean canMoveTo(MigrationPhase next) {
        return NEXT.get(this).contains(next);
    }

    /**
     * Refuses a move the table does not allow; {@code from} null is a migration being created, which enters QUEUED.
     *
     * @throws IllegalTransitionException naming the migration, both phases and why the move was asked for
     */
    public static void requireMove(java.util.UUID migration, MigrationPhase from, MigrationPhase to, String reason) {
        boolean legal = from == null ? to == QUEUED : from.canMoveTo(to);
        if (!legal) {
            throw new IllegalTransitionException(migration, from, to, reason);
        }
    }
}
