package dev.ferry.scheduler.plan;

import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.model.forecast.Forecast;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Plans the evacuation of one host: a target for every VM that can go somewhere, in an order and with a
 * predicted makespan. Longest predicted migration first (the classic list-scheduling rule that keeps the
 * last slot from finishing far behind the others); each VM goes to the compatible host with the lowest
 * predicted cost counting the VMs already planned there, as long as the memory planned so far still fits.
 */
public final class EvacuationPlanner {

    /** A VM on the host, with every compatible destination as inventory sees it now. */
    public record VmToMove(long vmId, String vmName, long memoryBytes, DirtyModel dirty, List<PlacementRanking.Option> options,
            String whyNoOption) {
    }

    /** One planned migration. */
    public record Move(long vmId, String vmName, long targetHostId, String targetHostName, Forecast forecast, int order) {
    }

    /** A VM that cannot go anywhere, and why. */
    public record Stuck(long vmId, String vmName, String reason) {
    }

    public record Plan(List<Move> moves, List<Stuck> unplaceable, long predictedMakespanMillis) {
    }

    private EvacuationPlanner() {
    }

    public static Plan plan(List<VmToMove> vms, long maxDowntimeMillis, int concurrency, String policy) {
        List<VmToMove> ordered = new ArrayList<>(vms);
        // longest first: predicted over the VM's best link
        ordered.sort(Comparator.comparingLong((VmToMove v) -> v.options().isEmpty() ? 0
                : PlacementRanking.rank(v.options(), v.memoryBytes(), maxDowntimeMillis, v.dirty(), policy).get(0).forecast().totalTimeMillis())
                .reversed());
        Map<Long, Long> plannedMemory = new HashMap<>();
        Map<Long, Integer> plannedCount = new HashMap<>();
        List<Move> moves = new ArrayList<>();
        List<Stuck> stuck = new ArrayList<>();
        for (VmToMove vm : ordered) {
            if (vm.options().isEmpty()) {
                stuck.add(new Stuck(vm.vmId(), vm.vmName(), vm.whyNoOption()));
                continue;
            }
            List<PlacementRanking.Option> fitting = new ArrayList<>();
            for (PlacementRanking.Option o : vm.options()) {
                long freeAfter = o.freeMemoryAfterBytes() - plannedMemory.getOrDefault(o.hostId(), 0L);
                if (freeAfter >= 0) {
                    fitting.add(new PlacementRanking.Option(o.hostId(), o.hostName(), o.bandwidthBytesPerSecond(), freeAfter,
                            o.inboundMigrations() + plannedCount.getOrDefault(o.hostId(), 0)));
                }
            }
            if (fitting.isEmpty()) {
                stuck.add(new Stuck(vm.vmId(), vm.vmName(), "compatible hosts exist but the VMs planned before it fill them"));
                continue;
            }
            var best = PlacementRanking.rank(fitting, vm.memoryBytes(), maxDowntimeMillis, vm.dirty(), policy).get(0);
            plannedMemory.merge(best.option().hostId(), vm.memoryBytes(), Long::sum);
            plannedCount.merge(best.option().hostId(), 1, Integer::sum);
            moves.add(new Move(vm.vmId(), vm.vmName(), best.option().hostId(), best.option().hostName(), best.forecast(),
                    moves.size() + 1));
        }
        return new Plan(moves, stuck, makespan(moves, concurrency));
    }

    static long makespan(List<Move> moves, int concurrency) {
        List<Long> durations = moves.stream().map(m -> m.forecast().totalTimeMillis()).toList();
        long[] starts = plannedStarts(durations, concurrency);
        long end = 0;
        for (int i = 0; i < starts.length; i++) {
            end = Math.max(end, starts[i] + durations.get(i));
        }
        return end;
    }

    /**
     * List scheduling: each move starts on the first slot to free up, in plan order. The planned start of each move,
     * from the evacuation's start, given the predicted durations in plan order (an unknown one counts as 0).
     */
    public static long[] plannedStarts(List<Long> durations, int concurrency) {
        PriorityQueue<Long> slots = new PriorityQueue<>();
        for (int i = 0; i < Math.max(1, concurrency); i++) {
            slots.add(0L);
        }
        long[] starts = new long[durations.size()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = slots.poll();
            slots.add(starts[i] + (durations.get(i) == null ? 0 : durations.get(i)));
        }
        return starts;
    }
}
