package dev.ferry.tools.bench;

import dev.ferry.model.engine.Link;
import dev.ferry.model.engine.MigrationContext;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.RoundRecord;
import dev.ferry.platform.Trees;
import dev.ferry.testsupport.TestGuest;
import dev.ferry.tools.bench.QemuSuite.Cell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The real-guest suite (a command, not a test): the test guest, in every write pattern at a rate below, near and above
 * the link, moved between real QEMU processes (TCG) under QEMU's defaults, QEMU's auto-converge with its defaults, and
 * Ferry's policy, each cell repeated. Writes docs/benchmarks/qemu.md and every move's figures (qemu-runs.tsv, what
 * the simulator's fidelity is judged against) after every guest, so an interrupted run still leaves what it measured,
 * and every move's rounds (qemu-rounds.txt, {@link RoundsLog}). Usage:
 * {@code QemuBenchmark <guest-dir> <work-dir> <out-dir> [repeats [pattern...]]}.
 */
public final class QemuBenchmark {
    static final int MEMORY_MIB = 256;
    static final int REGION_MIB = 96;
    /** The libvirt benchmark's deadline. */
    static final double DEADLINE_SECONDS = 90;

    /** A guest writing so many MiB/s over a link capped at so many MiB/s. */
    record Load(int dirtyMibPerSecond, int capMibPerSecond) {
        String name() {
            return dirtyMibPerSecond + " MiB/s over " + capMibPerSecond + " MiB/s";
        }
    }

    /** Below, at and far above the link: the loads of the libvirt benchmark. */
    static final List<Load> LOADS = List.of(new Load(50, 100), new Load(100, 100), new Load(200, 32));

    public static void main(String[] args) throws Exception {
        Path guestDir = Path.of(args.length > 0 ? args[0] : ".ferry/guest").toAbsolutePath();
        Path work = Path.of(args.length > 1 ? args[1] : ".ferry/qemu-bench").toAbsolutePath();
        Path out = Path.of(args.length > 2 ? args[2] : "docs/benchmarks");
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be at least 1, not " + repeats);
        }
        List<Cell> cells = QemuSuite.cells(args.length > 4 ? Arrays.asList(args).subList(4, args.length) : List.of());
        Trees.delete(work);
        Files.createDirectories(out);
        List<QemuReport.Run> runs = new ArrayList<>();
        List<QemuForecasts.Forecasted> forecasts = new ArrayList<>();
        StringBuilder rounds = new StringBuilder(); // every move's rounds: what a replay or a later question reads back
        long started = System.nanoTime();
        List<Cell> done = new ArrayList<>();
        for (Cell cell : cells) {
            runs.addAll(cell(guestDir, work, cell, repeats, forecasts, rounds));
            done.add(cell);
            var setup = new QemuReport.Setup(Machine.describe(), qemuVersion(), MEMORY_MIB, REGION_MIB, repeats,
                    (System.nanoTime() - started) / 60e9);
            Files.writeString(out.resolve("qemu.md"), QemuReport.markdown(runs, done, setup));
            Files.writeString(out.resolve("qemu-runs.tsv"), QemuRuns.tsv(runs.stream().map(QemuRuns::of).toList()));
            Files.writeString(out.resolve("forecast.md"), QemuForecasts.markdown(forecasts, String.format(Locale.ROOT,
                    "`./ferry bench-qemu %d`: every move of one run of the real-guest suite, the run whose qemu.md and "
                    + "qemu-runs.tsv were written with this file (%s; QEMU %s; %d MiB guests, %d MiB regions; %.0f min so far).", repeats, setup.machine(), setup.qemu(), MEMORY_MIB, REGION_MIB, setup.minutes())));
            Files.writeString(out.resolve("qemu-forecasts.tsv"), QemuForecasts.tsv(forecasts));
            Files.writeString(out.resolve("qemu-rounds.txt"), rounds);
        }
        System.err.println("wrote " + out.resolve("qemu.md") + ", qemu-runs.tsv, forecast.md, qemu-forecasts.tsv and qemu-rounds.txt");
    }

    /**
     * The suite's link itself, under the cell's cap: QEMU's stream over loopback on this machine, which the paused final
     * copy gets (QEMU lifts the cap as it completes). An idle 256 MiB guest moved with no cap sent its first pass at
     * 1.58, 1.61 and 1.75 GB/s (three moves after the first, which a cold process sent at 0.32 GB/s; a scratch probe
     * through GuestShuttle, 2026-12-06; docs/benchmarks/README.md, "The pause at the link's own speed").
     */
    static final double LOOPBACK_BYTES_PER_SECOND = 1.6e9;

    /** What every policy is held to on the cell: QEMU's 300 ms, the cell's cap, the suite's deadline. */
    static MigrationContext context(Cell cell) {
        long cap = (long) cell.load().capMibPerSecond() << 20;
        var limits = MigrationLimits.defaults(300).withBandwidthCap(cap).withDeadline(cell.deadlineSeconds(MEMORY_MIB));
        return MigrationContext.of((long) MEMORY_MIB << 20, link(), limits);
    }

    /** The loopback link the moves run over; the cap is in each cell's limits. */
    static Link link() {
        return Link.of(LOOPBACK_BYTES_PER_SECOND);
    }

    /** One guest for the cell, moved by each policy in turn, {@code repeats} times over. */
    static List<QemuReport.Run> cell(Path guestDir, Path work, Cell cell, int repeats, List<QemuForecasts.Forecasted> forecasts,
            StringBuilder rounds) throws Exception {
        Path dir = Files.createDirectories(work.resolve(cell.pattern() + "-" + cell.load().dirtyMibPerSecond() + "-"
                + cell.load().capMibPerSecond()));
        var spec = TestGuest.Spec.built(guestDir, TestGuest.sharedDisk(dir.resolve("disk.img")), MEMORY_MIB,
                cell.load().dirtyMibPerSecond(), REGION_MIB).writing(cell.pattern());
        var context = context(cell);
        List<QemuReport.Run> runs = new ArrayList<>();
        try (GuestShuttle guest = GuestShuttle.boot(spec, dir)) {
            RoundRecord lastFirstPass = null; // of the guest's last completed move: its zero pages, for the forecast
            for (int repeat = 1; repeat <= repeats; repeat++) {
                // rotated, so that no policy always follows the same one: where a move starts in a guest's cycle (grow
                // over 30 s, bursts of 1 s) depends on how long the move before it took
                List<String> order = new ArrayList<>(QemuReport.POLICIES);
                java.util.Collections.rotate(order, -(repeat - 1));
                for (String policy : order) {
                    // as a worker does when the start asks: the scheduler forecasts the move from this
                    var measured = guest.measure();
                    var r = new QemuReport.Run(cell, policy, repeat, guest.move(policy, context));
                    runs.add(r);
                    forecasts.add(QemuForecasts.of(QemuRuns.of(r), measured, lastFirstPass == null ? null : lastFirstPass.bytesSent()));
                    if (r.moved() && !r.move().result().rounds().isEmpty()) {
                        lastFirstPass = r.move().result().rounds().get(0);
                    }
                    var result = r.move().result();
                    String note = r.move().verified() ? "" : " NOT VERIFIED: " + r.move().note();
                    System.err.println(RoundsLog.moveLine(cell.name(), policy, repeat, result, r.totalSeconds(), note));
                    rounds.append(RoundsLog.move(cell.name(), policy, repeat, result, r.totalSeconds(), note));
                }
            }
        }
        return runs;
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
