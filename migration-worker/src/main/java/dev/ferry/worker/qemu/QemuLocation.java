package dev.ferry.worker.qemu;

import dev.ferry.model.engine.GuestLocation;
import java.util.Set;

/**
 * Where the guest runs, from what the two QEMUs say about themselves (query-status on each, query-migrate on the
 * source), as a pure function. A QEMU that cannot be reached counts as not running the guest: a destination whose
 * incoming migration failed exits, and so does a source an operator stopped. Anything else is not guessed at.
 */
public final class QemuLocation {
    /** The source's migration is not over yet: the answer may change any moment. */
    static final Set<String> MIGRATING = Set.of("setup", "active", "pre-switchover", "device", "cancelling", "wait-unplug",
            "postcopy-active", "postcopy-paused", "postcopy-recover", "postcopy-recover-setup", "colo");
    /** A guest that left this QEMU: it can never run here again. */
    private static final Set<String> LEFT = Set.of("postmigrate", "shutdown");
    /** A destination that received the guest: it runs there (or is paused there, which an operator can resume). */
    private static final Set<String> RECEIVED = Set.of("running", "paused", "suspended");

    /** The answer, and the two QEMUs' words behind it, for the outcome's reason. */
    public record Answer(GuestLocation where, String why) {
    }

    private QemuLocation() {
    }

    /** Whether query-migrate's status says a migration is still under way. */
    public static boolean migrating(String migrationStatus) {
        return MIGRATING.contains(migrationStatus);
    }

    /**
     * @param sourceStatus       query-status of the source QEMU, or null when it cannot be reached
     * @param destinationStatus  query-status of the destination QEMU, or null when it cannot be reached
     * @param migrationStatus    query-migrate's status on the source, or null when it cannot be reached
     */
    public static Answer of(String sourceStatus, String destinationStatus, String migrationStatus) {
        String said = "source QEMU " + (sourceStatus == null ? "unreachable" : sourceStatus) + " (migration "
                + (migrationStatus == null ? "unknown" : migrationStatus) + "), destination QEMU "
                + (destinationStatus == null ? "unreachable" : destinationStatus);
        if (migrationStatus != null && MIGRATING.contains(migrationStatus)) {
            return new Answer(GuestLocation.UNKNOWN, said + ": still migrating");
        }
        if ("finish-migrate".equals(sourceStatus) || "inmigrate".equals(sourceStatus)) {
            return new Answer(GuestLocation.UNKNOWN, said + ": the source is switching over");
        }
        boolean sourceHasIt = sourceStatus != null && !LEFT.contains(sourceStatus);
        boolean destinationHasIt = destinationStatus != null && RECEIVED.contains(destinationStatus)
                && (migrationStatus == null || "completed".equals(migrationStatus) || "none".equals(migrationStatus));
        if (sourceHasIt && !destinationHasIt && (destinationStatus == null || "inmigrate".equals(destinationStatus)
                || !RECEIVED.contains(destinationStatus))) {
            return new Answer(GuestLocation.SOURCE, said);
        }
        if (destinationHasIt && !sourceHasIt) {
            return new Answer(GuestLocation.DESTINATION, said);
        }
        return new Answer(GuestLocation.UNKNOWN, said + (sourceHasIt ? ": both could run the guest" : ": neither runs the guest"));
    }
}
