package dev.ferry.worker.service;

import dev.ferry.events.AbortStatus;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationMode;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.model.engine.GuestLocation;
import dev.ferry.model.engine.MigrationResult;

/**
 * What a worker reports when a run ends, as a pure function of how the run ended and where the hypervisor says the
 * guest runs: the hypervisor's word wins. A run that was cancelled (or failed) while the switch-over completed
 * reports MIGRATION_SUCCEEDED with that reason; a run that believes it moved the guest, which still runs on the
 * source, reports MIGRATION_FAILED; where neither QEMU can say, OUTCOME_UNKNOWN, so that the hold stays and an
 * operator looks.
 */
final class OutcomeReport {

    /** The event to publish and what it carries. */
    record Report(EventType type, MigrationOutcome outcome) {
    }

    /** What the worker itself published of the run: rounds and their bytes. */
    record Published(int rounds, long bytes) {
    }

    private OutcomeReport() {
    }

    static Report of(HypervisorDriver.Finished f, boolean cancelAsked, String policy, Published published, String driver) {
        MigrationResult r = f.result();
        MigrationMode mode = r != null && r.postCopy() ? MigrationMode.POST_COPY : MigrationMode.PRE_COPY;
        long total = r == null ? 0 : r.totalTimeMillis();
        String ended = ended(f, cancelAsked, policy, published);
        boolean ranToSuccess = r != null && r.outcome() == MigrationResult.Outcome.SUCCEEDED;
        return switch (f.where()) {
            case DESTINATION -> new Report(EventType.MIGRATION_SUCCEEDED, new MigrationOutcome(published.rounds(),
                    r == null ? published.bytes() : r.bytesSent(), r == null ? 0 : r.downtimeMillis(), total,
                    // a success needs no reason; one the run did not expect says what happened instead
                    ranToSuccess ? null : ended + ", yet the guest runs on the destination (" + f.said() + ")",
                    driver, mode, cancelAsked ? AbortStatus.FAILED : AbortStatus.NONE));
            case SOURCE -> {
                boolean cancelled = r != null && r.outcome() == MigrationResult.Outcome.CANCELLED;
                String why = ranToSuccess ? ended + ", yet the guest still runs on the source (" + f.said() + ")"
                        : ended + "; the VM keeps running on the source";
                yield new Report(cancelled ? EventType.MIGRATION_CANCELLED : EventType.MIGRATION_FAILED,
                        new MigrationOutcome(published.rounds(), published.bytes(), 0, total, why, driver, mode,
                                cancelAsked ? AbortStatus.SUCCEEDED : AbortStatus.NONE));
            }
            case UNKNOWN -> new Report(EventType.OUTCOME_UNKNOWN, new MigrationOutcome(published.rounds(), published.bytes(), 0, total,
                    ended + ", and the hypervisor cannot tell where the guest runs (" + f.said() + "); check both hosts", driver,
                    mode, cancelAsked ? AbortStatus.REQUESTED : AbortStatus.NONE));
        };
    }

    /** How the run itself ended, in an operator's words. */
    private static String ended(HypervisorDriver.Finished f, boolean cancelAsked, String policy, Published published) {
        MigrationResult r = f.result();
        if (r == null) {
            return f.failure();
        }
        return switch (r.outcome()) {
            case SUCCEEDED -> "the run completed: " + r.reason();
            case CANCELLED -> "cancelled by the operator during round " + (published.rounds() + 1);
            case ABORTED -> "policy " + policy + " gave up: " + r.reason() + (cancelAsked ? " (a cancel was asked for too)" : "");
        };
    }
}
