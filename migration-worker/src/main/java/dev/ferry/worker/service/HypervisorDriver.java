package dev.ferry.worker.service;

import dev.ferry.events.MigrationCommand;
import dev.ferry.model.engine.ConvergencePolicy;
import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.MigrationResult;
import java.io.IOException;

/**
 * What runs one migration for the worker: the simulator ({@link SimulatedDriver}) or real QEMU over QMP
 * ({@link QemuDriver}). A libvirt driver would be a third implementation: connect to both hosts' libvirt, migrate with
 * virDomainMigrate's parameters, and feed its job statistics to the same policy through {@code QemuMigration}'s loop.
 */
interface HypervisorDriver {

    /** The name in events and outcomes ("simulated", "qemu"). */
    String name();

    /**
     * Runs the migration to its end: moved, cancelled (the VM runs on the source) or given up by the policy.
     * Reports each round through {@code controls} as it finishes.
     */
    MigrationResult migrate(MigrationCommand command, ConvergencePolicy policy, MigrationLimits limits, Controls controls)
            throws IOException, InterruptedException;

    /**
     * Whether a migration this driver started keeps running on the hypervisor if the worker dies (QEMU's does; the
     * simulator's dies with the worker). The scheduler may then not assume the VM stayed on its source.
     */
    default boolean jobsOutliveWorker() {
        return false;
    }

    static HypervisorDriver named(String name, WorkerConfig config) {
        return switch (name) {
            case SimulatedDriver.NAME -> new SimulatedDriver(config);
            case QemuDriver.NAME -> new QemuDriver(config);
            default -> throw new IllegalArgumentException("ferry.worker.driver must be simulated or qemu, was '" + name + "'");
        };
    }
}
