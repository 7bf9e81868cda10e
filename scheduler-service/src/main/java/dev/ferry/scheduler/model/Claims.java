package dev.ferry.scheduler.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Who may act on the hypervisor for a migration, as a pure function: a worker holds the claim of the current attempt
 * of a migration the scheduler still wants run, for as long as it renews it. The claim is the fence: a worker asks for
 * it before it touches the hypervisor and stops acting the moment it is lost, so a command delivered late, twice,
 * after a restart or a rebalance, or replayed from offset 0, changes nothing.
 */
public final class Claims {

    /** @param jobsOutliveWorker whether the worker's hypervisor job keeps running if the worker dies (QEMU: yes) */
    public record Request(int attempt, String workerId, String driver, boolean jobsOutliveWorker) {
    }

    /**
     * @param workerId the worker that last ran the attempt: set on a SCHEDULED migration, the attempt waits for a new
     *                 owner to take over a hypervisor job that outlived its worker
     */
    public record Facts(MigrationPhase phase, int attempt, String ownerId, Instant leaseExpiresAt, Instant cancelRequestedAt,
            String workerId) {
        public static Facts of(Migration m) {
            return new Facts(m.phase(), m.attempt, m.ownerId, m.leaseExpiresAt, m.cancelRequestedAt, m.workerId);
        }

        /** Waiting for a worker to take over a job that may still run on the hypervisor. */
        public boolean takeover() {
            return phase == MigrationPhase.SCHEDULED && ownerId == null && workerId != null;
        }
    }

    /**
     * The answer: granted (a first claim or a renewal by the owner), or refused with a problem slug and why.
     */
    public record Verdict(boolean granted, boolean renewal, String slug, String detail) {
        static Verdict grant(boolean renewal) {
            return new Verdict(true, renewal, null, null);
        }

        static Verdict refuse(String slug, String detail) {
            return new Verdict(false, false, slug, detail);
        }
    }

    private Claims() {
    }

    public static Verdict decide(UUID id, Facts m, Request r, Instant now) {
        if (m.phase().isFinal()) {
            return Verdict.refuse("migration-ended", "migration " + id + " is already " + m.phase() + ": nothing to run");
        }
        if (r.attempt() != m.attempt()) {
            return Verdict.refuse("stale-attempt", "attempt " + r.attempt() + " of migration " + id + " is not the current one ("
                    + m.attempt() + ")" + (r.attempt() < m.attempt() ? ": it was given up and retried" : ""));
        }
        boolean owner = r.workerId().equals(m.ownerId());
        boolean live = m.leaseExpiresAt() != null && m.leaseExpiresAt().isAfter(now);
        if (owner && live) {
            return Verdict.grant(true);
        }
        if (owner) {
            return Verdict.refuse("claim-lapsed", "worker " + r.workerId() + " did not renew its claim on migration " + id
                    + " in time (lapsed at " + m.leaseExpiresAt() + "); it is being taken over");
        }
        if (m.ownerId() != null) {
            return Verdict.refuse("claimed", "migration " + id + " attempt " + m.attempt() + " is held by worker " + m.ownerId()
                    + (live ? " until " + m.leaseExpiresAt() : "; its claim lapsed and the migration is being taken over"));
        }
        if (m.phase() != MigrationPhase.SCHEDULED) {
            return Verdict.refuse("not-claimable", "migration " + id + " is " + m.phase() + "; only a SCHEDULED migration can be claimed");
        }
        if (m.cancelRequestedAt() != null && !m.takeover()) {
            // a job left running is another matter: its new owner is needed to stop it (the grant says a cancel waits)
            return Verdict.refuse("cancel-requested", "migration " + id + " was cancelled before any worker took it");
        }
        return Verdict.grant(false);
    }
}
