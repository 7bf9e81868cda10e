package dev.ferry.worker.service;

import dev.ferry.events.MigrationCommand;
import dev.ferry.worker.engine.ConvergencePolicy;
import dev.ferry.worker.engine.Controls;
import dev.ferry.worker.engine.MigrationContext;
import dev.ferry.worker.engine.MigrationLimits;
import dev.ferry.worker.engine.MigrationResult;
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
        return Path.of(runDir).resolve("host-" + hostId).resolve("vm-" + vmId + ".qmp");
    }

    @Override
    public String cancelOrphan(MigrationCommand command) throws IOException, InterruptedException {
        Path source = socket(config.qemuRunDir(), command.sourceHostId(), command.vmId());
        if (!java.nio.file.Files.exists(source)) {
            return null;
        }
        try (QmpClient src = QmpClient.connect(source, CONNECT)) {
            return QemuMigration.cancelOrphan(src);
        }
    }

    @Override
    public MigrationResult migrate(MigrationCommand command, ConvergencePolicy policy, MigrationLimits limits,
            Controls controls) throws IOException, InterruptedException {
        Path source = socket(config.qemuRunDir(), command.sourceHostId(), command.vmId());
        Path destination = socket(config.qemuRunDir(), command.targetHostId(), command.vmId());
        try (QmpClient src = QmpClient.connect(source, CONNECT); QmpClient dst = QmpClient.connect(destination, CONNECT)) {
            double bandwidth = limits.maxBandwidthBytesPerSecond() > 0
                    ? Math.min(limits.maxBandwidthBytesPerSecond(), command.linkBandwidthBytesPerSecond())
                    : command.linkBandwidthBytesPerSecond();
            var context = new MigrationContext(command.memoryBytes(), limits, bandwidth, 0.002);
            var endpoints = new QemuMigration.Endpoints(src, dst, QemuMigration.localUri());
            return new QemuMigration(endpoints, policy, QemuMigration.Mode.forPolicy(config.policy()), context, config.qemuProgressTimeout()).run(controls);
        }
    }
}
