package dev.ferry.tools.bench;

import dev.ferry.model.engine.RoundRecord;
import dev.ferry.tools.bench.QemuSuite.Cell;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** docs/benchmarks/qemu.md from the suite's moves: medians and ranges per guest and policy. Pure. */
final class QemuReport {
    static final List<String> POLICIES = List.of("qemu-default", "qemu-auto-converge", "ferry");

    /** One move of the suite. */
    record Run(Cell cell, String policy, int repeat, GuestShuttle.Move move) {
        boolean moved() {
            return move.moved();
        }

        double totalSeconds() {
            return move.result().totalTimeMillis() / 1000.0;
        }

        /** The move's first pass at its link's rate ({@link FirstPass}). */
        double lowerBoundSeconds(int memoryMib) {
            return FirstPass.seconds(move.result(), memoryMib, cell.load().capMibPerSecond());
        }
    }

    /** What the run was: where, on what, and how long it took. */
    record Setup(String machine, String qemu, int memoryMib, int regionMib, int repeats, double minutes) {
    }

    private QemuReport() {
    }

    static String markdown(List<Run> runs, List<Cell> cells, Setup s) {
        StringBuilder md = new StringBuilder("# Real QEMU migrations: QEMU's defaults, auto-converge and Ferry's policy\n\n");
        md.append(String.format(Locale.ROOT, "Produced by `./ferry bench-qemu %d` on %s, QEMU %s under TCG (no KVM), in %.0f "
                + "minutes. The test guest (guest/init.c: %d MiB of memory, a %d MiB region written in one of the patterns "
                + "below at the given rate, in pages written per second) moved between QEMU processes on this machine, with "
                + "QEMU's max-bandwidth as the cap and a 300 ms downtime target. One guest is booted per row group and moved "
                + "back and forth, each policy in turn (the order rotated from one repeat to the next), %d times over; each cell "
                + "gives the median and the range (min-max) of the moves that finished. Lower bound of a move: its first pass, every page once, a page of data in full and a "
                + "zero page (as QEMU counted them in that pass) as an 8-byte header, over the cap or, where QEMU sent faster "
                + "than its max-bandwidth, over the move's own average rate in its live rounds; x lower bound is the median "
                + "of each move's ratio. A "
                + "policy is given %d times memory over the cap before its move is cancelled: a policy that does not "
                + "converge is cut off there. Memory verified: after "
                + "every move the guest went on from the source's last heartbeat and its own check of every page found none "
                + "bad (after a cancelled move, it went on on the source with no bad page). Throttle-s: the integral of the "
                + "vCPU throttle over the migration (10 s at 30 %% is 3 throttle-seconds). All figures come from this run; "
                + "compare ratios within it.%n%n", s.repeats(), s.machine(), s.qemu(), s.minutes(), s.memoryMib(),
                s.regionMib(), s.repeats(), QemuSuite.DEADLINE_TIMES_BOUND));
        md.append("## Checks (issue #17, goals on real QEMU)\n\n").append(QemuChecks.markdown(runs, cells)).append('\n');
        md.append("Patterns:\n\n");
        QemuSuite.PATTERNS.forEach((name, what) -> md.append("- `").append(name).append("`: ").append(what).append('\n'));
        md.append("\n| guest | policy | moved | total s, median (range) | x lower bound | downtime ms | rounds | bytes x memory "
                + "| throttle-s | total vs defaults | total vs auto-converge | memory verified |\n"
                + "|---|---|---:|---|---:|---|---:|---:|---|---:|---:|---|\n");
        for (Cell cell : cells) {
            for (String policy : POLICIES) {
                List<Run> all = of(runs, cell, policy);
                if (all.isEmpty()) {
                    continue;
                }
                List<Run> moved = all.stream().filter(Run::moved).toList();
                md.append(String.format(Locale.ROOT, "| %s | %s | %d / %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                        cell.name(), policy, moved.size(), all.size(), Report.medianRange(moved, Run::totalSeconds, "%.1f"),
                        moved.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f", Report.median(moved, r -> r.totalSeconds() / r.lowerBoundSeconds(s.memoryMib()))),
                        Report.medianRange(moved, r -> r.move().result().downtimeMillis(), "%.0f"),
                        Report.medianRange(moved, r -> r.move().result().roundCount(), "%.0f"),
                        Report.medianRange(moved, r -> r.move().result().bytesSent() / (double) ((long) s.memoryMib() << 20), "%.2f"),
                        Report.medianRange(moved, r -> r.move().result().throttleSeconds(), "%.1f"),
                        ratio(all, of(runs, cell, "qemu-default")), ratio(all, of(runs, cell, "qemu-auto-converge")),
                        verified(all)));
            }
        }
        md.append("\nMoves that did not finish:\n\n");
        List<Run> unfinished = runs.stream().filter(r -> !r.moved()).toList();
        unfinished.forEach(r -> md.append(String.format(Locale.ROOT, "- %s, %s #%d: %s after %.1f s%n", r.cell().name(), r.policy(),
                r.repeat(), r.move().result().reason().replace("|", "/"), r.totalSeconds())));
        if (unfinished.isEmpty()) {
            md.append("- none\n");
        }
        return md.toString();
    }

    /** The ratio of the medians of total time, when every move of both cells finished; blank otherwise. */
    static String ratio(List<Run> all, List<Run> base) {
        if (all.isEmpty() || base.isEmpty() || !base.stream().allMatch(Run::moved) || !all.stream().allMatch(Run::moved)) {
            return "";
        }
        ToDoubleFunction<Run> total = Run::totalSeconds;
        return String.format(Locale.ROOT, "%.2f", Report.median(all, total) / Report.median(base, total));
    }

    /** "yes, n of n" when every move's check passed, or the first failure's reason. */
    static String verified(List<Run> all) {
        return all.stream().filter(r -> !r.move().verified()).map(r -> "NO: " + r.move().note().replace("|", "/")).findFirst()
                .orElse("yes, " + all.size() + " of " + all.size());
    }

    private static List<Run> of(List<Run> runs, Cell cell, String policy) {
        return runs.stream().filter(r -> r.cell().equals(cell) && r.policy().equals(policy)).toList();
    }
}
