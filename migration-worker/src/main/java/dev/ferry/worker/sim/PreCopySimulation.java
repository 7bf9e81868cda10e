package dev.ferry.worker.sim;

import dev.ferry.events.DirtyPageRound;

/**
 * A first pre-copy model, in virtual time: round 1 sends all memory, each later round the pages dirtied
 * while the previous one ran; when the expected downtime meets the target (QEMU's rule: pending bytes
 * under bandwidth x downtime-limit) or after {@link #MAX_LIVE_ROUNDS} rounds (Xen's legacy cap), the
 * guest pauses and the rest is copied. A simulation: nothing here touches a real VM.
 */
public final class PreCopySimulation {
    public static final long PAGE_SIZE = 4096;
    /** Xen legacy's round cap: a migration that has not converged by then stops and copies anyway. */
    public static final int MAX_LIVE_ROUNDS = 29;
    /** Resume on the destination plus network announce, after the last byte: Clark et al. measured 9-40 ms. */
    public static final long SWITCHOVER_MILLIS = 15;

    private final long totalPages;
    private final double bandwidthBytesPerSecond;
    private final long maxDowntimeMillis;
    private final Workload workload;
    private int round;
    private long pendingPages;
    private boolean stopped;
    private boolean done;
    private boolean forced;

    public PreCopySimulation(long memoryBytes, double bandwidthBytesPerSecond, long maxDowntimeMillis, Workload workload) {
        if (memoryBytes < PAGE_SIZE || bandwidthBytesPerSecond <= 0 || maxDowntimeMillis <= 0) {
            throw new IllegalArgumentException("memory must hold a page, bandwidth and downtime target must be > 0");
        }
        this.totalPages = memoryBytes / PAGE_SIZE;
        this.bandwidthBytesPerSecond = bandwidthBytesPerSecond;
        this.maxDowntimeMillis = maxDowntimeMillis;
        this.workload = workload;
        this.pendingPages = totalPages;
    }

    public boolean finished() {
        return done;
    }

    /** The operator forces completion: the next round is the stop-and-copy, whatever is still dirty. */
    public void forceStopAndCopy() {
        if (!done && !stopped) {
            stopped = true;
            forced = true;
        }
    }

    /** Runs the next round and says what it did and what comes next. */
    public DirtyPageRound nextRound() {
        if (done) {
            throw new IllegalStateException("migration already completed");
        }
        round++;
        long sendPages = pendingPages;
        double seconds = sendPages * PAGE_SIZE / bandwidthBytesPerSecond;
        long durationMillis = Math.round(seconds * 1000);
        if (stopped) {
            done = true;
            pendingPages = 0;
            return new DirtyPageRound(round, sendPages, sendPages * PAGE_SIZE, 0, 0, bandwidthBytesPerSecond,
                    durationMillis, 0, 0, durationMillis + SWITCHOVER_MILLIS, 0, "COMPLETE",
                    forced ? "stop-and-copy forced by the operator, VM paused (simulated)"
                            : "stop-and-copy with the VM paused (simulated)", true);
        }
        long dirtied = Math.min(totalPages, workload.distinctPagesDirtied(seconds));
        pendingPages = dirtied;
        long expectedDowntime = expectedDowntimeMillis(dirtied);
        String decision;
        String reason;
        if (expectedDowntime <= maxDowntimeMillis) {
            stopped = true;
            decision = "STOP_AND_COPY";
            reason = "expected downtime " + expectedDowntime + " ms meets the " + maxDowntimeMillis + " ms target (simulated)";
        } else if (round >= MAX_LIVE_ROUNDS) {
            stopped = true;
            decision = "STOP_AND_COPY";
            reason = "round cap " + MAX_LIVE_ROUNDS + " reached; downtime " + expectedDowntime + " ms exceeds the target (simulated)";
        } else {
            decision = "CONTINUE";
            reason = "expected downtime " + expectedDowntime + " ms above the " + maxDowntimeMillis + " ms target (simulated)";
        }
        return new DirtyPageRound(round, sendPages, sendPages * PAGE_SIZE, dirtied,
                seconds > 0 ? dirtied / seconds : 0, bandwidthBytesPerSecond, durationMillis, dirtied, dirtied * PAGE_SIZE,
                expectedDowntime, 0, decision, reason, false);
    }

    private long expectedDowntimeMillis(long pages) {
        return Math.round(pages * PAGE_SIZE * 1000.0 / bandwidthBytesPerSecond) + SWITCHOVER_MILLIS;
    }
}
