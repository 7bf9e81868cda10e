package dev.ferry.model.engine;

import java.util.List;

/**
 * QEMU with auto-converge (migration/ram.c, migration/cpu-throttle.c): bitmap syncs are evaluated over periods
 * of at least 1000 ms; when the bytes dirtied in a period exceed 50 % of the bytes transferred in it, a counter
 * rises, and the second time the vCPUs are throttled: 20 % first, then 10 % more each time, at most 99 %.
 * The stop rule is QEMU's default. It counts across rounds: one instance per migration.
 */
public final class QemuAutoConvergePolicy implements ConvergencePolicy {
    static final int TRIGGER_THRESHOLD_PERCENT = 50;
    static final int INITIAL = 20;
    static final int INCREMENT = 10;
    static final int MAX = 99;
    static final double PERIOD_SECONDS = 1.0;
    private final QemuDefaultPolicy stopRule = new QemuDefaultPolicy();
    private int highDirtyCount;
    private double periodSeconds;
    private long periodDirtyBytes;
    private long periodSentBytes;

    @Override
    public boolean throttlesAtTheHypervisorsCheck() {
        return true;
    }

    @Override
    public String name() {
        return "qemu-auto-converge";
    }

    @Override
    public Decision decide(List<RoundRecord> rounds, MigrationContext context) {
        Decision stop = stopRule.decide(rounds, context);
        if (stop.action() == Decision.Action.STOP_AND_COPY) {
            return stop;
        }
        RoundRecord last = ConvergencePolicy.last(rounds);
        int throttle = last.throttlePercent();
        periodSeconds += last.seconds();
        periodDirtyBytes += newlyDirtied(rounds, context) * PreCopyEngine.PAGE_SIZE;
        periodSentBytes += last.bytesSent();
        if (periodSeconds < PERIOD_SECONDS) {
            return Decision.proceed(throttle, stop.reason() + "; auto-converge period still open");
        }
        long dirty = periodDirtyBytes;
        long sent = periodSentBytes;
        periodSeconds = 0;
        periodDirtyBytes = 0;
        periodSentBytes = 0;
        if (dirty > sent * TRIGGER_THRESHOLD_PERCENT / 100 && ++highDirtyCount >= 2) {
            highDirtyCount = 0;
            int next = throttle == 0 ? INITIAL : Math.min(MAX, throttle + INCREMENT);
            return Decision.proceed(next, String.format("dirtied %d bytes > 50%% of %d sent, twice: throttle %d%% -> %d%%",
                    dirty, sent, throttle, next));
        }
        return Decision.proceed(throttle, stop.reason());
    }

    /**
     * The pages the latest sync found written that were not pending already: what QEMU counts for its trigger
     * (num_dirty_pages_period, the bits a sync newly sets). A round QEMU ended with pages unsent carries them into the
     * pending count; a whole pass carries none, so there this is every dirty page.
     */
    static long newlyDirtied(List<RoundRecord> rounds, MigrationContext context) {
        RoundRecord last = ConvergencePolicy.last(rounds);
        if (rounds.size() < 2 && last.round() > 1) {
            return last.pagesDirtied(); // what was pending before it is not known: taken as a whole pass
        }
        long before = rounds.size() > 1 ? rounds.get(rounds.size() - 2).remainingPages() : context.pages();
        long carried = Math.max(0, before - last.pagesSent() - last.pagesSkipped());
        return Math.max(0, last.pagesDirtied() - carried);
    }
}
