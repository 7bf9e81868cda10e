package dev.ferry.worker.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.DirtyMeasurement;
import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.MigrationContext;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.QemuDefaultPolicy;
import dev.ferry.model.engine.RoundRecord;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.testsupport.TestGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test guest's write patterns (guest/init.c), booted under real QEMU: what the real-guest suite moves. */
class GuestPatternsTest {
    static final Duration CALL = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    /**
     * The generator itself is checked draw for draw on the host against the same header (GuestPatternTest in
     * migration-model); here the guest runs it: the pattern with a table of its own (zipf), the one that rests half the
     * time (bursts), and a name the guest does not know, booted at once (a boot under TCG is seconds of CPU).
     */
    @Test
    void thePatternsWriteAndTheirGuestsFindEveryPageIntactAndAnUnknownOneIsRefusedAloud() throws Exception {
        List<String> patterns = List.of("zipf", "bursts");
        List<TestGuest> guests = new ArrayList<>();
        try {
            for (String pattern : patterns) {
                var spec = QemuGuests.spec(dir.resolve(pattern), 128, 50, 32).writing(pattern); // a disk each
                guests.add(TestGuest.start(spec, dir.resolve(pattern + ".qmp"), dir.resolve(pattern + ".serial"), false));
            }
            var unknown = QemuGuests.spec(dir.resolve("zipff"), 128, 50, 32).writing("zipff");
            TestGuest refused = TestGuest.start(unknown, dir.resolve("zipff.qmp"), dir.resolve("zipff.serial"), false);
            guests.add(refused);
            for (int i = 0; i < patterns.size(); i++) {
                TestGuest guest = guests.get(i);
                TestGuest.Heartbeat later = guest.awaitHeartbeat(16, Duration.ofSeconds(120));

                assertThat(Files.readString(guest.serial)).contains("ready, region 32 MiB, writing 50 MiB/s, pattern " + patterns.get(i));
                assertThat(later.dirtied()).as(patterns.get(i)).isPositive();
                assertThat(later.checks()).as(patterns.get(i)).isGreaterThanOrEqualTo(2);
                assertThat(later.bad()).as(patterns.get(i)).isZero();
            }
            // by now the unknown one has long booted too (it boots as fast as the others)
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.readString(refused.serial).contains("ferry-guest:") && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(Files.readString(refused.serial)).contains("ferry-guest: bad command line (pattern zipff, region 32 MiB)");
            assertThat(refused.heartbeats()).isEmpty();
        } finally {
            guests.forEach(TestGuest::close);
        }
    }

    /**
     * What the worker measures before a start, on a real guest: rewriting a 32 MiB region at random at 100 MiB/s, it
     * writes most of the region in a second and about half of it in a quarter; the scheduler's fit of the two windows
     * finds that region and that rate (within QEMU's sampling of 1,024 of the guest's pages, and TCG's pace).
     */
    @Test
    void theWritingMeasuredBeforeTheStartIsTheGuestsRegionAndRate() throws Exception {
        var spec = QemuGuests.spec(dir, 256, 100, 32).writing("uniform");
        try (TestGuest guest = TestGuest.start(spec, dir.resolve("g.qmp"), dir.resolve("g.serial"), false)) {
            guest.awaitHeartbeat(3, Duration.ofSeconds(120));
            try (QmpClient qmp = QmpClient.connect(guest.qmp, CALL)) {
                DirtyMeasurement measured = DirtySample.beforeStart((command, arguments) -> qmp.execute(command, arguments, CALL));

                // as QEMU measured them: the asked length or somewhat more (QEMU reports the time it really slept,
                // which a loaded 2-core machine stretches: 257 ms in one CI run), never less, never another window's
                assertThat(measured.windows()).extracting(DirtyMeasurement.Window::millis)
                        .satisfiesExactly(m -> assertThat(m).isBetween(250L, 400L), m -> assertThat(m).isBetween(1_000L, 1_150L));
                DirtyModel model = DirtyModel.measured(measured.windows().stream()
                        .map(w -> new RoundRecord.Sample(w.millis() / 1000.0, w.pages())).toList(), 65_536, measured.method());
                long regionPages = (32L << 20) / 4096;
                assertThat(model.hotPages()).as(model.basis()).isBetween(regionPages * 6 / 10, regionPages * 15 / 10);
                double writtenPagesPerSecond = (100L << 20) / 4096.0;
                assertThat(model.dirtyPagesPerSecond()).as(model.basis())
                        .isBetween(writtenPagesPerSecond * 0.4, writtenPagesPerSecond * 1.6);
            }
        }
    }

    /**
     * The zero pages sampled before a start are the pages the guest has not written: two 256 MiB guests rewriting
     * regions of 32 and 160 MiB, each written through at least once, differ by about half their memory (128 MiB), the
     * sample's error (at most 1.6 points each) well inside the bounds.
     */
    @Test
    void theZeroPagesSampledBeforeTheStartAreThePagesTheGuestHasNotWritten() throws Exception {
        List<TestGuest> guests = new ArrayList<>();
        try {
            for (int region : List.of(32, 160)) {
                var spec = QemuGuests.spec(dir.resolve("r" + region), 256, 200, region).writing("seq");
                guests.add(TestGuest.start(spec, dir.resolve("r" + region + ".qmp"), dir.resolve("r" + region + ".serial"), false));
            }
            List<Double> shares = new ArrayList<>();
            for (TestGuest guest : guests) {
                long regionPages = (guest == guests.get(0) ? 32L : 160L) << 20 >> 12;
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (guest.heartbeats().stream().mapToLong(TestGuest.Heartbeat::dirtied).max().orElse(0) < 2 * regionPages) {
                    assertThat(System.nanoTime() - deadline).as("the guest writes its region through twice within 120 s").isNegative();
                    Thread.sleep(200);
                }
                try (QmpClient qmp = QmpClient.connect(guest.qmp, CALL)) {
                    long start = System.nanoTime();
                    shares.add(ZeroPages.sample((command, arguments) -> qmp.execute(command, arguments, CALL)));
                    System.out.printf("zero pages sampled in %d ms: %.3f%n", (System.nanoTime() - start) / 1_000_000, shares.get(shares.size() - 1));
                }
            }
            assertThat(shares.get(0)).as("most of the guest with the small region is untouched").isGreaterThan(0.5);
            assertThat(shares.get(0) - shares.get(1)).as("the larger region's 128 MiB more, of 256").isBetween(0.4, 0.6);
        } finally {
            guests.forEach(TestGuest::close);
        }
    }

    /**
     * QEMU's auto-converge is run with QEMU's own parameters even from a process that a steered migration configured
     * before (here: the policy's idle settings, as a cancelled steered move leaves them), and a skewed guest moves
     * with its memory intact.
     */
    @Test
    void autoConvergeRunsWithQemusDefaultsWhateverTheSourceWasToldBefore() throws Exception {
        var spec = QemuGuests.spec(dir, 256, 50, 96).writing("zipf");
        try (TestGuest source = TestGuest.start(spec, dir.resolve("src.qmp"), dir.resolve("src.serial"), false);
                TestGuest destination = TestGuest.start(spec, dir.resolve("dst.qmp"), dir.resolve("dst.serial"), true)) {
            source.awaitHeartbeat(5, Duration.ofSeconds(60));
            try (QmpClient src = QmpClient.connect(source.qmp, CALL); QmpClient dst = QmpClient.connect(destination.qmp, CALL)) {
                src.execute("migrate-set-parameters", AutoConverge.idle(), CALL);
                var context = new MigrationContext(256L << 20, MigrationLimits.defaults(300), 100 << 20, 0.002);

                MigrationResult result = new QemuMigration(new QemuMigration.Endpoints(src, dst, QemuMigration.localUri()),
                        new QemuDefaultPolicy(), QemuMigration.Mode.QEMU_AUTO_CONVERGE, context, Duration.ofSeconds(30))
                        .run(Controls.NONE);

                assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
                var params = src.execute("query-migrate-parameters", null, CALL);
                assertThat(params.path("throttle-trigger-threshold").asInt()).isEqualTo(50);
                assertThat(params.path("cpu-throttle-initial").asInt()).isEqualTo(20);
                assertThat(params.path("cpu-throttle-increment").asInt()).isEqualTo(10);
                assertThat(params.path("max-cpu-throttle").asInt()).isEqualTo(99);
            }
            var onDestination = TestGuest.awaitContinuation(source.serial, destination.serial, 10, Duration.ofSeconds(30));
            assertThat(onDestination.get(onDestination.size() - 1).bad()).isZero();
        }
    }
}
