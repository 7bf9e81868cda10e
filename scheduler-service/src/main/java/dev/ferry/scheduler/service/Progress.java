package dev.ferry.scheduler.service;

/** The progress figure an operator watches. Plain arithmetic, kept apart so that it can be tested alone. */
public final class Progress {
    /** Until the outcome arrives nothing is done: remaining can grow again while the guest dirties memory. */
    static final double BEFORE_OUTCOME_CAP = 99.0;

    private Progress() {
    }

    /**
     * Share of the work done, as bytes sent over bytes sent plus bytes still dirty, never below what was
     * shown before: a bar that runs backwards is the complaint of KubeVirt #10722.
     */
    public static double next(double shownBefore, long bytesSent, long remainingBytes) {
        long total = bytesSent + Math.max(0, remainingBytes);
        double now = total == 0 ? 0 : 100.0 * bytesSent / total;
        return Math.max(shownBefore, Math.min(BEFORE_OUTCOME_CAP, now));
    }
}
