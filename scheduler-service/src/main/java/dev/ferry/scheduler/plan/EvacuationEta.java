package dev.ferry.scheduler.plan;

import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.scheduler.plan.EvacuationPlanner.VmToMove;
import dev.ferry.scheduler.plan.PlacementRanking.Option;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * When an evacuation under way will end, from what it has measured so far rather than from its plan alone.
 *
 * <p>Each destination's <b>slowdown</b> is how much longer its moves' rounds took than their bytes would at the share
 * of the links the scheduler gave them: a link slower than declared, or a host that cannot take pages as fast, shows
 * in the first minutes. The plan's own belief (1) weighs as much as one typical move, so that the first few rounds do
 * not swing it; a destination with no evidence takes the evacuation's slowdown over all. How much each guest sends is
 * its own and is not carried over to the next one: a guest of zero pages done in seconds says nothing of the next.
 *
 * <p>The rest is then played in the plan's own link model ({@link EvacuationTimeline}) from now. A running move goes on
 * from the share of it left: the time it has run (its first round included, of which no event tells until it ends)
 * over its whole time, the engine's forecast at its share with the dirty model its own rounds gave it. The waiting ones
 * start in plan order as slots and their destinations' inbound limits allow, as the dispatcher starts them. Every
 * migration takes the engine's forecast at its share of the links times its destination's slowdown, so a move's time
 * grows while it shares a link and shrinks when the others end, as the scheduler's link shares make it; the ETA is when
 * the last one ends.
 */
public final class EvacuationEta {
    public enum State { DONE, RUNNING, WAITING }

    /**
     * A move as it stands, times in milliseconds.
     *
     * @param workedMillis   what its rounds of this attempt took so far (for a done one, all of them)
     * @param bytesSent      what those rounds sent
     * @param remainingBytes for a running move, what its last round left dirty
     * @param judgedMillis   what those of its rounds took whose share of the links held throughout (the others ran at
     *                       several shares, none known)
     * @param atShareMillis  what those rounds' bytes take at that share: {@code judgedMillis} over it is how much slower
     *                       than its share it sent
     * @param shareBytesPerSecond the bandwidth the scheduler last gave it (its share of the links), 0 when unknown
     * @param runningMillis  for a running move, how long since it started running: its rounds so far and the one under
     *                       way, of which no event has told yet (a large guest's first round is minutes)
     * @param ranAtBytesPerSecond for a running move, the mean of the shares it was given since its attempt began,
     *                       over time; 0 when not known
     */
    public record MoveNow(long targetHostId, State state, long workedMillis, long bytesSent, long remainingBytes,
            long judgedMillis, long atShareMillis, double shareBytesPerSecond, long runningMillis, double ranAtBytesPerSecond) {

        public static MoveNow waiting(long targetHostId) {
            return new MoveNow(targetHostId, State.WAITING, 0, 0, 0, 0, 0, 0, 0, 0);
        }
    }

    /**
     * What the rest of an evacuation is played in: its links and limits, and each move's VM (by the index of its
     * move) with its dirty model: for a move whose rounds have told how its guest writes, that; else the plan's.
     */
    public record Model(EvacuationTimeline.Links links, MigrationLimits limits, String policy, List<VmToMove> vms) {
        /** The model's forecast of a move at a share of its links, in milliseconds. */
        double millis(int move, long target, double share) {
            double path = links.path(target);
            double at = share > 0 ? Math.min(share, path) : path;
            return 1000 * EvacuationTimeline.seconds(vms.get(move), at, path, limits, policy);
        }
    }

    /** A running move is believed to have at least this share of it left: it has not ended yet, whatever it measured. */
    public static final double LEAST_LEFT = 0.02;

    /** A migration's own rate below this share of the links it was given means something per migration limits it. */
    static final double BELOW_SHARE = 0.8;

    /**
     * How many should leave at once from now on. The plan's concurrency assumed that a migration runs as fast as its
     * share of the links; when the migrations measured so far send well below their shares (one stream, the guest's
     * CPU, compression: something per migration), the links have room for more of them: as many as the source's link,
     * and each destination's, carry at the measured rate, within the host's limit and the moves left. Otherwise the
     * plan stands: the links are what limits it, and more at once would only share them.
     *
     * @param targetLinks the link of each destination still to receive a move
     */
    public static int concurrency(List<MoveNow> moves, int planned, int hostLimit, double sourceLink, Map<Long, Double> targetLinks) {
        java.util.OptionalDouble limited = perMigrationRate(moves);
        if (limited.isEmpty()) {
            return planned;
        }
        double rate = limited.getAsDouble();
        int left = (int) moves.stream().filter(m -> m.state() == State.RUNNING || m.state() == State.WAITING).count();
        long byDestinations = 0;
        for (double link : targetLinks.values()) {
            byDestinations += (long) Math.ceil(link / rate);
        }
        long byLinks = Math.min((long) Math.ceil(sourceLink / rate), byDestinations);
        return (int) Math.max(planned, Math.min(Math.min(hostLimit, left), byLinks));
    }

    /**
     * The rate the migrations measured so far sent at, when it is well below their shares of the links (their rounds
     * took at least 1 / {@value #BELOW_SHARE} times what their shares allowed): something per migration limits them.
     * Empty when they sent at about their shares, or nothing was measured.
     */
    static java.util.OptionalDouble perMigrationRate(List<MoveNow> moves) {
        double bytes = 0;
        double seconds = 0;
        double judged = 0;
        double atShare = 0;
        for (MoveNow m : moves) {
            if (m.state() != State.WAITING && m.workedMillis() > 0 && m.bytesSent() > 0) {
                bytes += m.bytesSent();
                seconds += m.workedMillis() / 1000.0;
                judged += m.judgedMillis() / 1000.0;
                atShare += m.atShareMillis() / 1000.0;
            }
        }
        if (seconds <= 0 || judged <= 0 || atShare >= BELOW_SHARE * judged) {
            return java.util.OptionalDouble.empty();
        }
        return java.util.OptionalDouble.of(bytes / seconds);
    }

    /** What is left, in milliseconds from now, and the slowdown each destination showed (measured over forecast). */
    public record Estimate(long remainingMillis, double slowdown, Map<Long, Double> slowdownByTarget) {
        /** What a host is believed to show: measured where moves went there, the evacuation's over all elsewhere. */
        public double slowdownOf(long hostId) {
            return slowdownByTarget.getOrDefault(hostId, slowdown);
        }

        /**
         * The destinations measured at least {@value EvacuationEta#LEAVE_FOR} times slower than the evacuation as a
         * whole: where a waiting move may do better elsewhere, and where none is sent.
         */
        public java.util.Set<Long> markedlySlower() {
            java.util.Set<Long> out = new java.util.HashSet<>();
            slowdownByTarget.forEach((host, s) -> {
                if (s > LEAVE_FOR * slowdown) {
                    out.add(host);
                }
            });
            return out;
        }

        /** The destinations measured at least as slow as {@code hostId}: no better place for its waiting moves. */
        public java.util.Set<Long> asSlowAs(long hostId) {
            double here = slowdownOf(hostId);
            java.util.Set<Long> out = new java.util.HashSet<>();
            slowdownByTarget.forEach((host, s) -> {
                if (s >= here) {
                    out.add(host);
                }
            });
            out.add(hostId);
            return out;
        }
    }

    /**
     * A waiting move leaves its destination only when another is predicted this much faster, measured slowdowns
     * counted: the estimates are noisy, and a move sent back and forth between two hosts gains nothing.
     */
    public static final double LEAVE_FOR = 1.25;

    /**
     * Whether a waiting move should go elsewhere: its forecast at each destination times what that destination is
     * believed to show ({@link Estimate#slowdownOf}), the other at least {@value #LEAVE_FOR} times faster.
     */
    public static boolean worthLeaving(double forecastHereMillis, double slowdownHere, double forecastThereMillis,
            double slowdownThere) {
        return forecastThereMillis > 0 && forecastThereMillis * slowdownThere * LEAVE_FOR < forecastHereMillis * slowdownHere;
    }

    private EvacuationEta() {
    }

    /**
     * What is left of the evacuation and what its destinations showed.
     *
     * <p>A destination's slowdown is judged on its links alone: the time its moves' rounds took over what their bytes
     * would take at the shares they were given. How much a guest sends is its own (a guest of zero pages sends little,
     * one rewriting all of its memory a lot): one guest's says nothing of the next one's, so it is not carried over; a
     * running move shows its own through the share of its bytes sent.
     */
    public static Estimate estimate(List<MoveNow> moves, int concurrency, Model model) {
        if (moves.size() != model.vms().size()) {
            throw new IllegalArgumentException(moves.size() + " moves but " + model.vms().size() + " VMs");
        }
        Map<Long, double[]> evidence = new HashMap<>(); // target -> {measured, at the shares}
        double[] all = new double[2];
        for (MoveNow m : moves) {
            if (m.state() != State.WAITING && m.judgedMillis() > 0 && m.atShareMillis() > 0) {
                double[] e = evidence.computeIfAbsent(m.targetHostId(), k -> new double[2]);
                e[0] += m.judgedMillis();
                e[1] += m.atShareMillis();
                all[0] += m.judgedMillis();
                all[1] += m.atShareMillis();
            }
        }
        // the plan's own belief (slowdown 1) counts as much as one typical move's evidence, so that a first round or
        // two do not swing it
        double prior = typicalForecast(moves, model);
        double overall = all[1] + prior > 0 ? (all[0] + prior) / (all[1] + prior) : 1;
        Map<Long, Double> byTarget = new HashMap<>();
        evidence.forEach((t, e) -> byTarget.put(t, (e[0] + prior * overall) / (e[1] + prior)));

        // migrations held back by something of their own send at the rate measured, however many leave at once: their
        // slowness is that cap, not their links'; a destination slower than the others still is, by as much. (One
        // destination alone cannot tell a slow link from a limit per migration; more at once, the next rounds will.)
        java.util.OptionalDouble limited = perMigrationRate(moves);
        // (relative to all the evidence taken as one destination's, so that a single destination is 1)
        double pooled = (all[0] + prior * overall) / (all[1] + prior);
        java.util.function.LongToDoubleFunction slowdownOf = limited.isPresent()
                ? host -> byTarget.getOrDefault(host, pooled) / pooled
                : host -> byTarget.getOrDefault(host, overall);
        List<EvacuationTimeline.Started> running = new ArrayList<>();
        List<VmToMove> waiting = new ArrayList<>();
        for (int i = 0; i < moves.size(); i++) {
            MoveNow m = moves.get(i);
            VmToMove vm = model.vms().get(i);
            Option to = new Option(m.targetHostId(), "", model.links().target(m.targetHostId()), Long.MAX_VALUE / 4, 0);
            if (m.state() == State.RUNNING) {
                // its whole time: the engine's forecast at its share, with the dirty model its own rounds gave it (see
                // Model), on its destination's links
                double slowdown = slowdownOf.applyAsDouble(m.targetHostId());
                double share = held(m.shareBytesPerSecond(), limited);
                double whole = model.millis(i, m.targetHostId(), share) * slowdown;
                // how much of it is done: the time it ran against its whole time at the shares it ran at (their mean over
                // time). A move whose share fell when another joined its link did most of its work at the larger one:
                // it is not as far from its end as its time at the smaller says, nor, risen, as near
                double ranAt = m.ranAtBytesPerSecond() > 0 ? held(m.ranAtBytesPerSecond(), limited) : share;
                double wholeThen = ranAt == share ? whole : model.millis(i, m.targetHostId(), ranAt) * slowdown;
                double done = Math.max(m.runningMillis(), m.workedMillis()) / wholeThen;
                // and once a round has told, never less than one more copy of what it left dirty
                double dirty = m.workedMillis() > 0 && share > 0 ? m.remainingBytes() * 1000.0 / share * slowdown : 0;
                double left = Math.max(1 - done, dirty / whole);
                running.add(new EvacuationTimeline.Started(vm, to, Math.min(1, Math.max(LEAST_LEFT, left))));
            } else if (m.state() == State.WAITING) {
                // its destination was chosen (memory counted there when queued): the model only has it wait for a slot
                waiting.add(new VmToMove(vm.vmId(), vm.vmName(), vm.memoryBytes(), vm.dirty(), List.of(to), null));
            }
        }
        EvacuationTimeline.Result rest = EvacuationTimeline.playOn(running, waiting, Math.max(1, concurrency),
                (vm, state) -> state.open(vm).isEmpty() ? null : state.open(vm).get(0), model.links(), model.limits(),
                model.policy(), slowdownOf, limited.orElse(0));
        return new Estimate(rest.makespanMillis(), overall, byTarget);
    }

    /** A share, or the rate measured where migrations are held back by something of their own and it is lower. */
    private static double held(double share, java.util.OptionalDouble limited) {
        return limited.isPresent() && (share <= 0 || share > limited.getAsDouble()) ? limited.getAsDouble() : share;
    }

    /** The median of the model's forecasts of the moves over their whole paths: what one move's evidence weighs against the plan's. */
    private static double typicalForecast(List<MoveNow> moves, Model model) {
        double[] forecasts = new double[moves.size()];
        for (int i = 0; i < forecasts.length; i++) {
            forecasts[i] = model.millis(i, moves.get(i).targetHostId(), 0);
        }
        java.util.Arrays.sort(forecasts);
        return forecasts.length == 0 ? 0 : forecasts[forecasts.length / 2];
    }

    /**
     * The ETA's error at a share of the way through a finished evacuation: what the ETA said then, less when it
     * really ended, over how long it really took (positive: it promised too late). {@code etas} are (at, eta) pairs
     * in milliseconds from the start, in time order; the one in force at that share is the last taken before it.
     */
    public static Double errorAt(double share, List<long[]> etas, long actualMillis) {
        long at = Math.round(share * actualMillis);
        Long said = null;
        for (long[] e : etas) {
            if (e[0] <= at) {
                said = e[1];
            }
        }
        return said == null || actualMillis <= 0 ? null : (said - actualMillis) / (double) actualMillis;
    }
}
