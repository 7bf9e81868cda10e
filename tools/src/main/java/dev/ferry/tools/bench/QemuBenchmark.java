package dev.ferry.tools.bench;

import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.Link;
import dev.ferry.model.engine.MigrationContext;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.Policies;
import dev.ferry.worker.qemu.QemuMigration;
import dev.ferry.worker.qemu.QmpClient;
import dev.ferry.testsupport.TestGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The QEMU benchmark (a command, not a test): the test guest migrated between two real QEMU processes (TCG) under
 * QEMU's defaults, QEMU's auto-converge with its defaults, and Ferry's policy, for a few dirty rates and bandwidth
 * caps, all in one run. Writes docs/benchmarks/qemu.md. Usage: {@code QemuBenchmark <guest-dir> <work-dir> <out-dir>}.
 */
public final class QemuBenchmark {
    static final int MEMORY_MIB = 256;
    static final int REGION_MIB = 96;
    static final double DEADLINE_SECONDS = 90;
    static final Duration CALL = Duration.ofSeconds(10);

    /** A guest dirtying so many MiB/s over a link capped at so many MiB/s. */
    record Load(int dirtyMibPerSecond, int capMibPerSecond) {
        String name() {
            return dirtyMibPerSecond + " MiB/s over " + capMibPerSecond + " MiB/s";
        }
    }

    /** Below, at and far above the link: the loads of this benchmark and of the libvirt one. */
    static final List<Load> LOADS = List.of(new Load(50, 100), new Load(100, 100), new Load(200, 32));

    record Run(Load load, String policy, MigrationResult result, long bad, boolean heartbeatContinued) {
    }

    public static void main(String[] args) throws Exception {
        Path guestDir = Path.of(args.length > 0 ? args[0] : ".ferry/guest");
        Path work = Path.of(args.length > 1 ? args[1] : ".ferry/qemu-bench");
        Path out = Path.of(args.length > 2 ? args[2] : "docs/benchmarks");
        Files.createDirectories(work);
        List<Load> loads = LOADS;
        List<String> policies = List.of("qemu-default", "qemu-auto-converge", "ferry");
        List<Run> runs = new ArrayList<>();
        for (Load load : loads) {
            for (String policy : policies) {
                runs.add(run(guestDir, work, load, policy));
                Run r = runs.get(runs.size() - 1);
                System.err.printf("%-22s %-20s %s in %.1f s, downtime %d ms, %d rounds%n", load.name(), policy,
                        r.result().outcome(), r.result().totalTimeMillis() / 1000.0, r.result().downtimeMillis(), r.result().roundCount());
            }
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("qemu.md"), markdown(runs, loads, policies));
        System.err.println("wrote " + out.resolve("qemu.md"));
    }

    static Run run(Path guestDir, Path work, Load load, String policy) throws Exception {
        Path dir = Files.createTempDirectory(work, "run-");
        Path disk = TestGuest.sharedDisk(dir.resolve("disk.img"));
        var spec = TestGuest.Spec.built(guestDir, disk, MEMORY_MIB, load.dirtyMibPerSecond(), REGION_MIB);
        long cap = (long) load.capMibPerSecond() << 20;
        var limits = MigrationLimits.defaults(300).withBandwidthCap(cap).withDeadline(DEADLINE_SECONDS);
        var context = MigrationContext.of((long) MEMORY_MIB << 20, Link.of(cap), limits);
        QemuMigration.Mode mode = QemuMigration.Mode.forPolicy(policy);
        try (TestGuest source = TestGuest.start(spec, dir.resolve("src.qmp"), dir.resolve("src.serial"), false);
                TestGuest target = TestGuest.start(spec, dir.resolve("dst.qmp"), dir.resolve("dst.serial"), true)) {
            source.awaitHeartbeat(5, Duration.ofSeconds(60));
            MigrationResult result;
            try (QmpClient src = QmpClient.connect(source.qmp, CALL); QmpClient dst = QmpClient.connect(target.qmp, CALL)) {
                var endpoints = new QemuMigration.Endpoints(src, dst, QemuMigration.localUri());
                result = new QemuMigration(endpoints, Policies.create(policy.startsWith("qemu") ? "qemu-default" : policy,
                        (long) MEMORY_MIB << 20), mode, context, Duration.ofSeconds(60)).run(Controls.NONE);
            }
            long bad = 0;
            boolean continued = false;
            if (result.outcome() == MigrationResult.Outcome.SUCCEEDED) {
                long last = source.lastHeartbeat().count();
                TestGuest.Heartbeat later = target.awaitHeartbeat(last + 10, Duration.ofSeconds(30));
                bad = later.bad();
                continued = target.heartbeats().get(0).count() == last + 1;
            }
            return new Run(load, policy, result, bad, continued);
        }
    }

    static String markdown(List<Run> runs, List<Load> loads, List<String> policies) {
        StringBuilder md = new StringBuilder("# Real QEMU migrations: QEMU's defaults, auto-converge and Ferry's policy\n\n");
        md.append("Produced by `./ferry bench-qemu` on ").append(Machine.describe()).append(", QEMU ").append(qemuVersion())
                .append(" under TCG (no KVM). Each row is one migration of the test guest (guest/init.c: ").append(MEMORY_MIB)
                .append(" MiB of memory, a ").append(REGION_MIB).append(" MiB region rewritten page after page at the given rate) ")
                .append("between two QEMU processes on this machine, with QEMU's max-bandwidth as the cap, a 300 ms downtime ")
                .append("target and a ").append((int) DEADLINE_SECONDS).append(" s deadline. All rows come from the same run; ")
                .append("ratios compare with QEMU's defaults on the same load (a ratio is blank when QEMU's defaults never ")
                .append("finished). Lower bound of total time: memory over the cap.\n\n");
        md.append("| load | policy | outcome | total s (x lower bound) | downtime ms | rounds | bytes x memory | total vs defaults | "
                + "downtime vs defaults | heartbeat continued, bad pages |\n|---|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Run r : runs) {
            Run base = runs.stream().filter(x -> x.load().equals(r.load()) && x.policy().equals("qemu-default")).findFirst().orElseThrow();
            boolean ok = r.result().outcome() == MigrationResult.Outcome.SUCCEEDED;
            boolean baseOk = base.result().outcome() == MigrationResult.Outcome.SUCCEEDED;
            double lower = (double) MEMORY_MIB / r.load().capMibPerSecond();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f (%.1f) | %s | %d | %.2f | %s | %s | %s |%n",
                    r.load().name(), r.policy(), ok ? "moved" : r.result().outcome().name().toLowerCase(Locale.ROOT) + ": "
                            + r.result().reason().replace("|", "/"),
                    r.result().totalTimeMillis() / 1000.0, r.result().totalTimeMillis() / 1000.0 / lower,
                    ok ? Long.toString(r.result().downtimeMillis()) : "-", r.result().roundCount(),
                    r.result().bytesSent() / (double) ((long) MEMORY_MIB << 20),
                    ok && baseOk ? String.format(Locale.ROOT, "%.2f", (double) r.result().totalTimeMillis() / base.result().totalTimeMillis()) : "",
                    ok && baseOk && base.result().downtimeMillis() > 0
                            ? String.format(Locale.ROOT, "%.2f", (double) r.result().downtimeMillis() / base.result().downtimeMillis()) : "",
                    ok ? (r.heartbeatContinued() ? "yes" : "NO") + ", " + r.bad() : "-"));
        }
        return md.toString();
    }


    static String qemuVersion() {
        try {
            Process p = new ProcessBuilder("qemu-system-x86_64", "--version").start();
            String first = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("?");
            return first.replace("QEMU emulator version ", "");
        } catch (Exception e) {
            return "(unknown)";
        }
    }
}
