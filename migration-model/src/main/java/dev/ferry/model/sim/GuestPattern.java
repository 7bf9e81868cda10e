package dev.ferry.model.sim;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * The test guest's write patterns (guest/pattern.h, run by guest/init.c under QEMU) as a simulated workload: the same
 * generator, not a curve fitted to it. The same xorshift64* draws, the same page choice and the same pace; a test
 * compares this class with the C code draw for draw (GuestPatternTest, through guest/pattern-dump.c).
 *
 * <p>What the simulation cannot copy: the real guest paces its writes by the wall clock in a 1 ms loop and loses the
 * writes a throttle or the host's scheduler left it no time for, while here the engine hands over the seconds the
 * guest ran (its throttled share), the pattern's clock advances by those seconds only, and every owed write is made.
 * Its region is the first pages of memory, where the guest's are wherever its kernel mapped them.
 */
public final class GuestPattern implements GuestWorkload {
    /** The guest's writes are paced in steps this long (its loop sleeps 1 ms). */
    static final double STEP_SECONDS = 0.001;

    /** The patterns, in guest/pattern.h's order. */
    public enum Kind { SEQ, UNIFORM, ZIPF, BURSTS, PHASE, GROW;

        /** The pattern a guest's {@code ferry.pattern=} names. */
        public static Kind named(String name) {
            for (Kind k : values()) {
                if (k.name().toLowerCase(Locale.ROOT).equals(name)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("no guest pattern " + name + "; the patterns are seq, uniform, zipf, bursts, phase, grow");
        }
    }

    /** The guest's settings (ferry.zipf_s / 100, burst_ms / 1000, phase_s, grow_s). */
    public record Settings(double zipfExponent, double burstSeconds, double phaseSeconds, double growSeconds) {
        public static final Settings DEFAULTS = new Settings(0.99, 1, 1, 30);

        public Settings {
            if (!(burstSeconds > 0 && phaseSeconds > 0 && growSeconds > 0)) {
                throw new IllegalArgumentException("burst, phase and grow periods must be > 0 s");
            }
        }
    }

    /** The guest's first draw state (pattern.h). */
    static final long FIRST_STATE = 0x9E3779B97F4A7C15L;

    private final Kind kind;
    private final int regionPages;
    private final double pagesPerSecond;
    private final Settings settings;
    private final double[] zipfCdf;
    private long state;
    private long next;
    private double clock;
    private double owed;

    /**
     * @param regionPages    the pages the pattern writes (the guest's region)
     * @param pagesPerSecond the guest's nominal rate: pages written, not distinct pages dirtied
     * @param startSeconds   the guest's clock when the migration starts (where in its cycles the pattern is)
     * @param drawState      the draw generator's state then (any but 0; {@link #FIRST_STATE} as the guest boots)
     */
    public GuestPattern(Kind kind, int regionPages, double pagesPerSecond, Settings settings, double startSeconds, long drawState) {
        if (regionPages <= 0 || pagesPerSecond < 0 || drawState == 0) {
            throw new IllegalArgumentException("a pattern needs a region, a rate >= 0 and a non-zero draw state");
        }
        this.kind = kind;
        this.regionPages = regionPages;
        this.pagesPerSecond = pagesPerSecond;
        this.settings = settings;
        this.zipfCdf = kind == Kind.ZIPF ? zipf(regionPages, settings.zipfExponent()) : null;
        this.clock = startSeconds;
        this.state = drawState;
    }

    /** The guest as it boots: its first draw, its clock at 0. */
    public static GuestPattern booted(Kind kind, int regionPages, double pagesPerSecond, Settings settings) {
        return new GuestPattern(kind, regionPages, pagesPerSecond, settings, 0, FIRST_STATE);
    }

    @Override
    public void write(double seconds, int pages, SplittableRandom random, IntConsumer writePage) {
        double left = seconds;
        while (left > 1e-12) {
            double step = Math.min(STEP_SECONDS, left);
            owed += step * pagesPerSecond * pace(clock);
            while (owed >= 1) {
                writePage.accept(Math.min(pages - 1, nextPage(clock)));
                owed -= 1;
            }
            clock += step;
            left -= step;
        }
    }

    /** The share of the rate written at guest time t: bursts rest half the time, the quiet phase writes a tenth. */
    double pace(double t) {
        return switch (kind) {
            case BURSTS -> (long) (t / settings.burstSeconds()) % 2 == 0 ? 1 : 0;
            case PHASE -> (long) (t / settings.phaseSeconds()) % 2 == 0 ? 0.1 : 1;
            default -> 1;
        };
    }

    /** The page written next at guest time t. */
    int nextPage(double t) {
        return switch (kind) {
            case UNIFORM -> below(regionPages);
            case ZIPF -> {
                double u = unit();
                int lo = 0;
                int hi = regionPages - 1;
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    if (zipfCdf[mid] < u) {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                yield (int) ((lo * 7919L) % regionPages);
            }
            case PHASE -> (long) (t / settings.phaseSeconds()) % 2 == 0 ? below(Math.max(1, regionPages / 8)) : below(regionPages);
            case GROW -> {
                double g = settings.growSeconds();
                double f = 0.125 + 0.875 * (t - g * (long) (t / g)) / g;
                yield below(Math.max(1, (int) (regionPages * f)));
            }
            case SEQ, BURSTS -> {
                int p = (int) next;
                next = (next + 1) % regionPages;
                yield p;
            }
        };
    }

    private long draw() {
        state ^= state >>> 12;
        state ^= state << 25;
        state ^= state >>> 27;
        return state * 0x2545F4914F6CDD1DL;
    }

    private double unit() {
        return (draw() >>> 11) * (1.0 / 9007199254740992.0);
    }

    private int below(int n) {
        return n <= 1 ? 0 : (int) Long.remainderUnsigned(draw(), n);
    }

    private static double[] zipf(int pages, double s) {
        double[] cdf = new double[pages];
        double sum = 0;
        for (int i = 0; i < pages; i++) {
            sum += 1.0 / Math.pow(i + 1, s);
            cdf[i] = sum;
        }
        for (int i = 0; i < pages; i++) {
            cdf[i] /= sum;
        }
        return cdf;
    }
}
