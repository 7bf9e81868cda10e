package dev.ferry.tools.bench;

import dev.ferry.events.DirtyMeasurement;
import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.GuestLocation;
import dev.ferry.model.engine.MigrationContext;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.Policies;
import dev.ferry.testsupport.TestGuest;
import dev.ferry.worker.qemu.DirtySample;
import dev.ferry.worker.qemu.QemuMigration;
import dev.ferry.worker.qemu.QmpClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One booted test guest moved back and forth between QEMU processes on this machine: each move starts a fresh
 * destination, and the guest lives on wherever the move left it (the destination after a move, the source after a
 * cancelled one). Booting once per guest, not once per move, is what keeps the suite affordable. After every move the
 * guest's memory is verified: moved, its heartbeat goes on from the source's last beat and its own page check finds no
 * bad page; not moved, it still beats on the source with no bad page. The guest's count of bad pages is kept over
 * its life: a move that corrupted it marks every later move of that guest as not verified too.
 */
final class GuestShuttle implements AutoCloseable {
    static final Duration CALL = Duration.ofSeconds(10);
    private final TestGuest.Spec spec;
    private final Path dir;
    private TestGuest at;
    private int processes;

    /** What one move did, and whether the guest's memory was verified after it (and if not, why). */
    record Move(MigrationResult result, boolean verified, String note) {
        boolean moved() {
            return result.outcome() == MigrationResult.Outcome.SUCCEEDED;
        }
    }

    private GuestShuttle(TestGuest.Spec spec, Path dir, TestGuest at) {
        this.spec = spec;
        this.dir = dir;
        this.at = at;
    }

    /** Boots the guest and waits for its fifth heartbeat (it has written for a second by then). */
    static GuestShuttle boot(TestGuest.Spec spec, Path dir) throws IOException {
        TestGuest first = TestGuest.start(spec, dir.resolve("g0.qmp"), dir.resolve("g0.serial"), false);
        try {
            first.awaitHeartbeat(5, Duration.ofSeconds(60));
        } catch (IOException | RuntimeException e) {
            first.close();
            throw e;
        }
        return new GuestShuttle(spec, dir, first);
    }

    /**
     * Watches the guest write where it runs now, as a worker does before a start its command asks to measure; null when
     * QEMU could not (the move goes on, as it does in the service).
     */
    DirtyMeasurement measure() throws InterruptedException {
        try (QmpClient src = QmpClient.connect(at.qmp, CALL)) {
            return DirtySample.beforeStart((command, arguments) -> src.execute(command, arguments, CALL));
        } catch (IOException e) {
            System.err.println("the guest's writing could not be measured: " + e.getMessage());
            return null;
        }
    }

    /** Moves the guest under {@code policy} (qemu-default, qemu-auto-converge or a policy Ferry steers with). */
    Move move(String policy, MigrationContext context) throws Exception {
        int n = ++processes;
        TestGuest to = TestGuest.start(spec, dir.resolve("g" + n + ".qmp"), dir.resolve("g" + n + ".serial"), true);
        MigrationResult result;
        long started = System.nanoTime();
        try (QmpClient src = QmpClient.connect(at.qmp, CALL); QmpClient dst = QmpClient.connect(to.qmp, CALL)) {
            var endpoints = new QemuMigration.Endpoints(src, dst, QemuMigration.localUri());
            QemuMigration.Mode mode = QemuMigration.Mode.forPolicy(policy);
            var steering = Policies.create(mode == QemuMigration.Mode.STEERED ? policy : "qemu-default", context.memoryBytes());
            try {
                result = new QemuMigration(endpoints, steering, mode, context, Duration.ofSeconds(60)).run(Controls.NONE);
            } catch (Exception e) {
                // QEMU failed the move (or the driver did): one move lost, not the suite. The guest lives on wherever
                // QEMU says it runs; the other process goes.
                String why = "the move failed: " + e.getMessage();
                if (QemuMigration.locate(src, dst, Duration.ofSeconds(10)).where() == GuestLocation.DESTINATION) {
                    at.close();
                    at = to;
                } else {
                    to.close();
                }
                return new Move(new MigrationResult(MigrationResult.Outcome.ABORTED, List.of(), null, 0,
                        (System.nanoTime() - started) / 1_000_000, 0, why), false, why);
            }
        } catch (Exception e) {
            if (at != to) {
                to.close();
            }
            throw e;
        }
        if (result.outcome() == MigrationResult.Outcome.SUCCEEDED) {
            TestGuest from = at;
            at = to;
            try {
                TestGuest.awaitContinuation(from.serial, to.serial, 10, Duration.ofSeconds(30));
                return new Move(result, true, "");
            } catch (IOException e) {
                return new Move(result, false, e.getMessage());
            } finally {
                from.close();
            }
        }
        to.close();
        try {
            TestGuest.Heartbeat before = at.lastHeartbeat();
            long last = before == null ? 0 : before.count();
            TestGuest.Heartbeat later = at.awaitHeartbeat(last + 10, Duration.ofSeconds(30));
            return later.bad() == 0 ? new Move(result, true, "")
                    : new Move(result, false, "the guest found " + later.bad() + " bad pages on the source after the move was cancelled");
        } catch (IOException e) {
            return new Move(result, false, "the guest did not go on on the source: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        at.close();
    }
}
