package dev.ferry.worker.service;

import dev.ferry.events.MigrationCommand;
import dev.ferry.model.engine.ConvergencePolicy;
import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.MigrationContext;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.worker.qemu.QemuMigration;
import dev.ferry.worker.qemu.QmpClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The qemu driver as the service uses it: finds the two QMP sockets of the VM by convention, has the destination
 * listen on a free local port, and runs {@link QemuMigration}. A libvirt driver would replace the socket convention
 * with virDomainMigrate's parameters and keep the rest.
 */
final class QemuDriver implements HypervisorDriver {
    static final String NAME = "qemu";
    private static final Duration CONNECT = Duration.ofSeconds(10);
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
        return true; // QEMU keeps migrating without anyone steering it; the next attempt finds it (QemuMigration.cancelOrphan)
    }

    @Override
    public MigrationResult migrate(MigrationCommand command, ConvergencePolicy policy, MigrationLimits limits,
            Controls controls) throws IOException, InterruptedException {
        Path source = socket(config.qemuRunDir(), command.sourceHostId(), command.vmId());
        Path destination = socket(config.qemuRunDir(), command.targetHostId(), command.vmId());
        try (QmpClient src = QmpClient.connect(source, CONNECT); QmpClient dst = QmpClient.connect(destination, CONNECT)) {
            var context = MigrationContext.of(command.memoryBytes(), MigrationPlan.link(command), limits);
            var endpoints = new QemuMigration.Endpoints(src, dst, QemuMigration.localUri());
            return new QemuMigration(endpoints, policy, QemuMigration.Mode.forPolicy(config.policy()), context, config.qemuProgressTimeout()).run(controls);
        }
    }
}
