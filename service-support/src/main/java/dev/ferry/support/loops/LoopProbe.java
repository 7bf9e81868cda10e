package dev.ferry.support.loops;

/**
 * One event loop's probe, in nanoseconds of one monotonic clock: a task is put on the loop and times how long the loop
 * took to reach it, which is how long anything arriving then (a request, a database answer) waited for a loop busy
 * with something else. One probe at a time: a loop stuck for seconds gets no pile of probes, and the one pending
 * measures the whole stall when it runs.
 */
final class LoopProbe {
    private static final long NONE = Long.MIN_VALUE;
    private long pendingSince = NONE;
    private boolean stackTaken;

    /** Whether a probe goes now; false while the last one has not run. */
    synchronized boolean submit(long now) {
        if (pendingSince != NONE) {
            return false;
        }
        pendingSince = now;
        stackTaken = false;
        return true;
    }

    /** The probe ran at {@code now}: how long it waited. */
    synchronized long ran(long now) {
        if (pendingSince == NONE) {
            throw new IllegalStateException("a probe ran that was never submitted");
        }
        long waited = now - pendingSince;
        pendingSince = NONE;
        return waited;
    }

    /**
     * The waits to record for a probe that waited {@code waited}: its own, and what each probe that could not be sent
     * while it waited would have waited (one every {@code interval}, {@code waited - interval}, {@code waited - 2 *
     * interval}, ...). With only its own, a 2 s stall would count as one sample against about a hundred from a loop
     * that never stalls, and the percentiles would hide it.
     */
    static long[] waits(long waited, long interval) {
        if (interval <= 0) {
            throw new IllegalArgumentException("the probe interval must be positive");
        }
        int missed = (int) Math.min(waited / interval, 10_000);
        long[] waits = new long[missed + 1];
        for (int k = 0; k <= missed; k++) {
            waits[k] = waited - k * interval;
        }
        return waits;
    }

    /**
     * Whether the pending probe has waited {@code threshold} or more and the loop's stack is still to be taken for
     * this stall: true once per stall, so that what the loop is busy with is read while it is busy with it.
     */
    synchronized boolean stalledPast(long now, long threshold) {
        if (pendingSince == NONE || stackTaken || now - pendingSince < threshold) {
            return false;
        }
        stackTaken = true;
        return true;
    }
}
