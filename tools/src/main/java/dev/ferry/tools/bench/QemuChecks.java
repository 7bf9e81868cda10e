package dev.ferry.tools.bench;

import dev.ferry.tools.bench.QemuReport.Run;
import dev.ferry.tools.bench.QemuSuite.Cell;
import dev.ferry.tools.bench.Objective.Range;
import dev.ferry.tools.bench.Objective.Summary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue #17's goals on real QEMU, judged from the suite's moves: each check PASS or FAIL with the numbers behind it.
 * Medians of the repeats; a difference inside the measured spread (the two ranges overlap) is a tie. Pure.
 */
final class QemuChecks {
    static final String FERRY = "ferry";
    static final List<String> REFERENCES = List.of("qemu-default", "qemu-auto-converge");

    private QemuChecks() {
    }

    /** One policy on one guest, in the objective's terms. */
    static Summary summary(List<Run> runs) {
        return Summary.of(runs.stream().map(r -> new Objective.Cost(r.moved(), r.totalSeconds(), r.move().result().downtimeMillis(),
                r.move().result().throttleSeconds())).toList());
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
            Summary ferry = summary(of(runs, cell, FERRY));
            Summary defaults = summary(of(runs, cell, "qemu-default"));
            Summary auto = summary(of(runs, cell, "qemu-auto-converge"));
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
                    Range f = ferry.pick(metric);
                    for (String ref : REFERENCES) {
                        Summary r = summary(of(runs, cell, ref));
                        Range b = r.pick(metric);
                        boolean ferryMissed = r.always() && !ferry.always() && metric.equals("total");
                        if (ferryMissed || r.always() && f.median() > 1.1 * b.median() + (metric.equals("throttle-s") ? 0.05 : 0)
                                && b.clearlyBelow(f)) {
                            worse.add(String.format(Locale.ROOT, "%s: %s %.2f vs %s's %.2f", cell.name(), metric, f.median(), ref, b.median()));
                        }
                    }
                }
                below.add(cell.name());
            }
            // the objective (docs/POLICY.md): never dominated, never a needless throttle
            Map<String, Summary> references = new LinkedHashMap<>();
            REFERENCES.forEach(ref -> references.put(ref, summary(of(runs, cell, ref))));
            Objective.dominating(ferry, references).forEach(ref -> dominated.add(cell.name() + " by " + ref));
            if (Objective.throttledNeedlessly(ferry, references.values())) {
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

    private static void line(StringBuilder s, boolean pass, String claim, String detail) {
        boolean nothingToJudge = detail.equals("not run") || detail.equals("no such guest");
        s.append("- **").append(nothingToJudge ? "NOT JUDGED" : pass ? "PASS" : "FAIL").append("** ").append(claim).append(": ")
                .append(detail).append('\n');
    }

    private static List<Run> of(List<Run> runs, Cell cell, String policy) {
        return runs.stream().filter(r -> r.cell().equals(cell) && r.policy().equals(policy)).toList();
    }
}
