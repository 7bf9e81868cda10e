package dev.ferry.worker.service;

import dev.ferry.events.MigrationCommand;
import dev.ferry.model.engine.Link;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.PreCopyEngine;
import dev.ferry.model.sim.SimulatedGuest;
import dev.ferry.model.sim.WorkloadSuite;
import java.time.Instant;
import java.util.List;

/** Turns a START command and the worker's defaults into the engine's inputs: plain Java, tested without Quarkus. */
public final class MigrationPlan {
    /** What "auto" picks from, by VM id: the everyday workloads of the suite (the hard ones must be asked for). */
    static final List<String> EVERYDAY = List.of("oltp", "hot-set", "zero-pages", "phases", "uniform-0.5");

    private MigrationPlan() {
    }

    public static MigrationLimits limits(MigrationCommand c, int defaultThrottleCeiling, Instant now) {
        return MigrationLimits.requested(c.maxDowntimeMillis(), c.throttleCeilingPercent(), defaultThrottleCeiling,
                c.allowPostCopy(), c.deadline(), now);
    }

    /** The convergence policy this migration runs under: the request's choice, else the worker's default. */
    public static String policy(MigrationCommand c, String workerDefault) {
        return c.policy() != null && !c.policy().isBlank() ? c.policy() : workerDefault;
    }

    public static Link link(MigrationCommand c) {
        return Link.of(c.linkBandwidthBytesPerSecond());
    }

    /** The simulated workload of a VM: the configured one, or with "auto" one of the everyday ones by VM id. */
    public static WorkloadSuite.Spec workload(String configured, long vmId) {
        String name = "auto".equals(configured) ? EVERYDAY.get((int) Math.floorMod(vmId, (long) EVERYDAY.size())) : configured;
        return WorkloadSuite.named(name);
    }

    public static int pages(long memoryBytes) {
        long pages = memoryBytes / PreCopyEngine.PAGE_SIZE;
        if (pages < 1 || pages > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("memory of " + memoryBytes + " bytes is outside what the simulator models "
                    + "(one page up to 8 TiB)");
        }
        return (int) pages;
    }

    /**
     * The simulated guest of a VM: its workload, dirtying in proportion to the link, from a seed. The one home for
     * the simulated driver's migrations and measurements and for the planning endpoint's sample.
     */
    public static SimulatedGuest guest(WorkloadSuite.Spec workload, long memoryBytes,
            double linkBytesPerSecond, long vmId, long seed) {
        return new SimulatedGuest(pages(memoryBytes), workload.zeroShare(),
                workload.create(linkBytesPerSecond / PreCopyEngine.PAGE_SIZE, vmId), seed);
    }
}
