package dev.ferry.tools.bench;

import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.Link;
import dev.ferry.model.engine.MigrationContext;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.Policies;
import dev.ferry.model.engine.RoundRecord;
import dev.ferry.model.engine.ThrottleSlice;
import dev.ferry.platform.LibvirtHost;
import dev.ferry.platform.Trees;
import dev.ferry.testsupport.TestGuest;
import dev.ferry.tools.bench.QemuBenchmark.Load;
import dev.ferry.worker.libvirt.LibvirtMigration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The libvirt benchmark (a command, not a test): the QEMU benchmark's loads moved between two libvirt daemons on this
 * machine by the worker's libvirt driver, under libvirt's defaults, libvirt's auto-converge with its default steps, and
 * Ferry's policy steering through libvirt, each cell repeated. One guest is booted per load and moved back and forth,
 * its memory checked after every move (the heartbeat goes on from where it stopped, and the guest's own check of its
 * pages finds none bad). Writes docs/benchmarks/libvirt.md with medians and spreads.
 *
 * <p>Usage: {@code LibvirtBenchmark <guest-dir> <work-dir> <out-dir> [repeats]}.
 */
public final class LibvirtBenchmark {
    static final int MEMORY_MIB = QemuBenchmark.MEMORY_MIB;
    static final int REGION_MIB = QemuBenchmark.REGION_MIB;
    static final double DEADLINE_SECONDS = QemuBenchmark.DEADLINE_SECONDS;
    static final long TARGET_MILLIS = 300;
    static final List<String> POLICIES = List.of("libvirt-defaults", "libvirt-auto-converge", "ferry");

    record Run(Load load, String policy, int repeat, MigrationResult result, boolean memoryVerified, String note) {
        boolean moved() {
            return result.outcome() == MigrationResult.Outcome.SUCCEEDED;
        }
    }

    public static void main(String[] args) throws Exception {
        Path guestDir = Path.of(args.length > 0 ? args[0] : ".ferry/guest").toAbsolutePath();
        Path work = Path.of(args.length > 1 ? args[1] : ".ferry/libvirt-bench").toAbsolutePath();
        Path out = Path.of(args.length > 2 ? args[2] : "docs/benchmarks");
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Trees.delete(work);
        List<Run> runs = new ArrayList<>();
        long started = System.nanoTime();
        try (LibvirtHost a = LibvirtHost.start(work.resolve("a"), "hv-a", 20, false);
                LibvirtHost b = LibvirtHost.start(work.resolve("b"), "hv-b", 21, false)) {
            for (Load load : QemuBenchmark.LOADS) {
                runs.addAll(load(guestDir, load, repeats, a, b));
            }
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        Files.createDirectories(out);
        Files.writeString(out.resolve("libvirt.md"), markdown(runs, repeats, minutes));
        System.err.println("wrote " + out.resolve("libvirt.md"));
    }

    /** One guest for the load, booted on hv-a, moved by each policy in turn, {@code repeats} times over. */
    static List<Run> load(Path guestDir, Load load, int repeats, LibvirtHost a, LibvirtHost b) throws Exception {
        String name = "bench-" + load.dirtyMibPerSecond();
        var spec = TestGuest.Spec.built(guestDir, null, MEMORY_MIB, load.dirtyMibPerSecond(), REGION_MIB);
        Path xml = a.logDir().getParent().resolve(name + ".xml");
        Files.writeString(xml, TestGuest.domainXml(spec, name, "/var/log/libvirt/qemu/" + name + ".serial"));
        a.virsh("define", xml.toString());
        a.virsh("start", name);
        long booted = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (TestGuest.heartbeats(serial(a, name)).size() < 5) {
            if (System.nanoTime() > booted) {
                throw new IllegalStateException("guest " + name + " did not boot on hv-a within 60 s: see " + serial(a, name));
            }
            Thread.sleep(200);
        }
        LibvirtHost[] at = {a, b};
        List<Run> runs = new ArrayList<>();
        try {
            for (int repeat = 1; repeat <= repeats; repeat++) {
                // rotated, as in the QEMU suite: no policy always follows the same one
                List<String> order = new ArrayList<>(POLICIES);
                java.util.Collections.rotate(order, -(repeat - 1));
                for (String policy : order) {
                    Run r = move(load, policy, repeat, at[0], at[1], name);
                    runs.add(r);
                    System.err.printf("%-22s %-22s #%d %s in %.1f s, downtime %d ms, %d rounds%s%n", load.name(), policy, repeat,
                            r.result().outcome(), r.result().totalTimeMillis() / 1000.0, r.result().downtimeMillis(),
                            r.result().roundCount(), r.note().isEmpty() ? "" : " (" + r.note() + ")");
                    if (r.moved()) {
                        at = new LibvirtHost[] {at[1], at[0]};
                    }
                }
            }
        } finally {
            at[0].virsh("destroy", name);
            at[0].virsh("undefine", name);
        }
        return runs;
    }

    static Run move(Load load, String policy, int repeat, LibvirtHost from, LibvirtHost to, String name) throws Exception {
        Files.deleteIfExists(serial(to, name)); // its console starts afresh there, so the first beat is this move's
        long cap = (long) load.capMibPerSecond() << 20;
        var limits = MigrationLimits.defaults(TARGET_MILLIS).withBandwidthCap(cap).withDeadline(DEADLINE_SECONDS);
        var context = MigrationContext.of((long) MEMORY_MIB << 20, Link.of(cap), limits);
        LibvirtMigration.Mode mode = switch (policy) {
            case "libvirt-defaults" -> LibvirtMigration.Mode.LIBVIRT_DEFAULTS;
            case "libvirt-auto-converge" -> LibvirtMigration.Mode.LIBVIRT_AUTO_CONVERGE;
            default -> LibvirtMigration.Mode.STEERED;
        };
        var endpoints = new LibvirtMigration.Endpoints(from.uri(), to.uri(), "tcp://127.0.0.1", name);
        MigrationResult result = new LibvirtMigration(endpoints, Policies.create(mode == LibvirtMigration.Mode.STEERED ? policy
                : "qemu-default", (long) MEMORY_MIB << 20), mode, context, Duration.ofSeconds(60)).run(Controls.NONE);
        if (result.outcome() != MigrationResult.Outcome.SUCCEEDED) {
            return new Run(load, policy, repeat, result, false, "");
        }
        try {
            TestGuest.awaitContinuation(serial(from, name), serial(to, name), 5, Duration.ofSeconds(30));
            return new Run(load, policy, repeat, result, true, "");
        } catch (IOException e) {
            return new Run(load, policy, repeat, result, false, e.getMessage());
        }
    }

    /** The highest throttle in force at the end of a live pass of the move (libvirt reports it per pass). */
    static double highestThrottle(MigrationResult result) {
        return result.rounds().stream().mapToInt(RoundRecord::throttlePercent).max().orElse(0);
    }

    static Path serial(LibvirtHost host, String name) {
        return host.logDir().resolve("qemu").resolve(name + ".serial");
    }

    static String markdown(List<Run> runs, int repeats, double minutes) {
        StringBuilder md = new StringBuilder("# Real guests through libvirt: libvirt's defaults, auto-converge and Ferry's policy\n\n");
        md.append(String.format(Locale.ROOT, "Produced by `./ferry bench-libvirt` on %s, %s, in %.0f minutes. The QEMU benchmark's "
                + "loads (the test guest, guest/init.c: %d MiB of memory, a %d MiB region rewritten page after page at the given "
                + "rate) moved between two libvirt daemons on this machine standing for two hosts (`LibvirtHost`), by the "
                + "worker's libvirt driver (`LibvirtMigration`: a peer-to-peer `virDomainMigrateToURI3`, persistent on the "
                + "destination), with libvirt's bandwidth as the cap, a %d ms downtime target and a %.0f s deadline. One guest "
                + "per load is moved back and forth; each cell is %d moves, all in this run, and gives the median with the "
                + "range (min-max) of the moves that finished. \"libvirt-defaults\": libvirt and QEMU alone; "
                + "\"libvirt-auto-converge\": `--auto-converge` with its default steps; \"ferry\": Ferry's policy applied through "
                + "libvirt (downtime limit, the throttle of each round over QEMU's monitor, stop-and-copy). Memory verified: "
                + "after every move the guest's heartbeat went on from the source's last beat and its own page check found no "
                + "bad page. Lower bound of a move: its first pass, every page once, a zero page (as libvirt counted them in "
                + "that pass) as an 8-byte header, over the cap or the move's own average rate where that was faster; x lower "
                + "bound is the median of each move's ratio. Throttle-s: the integral of the vCPU throttle over the move; highest "
                + "throttle: the highest libvirt reported at the end of a pass of the move (Ferry's ceiling for this target is "
                + "%d %%, ThrottleSlice; libvirt's auto-converge goes to 99 %%). The "
                + "policies take turns in an order rotated from one repeat to the next. Under TCG (no KVM): absolute times are "
                + "this machine's; compare ratios within the run.%n%n", Machine.describe(), hypervisor(), minutes, MEMORY_MIB,
                REGION_MIB, TARGET_MILLIS, DEADLINE_SECONDS, repeats, ThrottleSlice.ceilingFor(TARGET_MILLIS)));
        md.append("## Checks (the stated objective, docs/POLICY.md)\n\n").append(checks(runs)).append('\n');
        md.append("| load | policy | moved | total s, median (range) | x lower bound | downtime ms, median (range) | rounds | "
                + "bytes x memory | throttle-s | highest throttle % | total vs defaults | memory verified |\n"
                + "|---|---|---:|---|---:|---|---:|---:|---|---|---:|---|\n");
        for (Load load : QemuBenchmark.LOADS) {
            List<Run> base = cell(runs, load, "libvirt-defaults").stream().filter(Run::moved).toList();
            for (String policy : POLICIES) {
                List<Run> cell = cell(runs, load, policy);
                List<Run> moved = cell.stream().filter(Run::moved).toList();
                double total = Report.median(moved, r -> r.result().totalTimeMillis() / 1000.0);
                double baseTotal = Report.median(base, r -> r.result().totalTimeMillis() / 1000.0);
                md.append(String.format(Locale.ROOT, "| %s | %s | %d / %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", load.name(), policy,
                        moved.size(), cell.size(), Report.medianRange(moved, r -> r.result().totalTimeMillis() / 1000.0, "%.1f"),
                        moved.isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f", Report.median(moved, r -> r.result().totalTimeMillis()
                                / 1000.0 / FirstPass.seconds(r.result(), MEMORY_MIB, load.capMibPerSecond()))),
                        Report.medianRange(moved, r -> r.result().downtimeMillis(), "%.0f"), Report.medianRange(moved, r -> r.result().roundCount(), "%.0f"),
                        Report.medianRange(moved, r -> r.result().bytesSent() / (double) ((long) MEMORY_MIB << 20), "%.2f"),
                        Report.medianRange(moved, r -> r.result().throttleSeconds(), "%.1f"),
                        Report.medianRange(moved, r -> highestThrottle(r.result()), "%.0f"),
                        moved.isEmpty() || base.isEmpty() ? "" : String.format(Locale.ROOT, "%.2f", total / baseTotal),
                        moved.isEmpty() ? "-" : moved.stream().allMatch(Run::memoryVerified) ? "yes, every move"
                                : moved.stream().filter(r -> !r.memoryVerified()).map(Run::note).findFirst().orElse("NO")));
            }
        }
        md.append("\nMoves that did not finish:\n\n");
        runs.stream().filter(r -> !r.moved()).forEach(r -> md.append(String.format(Locale.ROOT, "- %s, %s #%d: %s after %.1f s%n",
                r.load().name(), r.policy(), r.repeat(), r.result().reason(), r.result().totalTimeMillis() / 1000.0)));
        if (runs.stream().allMatch(Run::moved)) {
            md.append("- none\n");
        }
        return md.toString();
    }

    /** The objective's two judgments on every load, as the other suites make them ({@link Objective}). */
    static String checks(List<Run> runs) {
        List<String> dominated = new ArrayList<>();
        List<String> needless = new ArrayList<>();
        for (Load load : QemuBenchmark.LOADS) {
            Objective.Summary ferry = summary(cell(runs, load, "ferry"));
            if (ferry.of() == 0) {
                continue;
            }
            java.util.Map<String, Objective.Summary> references = new java.util.LinkedHashMap<>();
            POLICIES.stream().filter(p -> !p.equals("ferry")).forEach(p -> references.put(p, summary(cell(runs, load, p))));
            Objective.dominating(ferry, references).forEach(p -> dominated.add(load.name() + " by " + p));
            if (Objective.throttledNeedlessly(ferry, references.values())) {
                needless.add(String.format(Locale.ROOT, "%s: up to %.1f throttle-s", load.name(), ferry.throttle().max()));
            }
        }
        return String.format("- **%s** No reference dominates Ferry: none is as good on downtime, total time and throttle-seconds "
                + "and better on one (beyond the spread), and none moves a guest every time where Ferry does not: %s%n"
                + "- **%s** Ferry never throttles a guest that a reference moves every time without throttling: %s%n",
                dominated.isEmpty() ? "PASS" : "FAIL", dominated.isEmpty() ? "on no load" : String.join("; ", dominated),
                needless.isEmpty() ? "PASS" : "FAIL", needless.isEmpty() ? "never" : String.join("; ", needless));
    }

    private static Objective.Summary summary(List<Run> runs) {
        return Objective.Summary.of(runs.stream().map(r -> new Objective.Cost(r.moved(), r.result().totalTimeMillis() / 1000.0,
                r.result().downtimeMillis(), r.result().throttleSeconds())).toList());
    }

    private static List<Run> cell(List<Run> runs, Load load, String policy) {
        return runs.stream().filter(r -> r.load().equals(load) && r.policy().equals(policy)).toList();
    }

    private static String hypervisor() {
        try {
            Process p = new ProcessBuilder("libvirtd", "--version").start();
            return "QEMU " + QemuBenchmark.qemuVersion() + ", " + new String(p.getInputStream().readAllBytes()).trim();
        } catch (IOException e) {
            return "QEMU " + QemuBenchmark.qemuVersion();
        }
    }
}
