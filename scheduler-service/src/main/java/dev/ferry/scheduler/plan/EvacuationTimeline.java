package dev.ferry.scheduler.plan;

import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.forecast.LinkShares;
import dev.ferry.scheduler.plan.EvacuationPlanner.VmToMove;
import dev.ferry.scheduler.plan.PlacementRanking.Option;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An evacuation played out in time under shared links: the migrations leaving the host share its outbound link, those
 * entering one destination share its inbound link ({@link LinkShares}, as the scheduler divides them while they run).
 *
 * <p>A fluid model between events: while the set of running migrations stays the same, each runs at its share, and a
 * migration's progress is the fraction of its forecast at that share that has passed (the forecast runs the engine and
 * policy at that bandwidth, so a smaller share costs more than the time it loses: more pages are written again while
 * the rounds are slower). At each start and end the shares are computed again. Up to {@code slots} migrations run at
 * once, started in list order (a VM that cannot start yet because its destinations' inbound slots are busy lets the
 * next one go first, as the dispatcher does).
 */
public final class EvacuationTimeline {
    /** The host being evacuated, in the link model's terms. */
    static final long SOURCE = Long.MIN_VALUE;

    /**
     * The links and limits an evacuation runs under, and the migrations already under way on them.
     *
     * @param sourceMaxOutbound how many migrations may leave the host at once, the evacuation's and others' together
     * @param busy              migrations already under way that leave the host or enter a destination
     */
    public record Links(double sourceBytesPerSecond, Map<Long, Double> targetBytesPerSecond, Map<Long, Integer> targetMaxInbound,
            int sourceMaxOutbound, List<Busy> busy) {
        /** Nothing else under way: the evacuation has the links to itself. */
        public Links(double sourceBytesPerSecond, Map<Long, Double> targetBytesPerSecond, Map<Long, Integer> targetMaxInbound) {
            this(sourceBytesPerSecond, targetBytesPerSecond, targetMaxInbound, Integer.MAX_VALUE, List.of());
        }

        double target(long hostId) {
            return targetBytesPerSecond.getOrDefault(hostId, sourceBytesPerSecond);
        }

        /** The path to {@code hostId}: the slower of the two hosts' links, which a move to it has at most. */
        double path(long hostId) {
            return Math.min(sourceBytesPerSecond, target(hostId));
        }

        int inbound(long hostId) {
            return targetMaxInbound.getOrDefault(hostId, Integer.MAX_VALUE);
        }
    }

    /**
     * A migration under way when the evacuation is planned, on one of its links: entering host {@code hostId} (a
     * destination of the evacuation, or one outside it), and leaving the evacuated host ({@code leavesSource}, an
     * operator's move already running from it) or another one.
     * It takes its max-min share of that link beside the evacuation's migrations, never more than
     * {@code capBytesPerSecond} (what the rest of its path, outside this model, lets it have: its share now), and holds
     * its slot there until {@code endsAtSeconds} (its ETA): a plan made beside it is what the links will really carry.
     */
    public record Busy(long hostId, boolean leavesSource, double capBytesPerSecond, double endsAtSeconds) {
        public Busy {
            if (!(capBytesPerSecond > 0) || endsAtSeconds < 0) {
                throw new IllegalArgumentException("a migration under way needs a rate > 0 and an end >= 0, was "
                        + capBytesPerSecond + " and " + endsAtSeconds);
            }
        }
    }

    /** The NIC ids of busy migrations' other ends, outside the model: each its own, as fast as its cap. */
    private static final long OUTSIDE = Long.MIN_VALUE / 2;

    /** Picks the destination of a VM about to start, or null when none of its options can take it now. */
    public interface Chooser {
        Option choose(VmToMove vm, State state);
    }

    /** What is running and what is taken, as a chooser sees it. */
    public static final class State {
        final Links links;
        final List<Running> running = new ArrayList<>();
        final Map<Long, Long> memoryTaken = new HashMap<>();
        final Map<Long, Integer> entering = new HashMap<>();
        final GroupRules rules;
        /** Where each VM started so far goes: what the placement rules are checked against. */
        final Map<Long, Long> endsOn = new HashMap<>();

        /** Seconds since the evacuation began: which of the migrations under way still are. */
        double now;
        /** What each of the evacuation's migrations can send at most, whatever its share (0: no such limit). */
        double flowCap;

        State(Links links, GroupRules rules) {
            this.links = links;
            this.rules = rules;
        }

        /** The migrations under way still running at {@link #now}, by their index in {@code links.busy()}. */
        private List<Integer> busyNow() {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < links.busy().size(); i++) {
                if (links.busy().get(i).endsAtSeconds() > now) {
                    out.add(i);
                }
            }
            return out;
        }

        int busyLeaving() {
            return (int) busyNow().stream().filter(i -> links.busy().get(i).leavesSource()).count();
        }

        /** When the next migration under way ends, or infinity when none is left. */
        double nextBusyEnd() {
            return busyNow().stream().mapToDouble(i -> links.busy().get(i).endsAtSeconds()).min().orElse(Double.POSITIVE_INFINITY);
        }

        /** The options with room left for the VM and a free inbound slot, that its placement rules allow. */
        public List<Option> open(VmToMove vm) {
            List<Option> open = new ArrayList<>();
            for (Option o : vm.options()) {
                if (o.freeMemoryAfterBytes() - memoryTaken.getOrDefault(o.hostId(), 0L) >= 0
                        && entering(o.hostId()) < links.inbound(o.hostId())
                        && rules.blocks(vm.vmId(), o.hostId(), endsOn) == null) {
                    open.add(o);
                }
            }
            return open;
        }

        /** How many migrations enter the host now, the evacuation's and those already under way. */
        public int entering(long hostId) {
            return entering.getOrDefault(hostId, 0) + (int) busyNow().stream()
                    .filter(i -> links.busy().get(i).hostId() == hostId).count();
        }

        /** The bandwidth a migration to {@code target} would get if it started now beside the running ones. */
        public double shareIfStarted(long target) {
            List<LinkShares.Flow<Integer>> flows = flows();
            flows.add(new LinkShares.Flow<>(-1, SOURCE, target, flowCap));
            return LinkShares.maxMin(flows, this::link).get(-1);
        }

        /** Each running migration's share, by its index in {@code running}; the migrations under way count, unlisted. */
        Map<Integer, Double> shares() {
            return running.isEmpty() ? Map.of() : LinkShares.maxMin(flows(), this::link);
        }

        /**
         * The evacuation's running migrations (keys 0, 1, ...) and the migrations under way (keys -2, -3, ...), each
         * of those at most at its cap: one leaving the host crosses its outbound link and its destination's inbound
         * one; one entering a destination from elsewhere crosses that inbound link and one of its own outside the model.
         */
        private List<LinkShares.Flow<Integer>> flows() {
            List<LinkShares.Flow<Integer>> flows = new ArrayList<>();
            for (int i = 0; i < running.size(); i++) {
                flows.add(new LinkShares.Flow<>(i, SOURCE, running.get(i).target.hostId(), flowCap));
            }
            for (int i : busyNow()) {
                Busy b = links.busy().get(i);
                flows.add(new LinkShares.Flow<>(-2 - i, b.leavesSource() ? SOURCE : OUTSIDE - i, b.hostId(), b.capBytesPerSecond()));
            }
            return flows;
        }

        private double link(long hostId) {
            if (hostId == SOURCE) {
                return links.sourceBytesPerSecond();
            }
            if (hostId <= OUTSIDE && hostId > OUTSIDE - links.busy().size()) {
                return links.busy().get((int) (OUTSIDE - hostId)).capBytesPerSecond();
            }
            return links.target(hostId);
        }
    }

    static final class Running {
        final VmToMove vm;
        final Option target;
        final double startSeconds;
        double left = 1; // fraction of the migration still to run

        Running(VmToMove vm, Option target, double startSeconds) {
            this.vm = vm;
            this.target = target;
            this.startSeconds = startSeconds;
        }
    }

    /** One migration as it played out. */
    public record Played(VmToMove vm, Option target, long startMillis, long endMillis, double slowestShareBytesPerSecond) {
    }

    /** The played migrations in start order, the VMs that never found room, and when the last one ended. */
    public record Result(List<Played> played, List<VmToMove> unplaced, long makespanMillis) {
    }

    private EvacuationTimeline() {
    }

    public static Result play(List<VmToMove> order, int slots, Chooser chooser, Links links, MigrationLimits limits,
            String policy) {
        return play(order, slots, chooser, links, limits, policy, GroupRules.NONE);
    }

    public static Result play(List<VmToMove> order, int slots, Chooser chooser, Links links, MigrationLimits limits,
            String policy, GroupRules rules) {
        return play(List.of(), order, slots, chooser, links, limits, policy, rules, host -> 1, 0);
    }

    /**
     * A move of an evacuation under way, already running: its VM, its destination, and the share of it still to run
     * (of its forecast at whatever share of the links it gets from now on).
     */
    public record Started(VmToMove vm, Option target, double left) {
        public Started {
            if (!(left > 0 && left <= 1)) {
                throw new IllegalArgumentException("the share left of a running move is in (0, 1], was " + left);
            }
        }
    }

    /**
     * The rest of an evacuation under way, from now: the running moves go on from where they are, the waiting ones
     * start in order as slots free, all sharing the links; each migration at a share takes its forecast there times
     * the {@code slowdown} measured on its destination (measured over forecast, 1 for as forecast), and none sends
     * faster than {@code flowCapBytesPerSecond} (0: as fast as its share) whatever its share.
     */
    public static Result playOn(List<Started> started, List<VmToMove> order, int slots, Chooser chooser, Links links,
            MigrationLimits limits, String policy, java.util.function.LongToDoubleFunction slowdown, double flowCapBytesPerSecond) {
        return play(started, order, slots, chooser, links, limits, policy, GroupRules.NONE, slowdown, flowCapBytesPerSecond);
    }

    private static Result play(List<Started> started, List<VmToMove> order, int slots, Chooser chooser, Links links,
            MigrationLimits limits, String policy, GroupRules rules, java.util.function.LongToDoubleFunction slowdown,
            double flowCap) {
        State state = new State(links, rules);
        state.flowCap = flowCap;
        for (Started s : started) {
            Running r = new Running(s.vm(), s.target(), 0);
            r.left = s.left();
            state.running.add(r);
            state.memoryTaken.merge(s.target().hostId(), s.vm().memoryBytes(), Long::sum);
            state.entering.merge(s.target().hostId(), 1, Integer::sum);
            state.endsOn.put(s.vm().vmId(), s.target().hostId());
        }
        List<VmToMove> pending = new ArrayList<>(order);
        List<Played> played = new ArrayList<>();
        Map<Running, Double> slowest = new HashMap<>();
        double now = 0;
        while (true) {
            state.now = now;
            startWhatCan(pending, state, slots, chooser, now);
            if (state.running.isEmpty()) {
                if (!pending.isEmpty() && state.nextBusyEnd() < Double.POSITIVE_INFINITY) {
                    now = state.nextBusyEnd(); // waiting for a slot a migration under way holds
                    continue;
                }
                break; // what is left never finds room: no running migration will free any memory
            }
            Map<Integer, Double> shares = state.shares();
            double step = state.nextBusyEnd() - now; // the shares change when a migration under way ends
            double[] seconds = new double[state.running.size()];
            for (int i = 0; i < seconds.length; i++) {
                Running r = state.running.get(i);
                seconds[i] = seconds(r.vm, shares.get(i), links.path(r.target.hostId()), limits, policy)
                        * slowdown.applyAsDouble(r.target.hostId());
                slowest.merge(r, shares.get(i), Math::min);
                step = Math.min(step, r.left * seconds[i]);
            }
            now += step;
            List<Running> ended = new ArrayList<>();
            for (int i = 0; i < seconds.length; i++) {
                Running r = state.running.get(i);
                r.left -= step / seconds[i];
                if (r.left <= 1e-9) {
                    ended.add(r);
                }
            }
            for (Running r : ended) {
                state.running.remove(r);
                state.entering.merge(r.target.hostId(), -1, Integer::sum);
                played.add(new Played(r.vm, r.target, Math.round(r.startSeconds * 1000), Math.round(now * 1000), slowest.get(r)));
            }
        }
        played.sort(java.util.Comparator.comparingLong(Played::startMillis));
        // the last of the evacuation's own moves: not the end of a migration under way it waited for in vain
        return new Result(played, pending, played.stream().mapToLong(Played::endMillis).max().orElse(0));
    }

    private static void startWhatCan(List<VmToMove> pending, State state, int slots, Chooser chooser, double now) {
        boolean started = true;
        // the dispatcher holds the evacuation's moves to its concurrency counting every migration leaving the host
        while (started && state.running.size() + state.busyLeaving() < Math.min(slots, state.links.sourceMaxOutbound())) {
            started = false;
            for (VmToMove vm : pending) {
                Option target = vm.options().isEmpty() ? null : chooser.choose(vm, state);
                if (target != null) {
                    state.running.add(new Running(vm, target, now));
                    state.memoryTaken.merge(target.hostId(), vm.memoryBytes(), Long::sum);
                    state.entering.merge(target.hostId(), 1, Integer::sum);
                    state.endsOn.put(vm.vmId(), target.hostId());
                    pending.remove(vm);
                    started = true;
                    break;
                }
            }
        }
    }

    /**
     * The migration's forecast total time at a bandwidth (its share), on the grid of its path (the slower of the two
     * hosts' links, {@link Links#path}), whose speed its paused final copy has.
     */
    static double seconds(VmToMove vm, double bandwidth, double path, MigrationLimits limits, String policy) {
        return ShareForecast.seconds(vm.memoryBytes(), vm.dirty(), bandwidth, path, limits, policy);
    }

    static dev.ferry.model.forecast.Forecast forecast(VmToMove vm, double bandwidth, double path, MigrationLimits limits,
            String policy) {
        return ShareForecast.at(vm.memoryBytes(), vm.dirty(), bandwidth, path, limits, policy);
    }
}
