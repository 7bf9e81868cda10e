package dev.ferry.scheduler.plan;

/**
 * Predicts a pre-copy migration before it starts. Each round sends what the previous one left dirty; the
 * distinct pages dirtied in a window of t seconds follow the saturating curve W(t) = H (1 - e^(-r t / H))
 * for a hot set of H pages written at r pages/s (REFERENCE.md: real workloads saturate at their writable
 * working set). It stops like QEMU (pending bytes under bandwidth x downtime target) or at Xen legacy's cap
 * of 29 live rounds, the same rules the worker's simulator applies.
 */
public final class Predictor {
    static final long PAGE = 4096;
    static final int MAX_LIVE_ROUNDS = 29;
    /** Resume on the destination plus network announce (Clark et al.: 9-40 ms). */
    static final long SWITCHOVER_MILLIS = 15;
    /** With nothing known of a VM: a hot set of 5 % of memory written at 40 % of the link's page rate. */
    static final double TYPICAL_HOT_SHARE = 0.05;
    static final double TYPICAL_RATE_SHARE = 0.4;

    /** How a VM dirties memory: measured, learned from an earlier migration, or assumed. */
    public record DirtyModel(long hotPages, double dirtyPagesPerSecond, String basis) {
    }

    private Predictor() {
    }

    public static DirtyModel typical(long memoryBytes, double bandwidthBytesPerSecond) {
        return new DirtyModel(Math.max(1, Math.round(memoryBytes / PAGE * TYPICAL_HOT_SHARE)),
                bandwidthBytesPerSecond / PAGE * TYPICAL_RATE_SHARE,
                "assumed typical: hot set 5 % of memory dirtied at 40 % of the link rate (no history for this VM)");
    }

    public static Forecast predict(long memoryBytes, double bandwidthBytesPerSecond, long maxDowntimeMillis, DirtyModel dirty) {
        if (memoryBytes <= 0 || bandwidthBytesPerSecond <= 0) {
            throw new IllegalArgumentException("memory and bandwidth must be > 0");
        }
        long pending = memoryBytes / PAGE;
        long totalPages = pending;
        double seconds = 0;
        long sent = 0;
        int round = 0;
        boolean converges = false;
        while (true) {
            round++;
            double roundSeconds = pending * PAGE / bandwidthBytesPerSecond;
            seconds += roundSeconds;
            sent += pending;
            long dirtied = Math.min(totalPages, dirtied(dirty, roundSeconds));
            long downtime = Math.round(dirtied * PAGE * 1000.0 / bandwidthBytesPerSecond) + SWITCHOVER_MILLIS;
            pending = dirtied;
            if (downtime <= maxDowntimeMillis) {
                converges = true;
                break;
            }
            if (round >= MAX_LIVE_ROUNDS) {
                break;
            }
        }
        double stopSeconds = pending * PAGE / bandwidthBytesPerSecond;
        long downtime = Math.round(stopSeconds * 1000) + SWITCHOVER_MILLIS;
        long total = Math.round((seconds + stopSeconds) * 1000) + SWITCHOVER_MILLIS;
        return new Forecast(round + 1, total, downtime, (sent + pending) * PAGE, converges, dirty.basis());
    }

    private static long dirtied(DirtyModel d, double seconds) {
        if (d.dirtyPagesPerSecond() <= 0 || seconds <= 0) {
            return 0;
        }
        return Math.round(d.hotPages() * -Math.expm1(-d.dirtyPagesPerSecond() * seconds / d.hotPages()));
    }
}
