package dev.ferry.scheduler.model;

import java.util.UUID;

/** A phase change the transition table does not allow: a programming error or a record that can never be applied. */
public class IllegalTransitionException extends RuntimeException {
    private final MigrationPhase from;
    private final MigrationPhase to;

    public IllegalTransitionException(UUID migration, MigrationPhase from, MigrationPhase to, String reason) {
        super("migration " + migration + " cannot go from " + (from == null ? "nothing" : from) + " to " + to
                + " (asked because: " + reason + ")");
        this.from = from;
        this.to = to;
    }

    public MigrationPhase from() {
        return from;
    }

    public MigrationPhase to() {
        return to;
    }
}
