package dev.ferry.model.sim;

import java.util.List;

/**
 * The named workloads of the benchmark and the demo, scaled to the link: a rate of 0.5 means the guest writes
 * half as many pages per second as the link carries. Each call of {@link Spec#create} builds a fresh, stateful
 * workload.
 */
public final class WorkloadSuite {

    /** A named workload: the share of memory that starts as zero pages, and how it writes at a given link speed. */
    public record Spec(String name, String description, double zeroShare, Factory factory) {

        public GuestWorkload create(double linkPagesPerSecond, long seed) {
            return factory.create(linkPagesPerSecond, seed);
        }
    }

    /** Builds a workload for a link speed (pages per second) and a seed. */
    @FunctionalInterface
    public interface Factory {
        GuestWorkload create(double linkPagesPerSecond, long seed);
    }

    private WorkloadSuite() {
    }

    public static List<Spec> all() {
        return List.of(
                new Spec("idle", "writes nothing", 0.1, (link, seed) -> GuestWorkload.idle()),
                new Spec("hot-set", "2% hot set takes 90% of writes over a 20% warm set, at 0.5x the link", 0.1,
                        (link, seed) -> GuestWorkload.hotSet(0.02, 0.2, 0.5 * link)),
                new Spec("oltp", "log ring (1%) appended + skewed updates of a 40% buffer pool, at 0.5x the link", 0.1,
                        (link, seed) -> GuestWorkload.oltp(0.01, 0.4, 0.5 * link)),
                new Spec("uniform-0.5", "uniform writes over 25% of memory at 0.5x the link", 0.1,
                        (link, seed) -> GuestWorkload.uniform(0.25, 0.5 * link)),
                new Spec("uniform-0.9", "uniform writes over 25% of memory at 0.9x the link", 0.1,
                        (link, seed) -> GuestWorkload.uniform(0.25, 0.9 * link)),
                new Spec("uniform-1.5", "uniform writes over 25% of memory at 1.5x the link", 0.1,
                        (link, seed) -> GuestWorkload.uniform(0.25, 1.5 * link)),
                new Spec("sequential-2x", "rewrites 25% of memory page after page at 2x the link", 0.1,
                        (link, seed) -> GuestWorkload.sequential(0.25, 2.0 * link)),
                new Spec("phases", "quiet (1% hot set, 0.1x) and busy (uniform over 20% at 1.2x) phases of 2 s, started at a seeded point", 0.1,
                        (link, seed) -> GuestWorkload.phases(GuestWorkload.hotSet(0.01, 0.05, 0.1 * link),
                                GuestWorkload.uniform(0.2, 1.2 * link), 2.0, Math.floorMod(seed, 4))),
                new Spec("zero-pages", "70% of memory never written; 2% hot set over 10% warm at 0.3x the link", 0.7,
                        (link, seed) -> GuestWorkload.hotSet(0.02, 0.1, 0.3 * link)));
    }

    public static Spec named(String name) {
        return all().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no workload named '" + name + "'; known: "
                        + all().stream().map(Spec::name).toList()));
    }
}
