package dev.ferry.tools.bench;

import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.Link;
import dev.ferry.model.engine.MigrationContext;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.Policies;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.model.forecast.Forecaster;
import dev.ferry.model.forecast.LinkShares;
import dev.ferry.scheduler.plan.EvacuationPlanner.VmToMove;
import dev.ferry.scheduler.plan.EvacuationTimeline;
import dev.ferry.scheduler.plan.PlacementRanking.Option;
import dev.ferry.testsupport.TestGuest;
import dev.ferry.worker.qemu.QemuMigration;
import dev.ferry.worker.qemu.QmpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The link model checked on real guests: two QEMU migrations leave one host at once (two test guests, each with its own
 * destination QEMU) over a host link of {@link #LINK_MIB} MiB/s. As the scheduler does, each gets its max-min share of
 * that link as QEMU's max-bandwidth, and when one ends the other gets the whole link. The measured ends are compared
 * with what max-min sharing of the link predicts for the bytes QEMU sent, and with what a model in which each
 * migration has the whole link (Ferry's planner before links were shared) predicts. Every moved guest's memory is
 * checked by the guest itself (bad pages: 0). A command, not a test: {@code ./ferry bench-shared-link [repeats]}
 * writes docs/benchmarks/shared-link.md.
 */
public final class SharedLinkCheck {
    static final int LINK_MIB = 64;
    static final long LINK = (long) LINK_MIB << 20;
    static final int[] MEMORY_MIB = {256, 192};
    /** Most of each guest's memory is its region, stamped with data: QEMU sends zero pages as headers only. */
    static final int[] REGION_MIB = {160, 96};
    static final int DIRTY_MIB = 4;
    static final long DOWNTIME_MILLIS = 300;
    static final Duration CALL = Duration.ofSeconds(10);

    /** One run: when each migration ended after both started, its outcome, and the bad pages its guest found. */
    record Run(double[] endSeconds, MigrationResult[] results, long[] bad) {
    }

    public static void main(String[] args) throws Exception {
        Path guestDir = Path.of(args.length > 0 ? args[0] : ".ferry/guest");
        Path work = Path.of(args.length > 1 ? args[1] : ".ferry/shared-link");
        Path out = Path.of(args.length > 2 ? args[2] : "docs/benchmarks");
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Files.createDirectories(work);
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            Run r = run(guestDir, work);
            runs.add(r);
            System.err.printf(Locale.ROOT, "run %d: %d MiB guest ended at %.2f s, %d MiB guest at %.2f s%n", i + 1, MEMORY_MIB[1],
                    r.endSeconds()[1], MEMORY_MIB[0], r.endSeconds()[0]);
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("shared-link.md"), report(runs));
        System.err.println("wrote " + out.resolve("shared-link.md"));
    }

    static MigrationLimits limits() {
        return MigrationLimits.defaults(DOWNTIME_MILLIS).withDeadline(120);
    }

    /**
     * When each ends if the link is shared max-min: both at half the link until the smaller is sent, then the other at
     * the whole link. From the bytes QEMU reports it sent (zero pages as headers), so that the check is of the link
     * model alone.
     */
    static double[] predictedShared(long[] bytes) {
        int small = bytes[0] <= bytes[1] ? 0 : 1;
        double[] ends = new double[2];
        ends[small] = 2.0 * bytes[small] / LINK;
        ends[1 - small] = (double) (bytes[0] + bytes[1]) / LINK;
        return ends;
    }

    static double[] predictedWholeLink(long[] bytes) {
        return new double[] {(double) bytes[0] / LINK, (double) bytes[1] / LINK};
    }

    static Run run(Path guestDir, Path work) throws Exception {
        Path dir = Files.createTempDirectory(work, "run-");
        List<TestGuest> guests = new ArrayList<>();
        try {
            TestGuest[] sources = new TestGuest[2];
            TestGuest[] targets = new TestGuest[2];
            for (int i = 0; i < 2; i++) {
                // a disk per guest, shared by its source and destination as storage shared between two hosts is
                Path disk = TestGuest.sharedDisk(dir.resolve("disk" + i + ".img"));
                var spec = TestGuest.Spec.built(guestDir, disk, MEMORY_MIB[i], DIRTY_MIB, REGION_MIB[i]);
                sources[i] = TestGuest.start(spec, dir.resolve("src" + i + ".qmp"), dir.resolve("src" + i + ".serial"), false);
                guests.add(sources[i]);
                targets[i] = TestGuest.start(spec, dir.resolve("dst" + i + ".qmp"), dir.resolve("dst" + i + ".serial"), true);
                guests.add(targets[i]);
            }
            for (TestGuest s : sources) {
                s.awaitHeartbeat(5, Duration.ofSeconds(90));
            }
            // the scheduler's shares: two flows out of host 0, to hosts 1 and 2
            AtomicLong[] caps = {new AtomicLong(), new AtomicLong()};
            boolean[] done = new boolean[2];
            Runnable share = () -> {
                List<LinkShares.Flow<Integer>> flows = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    if (!done[i]) {
                        flows.add(LinkShares.Flow.of(i, 0, i + 1));
                    }
                }
                LinkShares.maxMin(flows, h -> LINK).forEach((i, s) -> caps[i].set(Math.round(s)));
            };
            share.run();
            double[] ends = new double[2];
            MigrationResult[] results = new MigrationResult[2];
            Throwable[] failed = new Throwable[2];
            long t0 = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                int me = i;
                Thread t = new Thread(() -> {
                    try (QmpClient src = QmpClient.connect(sources[me].qmp, CALL); QmpClient dst = QmpClient.connect(targets[me].qmp, CALL)) {
                        var context = MigrationContext.of((long) MEMORY_MIB[me] << 20, Link.of(LINK), limits());
                        results[me] = new QemuMigration(new QemuMigration.Endpoints(src, dst, QemuMigration.localUri()),
                                Policies.create("ferry", (long) MEMORY_MIB[me] << 20), QemuMigration.Mode.forPolicy("ferry"), context,
                                Duration.ofSeconds(60)).run(new Controls() {
                                    @Override
                                    public long bandwidthCapBytesPerSecond() {
                                        return caps[me].get();
                                    }
                                });
                    } catch (Throwable e) {
                        failed[me] = e;
                    } finally {
                        ends[me] = (System.nanoTime() - t0) / 1e9;
                        synchronized (done) {
                            done[me] = true;
                            share.run(); // what the dispatcher's next pass does: the one left gets the whole link
                        }
                    }
                }, "migration-" + i);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            long[] bad = new long[2];
            for (int i = 0; i < 2; i++) {
                if (failed[i] != null) {
                    throw new IllegalStateException("migration " + i + " failed", failed[i]);
                }
                if (results[i].outcome() != MigrationResult.Outcome.SUCCEEDED) {
                    throw new IllegalStateException("migration " + i + " did not move: " + results[i].reason());
                }
                long last = sources[i].lastHeartbeat().count();
                bad[i] = targets[i].awaitHeartbeat(last + 5, Duration.ofSeconds(60)).bad();
            }
            return new Run(ends, results, bad);
        } finally {
            for (TestGuest g : guests) {
                g.close();
            }
        }
    }

    static String report(List<Run> runs) {
        StringBuilder md = new StringBuilder("# Two migrations sharing one host's link, on real QEMU\n\n");
        md.append("Produced by `./ferry bench-shared-link ").append(runs.size()).append("` on ").append(Machine.describe())
                .append(", QEMU ").append(QemuBenchmark.qemuVersion()).append(" under TCG (no KVM).\n\n");
        md.append(String.format(Locale.ROOT, "Two test guests (%d MiB with a %d MiB region, %d MiB with a %d MiB region, each "
                + "rewriting its region at %d MiB/s) leave one host at once, each to its own destination QEMU, over a host link "
                + "of %d MiB/s. As the scheduler does, each migration is held to its max-min share of the link (QEMU's "
                + "max-bandwidth: %d MiB/s each), and when one ends the other gets the whole link (the driver applies a new "
                + "share at once). Ferry's policy steers both, downtime target %d ms. The loopback between the QEMUs is far "
                + "faster than the link, so the caps, not the machine, set the pace. Predicted ends come from the bytes QEMU "
                + "says it sent: the check is of the link model (max-min shares, applied as caps), not of the dirty-page "
                + "forecast.%n%n", MEMORY_MIB[0], REGION_MIB[0], MEMORY_MIB[1], REGION_MIB[1], DIRTY_MIB, LINK_MIB, LINK_MIB / 2,
                DOWNTIME_MILLIS));
        md.append("| run | guest | MiB sent | measured end | predicted, shared link | error | predicted, whole link each | error "
                + "| rounds | downtime | bad pages |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<Integer, List<Double>> shared = new HashMap<>();
        Map<Integer, List<Double>> whole = new HashMap<>();
        for (int r = 0; r < runs.size(); r++) {
            Run run = runs.get(r);
            long[] bytes = {run.results()[0].bytesSent(), run.results()[1].bytesSent()};
            double[] s = predictedShared(bytes);
            double[] w = predictedWholeLink(bytes);
            for (int i = 1; i >= 0; i--) {
                double es = (run.endSeconds()[i] - s[i]) / s[i];
                double ew = (run.endSeconds()[i] - w[i]) / w[i];
                shared.computeIfAbsent(i, k -> new ArrayList<>()).add(es);
                whole.computeIfAbsent(i, k -> new ArrayList<>()).add(ew);
                md.append(String.format(Locale.ROOT, "| %d | %d MiB | %.0f | %.2f s | %.2f s | %+.0f %% | %.2f s | %+.0f %% | %d | %d ms | %d |%n",
                        r + 1, MEMORY_MIB[i], bytes[i] / 1048576.0, run.endSeconds()[i], s[i], es * 100, w[i], ew * 100,
                        run.results()[i].roundCount(), run.results()[i].downtimeMillis(), run.bad()[i]));
            }
        }
        md.append("\n");
        for (int i = 1; i >= 0; i--) {
            md.append(String.format(Locale.ROOT, "- %d MiB guest: shared-link model %s; whole-link model %s.%n", MEMORY_MIB[i],
                    spread(shared.get(i)), spread(whole.get(i))));
        }
        md.append("\nThe measured ends also include what neither model counts: starting each QEMU migration and the switch-over, "
                + "on two cores running four TCG guests.\n");
        return md.toString();
    }

    private static String spread(List<Double> errors) {
        List<Double> e = new ArrayList<>(errors);
        e.sort(Double::compare);
        return String.format(Locale.ROOT, "median error %+.0f %% (range %+.0f %% to %+.0f %%)", e.get(e.size() / 2) * 100,
                e.get(0) * 100, e.get(e.size() - 1) * 100);
    }
}
