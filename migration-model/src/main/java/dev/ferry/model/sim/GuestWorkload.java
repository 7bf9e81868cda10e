package dev.ferry.model.sim;

import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * How a simulated guest writes memory, called with the (throttled) seconds it runs. Rates are in page writes per
 * second; fractions of a write carry over between calls, so slicing time finely loses nothing. Instances keep
 * state (a position, a phase clock): one per guest.
 */
public interface GuestWorkload {

    void write(double seconds, int pages, SplittableRandom random, IntConsumer writePage);

    /** Writes nothing. */
    static GuestWorkload idle() {
        return (seconds, pages, random, write) -> { };
    }

    /** Uniformly random writes over the first {@code regionShare} of memory. */
    static GuestWorkload uniform(double regionShare, double pagesPerSecond) {
        Budget budget = new Budget();
        return (seconds, pages, random, write) -> {
            int region = Math.max(1, (int) (pages * regionShare));
            for (long i = budget.take(pagesPerSecond * seconds); i > 0; i--) {
                write.accept(random.nextInt(region));
            }
        };
    }

    /** A hot set that takes 90 % of the writes over a warm set that takes the rest. */
    static GuestWorkload hotSet(double hotShare, double warmShare, double pagesPerSecond) {
        Budget budget = new Budget();
        return (seconds, pages, random, write) -> {
            int hot = Math.max(1, (int) (pages * hotShare));
            int warm = Math.max(hot + 1, Math.min(pages, (int) (pages * (hotShare + warmShare))));
            for (long i = budget.take(pagesPerSecond * seconds); i > 0; i--) {
                write.accept(random.nextDouble() < 0.9 ? random.nextInt(hot) : hot + random.nextInt(warm - hot));
            }
        };
    }

    /**
     * OLTP-like: a write-ahead log appended sequentially (a ring of {@code logShare} of memory, a third of the
     * writes) and a buffer pool ({@code poolShare}) whose pages are updated with a strong skew: a few rows and
     * index pages take most updates, the long tail is touched rarely.
     */
    static GuestWorkload oltp(double logShare, double poolShare, double pagesPerSecond) {
        Budget budget = new Budget();
        long[] logPosition = {0};
        return (seconds, pages, random, write) -> {
            int log = Math.max(1, (int) (pages * logShare));
            int pool = Math.max(1, Math.min(pages - log, (int) (pages * poolShare)));
            for (long i = budget.take(pagesPerSecond * seconds); i > 0; i--) {
                if (random.nextInt(3) == 0) {
                    write.accept((int) (logPosition[0]++ % log));
                } else {
                    double u = random.nextDouble();
                    write.accept(log + (int) (pool * u * u * u * u)); // skewed: P(page < x) = (x / pool)^(1/4)
                }
            }
        };
    }

    /** Rewrites a region page after page, over and over (a memory scrubber, a streaming buffer). */
    static GuestWorkload sequential(double regionShare, double pagesPerSecond) {
        Budget budget = new Budget();
        long[] position = {0};
        return (seconds, pages, random, write) -> {
            int region = Math.max(1, (int) (pages * regionShare));
            for (long i = budget.take(pagesPerSecond * seconds); i > 0; i--) {
                write.accept((int) (position[0]++ % region));
            }
        };
    }

    /**
     * Alternates between two workloads every {@code periodSeconds} of guest time: a batch job that wakes up,
     * a cache that is rebuilt. The phase a migration starts in depends on the seed.
     */
    static GuestWorkload phases(GuestWorkload quiet, GuestWorkload busy, double periodSeconds, double startOffsetSeconds) {
        double[] clock = {startOffsetSeconds};
        return (seconds, pages, random, write) -> {
            double left = seconds;
            while (left > 0) {
                double inPhase = periodSeconds - (clock[0] % periodSeconds);
                double step = Math.min(left, inPhase);
                boolean isBusy = ((long) Math.floor(clock[0] / periodSeconds)) % 2 == 1;
                (isBusy ? busy : quiet).write(step, pages, random, write);
                clock[0] += step;
                left -= step;
            }
        };
    }

    /** Whole writes due, carrying the fraction to the next call. */
    final class Budget {
        private double carry;

        long take(double writes) {
            double total = carry + writes;
            long whole = (long) Math.floor(total + 1e-9); // sums of fractions must not lose the last write

            carry = Math.max(0, total - whole);
            return whole;
        }
    }
}
