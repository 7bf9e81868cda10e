package dev.ferry.tools.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Ferry's stated objective (docs/POLICY.md) as the two judgments every suite makes of its own runs, so that the
 * simulator's benchmark and the real-guest suite hold the policy to the same rule: no reference dominates it, and it
 * never throttles a guest that converges without throttling. Repeats (or seeds) give each metric a spread; a
 * difference inside it is a tie. Pure.
 */
final class Objective {
    private Objective() {
    }

    /**
     * What one move cost: whether it moved the guest (as its suite counts a move: the simulator within the target and
     * the deadline, the real suites as the hypervisor completed it), and if so its total time, pause and throttle.
     */
    record Cost(boolean moved, double totalSeconds, double downtimeMillis, double throttleSeconds) {
    }

    /** Median, least and most of one metric over the moves that finished (NaN for none). */
    record Range(double median, double min, double max) {
        static <T> Range of(List<T> moves, ToDoubleFunction<T> f) {
            double[] v = moves.stream().mapToDouble(f).sorted().toArray();
            return v.length == 0 ? new Range(Double.NaN, Double.NaN, Double.NaN) : new Range(Report.median(moves, f), v[0], v[v.length - 1]);
        }

        /** Lower beyond the spread: every move of this one below every move of the other. */
        boolean clearlyBelow(Range other) {
            return max < other.min;
        }
    }

    /** One policy on one workload: how many moves finished, and the ranges of what those cost. */
    record Summary(int moved, int of, Range total, Range downtime, Range throttle) {
        static final List<String> METRICS = List.of("total", "downtime", "throttle-s");

        static Summary of(List<Cost> costs) {
            List<Cost> moved = costs.stream().filter(Cost::moved).toList();
            return new Summary(moved.size(), costs.size(), Range.of(moved, Cost::totalSeconds), Range.of(moved, Cost::downtimeMillis),
                    Range.of(moved, Cost::throttleSeconds));
        }

        boolean always() {
            return of > 0 && moved == of;
        }

        Range pick(String metric) {
            return switch (metric) {
                case "total" -> total;
                case "downtime" -> downtime;
                case "throttle-s" -> throttle;
                default -> throw new IllegalArgumentException("no metric " + metric);
            };
        }
    }

    /**
     * The references that dominate Ferry: each moved the guest every time, and either Ferry did not, or the reference
     * is nowhere worse and somewhere better than Ferry on total time, pause and throttle-seconds, beyond the spread.
     */
    static List<String> dominating(Summary ferry, Map<String, Summary> references) {
        List<String> by = new ArrayList<>();
        references.forEach((name, r) -> {
            boolean notWorse = true;
            boolean better = false;
            for (String metric : Summary.METRICS) {
                notWorse &= !ferry.pick(metric).clearlyBelow(r.pick(metric));
                better |= r.pick(metric).clearlyBelow(ferry.pick(metric));
            }
            if (r.always() && (!ferry.always() || notWorse && better)) {
                by.add(name);
            }
        });
        return by;
    }

    /** Ferry throttled a guest that some reference moved every time without ever throttling. */
    static boolean throttledNeedlessly(Summary ferry, Iterable<Summary> references) {
        boolean convergesUnthrottled = false;
        for (Summary r : references) {
            convergesUnthrottled |= r.always() && r.throttle().max() == 0;
        }
        return convergesUnthrottled && ferry.throttle().max() > 0;
    }
}
