package dev.ferry.model.forecast;

import dev.ferry.model.engine.RoundRecord;
import java.util.Comparator;
import java.util.List;

/**
 * How a VM dirties memory, as far as it is known before it migrates: a writable working set of {@code hotPages}
 * written at {@code dirtyPagesPerSecond}. The distinct pages dirtied in a window of t seconds then follow
 * H (1 - e^(-r t / H)), the saturating curve of REFERENCE.md, which is what uniform writes over H pages produce.
 *
 * @param basis     where the numbers came from (measured, learned from the VM's last migration, or assumed), in words
 * @param zeroShare the share of memory that is zero pages, which a first pass announces instead of sending: a
 *                  guest's writing cannot tell it, only a past first pass can ({@link #zeroShareOfFirstPass}); 0 when
 *                  unknown, which forecasts the slowest first pass
 * @param throttleLagSeconds how long after the policy raises the throttle the guest feels it, on the hypervisor that
 *                  measured the writing: {@link #QEMU_THROTTLE_LAG_SECONDS} where QEMU measured it, 0 otherwise (the
 *                  simulator applies a throttle at once)
 */
public record DirtyModel(long hotPages, double dirtyPagesPerSecond, String basis, double zeroShare, double throttleLagSeconds) {
    /**
     * QEMU applies a new throttle at its next look at the guest's writing, at most once a second: in the fifth run of
     * the real-guest suite (14 moves whose throttle was raised) the throttle asked at the end of a pass was in force
     * between 0.4 and 1.5 s later (docs/benchmarks/README.md, "Forecasts replayed").
     */
    public static final double QEMU_THROTTLE_LAG_SECONDS = 1.0;
    /** The measurement method of QEMU's calc-dirty-rate, as the worker names it. */
    static final String QEMU_METHOD = "calc-dirty-rate";
    /** The most of memory taken as zero pages: a guest never holds nothing else. */
    static final double MOST_ZERO = 0.95;
    /** With nothing known of a VM: a hot set of 5 % of memory written at 40 % of the link's page rate. */
    static final double TYPICAL_HOT_SHARE = 0.05;
    static final double TYPICAL_RATE_SHARE = 0.4;
    private static final String ASSUMED = "assumed typical";

    public DirtyModel {
        if (hotPages < 1 || dirtyPagesPerSecond < 0) {
            throw new IllegalArgumentException("a dirty model needs a working set of at least one page and a rate >= 0");
        }
        if (!(zeroShare >= 0 && zeroShare <= MOST_ZERO)) {
            throw new IllegalArgumentException("the zero pages' share must be between 0 and " + MOST_ZERO + ", was " + zeroShare);
        }
        if (!(throttleLagSeconds >= 0)) {
            throw new IllegalArgumentException("a throttle's lag is a time >= 0, was " + throttleLagSeconds);
        }
    }

    /** A model whose throttle acts at once (the simulator's). */
    public DirtyModel(long hotPages, double dirtyPagesPerSecond, String basis, double zeroShare) {
        this(hotPages, dirtyPagesPerSecond, basis, zeroShare, 0);
    }

    /** A model that knows nothing of the guest's zero pages. */
    public DirtyModel(long hotPages, double dirtyPagesPerSecond, String basis) {
        this(hotPages, dirtyPagesPerSecond, basis, 0);
    }

    /**
     * The same writing, on a guest whose memory is {@code share} zero pages, as {@code from} says; at most
     * {@link #MOST_ZERO} (a sample of a nearly empty guest can find nothing else, yet it holds its kernel).
     */
    public DirtyModel withZeroShare(double share, String from) {
        double zero = Math.min(MOST_ZERO, share);
        return new DirtyModel(hotPages, dirtyPagesPerSecond, basis + String.format(java.util.Locale.ROOT,
                "; %.0f %% of memory zero pages (%s)", zero * 100, from), zero, throttleLagSeconds);
    }

    /**
     * The share of memory that was zero pages in a first pass that announced every page of {@code memoryBytes} in
     * {@code bytesSent} bytes: the pages whose bytes it did not send. A page header or two per page is within the
     * rounding.
     */
    public static double zeroShareOfFirstPass(long memoryBytes, long bytesSent) {
        if (memoryBytes <= 0) {
            return 0;
        }
        double carried = (double) bytesSent / memoryBytes;
        return Math.max(0, Math.min(MOST_ZERO, 1 - carried));
    }

    /** The assumption when a VM has no history: stated as one wherever it is shown. */
    public static DirtyModel typical(long memoryBytes, double bandwidthBytesPerSecond) {
        long pages = memoryBytes / dev.ferry.model.engine.PreCopyEngine.PAGE_SIZE;
        return new DirtyModel(Math.max(1, Math.round(pages * TYPICAL_HOT_SHARE)),
                bandwidthBytesPerSecond / dev.ferry.model.engine.PreCopyEngine.PAGE_SIZE * TYPICAL_RATE_SHARE,
                ASSUMED + ": hot set 5 % of memory dirtied at 40 % of the link rate (no history for this VM)");
    }

    /**
     * The model through windows measured on the guest just before it migrates (QEMU's calc-dirty-rate, or the
     * simulator's sample): distinct pages written in each. Two windows of different length fix both numbers of the
     * curve: their ratio says how far the short one is from saturating, which sets the rate over the working set.
     * A ratio at the windows' length ratio is a writer that never repeats a page within them (its set is taken as all
     * memory); a ratio of one or less is a set already rewritten within the short window (its rate is then only known
     * to be at least the short window's).
     *
     * @param windows     at least one window, each of a positive length
     * @param memoryPages the guest's memory: no working set is larger
     * @param from        where the windows come from, as the basis says it
     */
    public static DirtyModel measured(List<RoundRecord.Sample> windows, long memoryPages,
            String from) {
        if (windows.isEmpty() || memoryPages < 1 || windows.stream().anyMatch(w -> !(w.seconds() > 0) || w.pages() < 0)) {
            throw new IllegalArgumentException("a measured dirty model needs at least one window of positive length and "
                    + "a guest of at least one page, was " + windows + " over " + memoryPages + " pages");
        }
        var shortest = windows.stream().min(Comparator.comparingDouble(RoundRecord.Sample::seconds)).get();
        var longest = windows.stream().max(Comparator.comparingDouble(RoundRecord.Sample::seconds)).get();
        long hot;
        double rate;
        double lengths = longest.seconds() / shortest.seconds();
        double ratio = shortest.pages() == 0 ? lengths : (double) longest.pages() / shortest.pages();
        if (longest.pages() == 0) {
            hot = 1;
            rate = 0;
        } else if (lengths <= 1 || ratio >= lengths * SATURATION_LIMIT) {
            // one window, or no page written twice: the curve is still a line
            hot = memoryPages;
            rate = longest.pages() / longest.seconds();
        } else if (ratio <= 1) {
            hot = Math.max(shortest.pages(), longest.pages());
            rate = shortest.pages() / shortest.seconds();
        } else {
            double x = speedOverSet(ratio, shortest.seconds(), longest.seconds());
            hot = Math.round(longest.pages() / -Math.expm1(-x * longest.seconds()));
            rate = x * hot;
        }
        hot = Math.max(1, Math.min(hot, memoryPages));
        StringBuilder seen = new StringBuilder();
        for (var w : windows) {
            seen.append(seen.length() == 0 ? "" : ", ").append(w.pages()).append(" pages in ")
                    .append(Math.round(w.seconds() * 1000)).append(" ms");
        }
        // the hypervisor that measured is the one that will throttle: QEMU's acts a check late
        return new DirtyModel(hot, rate, "measured just before the start (" + from + ": " + seen + "): "
                + Math.round(rate) + " pages/s over a working set of " + hot + " pages", 0,
                from != null && from.startsWith(QEMU_METHOD) ? QEMU_THROTTLE_LAG_SECONDS : 0);
    }

    /** Above this share of the windows' length ratio, the longer window is taken as still on the curve's straight start. */
    static final double SATURATION_LIMIT = 0.98;

    /**
     * The x = r / H at which (1 - e^(-x t2)) / (1 - e^(-x t1)) equals the measured ratio, by bisection: that ratio
     * falls from t2 / t1 (x near 0) to 1 (x large), so it has one solution for a ratio between.
     */
    private static double speedOverSet(double ratio, double t1, double t2) {
        double lo = 1e-9;
        double hi = 1e3 / t1;
        for (int i = 0; i < 200; i++) {
            double mid = Math.sqrt(lo * hi);
            double at = Math.expm1(-mid * t2) / Math.expm1(-mid * t1);
            if (at > ratio) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return Math.sqrt(lo * hi);
    }

    /** True for {@link #typical}: nothing was measured or learned of this VM, so nothing should be refused on it. */
    public boolean assumed() {
        return basis != null && basis.startsWith(ASSUMED);
    }
}
