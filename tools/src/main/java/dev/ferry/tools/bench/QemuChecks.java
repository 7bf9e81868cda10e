package dev.ferry.tools.bench;

import dev.ferry.tools.bench.QemuReport.Run;
import dev.ferry.tools.bench.QemuSuite.Cell;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Issue #17's goals on real QEMU, judged from the suite's moves: each check PASS or FAIL with the numbers behind it.
 * Medians of the repeats; a difference inside the measured spread (the two ranges overlap) is a tie. Pure.
 */
final class QemuChecks {
    static final String FERRY = "ferry";
    static final List<String> REFERENCES = List.of("qemu-default", "qemu-auto-converge");

    private QemuChecks() {
    }

    /** One policy on one guest: how many moves finished, and the medians and ranges of what they cost. */
    record Cell3(int moved, int of, Range total, Range downtime, Range throttle) {
        boolean always() {
            return of > 0 && moved == of;
        }

        static Cell3 of(List<Run> runs) {
            List<Run> moved = runs.stream().filter(Run::moved).toList();
            return new Cell3(moved.size(), runs.size(), Range.of(moved, Run::totalSeconds),
                    Range.of(moved, r -> r.move().result().downtimeMillis()), Range.of(moved, r -> r.move().result().throttleSeconds()));
        }
    }

    /** Median, least and most of one metric over the moves that finished (NaN for none). */
    record Range(double median, double min, double max) {
        static Range of(List<Run> runs, ToDoubleFunction<Run> f) {
            double[] v = runs.stream().mapToDouble(f).sorted().toArray();
            return v.length == 0 ? new Range(Double.NaN, Double.NaN, Double.NaN) : new Range(Report.median(runs, f), v[0], v[v.length - 1]);
        }

        /** Lower beyond the spread: every move of this one below every move of the other. */
        boolean clearlyBelow(Range other) {
            return max < other.min;
        }
    }

    static String markdown(List<Run> runs, List<Cell> cells) {
        StringBuilder s = new StringBuilder();
        List<String> fast = new ArrayList<>();
        List<String> slow = new ArrayList<>();
        List<String> below = new ArrayList<>();
        List<String> worse = new ArrayList<>();
        List<String> dominated = new ArrayList<>();
        List<String> needless = new ArrayList<>();
        String slowLink = "not run";
        boolean slowLinkOk = true;
        for (Cell cell : cells) {
            Cell3 ferry = Cell3.of(of(runs, cell, FERRY));
            Cell3 defaults = Cell3.of(of(runs, cell, "qemu-default"));
            Cell3 auto = Cell3.of(of(runs, cell, "qemu-auto-converge"));
            if (ferry.of() == 0) {
                continue;
            }
            int rate = cell.load().dirtyMibPerSecond();
            int cap = cell.load().capMibPerSecond();
            // at or above the link, where QEMU's defaults do not converge: at most 0.4x auto-converge, less throttle
            if (rate >= cap && defaults.moved() == 0 && defaults.of() > 0) {
                double ratio = ferry.total().median() / auto.total().median();
                String line = auto.moved() == 0 ? cell.name() + ": auto-converge never moved it, Ferry " + ferry.moved() + " of " + ferry.of()
                        : String.format(Locale.ROOT, "%s: %.2fx, throttle-s %.1f vs %.1f", cell.name(), ratio, ferry.throttle().median(),
                                auto.throttle().median());
                boolean ok = ferry.always() && auto.moved() > 0 && ratio <= 0.4 && ferry.throttle().median() < auto.throttle().median()
                        || ferry.always() && auto.moved() == 0;
                (ok ? fast : slow).add(line);
            }
            if (rate == 200 && cap == 32) {
                slowLinkOk = ferry.always() && ferry.total().median() <= 15 && ferry.downtime().max() < 300;
                slowLink = String.format(Locale.ROOT, "%d / %d moved, total %.1f s, downtime at most %.0f ms", ferry.moved(), ferry.of(),
                        ferry.total().median(), ferry.downtime().max());
            }
            // well below the link: no worse than the best reference by more than 10 % on any metric (ties inside the spread)
            if (rate * 2 <= cap) {
                for (String metric : List.of("total", "downtime", "throttle-s")) {
                    Range f = pick(ferry, metric);
                    for (String ref : REFERENCES) {
                        Cell3 r = Cell3.of(of(runs, cell, ref));
                        Range b = pick(r, metric);
                        boolean ferryMissed = r.always() && !ferry.always() && metric.equals("total");
                        if (ferryMissed || r.always() && f.median() > 1.1 * b.median() + (metric.equals("throttle-s") ? 0.05 : 0)
                                && b.clearlyBelow(f)) {
                            worse.add(String.format(Locale.ROOT, "%s: %s %.2f vs %s's %.2f", cell.name(), metric, f.median(), ref, b.median()));
                        }
                    }
                }
                below.add(cell.name());
            }
            // never dominated: no reference at least as good on all three and better on one, beyond the spread
            for (String ref : REFERENCES) {
                Cell3 r = Cell3.of(of(runs, cell, ref));
                boolean notWorse = true;
                boolean better = false;
                for (String metric : List.of("total", "downtime", "throttle-s")) {
                    notWorse &= !pick(ferry, metric).clearlyBelow(pick(r, metric));
                    better |= pick(r, metric).clearlyBelow(pick(ferry, metric));
                }
                if (r.always() && (!ferry.always() || notWorse && better)) {
                    dominated.add(cell.name() + " by " + ref);
                }
            }
            // a guest that converges within its limits without throttling is never throttled
            boolean convergesUnthrottled = REFERENCES.stream().map(ref -> Cell3.of(of(runs, cell, ref)))
                    .anyMatch(r -> r.always() && r.throttle().max() == 0);
            if (convergesUnthrottled && ferry.throttle().max() > 0) {
                needless.add(String.format(Locale.ROOT, "%s: up to %.1f throttle-s", cell.name(), ferry.throttle().max()));
            }
        }
        int fewest = cells.stream().mapToInt(c -> runs.stream().filter(r -> r.cell().equals(c)).mapToInt(r -> 1).sum()).min().orElse(0);
        if (fewest < 3 * (REFERENCES.size() + 1)) {
            s.append("- Fewer than 3 moves per policy on some guest: a range of one move is a point, and a tie cannot be told "
                    + "from noise. Judge these checks on 3 repeats or more.\n");
        }
        line(s, slow.isEmpty(), "At or above the link where QEMU's defaults never converge, Ferry takes at most 0.4x "
                + "auto-converge's total time, with fewer throttle-seconds", fast.isEmpty() && slow.isEmpty() ? "no such guest"
                : "met: " + (fast.isEmpty() ? "none" : String.join("; ", fast)) + (slow.isEmpty() ? "" : "; not met: " + String.join("; ", slow)));
        line(s, slowLinkOk, "seq, 200 MiB/s over 32 MiB/s: Ferry moves it in at most 15 s with downtime under the 300 ms target", slowLink);
        line(s, worse.isEmpty(), "Well below the link, Ferry is no worse than the best reference by more than 10 % on total "
                + "time, downtime or throttle-seconds (a difference inside the spread is a tie)",
                below.isEmpty() ? "no such guest"
                        : (worse.isEmpty() ? "none worse on " : "worse: " + String.join("; ", worse) + "; guests ") + String.join(", ", below));
        line(s, dominated.isEmpty(), "No reference dominates Ferry: none is as good on downtime, total time and "
                + "throttle-seconds and better on one (beyond the spread), and none moves a guest every time where Ferry does not",
                dominated.isEmpty() ? "on no guest" : String.join("; ", dominated));
        line(s, needless.isEmpty(), "Ferry never throttles a guest that a reference moves every time without throttling",
                needless.isEmpty() ? "never" : String.join("; ", needless));
        return s.toString();
    }

    private static Range pick(Cell3 c, String metric) {
        return switch (metric) {
            case "total" -> c.total();
            case "downtime" -> c.downtime();
            default -> c.throttle();
        };
    }

    private static void line(StringBuilder s, boolean pass, String claim, String detail) {
        boolean nothingToJudge = detail.equals("not run") || detail.equals("no such guest");
        s.append("- **").append(nothingToJudge ? "NOT JUDGED" : pass ? "PASS" : "FAIL").append("** ").append(claim).append(": ")
                .append(detail).append('\n');
    }

    private static List<Run> of(List<Run> runs, Cell cell, String policy) {
        return runs.stream().filter(r -> r.cell().equals(cell) && r.policy().equals(policy)).toList();
    }
}
