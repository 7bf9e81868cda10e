package dev.ferry.scheduler.plan;

import dev.ferry.scheduler.plan.EvacuationPlanner.VmToMove;
import dev.ferry.scheduler.plan.PlacementRanking.Option;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleBiFunction;

/**
 * Improves an up-front assignment of VMs to destinations where each destination works through its VMs one after the
 * other: the destination that ends last gives a VM to another (or swaps one with it) while that makes the last end
 * earlier. Greedy earliest-finish leaves the last destinations uneven when a few large VMs fall late; moving or swapping
 * one of them evens them out (local search, as for scheduling on machines of different speeds). Only moves the VMs'
 * options allow: room on the host (each option's free memory once that VM is there, less what the others sent there
 * take) and the placement rules.
 */
public final class AssignmentSearch {
    /** At most this many improvements: each is one pass over the last destination's VMs and their options. */
    static final int MAX_STEPS = 200;
    /** An improvement must bring the last end this much earlier (seconds): no churn over rounding. */
    private static final double EPSILON = 1e-6;

    private AssignmentSearch() {
    }

    /**
     * @param chosen  each VM's destination, changed in place
     * @param seconds how long a VM takes to a destination, alone on it
     */
    public static void improve(Map<VmToMove, Option> chosen, ToDoubleBiFunction<VmToMove, Option> seconds, GroupRules rules) {
        for (int step = 0; step < MAX_STEPS; step++) {
            Map<Long, Double> busy = new HashMap<>();
            Map<Long, Long> taken = new HashMap<>();
            Map<Long, Long> endsOn = new HashMap<>();
            chosen.forEach((vm, o) -> {
                busy.merge(o.hostId(), seconds.applyAsDouble(vm, o), Double::sum);
                taken.merge(o.hostId(), vm.memoryBytes(), Long::sum);
                endsOn.put(vm.vmId(), o.hostId());
            });
            long last = busy.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            double lastEnd = busy.get(last);
            Runnable best = null;
            double bestEnd = lastEnd - EPSILON;
            List<VmToMove> onLast = chosen.entrySet().stream().filter(e -> e.getValue().hostId() == last).map(Map.Entry::getKey).toList();
            for (VmToMove a : onLast) {
                double aHere = seconds.applyAsDouble(a, chosen.get(a));
                for (Option to : a.options()) {
                    long h = to.hostId();
                    if (h == last) {
                        continue;
                    }
                    double aThere = seconds.applyAsDouble(a, to);
                    // a alone to h
                    if (fits(to, taken.getOrDefault(h, 0L)) && allowed(a, h, endsOn, null, rules)) {
                        double end = Math.max(othersMax(busy, last, h), Math.max(lastEnd - aHere, busy.getOrDefault(h, 0.0) + aThere));
                        if (end < bestEnd) {
                            bestEnd = end;
                            best = () -> chosen.put(a, to);
                        }
                    }
                    // a swapped with a VM b of h that may go to the last destination
                    for (Map.Entry<VmToMove, Option> e : chosen.entrySet()) {
                        VmToMove b = e.getKey();
                        if (e.getValue().hostId() != h) {
                            continue;
                        }
                        Option bBack = b.options().stream().filter(o -> o.hostId() == last).findFirst().orElse(null);
                        if (bBack == null || !fits(to, taken.getOrDefault(h, 0L) - b.memoryBytes())
                                || !fits(bBack, taken.get(last) - a.memoryBytes()) || !allowed(a, h, endsOn, b, rules)
                                || !allowedSwapped(b, last, endsOn, a, h, rules)) {
                            continue;
                        }
                        double bThere = seconds.applyAsDouble(b, e.getValue());
                        double bBackSeconds = seconds.applyAsDouble(b, bBack);
                        double end = Math.max(othersMax(busy, last, h), Math.max(lastEnd - aHere + bBackSeconds,
                                busy.get(h) - bThere + aThere));
                        if (end < bestEnd) {
                            bestEnd = end;
                            Option bTo = bBack;
                            best = () -> {
                                chosen.put(a, to);
                                chosen.put(b, bTo);
                            };
                        }
                    }
                }
            }
            if (best == null) {
                return;
            }
            best.run();
        }
    }

    /** Room for the VM of this option once the others sent there take {@code takenByOthers}. */
    private static boolean fits(Option o, long takenByOthers) {
        return o.freeMemoryAfterBytes() - takenByOthers >= 0;
    }

    /** The latest end among the destinations other than these two. */
    private static double othersMax(Map<Long, Double> busy, long a, long b) {
        return busy.entrySet().stream().filter(e -> e.getKey() != a && e.getKey() != b).mapToDouble(Map.Entry::getValue).max().orElse(0);
    }

    /** Whether the rules let {@code vm} go to {@code host} with the others where they are ({@code leaving}, if any, gone). */
    private static boolean allowed(VmToMove vm, long host, Map<Long, Long> endsOn, VmToMove leaving, GroupRules rules) {
        Map<Long, Long> others = new HashMap<>(endsOn);
        others.remove(vm.vmId());
        if (leaving != null) {
            others.remove(leaving.vmId());
        }
        return rules.blocks(vm.vmId(), host, others) == null;
    }

    /** Whether the rules let {@code vm} go to {@code host} once {@code arrived} is on {@code arrivedOn}. */
    private static boolean allowedSwapped(VmToMove vm, long host, Map<Long, Long> endsOn, VmToMove arrived, long arrivedOn,
            GroupRules rules) {
        Map<Long, Long> others = new HashMap<>(endsOn);
        others.remove(vm.vmId());
        others.put(arrived.vmId(), arrivedOn);
        return rules.blocks(vm.vmId(), host, others) == null;
    }
}
