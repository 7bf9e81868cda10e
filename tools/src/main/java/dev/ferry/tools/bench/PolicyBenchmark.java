package dev.ferry.tools.bench;

import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.Link;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.Policies;
import dev.ferry.model.engine.PreCopyEngine;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.model.forecast.QemuRun;
import dev.ferry.model.sim.SimulatedGuest;
import dev.ferry.model.sim.WorkloadSuite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The policy benchmark (a command, not a test): every workload of {@link WorkloadSuite} x every policy x several
 * seeds on the simulator, in virtual time. Writes a markdown report with the table, the checks of issue #5 and
 * an SVG chart into the given directory. Usage: {@code PolicyBenchmark <out-dir> [memoryGiB] [seeds]}.
 */
public final class PolicyBenchmark {

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("trace")) {
            trace(args);
            return;
        }
        Path out = Path.of(args.length > 0 ? args[0] : "docs/benchmarks");
        double memoryGib = args.length > 1 ? Double.parseDouble(args[1]) : 4;
        int seeds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Setup setup = new Setup((long) (memoryGib * (1L << 30)), Link.tenGigabit(),
                MigrationLimits.defaults(300).withDeadline(120));
        long started = System.nanoTime();
        List<Run> runs = new ArrayList<>();
        for (WorkloadSuite.Spec workload : WorkloadSuite.all()) {
            for (String policy : Policies.NAMES) {
                for (int seed = 1; seed <= seeds; seed++) {
                    runs.add(run(setup, workload, policy, seed));
                }
            }
            System.err.printf("%-14s done (%d runs so far, %.0f s)%n", workload.name(), runs.size(),
                    (System.nanoTime() - started) / 1e9);
        }
        String command = String.format("./ferry bench %s %s", trim(memoryGib), seeds);
        Report report = new Report(setup, runs, seeds, command);
        Files.createDirectories(out);
        Files.writeString(out.resolve("policies.md"), report.markdown());
        Files.writeString(out.resolve("policies-downtime.svg"), report.chart());
        System.out.println(report.checks());
        System.err.printf("%d runs in %.0f s; wrote %s%n", runs.size(), (System.nanoTime() - started) / 1e9,
                out.resolve("policies.md"));
    }

    /** The fixed conditions of one benchmark. */
    record Setup(long memoryBytes, Link link, MigrationLimits limits) {
        int pages() {
            return (int) (memoryBytes / PreCopyEngine.PAGE_SIZE);
        }
    }

    /** One migration's measurements, with its physical lower bounds. */
    record Run(String workload, String policy, int seed, MigrationResult result, double lowerBoundSeconds,
            long memoryBytes, long nonZeroBytes, int maxThrottle, boolean destinationMatches) {

        boolean succeeded() {
            return result.outcome() == MigrationResult.Outcome.SUCCEEDED;
        }

        /** Moved, within the downtime target and the deadline. */
        boolean converged(MigrationLimits limits) {
            return succeeded() && result.downtimeMillis() <= limits.maxDowntimeMillis()
                    && result.totalTimeMillis() <= limits.deadlineSeconds() * 1000;
        }

        double totalRatio() {
            return result.totalTimeMillis() / 1000.0 / lowerBoundSeconds;
        }

        /** Bytes sent as a multiple of the guest's memory. */
        double bytesRatio() {
            return result.bytesSent() / (double) memoryBytes;
        }

        /** Bytes sent over the physical lower bound: the non-zero memory. */
        double bytesOverLowerBound() {
            return result.bytesSent() / (double) nonZeroBytes;
        }
    }

    static Run run(Setup setup, WorkloadSuite.Spec workload, String policyName, int seed) {
        return run(setup, workload, policyName, seed, false);
    }

    /**
     * @param onQemu the engine standing in for QEMU running the move (its passes, its stop rule, its late throttle:
     *               {@link QemuRun}), as the real-guest suite's moves ran; else the simulator's own hypervisor
     */
    static Run run(Setup setup, WorkloadSuite.Spec workload, String policyName, int seed, boolean onQemu) {
        double linkPages = setup.link().effectiveBandwidth(setup.limits()) / PreCopyEngine.PAGE_SIZE;
        long seedValue = seed * 7919L + workload.name().hashCode();
        SimulatedGuest guest = new SimulatedGuest(setup.pages(), workload.zeroShare(), workload.create(linkPages, seed), seedValue);
        long zero = IntStream.range(0, setup.pages()).filter(guest::isZeroPage).count();
        long nonZeroBytes = (setup.pages() - zero) * (long) PreCopyEngine.PAGE_SIZE;
        double bandwidth = setup.link().effectiveBandwidth(setup.limits());
        double lowerBound = (nonZeroBytes + zero * 8.0) / bandwidth;
        var policy = Policies.create(policyName, setup.memoryBytes());
        var engine = onQemu ? QemuRun.engine(guest, policy, setup.link(), setup.limits(), DirtyModel.QEMU_THROTTLE_LAG_SECONDS)
                : new PreCopyEngine(guest, policy, setup.link(), setup.limits());
        MigrationResult result = engine.run(Controls.NONE);
        int maxThrottle = result.rounds().stream().mapToInt(r -> r.throttlePercent()).max().orElse(0);
        boolean matches = result.outcome() != MigrationResult.Outcome.SUCCEEDED || guest.destinationMatchesSource();
        if (!matches) {
            throw new IllegalStateException("pages lost: " + workload.name() + " / " + policyName + " / seed " + seed);
        }
        return new Run(workload.name(), policyName, seed, result, lowerBound, setup.memoryBytes(), nonZeroBytes, maxThrottle, matches);
    }

    /** {@code trace <workload> <policy> [seed] [memoryGiB]}: one run, round by round, with every decision's reason. */
    private static void trace(String[] args) {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: trace <workload> <policy> [seed] [memoryGiB]");
        }
        int seed = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        double gib = args.length > 4 ? Double.parseDouble(args[4]) : 4;
        Setup setup = new Setup((long) (gib * (1L << 30)), Link.tenGigabit(), MigrationLimits.defaults(300).withDeadline(120));
        Run run = run(setup, WorkloadSuite.named(args[1]), args[2], seed);
        System.out.printf("%s on %s, seed %d, %.0f GiB [simulated]%n", args[2], args[1], seed, gib);
        for (var r : run.result().rounds()) {
            System.out.printf("round %2d: sent %8d pages (%d skipped) in %6.3f s at %2d%% throttle, dirtied %8d -> %s: %s%n",
                    r.round(), r.pagesSent(), r.pagesSkipped(), r.seconds(), r.throttlePercent(), r.pagesDirtied(),
                    r.decision().action(), r.decision().reason());
        }
        var f = run.result().finalPhase();
        if (f != null) {
            System.out.printf("round %2d: %s of %d pages in %.3f s%n", f.round(), f.kind(), f.pagesSent(), f.seconds());
        }
        System.out.printf("%s: downtime %d ms, total %.2f s (%.2fx lower bound), %.2fx memory sent%n",
                run.result().outcome(), run.result().downtimeMillis(), run.result().totalTimeMillis() / 1000.0,
                run.totalRatio(), run.bytesRatio());
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
