package dev.ferry.worker.service;

import dev.ferry.events.DirtyMeasurement;
import dev.ferry.events.MigrationCommand;
import dev.ferry.model.engine.ConvergencePolicy;
import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.FencedException;
import dev.ferry.model.engine.MigrationContext;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.worker.qemu.DirtySample;
import dev.ferry.worker.qemu.QemuLocation;
import dev.ferry.worker.qemu.QemuMigration;
import dev.ferry.worker.qemu.QmpClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The qemu driver as the service uses it: finds the two QMP sockets of the VM by convention, has the destination
 * listen on a free local port, and runs {@link QemuMigration} (or takes over the job QEMU still runs for it). After
 * every run, failed ones included, it leaves no job running unsteered and asks both QEMUs where the guest runs.
 */
final class QemuDriver implements HypervisorDriver {
    static final String NAME = "qemu";
    private static final Duration CONNECT = Duration.ofSeconds(10);
    /** How long a switch-over in progress may keep the guest's location open before it counts as unknown. */
    private static final Duration SETTLE = Duration.ofSeconds(15);
    private final WorkerConfig config;

    QemuDriver(WorkerConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return NAME;
    }

    static Path socket(String runDir, long hostId, long vmId) {
        return QemuMigration.socket(Path.of(runDir), hostId, vmId);
    }

    @Override
    public boolean jobsOutliveWorker() {
        return true; // QEMU keeps migrating without anyone steering it: the migration's next owner takes the job over
    }

    @Override
    public Finished migrate(MigrationCommand command, ConvergencePolicy policy, MigrationLimits limits, Controls controls)
            throws InterruptedException {
        try (Sides sides = Sides.connect(config, command)) {
            if (sides.source == null) {
                QemuLocation.Answer where = QemuMigration.locate(null, sides.destination, SETTLE);
                return Finished.failed(sides.unreachable, where.where(), where.why());
            }
            try {
                if (sides.destination == null && !sides.sourceMigrating()) {
                    throw new IOException(sides.unreachable);
                }
                var context = MigrationContext.of(command.memoryBytes(), MigrationPlan.link(command), limits);
                var endpoints = new QemuMigration.Endpoints(sides.source, sides.destination, QemuMigration.localUri());
                MigrationResult result = new QemuMigration(endpoints, policy, QemuMigration.Mode.forPolicy(MigrationPlan.policy(command, config.policy())), context,
                        config.progressTimeout()).run(controls);
                QemuLocation.Answer where = QemuMigration.locate(sides.source, sides.destination, SETTLE);
                return Finished.ran(result, where.where(), where.why());
            } catch (IOException | RuntimeException e) {
                if (e instanceof FencedException fenced) {
                    throw fenced; // the new owner steers the job; this worker touches nothing more
                }
                // whatever broke, no job may go on unsteered: cancel it cleanly, then ask where the guest is
                controls.requireClaim("settling QEMU after a failure");
                settle(sides.source);
                QemuLocation.Answer where = QemuMigration.locate(sides.source, sides.destination, SETTLE);
                return Finished.failed(e.getMessage(), where.where(), where.why());
            }
        }
    }

    @Override
    public DirtyMeasurement measure(MigrationCommand command) throws IOException, InterruptedException {
        try (QmpClient source = QmpClient.connect(socket(config.qemuRunDir(), command.sourceHostId(), command.vmId()), CONNECT)) {
            return DirtySample.beforeStart((name, arguments) -> source.execute(name, arguments, CONNECT));
        }
    }

    @Override
    public Finished abandon(MigrationCommand command, String why, Controls controls) throws InterruptedException {
        try (Sides sides = Sides.connect(config, command)) {
            controls.requireClaim("stopping QEMU");
            String found = sides.source == null ? null : settle(sides.source);
            QemuLocation.Answer where = QemuMigration.locate(sides.source, sides.destination, SETTLE);
            return Finished.failed(found == null ? why : why + "; " + found, where.where(), where.why());
        }
    }

    private static String settle(QmpClient source) throws InterruptedException {
        try {
            return QemuMigration.settle(source);
        } catch (IOException e) {
            return "the source did not answer a cancel: " + e.getMessage();
        }
    }

    /** The two QMP connections of the VM's QEMUs; a side that cannot be reached is null, and said why. */
    private static final class Sides implements AutoCloseable {
        QmpClient source;
        QmpClient destination;
        String unreachable;

        static Sides connect(WorkerConfig config, MigrationCommand command) {
            Sides s = new Sides();
            s.source = s.open(socket(config.qemuRunDir(), command.sourceHostId(), command.vmId()));
            s.destination = s.open(socket(config.qemuRunDir(), command.targetHostId(), command.vmId()));
            return s;
        }

        private QmpClient open(Path socket) {
            try {
                return QmpClient.connect(socket, CONNECT);
            } catch (IOException e) {
                unreachable = unreachable == null ? e.getMessage() : unreachable + "; " + e.getMessage();
                return null;
            }
        }

        boolean sourceMigrating() {
            try {
                return QemuLocation.migrating(source.execute("query-migrate", null, CONNECT).path("status").asText());
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void close() {
            if (source != null) {
                source.close();
            }
            if (destination != null) {
                destination.close();
            }
        }
    }
}
