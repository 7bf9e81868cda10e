package dev.ferry.tools.bench;

import dev.ferry.model.engine.PreCopyEngine;
import dev.ferry.model.sim.GuestPattern;
import dev.ferry.model.sim.WorkloadSuite;
import dev.ferry.tools.bench.QemuRuns.Measured;
import dev.ferry.tools.bench.QemuSuite.Cell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * How far the simulator is from real QEMU (a command, not a test): every guest and policy of the real-guest suite's
 * runs file (qemu-runs.tsv) run again on the simulator, with the guest's own generator ({@link GuestPattern}), the
 * suite's limits and the simulator's models of QEMU's two algorithms, and the simulator's medians set against QEMU's;
 * then again on the engine as it stands in for QEMU running the move, as the forecasts run it. Writes
 * docs/benchmarks/fidelity.md. Usage: {@code SimFidelity <runs.tsv> <out-dir> [seeds]}.
 */
public final class SimFidelity {
    static final int SEEDS = 5;

    /** What is compared, as a user reads it in the tables. */
    enum Metric {
        TOTAL("total s", "%.1f", Move::totalSeconds),
        ROUNDS("rounds", "%.0f", Move::rounds),
        BYTES("bytes x memory", "%.2f", Move::bytesRatio),
        DOWNTIME("downtime ms", "%.0f", Move::downtimeMillis),
        THROTTLE("throttle-s", "%.1f", Move::throttleSeconds);

        final String label;
        final String format;
        final ToDoubleFunction<Move> of;

        Metric(String label, String format, ToDoubleFunction<Move> of) {
            this.label = label;
            this.format = format;
            this.of = of;
        }
    }

    /** One move, real or simulated, in the terms both share. */
    record Move(boolean moved, double totalSeconds, double rounds, double bytesRatio, double downtimeMillis, double throttleSeconds) {
    }

    /** One guest under one policy: QEMU's moves and the simulator's. */
    record Pair(Cell cell, String policy, List<Move> qemu, List<Move> sim) {
        List<Move> qemuMoved() {
            return qemu.stream().filter(Move::moved).toList();
        }

        List<Move> simMoved() {
            return sim.stream().filter(Move::moved).toList();
        }

        /** Both moved the guest every time: only then are their medians the same thing. */
        boolean comparable() {
            return !qemu.isEmpty() && !sim.isEmpty() && qemuMoved().size() == qemu.size() && simMoved().size() == sim.size();
        }

        /** The simulator's median over QEMU's, less one; NaN where either has none or QEMU's is 0. */
        double error(Metric m) {
            double q = Report.median(qemuMoved(), m.of);
            double s = Report.median(simMoved(), m.of);
            return q > 0 && !Double.isNaN(s) ? s / q - 1 : Double.NaN;
        }
    }

    public static void main(String[] args) throws Exception {
        Path tsv = Path.of(args.length > 0 ? args[0] : "docs/benchmarks/qemu-runs.tsv");
        Path out = Path.of(args.length > 1 ? args[1] : "docs/benchmarks");
        int seeds = args.length > 2 ? Integer.parseInt(args[2]) : SEEDS;
        if (seeds < 1) {
            fail("seeds must be at least 1, not " + seeds);
        }
        if (!Files.isRegularFile(tsv)) {
            fail("no runs file at " + tsv + ": ./ferry bench-qemu writes qemu-runs.tsv");
        }
        List<Measured> measured;
        try {
            measured = QemuRuns.parse(Files.readString(tsv));
        } catch (IllegalArgumentException damaged) {
            fail(tsv + ": " + damaged.getMessage());
            return;
        }
        List<Pair> pairs = compare(measured, seeds, false);
        List<Pair> asQemu = compare(measured, seeds, true);
        boolean usual = tsv.equals(Path.of("docs/benchmarks/qemu-runs.tsv"));
        String command = "./ferry bench-fidelity" + (seeds == SEEDS && usual ? "" : " " + seeds) + (usual ? "" : " " + tsv);
        Files.createDirectories(out);
        Files.writeString(out.resolve("fidelity.md"), markdown(pairs, zeroShare(measured), seeds, command, Machine.describe(), tsv)
                + asQemu(asQemu));
        System.err.println("wrote " + out.resolve("fidelity.md"));
    }

    /** A bad argument or runs file is one line naming it, not a stack trace; nothing is written. */
    private static void fail(String message) {
        System.err.println("bench-fidelity: " + message);
        System.exit(2);
    }

    /** Every guest and policy QEMU ran, simulated {@code seeds} times on the simulator's own hypervisor. */
    static List<Pair> compare(List<Measured> measured, int seeds) {
        return compare(measured, seeds, false);
    }

    /**
     * Every guest and policy QEMU ran, simulated {@code seeds} times.
     *
     * @param onQemu on the engine as it stands in for QEMU ({@link dev.ferry.model.forecast.QemuRun}: the forecasts'),
     *               else on the simulator's own hypervisor (the policy benchmark's)
     */
    static List<Pair> compare(List<Measured> measured, int seeds, boolean onQemu) {
        double zeroShare = zeroShare(measured);
        Map<String, Pair> pairs = new LinkedHashMap<>();
        for (Measured m : measured) {
            String key = m.cell().name() + "|" + m.policy();
            pairs.computeIfAbsent(key, k -> new Pair(m.cell(), m.policy(), new ArrayList<>(),
                    simulate(m.cell(), m.policy(), seeds, zeroShare, onQemu))).qemu().add(real(m));
        }
        return List.copyOf(pairs.values());
    }

    private static Move real(Measured m) {
        double memory = (double) ((long) QemuBenchmark.MEMORY_MIB << 20);
        return new Move(m.moved(), m.totalSeconds(), m.rounds(), m.bytesSent() / memory, m.downtimeMillis(), m.throttleSeconds());
    }

    /**
     * The share of the guest's memory that is zero pages, as QEMU counted them in the first pass (the median over every
     * move): the simulated guest starts with as many.
     */
    static double zeroShare(List<Measured> measured) {
        double pages = ((long) QemuBenchmark.MEMORY_MIB << 20) / (double) PreCopyEngine.PAGE_SIZE;
        double share = Report.median(measured, m -> Math.min(1, m.firstPassZeroPages() / pages));
        return Double.isNaN(share) ? 0 : share;
    }

    static List<Move> simulate(Cell cell, String policy, int seeds, double zeroShare, boolean onQemu) {
        var context = QemuBenchmark.context(cell);
        var setup = new PolicyBenchmark.Setup(context.memoryBytes(), QemuBenchmark.link(), context.limits());
        var spec = new WorkloadSuite.Spec(cell.name(), "the test guest's " + cell.pattern(), zeroShare, (linkPages, seed) -> pattern(cell, seed));
        List<Move> moves = new ArrayList<>();
        for (int seed = 1; seed <= seeds; seed++) {
            var run = PolicyBenchmark.run(setup, spec, policy, seed, onQemu);
            var r = run.result();
            // moved as the real suite counts it: the hypervisor completed the move (QEMU's own pause may exceed the target)
            moves.add(new Move(run.succeeded(), r.totalTimeMillis() / 1000.0, r.roundCount(), run.bytesRatio(),
                    r.downtimeMillis(), r.throttleSeconds()));
        }
        return moves;
    }

    /**
     * The guest's generator at the cell's rate. Each seed starts the move at another point of the pattern's cycles (as
     * the suite's moves do, one after another on one guest) and from another draw.
     */
    static GuestPattern pattern(Cell cell, long seed) {
        int region = QemuBenchmark.REGION_MIB * (1 << 20) / PreCopyEngine.PAGE_SIZE;
        double rate = cell.load().dirtyMibPerSecond() * (double) (1 << 20) / PreCopyEngine.PAGE_SIZE;
        return new GuestPattern(GuestPattern.Kind.named(cell.pattern()), region, rate, GuestPattern.Settings.DEFAULTS,
                5 + 7.3 * seed, drawState(seed));
    }

    /** A draw state per seed: never 0, different for every seed. */
    static long drawState(long seed) {
        long z = (seed + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        return z == 0 ? 1 : z;
    }

    static String markdown(List<Pair> pairs, double zeroShare, int seeds, String command, String machine, Path runs) {
        StringBuilder md = new StringBuilder("# The simulator against real QEMU\n\n");
        md.append(String.format(Locale.ROOT, """
                Produced by `%s` on %s, from %s (the moves of one run of `./ferry bench-qemu`, which its report beside it \
                describes). Every guest and policy of that run is run again on the simulator, %d seeds each: \
                the same write pattern (GuestPattern, the guest's own generator, checked draw for draw against guest/pattern.h), \
                the same memory (%d MiB, a %d MiB region), cap, 300 ms target and deadline, and %.0f %% of memory as zero pages \
                (what QEMU counted in the first passes). QEMU's defaults and auto-converge are the simulator's models of \
                them (QemuDefaultPolicy, QemuAutoConvergePolicy); Ferry's policy is the same code in both. Each seed starts the \
                move at another point of the pattern's cycles.

                An error is the simulator's median over QEMU's, less one, over the moves that moved the guest; it is only \
                judged (counted below) where both moved the guest every time. What the simulator does not model: TCG's own \
                speed (a real guest may write slower than its nominal rate), the wall clock that paces the real guest while a \
                throttle stops it, QEMU's one-second throttle check, and the page order of the guest's region.

                """, command, machine, runs, seeds, QemuBenchmark.MEMORY_MIB, QemuBenchmark.REGION_MIB, zeroShare * 100));
        md.append("## The error, per policy\n\n");
        md.append("Median absolute error over the guests both moved every time (how many in brackets), and the worst.\n\n");
        perPolicy(md, pairs);
        md.append("\nA throttle-s error needs QEMU's median above 0; the last column counts the guests where only one of the two "
                + "throttled (its median above 0), which the error cannot show.\n");
        md.append("\n## The error, per pattern (every policy)\n\n");
        perPattern(md, pairs);
        md.append("\n## Every guest and policy\n\nQEMU's median, then the simulator's, then the error.\n\n");
        md.append("| guest | policy | moved: QEMU, simulator |");
        for (Metric m : Metric.values()) {
            md.append(' ').append(m.label).append(" |");
        }
        md.append("\n|---|---|---|").append("---|".repeat(Metric.values().length)).append('\n');
        for (Pair p : pairs) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d / %d, %d / %d |", p.cell().name(), p.policy(), p.qemuMoved().size(),
                    p.qemu().size(), p.simMoved().size(), p.sim().size()));
            for (Metric m : Metric.values()) {
                md.append(' ').append(cell(p, m)).append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    /** The error per policy over {@code pairs}: a table. */
    private static void perPolicy(StringBuilder md, List<Pair> pairs) {
        md.append("| policy | guests judged | moved by both / by neither / by one |");
        for (Metric m : Metric.values()) {
            md.append(' ').append(m.label).append(" |");
        }
        md.append(" throttled by QEMU only / by the simulator only |\n|---|---:|---|");
        md.append("---|".repeat(Metric.values().length)).append("---|\n");
        for (String policy : QemuReport.POLICIES) {
            List<Pair> of = pairs.stream().filter(p -> p.policy().equals(policy)).toList();
            if (of.isEmpty()) {
                continue;
            }
            List<Pair> judged = of.stream().filter(Pair::comparable).toList();
            long neither = of.stream().filter(p -> p.qemuMoved().isEmpty() && p.simMoved().isEmpty()).count();
            md.append(String.format(Locale.ROOT, "| %s | %d of %d | %d / %d / %d |", policy, judged.size(), of.size(), judged.size(),
                    neither, of.size() - judged.size() - neither));
            for (Metric m : Metric.values()) {
                md.append(' ').append(summary(judged, m)).append(" |");
            }
            md.append(String.format(Locale.ROOT, " %d / %d |%n", throttledByOne(judged, true), throttledByOne(judged, false)));
        }
    }

    /** The error per pattern, every policy, over {@code pairs}: a table. */
    private static void perPattern(StringBuilder md, List<Pair> pairs) {
        md.append("| pattern | guests judged |");
        for (Metric m : Metric.values()) {
            md.append(' ').append(m.label).append(" |");
        }
        md.append("\n|---|---:|").append("---|".repeat(Metric.values().length)).append('\n');
        for (String pattern : pairs.stream().map(p -> p.cell().load().dirtyMibPerSecond() == 0 ? "idle" : p.cell().pattern()).distinct().toList()) {
            List<Pair> of = pairs.stream().filter(p -> (p.cell().load().dirtyMibPerSecond() == 0 ? "idle" : p.cell().pattern()).equals(pattern)).toList();
            List<Pair> judged = of.stream().filter(Pair::comparable).toList();
            md.append(String.format(Locale.ROOT, "| %s | %d of %d |", pattern, judged.size(), of.size()));
            for (Metric m : Metric.values()) {
                md.append(' ').append(summary(judged, m)).append(" |");
            }
            md.append('\n');
        }
    }

    /**
     * The same moves on the engine as it stands in for QEMU running them (QemuRun: QEMU's passes, its stop rule armed at
     * the target, a throttle a driver asks for felt a second late): what the scheduler's forecasts run, here with the
     * guest's own generator instead of a fitted curve.
     */
    static String asQemu(List<Pair> pairs) {
        StringBuilder md = new StringBuilder("""

                ## The engine as QEMU runs a move

                The same guests and policies, on the engine as the scheduler's forecasts run a move QEMU makes \
                (`QemuRun`: QEMU's passes, a look after each 100 ms window and a sync once the pages left fit the \
                target; its stop rule armed at the target under every policy; a throttle the driver asks for felt a \
                second late, auto-converge's at once), with the guest's own generator instead of a forecast's fitted \
                curve. The tables above are the simulator's own hypervisor, as the policy benchmark runs it; in these \
                tables "the simulator" is the engine as QEMU.

                """);
        perPolicy(md, pairs);
        md.append("\n");
        perPattern(md, pairs);
        return md.toString();
    }

    /** Judged guests where only QEMU ({@code real}) or only the simulator throttled (median throttle-s above 0). */
    static long throttledByOne(List<Pair> judged, boolean real) {
        return judged.stream().filter(p -> {
            boolean q = Report.median(p.qemuMoved(), Move::throttleSeconds) > 0;
            boolean s = Report.median(p.simMoved(), Move::throttleSeconds) > 0;
            return real ? q && !s : s && !q;
        }).count();
    }

    /** "12 % (3), worst +40 %" over the judged guests; "-" for none. */
    static String summary(List<Pair> judged, Metric m) {
        List<Double> errors = judged.stream().map(p -> p.error(m)).filter(e -> !e.isNaN()).toList();
        if (errors.isEmpty()) {
            return "-";
        }
        double median = Report.median(errors, Math::abs);
        double worst = errors.stream().max((a, b) -> Double.compare(Math.abs(a), Math.abs(b))).orElseThrow();
        return String.format(Locale.ROOT, "%.0f %% (%d), worst %+.0f %%", median * 100, errors.size(), worst * 100);
    }

    private static String cell(Pair p, Metric m) {
        if (p.qemuMoved().isEmpty() && p.simMoved().isEmpty()) {
            return "-";
        }
        String q = p.qemuMoved().isEmpty() ? "no move" : String.format(Locale.ROOT, m.format, Report.median(p.qemuMoved(), m.of));
        String s = p.simMoved().isEmpty() ? "no move" : String.format(Locale.ROOT, m.format, Report.median(p.simMoved(), m.of));
        double e = p.error(m);
        return q + " / " + s + (p.comparable() && !Double.isNaN(e) ? String.format(Locale.ROOT, " (%+.0f %%)", e * 100) : "");
    }
}
