package dev.ferry.scheduler.plan;

import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.model.forecast.Forecast;
import dev.ferry.model.forecast.Forecaster;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Proposes migrations that even out a cluster, each weighed against what it costs (DRS with the cost CloudStack's DRS
 * leaves as a TODO).
 *
 * <p><b>Imbalance</b> is the spread of the hosts' allocation relative to their capacity: the population standard
 * deviation, across the cluster's hosts that take VMs, of each host's allocated memory share (its VMs' memory over its
 * memory times its memory overcommit), plus the same for vCPUs (its VMs' vCPUs over its cores times its CPU overcommit).
 * Where the guests' CPU use is measured ({@link MeasuredLoad}), the CPU term is the measured one instead: the cores a
 * host's VMs use over its hardware threads. Allocated vCPUs only stand in for what a guest might use; once what it does
 * use is known, a host of busy guests is the hot spot to relieve, as VMware's DRS balances CPU demand rather than
 * configured vCPUs (vCPUs still bound what fits on a host). 0 is a cluster where every host carries the same share;
 * 0.25 is, for example, half the hosts at 50 % memory and half at 0 %.
 *
 * <p><b>Cost</b> of a move is its forecast (the engine and the workers' policy over the VM's dirty model and the link):
 * total time, plus its downtime counted {@value #DOWNTIME_WEIGHT} times (a pause is felt by the guest's users, the
 * copy mostly is not), plus its throttle-seconds counted {@value #THROTTLE_WEIGHT} times. A move predicted not to
 * converge within its limits is never proposed.
 *
 * <p>Greedy: at each step, every VM on a host above the mean to every compatible host with room; the move that
 * removes the most imbalance per second of cost is taken, if it removes at least {@code minGain}. A VM moves at most
 * once per plan; at most {@code maxMoves} moves.
 */
public final class RebalancePlanner {
    /** A second of downtime costs as much as this many seconds of migration. */
    static final int DOWNTIME_WEIGHT = 100;
    /**
     * A throttle-second (a second of the guest's vCPUs taken by the throttle, spread over the rounds) costs as much as
     * this many seconds of migration: less than a second of downtime, which stops every connection at once, more than a
     * second of copying, which the guest does not feel.
     */
    public static final int THROTTLE_WEIGHT = 10;

    /**
     * A host as rebalancing sees it: what it can hold and what it holds. {@code physicalCores} and {@code cpuCoresUsed}:
     * its hardware threads and the cores its VMs were measured to use (0 and 0 where nothing is measured).
     */
    public record HostLoad(long hostId, String name, double memoryCapacityBytes, double vcpuCapacity, long memoryAllocatedBytes,
            int vcpusAllocated, double linkBytesPerSecond, double physicalCores, double cpuCoresUsed) {

        /** A host whose load nobody measured: allocation alone. */
        public HostLoad(long hostId, String name, double memoryCapacityBytes, double vcpuCapacity, long memoryAllocatedBytes,
                int vcpusAllocated, double linkBytesPerSecond) {
            this(hostId, name, memoryCapacityBytes, vcpuCapacity, memoryAllocatedBytes, vcpusAllocated, linkBytesPerSecond, 0, 0);
        }

        double memoryShare() {
            return memoryAllocatedBytes / memoryCapacityBytes;
        }

        double vcpuShare() {
            return vcpusAllocated / vcpuCapacity;
        }

        double cpuShare() {
            return physicalCores > 0 ? cpuCoresUsed / physicalCores : 0;
        }

        boolean measured() {
            return physicalCores > 0;
        }

        HostLoad with(VmOnHost vm, int sign) {
            return new HostLoad(hostId, name, memoryCapacityBytes, vcpuCapacity, memoryAllocatedBytes + sign * vm.memoryBytes(),
                    vcpusAllocated + sign * vm.vcpus(), linkBytesPerSecond, physicalCores, cpuCoresUsed + sign * vm.cpuCoresUsed());
        }

        /** Over the cluster's mean on a share the imbalance weighs: a VM leaving it can even the cluster out. */
        public boolean aboveMean(Collection<HostLoad> all) {
            return aboveMean(Means.of(all));
        }

        boolean aboveMean(Means means) {
            return memoryShare() > means.memory() || (means.measured() ? cpuShare() > means.cpu() : vcpuShare() > means.vcpus());
        }

        boolean fits(long memory, int vcpus) {
            return memoryAllocatedBytes + memory <= memoryCapacityBytes && vcpusAllocated + vcpus <= vcpuCapacity;
        }
    }

    /** The cluster's mean shares, and whether its load is measured (then CPU is weighed in place of vCPUs). */
    record Means(double memory, double vcpus, double cpu, boolean measured) {
        static Means of(Collection<HostLoad> all) {
            return new Means(all.stream().mapToDouble(HostLoad::memoryShare).average().orElse(0),
                    all.stream().mapToDouble(HostLoad::vcpuShare).average().orElse(0),
                    all.stream().mapToDouble(HostLoad::cpuShare).average().orElse(0), all.stream().anyMatch(HostLoad::measured));
        }
    }

    /**
     * A VM of the cluster, where it runs and where it may go (inventory's pre-checks passed), and the host CPU it uses
     * ({@link MeasuredLoad}; 0 where nothing is measured).
     */
    public record VmOnHost(long vmId, String vmName, long hostId, long memoryBytes, int vcpus, DirtyModel dirty,
            Set<Long> compatibleHostIds, double cpuCoresUsed) {

        /** A VM whose CPU use nobody measured. */
        public VmOnHost(long vmId, String vmName, long hostId, long memoryBytes, int vcpus, DirtyModel dirty,
                Set<Long> compatibleHostIds) {
            this(vmId, vmName, hostId, memoryBytes, vcpus, dirty, compatibleHostIds, 0);
        }
    }

    /** One proposed move, its forecast and the imbalance once it and those before it are done. */
    public record Move(long vmId, String vmName, long fromHostId, long toHostId, String toHostName, Forecast forecast,
            double imbalanceAfter) {
    }

    /**
     * What all the moves cost together, as forecast: the bytes sent, the sum of their total times and downtimes, and the
     * throttle-seconds their guests would pay. A plan's own cost is at each move's whole link; once played out
     * ({@link #playedOut}) at the shares the moves get running together.
     */
    public record Cost(long bytes, long totalTimeMillis, long downtimeMillis, double throttleSeconds) {
    }

    /**
     * A VM the plan would have moved (a move somewhere lowers the imbalance by at least the minimum gain) but could not,
     * with why for each such host: no room, a placement rule's sentence, or a forecast that does not converge.
     */
    public record NotMoved(long vmId, String vmName, List<String> reasons) {
    }

    /** @param notMoved the VMs a move would have helped but none was allowed, with why */
    public record Plan(double imbalanceBefore, double imbalanceAfter, List<Move> moves, Cost cost, List<NotMoved> notMoved) {
    }

    private RebalancePlanner() {
    }

    /**
     * The cluster's imbalance: standard deviation of memory shares plus that of measured CPU shares where the load is
     * measured (any host with physical cores given), of allocated vCPU shares otherwise (0 for fewer than 2 hosts).
     */
    public static double imbalance(Collection<HostLoad> hosts) {
        boolean measured = hosts.stream().anyMatch(HostLoad::measured);
        return spread(hosts.stream().mapToDouble(HostLoad::memoryShare).toArray())
                + spread(hosts.stream().mapToDouble(measured ? HostLoad::cpuShare : HostLoad::vcpuShare).toArray());
    }

    private static double spread(double[] values) {
        if (values.length < 2) {
            return 0;
        }
        double mean = 0;
        for (double v : values) {
            mean += v / values.length;
        }
        double variance = 0;
        for (double v : values) {
            variance += (v - mean) * (v - mean) / values.length;
        }
        return Math.sqrt(variance);
    }

    public static Plan plan(List<HostLoad> hosts, List<VmOnHost> vms, int maxMoves, double minGain, long maxDowntimeMillis,
            String policy) {
        return plan(hosts, vms, maxMoves, minGain, maxDowntimeMillis, policy, GroupRules.NONE);
    }

    /**
     * As above, keeping the VMs' placement rules as the plan's moves change where VMs are: no APART VM to a host the plan
     * leaves another of its rule on, and no single VM of a TOGETHER rule away from the others (a group is not split).
     */
    public static Plan plan(List<HostLoad> hosts, List<VmOnHost> vms, int maxMoves, double minGain, long maxDowntimeMillis,
            String policy, GroupRules rules) {
        Map<Long, Long> endsOn = new HashMap<>();
        vms.forEach(vm -> endsOn.put(vm.vmId(), vm.hostId()));
        Map<Long, HostLoad> load = new LinkedHashMap<>();
        hosts.forEach(h -> load.put(h.hostId(), h));
        MigrationLimits limits = MigrationLimits.defaults(maxDowntimeMillis);
        double before = imbalance(load.values());
        double now = before;
        Set<Long> moved = new HashSet<>();
        List<Move> moves = new ArrayList<>();
        while (moves.size() < maxMoves) {
            Move best = null;
            double bestScore = 0;
            Means means = Means.of(load.values());
            for (VmOnHost vm : vms) {
                HostLoad from = load.get(vm.hostId());
                if (from == null || moved.contains(vm.vmId()) || !from.aboveMean(means)) {
                    continue;
                }
                for (long t : vm.compatibleHostIds()) {
                    HostLoad to = load.get(t);
                    if (to == null || t == vm.hostId() || !to.fits(vm.memoryBytes(), vm.vcpus())
                            || rules.blocks(vm.vmId(), t, endsOn) != null) {
                        continue;
                    }
                    Map<Long, HostLoad> after = new LinkedHashMap<>(load);
                    after.put(from.hostId(), from.with(vm, -1));
                    after.put(to.hostId(), to.with(vm, 1));
                    double gain = now - imbalance(after.values());
                    if (gain < minGain) {
                        continue;
                    }
                    Forecast f = Forecaster.forecast(vm.memoryBytes(), Math.min(from.linkBytesPerSecond(), to.linkBytesPerSecond()),
                            limits, vm.dirty(), policy);
                    if (!Admission.withinLimits(f, limits)) {
                        continue;
                    }
                    double score = gain / cost(f);
                    if (best == null || score > bestScore) {
                        best = new Move(vm.vmId(), vm.vmName(), from.hostId(), to.hostId(), to.name(), f, now - gain);
                        bestScore = score;
                    }
                }
            }
            if (best == null) {
                break;
            }
            long chosen = best.vmId();
            VmOnHost vm = vms.stream().filter(v -> v.vmId() == chosen).findFirst().orElseThrow();
            load.put(best.fromHostId(), load.get(best.fromHostId()).with(vm, -1));
            load.put(best.toHostId(), load.get(best.toHostId()).with(vm, 1));
            now = best.imbalanceAfter();
            moved.add(vm.vmId());
            endsOn.put(vm.vmId(), best.toHostId());
            moves.add(best);
        }
        return new Plan(before, now, moves, costOf(moves),
                notMoved(load, vms, moved, endsOn, now, minGain, limits, policy, rules));
    }

    /**
     * Why the VMs left on hosts above the mean stay there, once the plan is made: each host where a move would still
     * gain enough, and what forbids it. A VM with no such host is not listed: nothing was wanted of it.
     */
    private static List<NotMoved> notMoved(Map<Long, HostLoad> load, List<VmOnHost> vms, Set<Long> moved, Map<Long, Long> endsOn,
            double now, double minGain, MigrationLimits limits, String policy, GroupRules rules) {
        List<NotMoved> out = new ArrayList<>();
        Means means = Means.of(load.values());
        for (VmOnHost vm : vms) {
            HostLoad from = load.get(vm.hostId());
            if (from == null || moved.contains(vm.vmId()) || !from.aboveMean(means)) {
                continue;
            }
            List<String> reasons = new ArrayList<>();
            boolean allowed = false;
            for (long t : vm.compatibleHostIds()) {
                HostLoad to = load.get(t);
                if (to == null || t == vm.hostId()) {
                    continue;
                }
                Map<Long, HostLoad> after = new LinkedHashMap<>(load);
                after.put(from.hostId(), from.with(vm, -1));
                after.put(to.hostId(), to.with(vm, 1));
                if (now - imbalance(after.values()) < minGain) {
                    continue;
                }
                String rule = rules.blocks(vm.vmId(), t, endsOn);
                if (!to.fits(vm.memoryBytes(), vm.vcpus())) {
                    reasons.add(String.format(java.util.Locale.ROOT, "%s has no room: %.1f of %.1f GiB and %d of %.0f vCPUs "
                            + "allocated, the VM needs %.1f GiB and %d", to.name(), to.memoryAllocatedBytes() / GIB,
                            to.memoryCapacityBytes() / GIB, to.vcpusAllocated(), to.vcpuCapacity(), vm.memoryBytes() / GIB, vm.vcpus()));
                } else if (rule != null) {
                    reasons.add(to.name() + ": " + rule);
                } else {
                    Forecast f = Forecaster.forecast(vm.memoryBytes(), Math.min(from.linkBytesPerSecond(), to.linkBytesPerSecond()),
                            limits, vm.dirty(), policy);
                    if (Admission.withinLimits(f, limits)) {
                        allowed = true; // only the plan's length (maxMoves) kept it
                        break;
                    }
                    reasons.add(to.name() + ": predicted not to converge within " + limits.maxDowntimeMillis() + " ms ("
                            + (f.converges() ? "a pause of " + f.downtimeMillis() + " ms" : "the policy would give up: " + f.reason())
                            + ")");
                }
            }
            if (!allowed && !reasons.isEmpty()) {
                out.add(new NotMoved(vm.vmId(), vm.vmName(), reasons));
            }
        }
        return out;
    }

    private static final double GIB = 1024.0 * 1024 * 1024;

    /**
     * The memory each destination of the plan's moves has left once they are all made, as the plan read the hosts
     * ({@link PlanRoom}: a migration queued there since that takes more is a plan that no longer fits).
     */
    public static Map<Long, Long> slack(List<HostLoad> hosts, Plan plan, List<VmOnHost> vms) {
        Map<Long, Long> memory = new HashMap<>();
        vms.forEach(v -> memory.put(v.vmId(), v.memoryBytes()));
        Map<Long, Long> allocated = new HashMap<>();
        hosts.forEach(h -> allocated.put(h.hostId(), h.memoryAllocatedBytes()));
        for (Move m : plan.moves()) {
            allocated.merge(m.fromHostId(), -memory.get(m.vmId()), Long::sum);
            allocated.merge(m.toHostId(), memory.get(m.vmId()), Long::sum);
        }
        Map<Long, Long> slack = new java.util.TreeMap<>();
        for (HostLoad h : hosts) {
            if (plan.moves().stream().anyMatch(m -> m.toHostId() == h.hostId())) {
                slack.put(h.hostId(), (long) h.memoryCapacityBytes() - allocated.get(h.hostId()));
            }
        }
        return slack;
    }

    /** A plan as its moves would run together: their forecasts and cost at their shares, and when the last one ends. */
    public record PlayedOut(Plan plan, long makespanMillis) {
    }

    /**
     * The plan's moves played out together from their start, in the plan's order, under shared links and the hosts' and
     * the scheduler's limits ({@link MoveTimeline}), with nothing else running. The plan chose each move by its cost
     * alone over the whole link (which moves are worth making does not depend on their order); moves that share a link
     * run at their share of it, so each move's forecast is made again at the bandwidth it had on average there, and the
     * plan's cost summed from those: what the operator is told the plan costs.
     *
     * @param hosts every host of the cluster
     */
    public static PlayedOut playedOut(Plan plan, List<VmOnHost> vms, Map<Long, MoveTimeline.Host> hosts, int slots,
            long maxDowntimeMillis, String policy) {
        Map<Long, VmOnHost> byId = new HashMap<>();
        vms.forEach(v -> byId.put(v.vmId(), v));
        List<MoveTimeline.Move> order = plan.moves().stream().map(m -> new MoveTimeline.Move(m.vmId(), m.fromHostId(),
                m.toHostId(), byId.get(m.vmId()).memoryBytes(), byId.get(m.vmId()).dirty())).toList();
        MigrationLimits limits = MigrationLimits.defaults(maxDowntimeMillis);
        MoveTimeline.Result played = MoveTimeline.play(order, hosts, slots, limits, policy);
        List<Move> moves = new ArrayList<>();
        for (Move m : plan.moves()) {
            VmOnHost vm = byId.get(m.vmId());
            double link = Math.min(hosts.get(m.fromHostId()).linkBytesPerSecond(), hosts.get(m.toHostId()).linkBytesPerSecond());
            Forecast f = ShareForecast.at(vm.memoryBytes(), vm.dirty(), played.meanShareBytesPerSecond().get(m.vmId()), link,
                    limits, policy);
            moves.add(new Move(m.vmId(), m.vmName(), m.fromHostId(), m.toHostId(), m.toHostName(), f, m.imbalanceAfter()));
        }
        return new PlayedOut(new Plan(plan.imbalanceBefore(), plan.imbalanceAfter(), moves, costOf(moves), plan.notMoved()),
                played.makespanMillis());
    }

    private static Cost costOf(List<Move> moves) {
        return new Cost(moves.stream().mapToLong(m -> m.forecast().bytesSent()).sum(),
                moves.stream().mapToLong(m -> m.forecast().totalTimeMillis()).sum(),
                moves.stream().mapToLong(m -> m.forecast().downtimeMillis()).sum(),
                moves.stream().mapToDouble(m -> m.forecast().throttleSeconds()).sum());
    }

    /**
     * Seconds of cost: the migration's total time, its downtime weighted {@value #DOWNTIME_WEIGHT} times and its
     * throttle-seconds {@value #THROTTLE_WEIGHT} times. The bytes are in the total time already (they are what takes it).
     */
    public static double cost(Forecast f) {
        return Math.max(0.001, f.totalTimeMillis() / 1000.0 + DOWNTIME_WEIGHT * f.downtimeMillis() / 1000.0
                + THROTTLE_WEIGHT * f.throttleSeconds());
    }
}
