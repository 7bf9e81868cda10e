package dev.ferry.scheduler.plan;

import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.model.forecast.Forecast;
import dev.ferry.scheduler.plan.EvacuationTimeline.Links;
import dev.ferry.scheduler.plan.EvacuationTimeline.Played;
import dev.ferry.scheduler.plan.PlacementRanking.Option;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Plans the evacuation of one host under the physics of its links: the order, each VM's destination and how many
 * migrations leave at once, chosen to finish soonest.
 *
 * <p>Concurrent migrations share the host's outbound link and each destination's inbound link, so more at once is not
 * faster once the link is full: every migration then runs slower, and a slower migration sends more, since its guest
 * writes pages again while the rounds take longer. Fewer at once leaves a link idle when the destinations are slower
 * than the source. The planner plays the evacuation out ({@link EvacuationTimeline}) for every concurrency from one to
 * the host's outbound limit and keeps the one that ends first (a tie goes to fewer at once). Within a run the longest
 * migration starts first (list scheduling's rule that keeps the last one from finishing far behind the others), and
 * each VM goes, when its turn comes, to the destination with room where it gets the largest share of the links
 * (ties: the shortest forecast at that share, then the most memory left).
 */
public final class EvacuationPlanner {
    /** A concurrency wins only when it ends sooner by more than this share: forecasts are not that exact. */
    static final double BETTER_BY = 0.01;

    /** A VM on the host, with every compatible destination as inventory sees it now. */
    public record VmToMove(long vmId, String vmName, long memoryBytes, DirtyModel dirty, List<Option> options, String whyNoOption) {
    }

    /**
     * One planned migration: where, in which order, and when it starts and ends in the plan. Its forecast is at the
     * smallest share of the links it has in the plan.
     */
    public record Move(long vmId, String vmName, long targetHostId, String targetHostName, Forecast forecast, int order,
            long plannedStartMillis, long plannedEndMillis) {
    }

    /** A VM that cannot go anywhere, and why. */
    public record Stuck(long vmId, String vmName, String reason) {
    }

    /**
     * The moves in start order, who cannot go, when the last move ends, how many leave at once, and whether each
     * destination takes one at a time (its queue in plan order) or as many as its inbound limit allows.
     */
    public record Plan(List<Move> moves, List<Stuck> unplaceable, long predictedMakespanMillis, int concurrency,
            boolean onePerDestination) {
    }

    private EvacuationPlanner() {
    }

    public static Plan plan(List<VmToMove> vms, Links links, int maxOutbound, long maxDowntimeMillis, String policy) {
        return plan(vms, links, maxOutbound, maxDowntimeMillis, policy, GroupRules.NONE);
    }

    /** As above, keeping the VMs' placement rules among the plan's own moves ({@link GroupRules}). */
    public static Plan plan(List<VmToMove> vms, Links links, int maxOutbound, long maxDowntimeMillis, String policy,
            GroupRules rules) {
        MigrationLimits limits = MigrationLimits.defaults(maxDowntimeMillis);
        List<Stuck> stuck = new ArrayList<>();
        List<VmToMove> movable = new ArrayList<>();
        for (VmToMove vm : vms) {
            if (vm.options().isEmpty()) {
                stuck.add(new Stuck(vm.vmId(), vm.vmName(), vm.whyNoOption()));
            } else {
                movable.add(vm);
            }
        }
        List<VmToMove> order = longestFirst(movable, links, limits, policy);
        // ways to pick destinations, each tried at every concurrency: as each VM's turn comes, or all up front (greedy,
        // and greedy improved by local search)
        List<VmToMove> balanced = balanced(order, links, limits, policy, rules);
        List<VmToMove> searched = searched(balanced, order, links, limits, policy, rules);
        EvacuationTimeline.Result best = null;
        List<VmToMove> bestUnplaced = List.of();
        long bestGivingUp = 0;
        int bestSlots = 1;
        boolean bestOnePer = false;
        for (int slots = 1; slots <= Math.max(1, Math.min(maxOutbound, movable.size())); slots++) {
            List<EvacuationTimeline.Result> tried = List.of(
                    EvacuationTimeline.play(order, slots, largestShare(links, limits, policy), links, limits, policy, rules),
                    EvacuationTimeline.play(balanced, slots, ONE_PER_DESTINATION, links, limits, policy, rules),
                    EvacuationTimeline.play(searched, slots, ONE_PER_DESTINATION, links, limits, policy, rules));
            for (EvacuationTimeline.Result r : tried) {
                List<VmToMove> unplaced = notPlayed(order, r);
                // a migration predicted to give up at the share it gets is no finish: fewer of those first
                long givingUp = r.played().stream().filter(p -> !EvacuationTimeline.forecast(p.vm(), p.slowestShareBytesPerSecond(),
                        links.path(p.target().hostId()), limits, policy).converges()).count();
                boolean placesMore = best == null || unplaced.size() < bestUnplaced.size();
                boolean asMany = best != null && unplaced.size() == bestUnplaced.size();
                if (placesMore || (asMany && givingUp < bestGivingUp) || (asMany && givingUp == bestGivingUp
                        && r.makespanMillis() < best.makespanMillis() * (1 - BETTER_BY))) {
                    best = r;
                    bestUnplaced = unplaced;
                    bestGivingUp = givingUp;
                    bestSlots = slots;
                    bestOnePer = r != tried.get(0);
                }
            }
        }
        List<Move> moves = new ArrayList<>();
        for (Played p : best.played()) {
            Forecast f = EvacuationTimeline.forecast(p.vm(), p.slowestShareBytesPerSecond(), links.path(p.target().hostId()),
                    limits, policy);
            moves.add(new Move(p.vm().vmId(), p.vm().vmName(), p.target().hostId(), p.target().hostName(), f, moves.size() + 1,
                    p.startMillis(), p.endMillis()));
        }
        java.util.Map<Long, Long> endsOn = new java.util.HashMap<>();
        best.played().forEach(p -> endsOn.put(p.vm().vmId(), p.target().hostId()));
        for (VmToMove vm : bestUnplaced) {
            String rule = vm.options().stream().map(o -> rules.blocks(vm.vmId(), o.hostId(), endsOn))
                    .filter(java.util.Objects::nonNull).findFirst().orElse(null);
            stuck.add(new Stuck(vm.vmId(), vm.vmName(), rule != null && vm.options().stream()
                    .allMatch(o -> rules.blocks(vm.vmId(), o.hostId(), endsOn) != null) ? rule
                    : "compatible hosts exist but the VMs planned before it fill them"));
        }
        return new Plan(moves, stuck, best.makespanMillis(), bestSlots, bestOnePer);
    }

    private static List<VmToMove> notPlayed(List<VmToMove> order, EvacuationTimeline.Result r) {
        java.util.Set<Long> played = new java.util.HashSet<>();
        r.played().forEach(p -> played.add(p.vm().vmId()));
        return order.stream().filter(vm -> !played.contains(vm.vmId())).toList();
    }

    /**
     * List scheduling over stored forecasts: each move starts on the first slot to free up, in plan order. What an
     * evacuation's view shows of a plan once it runs (an unknown duration counts as 0).
     */
    public static long[] plannedStarts(List<Long> durations, int concurrency) {
        java.util.PriorityQueue<Long> slots = new java.util.PriorityQueue<>();
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

    /** Longest first, each at the fastest link it could have to itself. */
    static List<VmToMove> longestFirst(List<VmToMove> vms, Links links, MigrationLimits limits, String policy) {
        List<VmToMove> order = new ArrayList<>(vms);
        order.sort(Comparator.comparingDouble((VmToMove v) -> -v.options().stream()
                .max(Comparator.comparingDouble(Option::bandwidthBytesPerSecond))
                .map(o -> EvacuationTimeline.seconds(v, o.bandwidthBytesPerSecond(), links.path(o.hostId()), limits, policy))
                .orElseGet(() -> EvacuationTimeline.seconds(v, links.sourceBytesPerSecond(), links.sourceBytesPerSecond(), limits, policy))));
        return order;
    }

    /**
     * A VM whose destination was assigned up front goes there (its only option) once a slot is free and nothing else
     * enters that host: each destination works through its own queue, one at a time, at its whole share.
     */
    static final EvacuationTimeline.Chooser ONE_PER_DESTINATION = (vm, state) -> state.open(vm).isEmpty()
            || state.entering(vm.options().get(0).hostId()) > 0 ? null : state.open(vm).get(0);

    /**
     * Destinations assigned up front to balance when each destination is done: each VM, longest first, to the host with
     * room where the work assigned so far plus its own migration ends first (earliest finish on machines of different
     * speeds, each destination's speed its max-min share when every destination takes one migration at once). When
     * the fast destinations cannot take everything, the slow ones get the rest evenly and work from the start beside
     * the fast ones. Returned in waves (every destination's first VM, then every second one, ...), each with its one
     * option; a VM with no room anywhere is left out.
     */
    static List<VmToMove> balanced(List<VmToMove> order, Links links, MigrationLimits limits, String policy, GroupRules rules) {
        java.util.Map<Long, Double> speed = wholeFleetShares(order, links);
        java.util.Map<Long, Double> busyUntil = new java.util.HashMap<>();
        java.util.Map<Long, Long> taken = new java.util.HashMap<>();
        java.util.Map<VmToMove, Double> seconds = new java.util.HashMap<>();
        java.util.Map<VmToMove, Integer> wave = new java.util.HashMap<>();
        java.util.Map<Long, Integer> queued = new java.util.HashMap<>();
        java.util.Map<Long, Long> assignedTo = new java.util.HashMap<>();
        List<VmToMove> assigned = new ArrayList<>();
        for (VmToMove vm : order) {
            Option best = null;
            double bestEnd = 0;
            double bestSeconds = 0;
            for (Option o : vm.options()) {
                if (o.freeMemoryAfterBytes() - taken.getOrDefault(o.hostId(), 0L) < 0
                        || rules.blocks(vm.vmId(), o.hostId(), assignedTo) != null) {
                    continue;
                }
                double s = EvacuationTimeline.seconds(vm, Math.min(o.bandwidthBytesPerSecond(), speed.get(o.hostId())),
                        links.path(o.hostId()), limits, policy);
                double end = busyUntil.getOrDefault(o.hostId(), 0.0) + s;
                if (best == null || end < bestEnd) {
                    best = o;
                    bestEnd = end;
                    bestSeconds = s;
                }
            }
            if (best != null) {
                busyUntil.put(best.hostId(), bestEnd);
                assignedTo.put(vm.vmId(), best.hostId());
                taken.merge(best.hostId(), vm.memoryBytes(), Long::sum);
                VmToMove there = new VmToMove(vm.vmId(), vm.vmName(), vm.memoryBytes(), vm.dirty(), List.of(best), vm.whyNoOption());
                wave.put(there, queued.merge(best.hostId(), 1, Integer::sum));
                seconds.put(there, bestSeconds);
                assigned.add(there);
            }
        }
        assigned.sort(Comparator.comparingInt((VmToMove v) -> wave.get(v)).thenComparingDouble(v -> -seconds.get(v)));
        return assigned;
    }

    /**
     * {@link #balanced}, then improved by moving or swapping VMs of the destination that ends last
     * ({@link AssignmentSearch}); in waves as there, each destination's VMs longest first.
     */
    static List<VmToMove> searched(List<VmToMove> balanced, List<VmToMove> order, Links links, MigrationLimits limits,
            String policy, GroupRules rules) {
        java.util.Map<Long, Double> speed = wholeFleetShares(order, links);
        java.util.Map<Long, VmToMove> original = new java.util.HashMap<>();
        order.forEach(vm -> original.put(vm.vmId(), vm));
        java.util.Map<VmToMove, Option> chosen = new java.util.LinkedHashMap<>();
        balanced.forEach(vm -> chosen.put(original.get(vm.vmId()), vm.options().get(0)));
        java.util.function.ToDoubleBiFunction<VmToMove, Option> seconds = (vm, o) -> EvacuationTimeline.seconds(vm,
                Math.min(o.bandwidthBytesPerSecond(), speed.get(o.hostId())), links.path(o.hostId()), limits, policy);
        if (!chosen.isEmpty()) {
            AssignmentSearch.improve(chosen, seconds, rules);
        }
        java.util.Map<Long, List<VmToMove>> byHost = new java.util.TreeMap<>();
        chosen.forEach((vm, o) -> byHost.computeIfAbsent(o.hostId(), h -> new ArrayList<>())
                .add(new VmToMove(vm.vmId(), vm.vmName(), vm.memoryBytes(), vm.dirty(), List.of(o), vm.whyNoOption())));
        java.util.Map<VmToMove, Integer> wave = new java.util.HashMap<>();
        java.util.Map<VmToMove, Double> length = new java.util.HashMap<>();
        List<VmToMove> out = new ArrayList<>();
        byHost.values().forEach(vms -> {
            vms.forEach(vm -> length.put(vm, seconds.applyAsDouble(vm, vm.options().get(0))));
            vms.sort(Comparator.comparingDouble((VmToMove vm) -> -length.get(vm)));
            for (int i = 0; i < vms.size(); i++) {
                wave.put(vms.get(i), i);
            }
            out.addAll(vms);
        });
        out.sort(Comparator.comparingInt((VmToMove v) -> wave.get(v)).thenComparingDouble(v -> -length.get(v)));
        return out;
    }

    /** Each destination's max-min share of the links when every destination takes one migration at once. */
    private static java.util.Map<Long, Double> wholeFleetShares(List<VmToMove> vms, Links links) {
        java.util.Set<Long> hosts = new java.util.TreeSet<>();
        vms.forEach(vm -> vm.options().forEach(o -> hosts.add(o.hostId())));
        List<dev.ferry.model.forecast.LinkShares.Flow<Long>> flows = new ArrayList<>();
        hosts.forEach(h -> flows.add(dev.ferry.model.forecast.LinkShares.Flow.of(h, EvacuationTimeline.SOURCE, h)));
        return dev.ferry.model.forecast.LinkShares.maxMin(flows,
                h -> h == EvacuationTimeline.SOURCE ? links.sourceBytesPerSecond() : links.target(h));
    }

    /** The destination with room where the VM gets the largest share now; ties: shortest forecast, most memory left. */
    static EvacuationTimeline.Chooser largestShare(Links links, MigrationLimits limits, String policy) {
        return (vm, state) -> {
            Option best = null;
            double bestShare = 0;
            double bestSeconds = 0;
            for (Option o : state.open(vm)) {
                double share = state.shareIfStarted(o.hostId());
                double seconds = EvacuationTimeline.seconds(vm, share, links.path(o.hostId()), limits, policy);
                boolean wider = share > bestShare * (1 + BETTER_BY);
                boolean asWide = share >= bestShare * (1 - BETTER_BY);
                if (best == null || wider || (asWide && (seconds < bestSeconds
                        || (seconds == bestSeconds && o.freeMemoryAfterBytes() > best.freeMemoryAfterBytes())))) {
                    best = o;
                    bestShare = share;
                    bestSeconds = seconds;
                }
            }
            return best;
        };
    }
}
