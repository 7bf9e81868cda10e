package dev.ferry.scheduler.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * When an evacuation under way will end, from what it has measured so far rather than from its plan alone.
 *
 * <p>Each destination's <b>slowdown</b> is what its moves took over what they were forecast to take: a finished move
 * counts its whole time, a running one (once a tenth of it is sent) what its rounds took over the share of its bytes
 * sent, so a link slower than declared or a guest writing more than its model shows in the first minutes. The plan's
 * own belief (1) weighs as much as one typical move, so that the first few moves do not swing it; a destination with
 * no evidence takes the evacuation's slowdown over all. A running move
 * has its estimate less what it has worked left; a waiting move its forecast times its destination's slowdown. The
 * waiting moves then start in plan order as slots free (list scheduling over the evacuation's concurrency, as the
 * dispatcher starts them), and the ETA is when the last one ends.
 */
public final class EvacuationEta {
    /** Evidence from a running move counts once this share of its bytes is sent: before, the ratio is mostly noise. */
    static final double EVIDENCE_FROM = 0.1;

    public enum State { DONE, RUNNING, WAITING }

    /**
     * A move as it stands: forecast and measured time in milliseconds, and the share of its bytes sent (0 to 1).
     *
     * @param workedMillis for a running move, what its rounds took so far; for a done one, its whole time
     */
    public record MoveNow(long targetHostId, State state, long forecastMillis, long workedMillis, double doneFraction,
            long bytesSent, double shareBytesPerSecond) {

        public MoveNow(long targetHostId, State state, long forecastMillis, long workedMillis, double doneFraction) {
            this(targetHostId, state, forecastMillis, workedMillis, doneFraction, 0, 0);
        }
    }

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
        double bytes = 0;
        double seconds = 0;
        double share = 0;
        int left = 0;
        for (MoveNow m : moves) {
            if ((m.state() == State.RUNNING || m.state() == State.DONE) && m.workedMillis() > 0 && m.bytesSent() > 0) {
                bytes += m.bytesSent();
                seconds += m.workedMillis() / 1000.0;
                share += m.shareBytesPerSecond() * m.workedMillis() / 1000.0;
            }
            left += m.state() == State.RUNNING || m.state() == State.WAITING ? 1 : 0;
        }
        if (seconds <= 0 || share <= 0) {
            return planned;
        }
        double rate = bytes / seconds;
        if (rate >= BELOW_SHARE * share / seconds) {
            return planned;
        }
        long byDestinations = 0;
        for (double link : targetLinks.values()) {
            byDestinations += (long) Math.ceil(link / rate);
        }
        long byLinks = Math.min((long) Math.ceil(sourceLink / rate), byDestinations);
        return (int) Math.max(planned, Math.min(Math.min(hostLimit, left), byLinks));
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

    public static Estimate estimate(List<MoveNow> moves, int concurrency) {
        Map<Long, double[]> evidence = new HashMap<>(); // target -> {measured, forecast}
        double[] all = new double[2];
        for (MoveNow m : moves) {
            double measured = measured(m);
            if (measured > 0 && m.forecastMillis() > 0) {
                double[] e = evidence.computeIfAbsent(m.targetHostId(), k -> new double[2]);
                e[0] += measured;
                e[1] += m.forecastMillis();
                all[0] += measured;
                all[1] += m.forecastMillis();
            }
        }
        // the plan's own belief (slowdown 1) counts as much as one typical move's evidence: the first moves to finish are
        // often the small, quick ones, and one guest's writing says little about the next one's
        double prior = typicalForecast(moves);
        double overall = all[1] + prior > 0 ? (all[0] + prior) / (all[1] + prior) : 1;
        Map<Long, Double> byTarget = new HashMap<>();
        evidence.forEach((t, e) -> byTarget.put(t, (e[0] + prior * overall) / (e[1] + prior)));

        PriorityQueue<Double> slots = new PriorityQueue<>();
        List<MoveNow> waiting = new ArrayList<>();
        double last = 0;
        for (MoveNow m : moves) {
            double slowdown = byTarget.getOrDefault(m.targetHostId(), overall);
            if (m.state() == State.RUNNING) {
                double whole = m.doneFraction() >= EVIDENCE_FROM ? m.workedMillis() / m.doneFraction() : m.forecastMillis() * slowdown;
                double left = Math.max(0, whole - m.workedMillis());
                slots.add(left);
                last = Math.max(last, left);
            } else if (m.state() == State.WAITING) {
                waiting.add(m);
            }
        }
        while (slots.size() < Math.max(1, concurrency)) {
            slots.add(0.0);
        }
        for (MoveNow m : waiting) {
            double start = slots.poll();
            double end = start + m.forecastMillis() * byTarget.getOrDefault(m.targetHostId(), overall);
            slots.add(end);
            last = Math.max(last, end);
        }
        return new Estimate(Math.round(last), overall, byTarget);
    }

    /** The median forecast of the moves: what one move's evidence weighs against the plan's. */
    private static double typicalForecast(List<MoveNow> moves) {
        double[] forecasts = moves.stream().mapToDouble(MoveNow::forecastMillis).filter(f -> f > 0).sorted().toArray();
        return forecasts.length == 0 ? 0 : forecasts[forecasts.length / 2];
    }

    /** The move's time as measured so far, scaled to the whole move: 0 where there is no evidence yet. */
    private static double measured(MoveNow m) {
        return switch (m.state()) {
            case DONE -> m.workedMillis();
            case RUNNING -> m.doneFraction() >= EVIDENCE_FROM ? m.workedMillis() / m.doneFraction() : 0;
            case WAITING -> 0;
        };
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
