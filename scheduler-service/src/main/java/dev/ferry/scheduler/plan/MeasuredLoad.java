package dev.ferry.scheduler.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The host CPU each VM of a cluster uses, for rebalancing: what its host's last report measured (libvirt's CPU time of
 * the guest over the probe's window) when that is recent enough, and otherwise an estimate from the measured VMs of the
 * cluster: their cores per vCPU, times the VM's vCPUs. A cluster where no VM has a recent measurement (hosts no driver
 * reports on, such as the simulator's) has no measured load: every VM counts 0, and rebalancing weighs allocation alone.
 */
public final class MeasuredLoad {
    private MeasuredLoad() {
    }

    /** What inventory says of one VM: its vCPUs and its last measurement (both null if never measured). */
    public record Reading(long vmId, int vcpus, Double coresUsed, Instant measuredAt) {
        boolean freshAt(Instant oldestAllowed) {
            return coresUsed != null && measuredAt != null && !measuredAt.isBefore(oldestAllowed);
        }
    }

    /**
     * How the cluster's load was known: the VMs measured recently and those estimated, at how many cores per vCPU, and
     * the oldest measurement used (null when none was).
     */
    public record Summary(int vmsMeasured, int vmsEstimated, double estimatedCoresPerVcpu, Instant oldestMeasuredAt) {
        /** Whether measured load is part of the imbalance at all. */
        public boolean included() {
            return vmsMeasured > 0;
        }
    }

    /** Each VM's cores, measured or estimated (all 0 when nothing was measured), and how they were known. */
    public record Result(Map<Long, Double> coresByVm, Summary summary) {
        public double of(long vmId) {
            return coresByVm.getOrDefault(vmId, 0.0);
        }
    }

    /** @param maxAge a measurement older than this (at {@code now}) is not used: the guest may have changed since */
    public static Result of(Collection<Reading> vms, Instant now, Duration maxAge) {
        Instant oldestAllowed = now.minus(maxAge);
        double measuredCores = 0;
        long measuredVcpus = 0;
        int measured = 0;
        Instant oldest = null;
        for (Reading r : vms) {
            if (r.freshAt(oldestAllowed)) {
                measured++;
                measuredCores += r.coresUsed();
                measuredVcpus += r.vcpus();
                oldest = oldest == null || r.measuredAt().isBefore(oldest) ? r.measuredAt() : oldest;
            }
        }
        Map<Long, Double> cores = new HashMap<>();
        if (measured == 0) {
            vms.forEach(r -> cores.put(r.vmId(), 0.0));
            return new Result(cores, new Summary(0, 0, 0, null));
        }
        double perVcpu = measuredVcpus == 0 ? 0 : measuredCores / measuredVcpus;
        int estimated = 0;
        for (Reading r : vms) {
            if (r.freshAt(oldestAllowed)) {
                cores.put(r.vmId(), r.coresUsed());
            } else {
                cores.put(r.vmId(), perVcpu * r.vcpus());
                estimated++;
            }
        }
        return new Result(cores, new Summary(measured, estimated, perVcpu, oldest));
    }
}
