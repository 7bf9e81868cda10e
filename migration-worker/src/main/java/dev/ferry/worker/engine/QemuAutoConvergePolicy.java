package dev.ferry.worker.engine;

import java.util.List;

/**
 * QEMU with auto-converge (migration/ram.c, migration/cpu-throttle.c): at each bitmap sync, when the
 * bytes dirtied in the period exceed 50 % of the bytes transferred, a counter rises; the second time, the
 * vCPUs are throttled, 20 % first, then 10 % more each time, at most 99 %. The stop rule is QEMU's default.
 * It counts across rounds: one instance per migration.
 */
public final class QemuAutoConvergePolicy implements ConvergencePolicy {
    static final int TRIGGER_THRESHOLD_PERCENT = 50;
    static final int INITIAL = 20;
    static final int INCREMENT = 10;
    static final int MAX = 99;
    private final QemuDefaultPolicy stopRule = new QemuDefaultPolicy();
    private int highDirtyCount;

    @Override
    public String name() {
        return "qemu-auto-converge";
    }

    @Override
    public Decision decide(List<RoundRecord> rounds, long maxDowntimeMillis, int currentThrottle) {
        Decision stop = stopRule.decide(rounds, maxDowntimeMillis, currentThrottle);
        if (stop.action() == Decision.Action.STOP_AND_COPY) {
            return stop;
        }
        RoundRecord last = rounds.get(rounds.size() - 1);
        long dirtyBytes = last.pagesDirtied() * PreCopyEngine.PAGE_SIZE;
        long threshold = last.bytesSent() * TRIGGER_THRESHOLD_PERCENT / 100;
        if (dirtyBytes > threshold && ++highDirtyCount >= 2) {
            highDirtyCount = 0;
            int next = currentThrottle == 0 ? INITIAL : Math.min(MAX, currentThrottle + INCREMENT);
            return Decision.proceed(next, String.format("dirtied %d bytes > 50%% of %d sent, twice: throttle %d%% -> %d%%",
                    dirtyBytes, last.bytesSent(), currentThrottle, next));
        }
        return Decision.proceed(currentThrottle, stop.reason());
    }
}
