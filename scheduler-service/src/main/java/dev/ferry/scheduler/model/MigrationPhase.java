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
    CANCELLED;

    private static final Map<MigrationPhase, Set<MigrationPhase>> NEXT = Map.of(
            QUEUED, EnumSet.of(SCHEDULED, FAILED, CANCELLED),
            // A worker may report the outcome before we saw its first round: SCHEDULED can end directly.
            SCHEDULED, EnumSet.of(RUNNING, SUCCEEDED, FAILED, CANCELLED),
            RUNNING, EnumSet.of(SUCCEEDED, FAILED, CANCELLED),
            SUCCEEDED, EnumSet.noneOf(MigrationPhase.class),
            FAILED, EnumSet.noneOf(MigrationPhase.class),
            CANCELLED, EnumSet.noneOf(MigrationPhase.class));

    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** The transition table: a final phase never changes, nothing goes backwards, and no phase moves to itself. */
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
