package dev.ferry.worker.sim;

import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/** How a simulated guest writes memory: called with the (throttled) seconds it runs. */
public interface GuestWorkload {

    void write(double seconds, int pages, SplittableRandom random, IntConsumer writePage);

    /** Writes nothing. */
    static GuestWorkload idle() {
        return (seconds, pages, random, write) -> { };
    }

    /**
     * Writes uniformly at random over the first {@code regionShare} of memory, {@code pagesPerSecond}
     * writes a second (distinct pages saturate at the region: a writable working set).
     */
    static GuestWorkload uniform(double regionShare, double pagesPerSecond) {
        return (seconds, pages, random, write) -> {
            int region = Math.max(1, (int) (pages * regionShare));
            long writes = Math.round(pagesPerSecond * seconds);
            for (long i = 0; i < writes; i++) {
                write.accept(random.nextInt(region));
            }
        };
    }

    /** A hot set written most of the time over a warm set written the rest: 90 % of writes go to the hot part. */
    static GuestWorkload hotSet(double hotShare, double warmShare, double pagesPerSecond) {
        return (seconds, pages, random, write) -> {
            int hot = Math.max(1, (int) (pages * hotShare));
            int warm = Math.max(hot + 1, (int) (pages * (hotShare + warmShare)));
            long writes = Math.round(pagesPerSecond * seconds);
            for (long i = 0; i < writes; i++) {
                write.accept(random.nextDouble() < 0.9 ? random.nextInt(hot) : hot + random.nextInt(warm - hot));
            }
        };
    }
}
