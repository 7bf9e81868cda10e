package dev.ferry.scheduler.model;

import dev.ferry.events.MigrationMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a migration has waited too long, as a pure function of the migration, the time and the settings. Every phase
 * that waits on someone else has a timeout: QUEUED on a slot, SCHEDULED on a worker, RUNNING on the worker's next word
 * (a round or a heartbeat), a requested cancel on its confirmation; and the operator's deadline bounds them all.
 * Once post-copy began only the worker's silence counts: nothing else can end it safely.
 * The watchdog's query only pre-filters; this decides.
 */
public final class MigrationTimeouts {

    /** @param cancel how long a requested cancel may stay unconfirmed before the scheduler ends the migration itself */
    public record Settings(Duration queued, Duration scheduled, Duration progress, Duration cancel) {
        /** The earliest a SCHEDULED or RUNNING migration can be overdue: what the watchdog's query looks back. */
        public Duration shortestWait() {
            return scheduled.compareTo(progress) < 0 ? scheduled : progress;
        }
    }

    /** What the timeouts look at. {@code updatedAt} is the last change or the last word from the worker. */
    public record Facts(MigrationPhase phase, MigrationMode mode, Instant createdAt, Instant updatedAt, Instant deadline,
            Instant cancelRequestedAt, String workerId, int currentRound) {

        public static Facts of(Migration m) {
            return new Facts(m.phase(), MigrationMode.orDefault(m.mode), m.createdAt, m.updatedAt, m.deadline, m.cancelRequestedAt,
                    m.workerId, m.currentRound);
        }
    }

    /**
     * The phase the migration ends in, and why, in words an operator reads in its history. {@code vmOnSource}: whether
     * the VM is known to run on its source, so that the scheduler may stop the worker and tell inventory to free the
     * hold; after post-copy began it is not, and nothing is told on the VM's behalf.
     */
    public record Overdue(MigrationPhase endsIn, String reason, boolean vmOnSource) {
    }

    private MigrationTimeouts() {
    }

    public static Optional<Overdue> check(Facts m, Instant now, Settings s) {
        if (m.phase().isFinal()) {
            return Optional.empty();
        }
        if (m.mode() == MigrationMode.POST_COPY) {
            // The guest runs on the destination and pulls its pages from the source: it can be neither cancelled nor
            // failed back, and a deadline cannot help. Only silence ends it, and then nobody knows where it runs.
            return m.updatedAt().plus(s.progress()).isBefore(now)
                    ? Optional.of(new Overdue(MigrationPhase.FAILED, "no progress from worker " + m.workerId() + " for "
                            + s.progress().toSeconds() + " s after post-copy began: the VM location is unknown (its memory is "
                            + "split between source and destination); check both hosts before acting", false))
                    : Optional.empty();
        }
        if (m.cancelRequestedAt() != null) {
            // A cancel is under way: only its own timeout applies, so that it ends as the operator asked (CANCELLED).
            // It counts from the worker's last word too: a worker still reporting is still answering.
            Instant since = m.cancelRequestedAt().isAfter(m.updatedAt()) ? m.cancelRequestedAt() : m.updatedAt();
            return since.plus(s.cancel()).isBefore(now)
                    ? Optional.of(new Overdue(MigrationPhase.CANCELLED, "cancelled by the operator; no worker confirmed within "
                            + s.cancel().toSeconds() + " s, so the scheduler ended it (the VM runs on the source)", true))
                    : Optional.empty();
        }
        if (m.deadline() != null && m.deadline().isBefore(now)) {
            return Optional.of(new Overdue(MigrationPhase.FAILED, "past the operator's deadline " + m.deadline() + " in phase "
                    + m.phase() + " (round " + m.currentRound() + "); the VM stays on the source", true));
        }
        return switch (m.phase()) {
            case QUEUED -> m.createdAt().plus(s.queued()).isBefore(now)
                    ? Optional.of(new Overdue(MigrationPhase.FAILED, "queued for " + minutes(s.queued())
                            + " without a free migration slot", true)) : Optional.empty();
            case SCHEDULED -> m.updatedAt().plus(s.scheduled()).isBefore(now)
                    ? Optional.of(new Overdue(MigrationPhase.FAILED, "no worker picked the migration up within "
                            + s.scheduled().toSeconds() + " s", true)) : Optional.empty();
            case RUNNING -> m.updatedAt().plus(s.progress()).isBefore(now)
                    ? Optional.of(new Overdue(MigrationPhase.FAILED, "no progress from worker " + m.workerId() + " for "
                            + s.progress().toSeconds() + " s (last round " + m.currentRound() + ")", true)) : Optional.empty();
            default -> Optional.empty();
        };
    }

    private static String minutes(Duration d) {
        return d.toMinutes() > 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }
}
