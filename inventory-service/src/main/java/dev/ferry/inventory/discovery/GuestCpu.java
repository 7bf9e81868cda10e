package dev.ferry.inventory.discovery;

import java.time.Duration;
import java.time.Instant;

/**
 * A guest's load from its host's reports: each report carries the guest's CPU time so far, and the difference
 * between two readings over the time between them is the cores it used meanwhile (over the sync interval, 5 minutes
 * by default: a load, not a moment's burst). Pure.
 *
 * <p>Two readings are compared only when they are of the same hypervisor process: the same guest (UUID), the same
 * libvirt domain id (new each time the guest starts; a worker that does not send it leaves this test out) and a CPU
 * time that did not go down (a restarted guest starts from 0). A migration starts a new process on the destination, so the
 * row that follows a guest there drops its reading ({@code HostGuestRepository.followMigration}). Readings closer than
 * {@link #MIN_WINDOW} (an operator's probe soon after the sync's) are not compared: the earlier reading stays the
 * baseline and the last load stands, so an extra probe neither turns the load into a short burst nor loses it.
 * Readings further apart than {@link #maxWindow} (reports missed for a while) are not compared either: an average over
 * hours is not the guest's load now. The later reading becomes the baseline, and the last load keeps its own time, so
 * its reader sees how old it is.
 *
 * <p>The window is timed by the reports' {@code observedAt}, stamped by the worker as it asks the host; the probe
 * reads the guests' CPU times first, right after connecting, so both readings sit the same short way after their
 * stamps (workers' clocks, synchronised as a fleet's are, add their skew over minutes).
 */
public final class GuestCpu {
    /** The shortest window a load is computed over: most of a sync interval (5 minutes by default). */
    public static final Duration MIN_WINDOW = Duration.ofMinutes(2);
    /** The longest window at the default sync interval (5 minutes): four intervals, three reports missed. */
    public static final Duration MAX_WINDOW = Duration.ofMinutes(20);

    /** The longest window a load is computed over: four sync intervals, and never less than {@link #MAX_WINDOW}. */
    public static Duration maxWindow(Duration syncInterval) {
        Duration four = syncInterval.multipliedBy(4);
        return four.compareTo(MAX_WINDOW) > 0 ? four : MAX_WINDOW;
    }

    private GuestCpu() {
    }

    /**
     * What the last report left: the baseline reading (its CPU time and when) and the load last computed (null if
     * none), with when that load's window ended.
     */
    public record State(String uuid, Integer domainId, Long cpuNanos, Instant readAt, Double coresUsed, Instant coresAt) {
        public static final State NONE = new State(null, null, null, null, null, null);
    }

    /**
     * The state after a report read {@code cpuNanos} of guest {@code uuid}, running as domain {@code domainId} (null: not
     * sent), at {@code at} (null: not read, not running), at the default sync interval.
     */
    public static State next(State last, String uuid, Integer domainId, Long cpuNanos, Instant at) {
        return next(last, uuid, domainId, cpuNanos, at, MAX_WINDOW);
    }

    /** Likewise, comparing readings at most {@code maxWindow} apart ({@link #maxWindow}). */
    public static State next(State last, String uuid, Integer domainId, Long cpuNanos, Instant at, Duration maxWindow) {
        if (cpuNanos == null || at == null) {
            return State.NONE; // not running here now: nothing to compare the next reading with
        }
        boolean sameDomain = domainId == null || last.domainId() == null || domainId.equals(last.domainId());
        boolean sameProcess = last.cpuNanos() != null && last.readAt() != null && uuid != null && uuid.equals(last.uuid())
                && sameDomain && cpuNanos >= last.cpuNanos();
        if (!sameProcess) {
            return new State(uuid, domainId, cpuNanos, at, null, null);
        }
        Duration window = Duration.between(last.readAt(), at);
        if (window.compareTo(MIN_WINDOW) < 0) {
            return last;
        }
        if (window.compareTo(maxWindow) > 0) {
            return new State(uuid, domainId, cpuNanos, at, last.coresUsed(), last.coresAt());
        }
        double cores = (cpuNanos - last.cpuNanos()) / (double) window.toNanos();
        return new State(uuid, domainId, cpuNanos, at, cores, at);
    }
}
