package dev.ferry.scheduler.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The host CPU each VM of a cluster uses, for rebalancing: the load inventory found between its host's last reports
 * (the guest's CPU time over the sync interval) when that is recent enough, and otherwise an estimate from the
 * measured VMs of the cluster: their cores per vCPU, times the VM's vCPUs. A VM that is not running uses nothing.
 *
 * <p>The cluster's load counts as measured only when at least {@link #COVERAGE} of its running VMs' vCPUs have a
 * recent measurement: a few measured guests would otherwise stand for a whole cluster, and a cluster whose
 * measurements age out in part would swing between the two ways of weighing. A cluster under that (hosts no driver
 * measures, such as the simulator's) has no measured load: every VM counts 0, and rebalancing weighs allocation alone.
 */
public final class MeasuredLoad {
    /** The share of the running vCPUs that must be measured for the cluster's load to count as measured. */
    public static final double COVERAGE = 0.5;

    private MeasuredLoad() {
    }

    /** What inventory says of one VM: its vCPUs, whether it runs, and its last load (both null if never measured). */
    public record Reading(long vmId, int vcpus, boolean running, Double coresUsed, Instant measuredAt) {
        boolean freshAt(Instant oldestAllowed) {
            return running && coresUsed != null && measuredAt != null && !measuredAt.isBefore(oldestAllowed);
        }
    }

    /**
     * How the cluster's load was known: the running VMs measured recently and those estimated, at how many cores per
     * vCPU, the share of running vCPUs measured, and the oldest measurement used (null when the load is not measured).
     */
    public record Summary(int vmsMeasured, int vmsEstimated, double estimatedCoresPerVcpu, double vcpusMeasuredShare,
            Instant oldestMeasuredAt) {
        /** Whether measured load is part of the imbalance at all. */
        public boolean included() {
            return oldestMeasuredAt != null;
        }
    }

    /** Each VM's cores, measured or estimated (all 0 when the load is not measured), and how they were known. */
    public record Result(Map<Long, Double> coresByVm, Summary summary) {
        /** A VM of the cluster's cores (0 for one it does not know). */
        public double of(long vmId) {
            return coresByVm.getOrDefault(vmId, 0.0);
        }

        /**
         * The cores of a VM on its way between hosts: as known, or, for one the cluster's lists do not hold (its source
         * is not UP, as when it is evacuated), estimated like an unmeasured VM.
         */
        public double moving(long vmId, int vcpus) {
            Double known = coresByVm.get(vmId);
            return known != null ? known : summary.estimatedCoresPerVcpu() * vcpus;
        }
    }

    /** @param maxAge a measurement older than this (at {@code now}) is not used: the guest may have changed since */
    public static Result of(Collection<Reading> vms, Instant now, Duration maxAge) {
        Instant oldestAllowed = now.minus(maxAge);
        double measuredCores = 0;
        long measuredVcpus = 0;
        long runningVcpus = 0;
        int measured = 0;
        Instant oldest = null;
        for (Reading r : vms) {
            runningVcpus += r.running() ? r.vcpus() : 0;
            if (r.freshAt(oldestAllowed)) {
                measured++;
                measuredCores += r.coresUsed();
                measuredVcpus += r.vcpus();
                oldest = oldest == null || r.measuredAt().isBefore(oldest) ? r.measuredAt() : oldest;
            }
        }
        double share = runningVcpus == 0 ? 0 : measuredVcpus / (double) runningVcpus;
        Map<Long, Double> cores = new HashMap<>();
        if (measured == 0 || share < COVERAGE) {
            vms.forEach(r -> cores.put(r.vmId(), 0.0));
            return new Result(cores, new Summary(measured, 0, 0, share, null));
        }
        double perVcpu = measuredCores / measuredVcpus;
        int estimated = 0;
        for (Reading r : vms) {
            if (r.freshAt(oldestAllowed)) {
                cores.put(r.vmId(), r.coresUsed());
            } else if (r.running()) {
                cores.put(r.vmId(), perVcpu * r.vcpus());
                estimated++;
            } else {
                cores.put(r.vmId(), 0.0);
            }
        }
        return new Result(cores, new Summary(measured, estimated, perVcpu, share, oldest));
    }
}
