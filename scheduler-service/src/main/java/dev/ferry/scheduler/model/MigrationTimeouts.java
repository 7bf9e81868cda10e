package dev.ferry.scheduler.model;

import dev.ferry.events.MigrationMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a migration has waited too long, and what to do then, as a pure function of the migration, the time and the
 * settings. Every phase that waits on someone else has a timeout: QUEUED on a slot, SCHEDULED on a worker's claim,
 * RUNNING on the worker's next word (a round or a heartbeat) and on its claim's renewal, a requested cancel on its
 * confirmation; and the operator's deadline bounds them all. The scheduler declares a final phase only where the
 * hypervisor cannot contradict it: where a worker holds the migration it is asked to stop, and a stop nobody confirms
 * leaves the outcome unknown. The watchdog's query only pre-filters; this decides.
 */
public final class MigrationTimeouts {

    /**
     * @param cancel            how long a requested cancel may stay unconfirmed
     */
    public record Settings(Duration queued, Duration scheduled, Duration progress, Duration cancel) {
        /** The earliest a SCHEDULED or RUNNING migration can be overdue: what the watchdog's query looks back. */
        public Duration shortestWait() {
            return scheduled.compareTo(progress) < 0 ? scheduled : progress;
        }
    }

    /**
     * What the timeouts look at. {@code waitingSince} is when a QUEUED migration's wait for a slot began (see
     * {@link #of(Migration, Instant)}); {@code updatedAt} the last change or the last word from the worker;
     * {@code ownerId} the worker holding the claim, whose lease runs to {@code leaseExpiresAt}; {@code workerId} the
     * worker that reported last (a claim-less report counts as someone having run it); {@code evacuationMove} whether
     * it is a move of an evacuation, which waits its turn there (its reason says so when it waited too long).
     */
    public record Facts(MigrationPhase phase, MigrationMode mode, Instant waitingSince, Instant updatedAt, Instant deadline,
            Instant cancelRequestedAt, String workerId, int currentRound, String ownerId, Instant leaseExpiresAt, int attempt,
            int run, int maxRetries, boolean jobsOutliveWorker, boolean evacuationMove) {

        /**
         * @param evacuationMovedAt for a queued move of an evacuation, when its evacuation last moved
         *                          ({@link MigrationTimeouts#evacuationMovedAt}); null for any other migration. The moves
         *                          wait their turn in plan order, so the queue's timeout counts from there: a 40-VM
         *                          evacuation taking two hours never fails its tail as "queued too long" while its moves
         *                          keep going, and still does when nothing of it has moved for that long.
         */
        public static Facts of(Migration m, Instant evacuationMovedAt) {
            return new Facts(m.phase(), MigrationMode.orDefault(m.mode), waitingSince(m.createdAt, evacuationMovedAt), m.updatedAt, m.deadline, m.cancelRequestedAt,
                    m.workerId, m.currentRound, m.ownerId, m.leaseExpiresAt, m.attempt, m.run, m.maxRetries, m.jobsOutliveWorker,
                    m.evacuationId != null);
        }

        /** When a queued migration's wait began: its creation, or the last time its evacuation moved, whichever is later. */
        public static Instant waitingSince(Instant createdAt, Instant evacuationMovedAt) {
            return evacuationMovedAt != null && evacuationMovedAt.isAfter(createdAt) ? evacuationMovedAt : createdAt;
        }

        /** A worker may be acting on the hypervisor for it (it claimed it, or reported on it). */
        boolean touched() {
            return ownerId != null || workerId != null;
        }

        /** Waiting for a worker to take over a hypervisor job its previous worker left running. */
        boolean awaitingTakeover() {
            return phase == MigrationPhase.SCHEDULED && ownerId == null && workerId != null && jobsOutliveWorker;
        }

        /** Takeovers so far, of either kind: retries as new attempts, and new runs of the same attempt. */
        int takeovers() {
            return attempt - 1 + Math.max(0, run - 1);
        }
    }

    /** Another move of the same evacuation: its phase, whether it ever left the queue to start, and its last change. */
    public record Sibling(MigrationPhase phase, boolean started, Instant updatedAt) {
    }

    /**
     * When an evacuation last moved, for its queued moves: now while one of its moves is SCHEDULED or RUNNING (each has
     * timeouts of its own); else the last change of one that started and is no longer (its end, or its outcome declared
     * unknown, or resolved); null if none ever started. A move that ended without starting (cancelled, refused by its
     * destination, or timed out in the queue) moved nothing, and does not restart the others' wait.
     */
    public static Instant evacuationMovedAt(java.util.List<Sibling> others, Instant now) {
        Instant last = null;
        for (Sibling o : others) {
            if (!o.started() || o.phase() == MigrationPhase.QUEUED) {
                continue;
            }
            if (o.phase() == MigrationPhase.SCHEDULED || o.phase() == MigrationPhase.RUNNING) {
                return now;
            }
            if (last == null || o.updatedAt().isAfter(last)) {
                last = o.updatedAt();
            }
        }
        return last;
    }

    /** What the watchdog does with an overdue migration. */
    public enum Action {
        /** End it in {@code endsIn}: nobody acts on the hypervisor for it, the VM is on its source. */
        END,
        /** Ask the worker that holds it to stop (a cancel); the phase changes when it confirms. */
        ASK_CANCEL,
        /** Its worker died and its job with it: run it again as a new attempt. */
        RETRY,
        /** Its worker died and its hypervisor job may still run: another worker takes that job over (the same attempt). */
        ADOPT,
        /** Nobody can tell where the VM runs: OUTCOME_UNKNOWN, the hold stays, an operator is asked. */
        UNKNOWN
    }

    /** The action, the phase an END ends in, and why, in words an operator reads in its history. */
    public record Overdue(Action action, MigrationPhase endsIn, String reason) {
        static Optional<Overdue> end(MigrationPhase endsIn, String reason) {
            return Optional.of(new Overdue(Action.END, endsIn, reason));
        }

        static Optional<Overdue> of(Action action, String reason) {
            return Optional.of(new Overdue(action, null, reason));
        }
    }

    private MigrationTimeouts() {
    }

    public static Optional<Overdue> check(Facts m, Instant now, Settings s) {
        if (m.phase().isFinal() || m.phase() == MigrationPhase.OUTCOME_UNKNOWN) {
            return Optional.empty();
        }
        if (m.ownerId() != null && m.leaseExpiresAt() != null && m.leaseExpiresAt().isBefore(now)) {
            return ownerDied(m, now);
        }
        if (m.mode() == MigrationMode.POST_COPY) {
            // The guest runs on the destination and pulls its pages from the source: it can be neither cancelled nor
            // failed back, and a deadline cannot help. Only silence ends it, and then nobody knows where it runs.
            return m.updatedAt().plus(s.progress()).isBefore(now)
                    ? Overdue.of(Action.UNKNOWN, "no progress from worker " + m.workerId() + " for " + s.progress().toSeconds()
                            + " s after post-copy began: the VM location is unknown (its memory is split between source and "
                            + "destination); check both hosts")
                    : Optional.empty();
        }
        if (m.cancelRequestedAt() != null) {
            // A cancel is under way: only its own timeout applies. It counts from the worker's last word too: a worker
            // still reporting is still answering.
            Instant since = m.cancelRequestedAt().isAfter(m.updatedAt()) ? m.cancelRequestedAt() : m.updatedAt();
            if (!since.plus(s.cancel()).isBefore(now)) {
                return Optional.empty();
            }
            return m.touched()
                    ? Overdue.of(Action.UNKNOWN, "a cancel was asked for and worker " + name(m) + " did not confirm it within "
                            + s.cancel().toSeconds() + " s: the migration may have completed")
                    : Overdue.end(MigrationPhase.CANCELLED, "cancelled; no worker ever took the migration, so the VM runs on the source");
        }
        if (m.deadline() != null && m.deadline().isBefore(now) && !m.awaitingTakeover()) {
            // (a job waiting to be taken over is stopped by its new owner, who sees the deadline passed)
            String reason = "past the operator's deadline " + m.deadline() + " in phase " + m.phase() + " (round " + m.currentRound() + ")";
            return m.ownerId() != null ? Overdue.of(Action.ASK_CANCEL, reason + "; worker " + m.ownerId() + " is asked to stop")
                    : Overdue.end(MigrationPhase.FAILED, reason + "; the VM stays on the source");
        }
        return switch (m.phase()) {
            case QUEUED -> !m.waitingSince().plus(s.queued()).isBefore(now) ? Optional.empty()
                    // a move of an evacuation waits its turn behind the moves ahead of it, not only for a slot
                    : m.evacuationMove() ? Overdue.end(MigrationPhase.FAILED, "queued for " + minutes(s.queued())
                            + " while none of its evacuation's moves ran or ended")
                    : Overdue.end(MigrationPhase.FAILED, "queued for " + minutes(s.queued()) + " without a free migration slot");
            case SCHEDULED -> {
                if (m.ownerId() != null || !m.updatedAt().plus(s.scheduled()).isBefore(now)) {
                    yield Optional.empty();
                }
                yield m.awaitingTakeover()
                        ? Overdue.of(Action.UNKNOWN, "no worker took over the job worker " + m.workerId() + " left within "
                                + s.scheduled().toSeconds() + " s; it may still run on the hypervisor")
                        : Overdue.end(MigrationPhase.FAILED, "no worker picked the migration up within " + s.scheduled().toSeconds() + " s");
            }
            case RUNNING -> {
                if (!m.updatedAt().plus(s.progress()).isBefore(now)) {
                    yield Optional.empty();
                }
                String reason = "no progress from worker " + m.workerId() + " for " + s.progress().toSeconds() + " s (last round "
                        + m.currentRound() + ")";
                yield m.ownerId() != null ? Overdue.of(Action.ASK_CANCEL, reason + "; worker " + m.ownerId() + " is asked to stop")
                        : Overdue.end(MigrationPhase.FAILED, reason);
            }
            default -> Optional.empty();
        };
    }

    /** The claim was not renewed: the worker died, hangs, or lost its way to us. */
    private static Optional<Overdue> ownerDied(Facts m, Instant now) {
        String died = "worker " + m.ownerId() + " stopped renewing its claim (lapsed at " + m.leaseExpiresAt() + ")";
        boolean budgetLeft = m.takeovers() < m.maxRetries();
        if (m.jobsOutliveWorker() && budgetLeft) {
            // the job goes on without its worker (post-copy and a pending cancel too): the next owner steers or stops it
            return Overdue.of(Action.ADOPT, died + "; its hypervisor job may still run: another worker takes it over as run "
                    + (m.run() + 1) + " of attempt " + m.attempt() + " (takeover " + (m.takeovers() + 1) + " of " + m.maxRetries() + ")");
        }
        if (m.mode() == MigrationMode.POST_COPY) {
            return Overdue.of(Action.UNKNOWN, died + " after post-copy began: the VM location is unknown; check both hosts");
        }
        if (m.jobsOutliveWorker() && m.cancelRequestedAt() != null) {
            return Overdue.of(Action.UNKNOWN, died + " while a cancel was pending; its hypervisor job may have completed");
        }
        if (m.cancelRequestedAt() != null) {
            return Overdue.end(MigrationPhase.CANCELLED, died + " while a cancel was pending; its job died with it, so the VM runs on the source");
        }
        if (budgetLeft && !m.jobsOutliveWorker() && (m.deadline() == null || m.deadline().isAfter(now))) {
            return Overdue.of(Action.RETRY, died + "; retried as attempt " + (m.attempt() + 1) + " (retry " + (m.takeovers() + 1)
                    + " of " + m.maxRetries() + ")");
        }
        if (m.jobsOutliveWorker()) {
            return Overdue.of(Action.UNKNOWN, died + "; its hypervisor job may still run, and no retry is left");
        }
        return Overdue.end(MigrationPhase.FAILED, died + "; its job died with it, so the VM runs on the source; no retry left");
    }

    private static String name(Facts m) {
        return m.ownerId() != null ? m.ownerId() : m.workerId();
    }

    private static String minutes(Duration d) {
        return d.toMinutes() > 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }
}
