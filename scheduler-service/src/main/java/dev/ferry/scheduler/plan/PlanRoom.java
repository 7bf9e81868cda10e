package dev.ferry.scheduler.plan;

import dev.ferry.scheduler.plan.EvacuationPlanner.VmToMove;
import dev.ferry.scheduler.plan.PlacementRanking.Option;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether a plan made from one reading of the destinations' room still fits once the migrations others queued there
 * since are counted. Each of the plan's VMs was given a destination where its option's free memory (inventory's room
 * with that VM there, less the claims queued when the plan read them) covered the plan's other VMs sent there; what is
 * left beyond the plan's own moves is the destination's <em>slack</em>. A migration requested for that destination
 * after the reading claims room the plan did not see: more than the slack, and the plan no longer fits.
 *
 * <p>Memory only, as the evacuation planner places by memory: a destination short of vCPUs is found by the reservation
 * at dispatch, which places the move again. A rebalance computes its slack from its own loads
 * ({@link RebalancePlanner#slack}) and is judged by {@link #shortfalls} the same way.
 */
public final class PlanRoom {
    private PlanRoom() {
    }

    /** A plan no longer fits its destinations: others queued migrations there after it read their room. */
    public static final class Outdated extends RuntimeException {
        public Outdated(List<String> shortfalls) {
            super(String.join("; ", shortfalls), null, false, false);
        }
    }

    /** Memory each destination has left beyond the plan's own moves there, as the plan read it. */
    public static Map<Long, Long> slack(List<EvacuationPlanner.Move> moves, Map<Long, VmToMove> vmsById) {
        Map<Long, Long> room = new HashMap<>();
        Map<Long, Long> planned = new HashMap<>();
        for (EvacuationPlanner.Move m : moves) {
            VmToMove vm = vmsById.get(m.vmId());
            Option o = vm.options().stream().filter(x -> x.hostId() == m.targetHostId()).findFirst().orElseThrow(
                    () -> new IllegalArgumentException("VM " + m.vmId() + " was planned for host " + m.targetHostId()
                            + ", which is not one of its options"));
            room.merge(m.targetHostId(), o.freeMemoryAfterBytes() + vm.memoryBytes(), Math::min);
            planned.merge(m.targetHostId(), vm.memoryBytes(), Long::sum);
        }
        Map<Long, Long> slack = new TreeMap<>();
        room.forEach((host, r) -> slack.put(host, r - planned.get(host)));
        return slack;
    }

    /**
     * The destinations where what others claimed since the reading is more than the slack, in words; empty: the plan
     * still fits.
     *
     * @param claimedSince memory claimed on each destination beyond what was claimed when the plan read the claims
     */
    public static List<String> shortfalls(Map<Long, Long> slack, Map<Long, Long> claimedSince) {
        List<String> out = new ArrayList<>();
        slack.forEach((host, s) -> {
            long since = claimedSince.getOrDefault(host, 0L);
            if (since > s) {
                out.add(String.format(java.util.Locale.ROOT, "host %d: %d MiB more claimed by other migrations than when the "
                        + "plan read its room, %d MiB left beyond the plan", host, since >> 20, s >> 20));
            }
        });
        return out;
    }
}
