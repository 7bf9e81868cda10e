package dev.ferry.worker.service;

import dev.ferry.events.DirtyMeasurement;
import dev.ferry.events.MigrationCommand;
import dev.ferry.model.engine.ConvergencePolicy;
import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.GuestLocation;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.MigrationResult;
import java.io.IOException;

/**
 * What runs one migration for the worker: the simulator ({@link SimulatedDriver}), real QEMU over QMP on this machine
 * ({@link QemuDriver}), or the hosts' libvirt ({@link LibvirtDriver}). Each steers with the same policy and says
 * where the guest runs after every run.
 */
interface HypervisorDriver {

    /** The name in events and outcomes ("simulated", "qemu"). */
    String name();

    /**
     * How a run ended on the hypervisor: what the run returned ({@code result}, null when it failed), why it failed,
     * and where the guest runs as the hypervisor says afterwards, with the hypervisor's words for it. The outcome
     * reported follows {@code where}, not the run's belief.
     */
    record Finished(MigrationResult result, String failure, GuestLocation where, String said) {
        static Finished ran(MigrationResult result, GuestLocation where, String said) {
            return new Finished(result, null, where, said);
        }

        static Finished failed(String failure, GuestLocation where, String said) {
            return new Finished(null, failure, where, said);
        }
    }

    /**
     * Runs the migration to its end (moved, cancelled, given up by the policy, or failed), or takes over the job the
     * hypervisor still runs for it, then asks the hypervisor where the guest runs. Reports each round through
     * {@code controls} as it finishes. A fenced run ({@link dev.ferry.model.engine.FencedException}) leaves the
     * hypervisor as it is, for the migration's new owner.
     */
    Finished migrate(MigrationCommand command, ConvergencePolicy policy, MigrationLimits limits, Controls controls)
            throws InterruptedException;

    /**
     * Makes sure nothing runs for the migration (cancelling a job left running, if the driver's jobs outlive their
     * worker) and says where the guest runs: for a migration that must not go on, such as one past its deadline.
     */
    Finished abandon(MigrationCommand command, String why, Controls controls) throws InterruptedException;

    /**
     * Watches the guest write before round 1, as a start command may ask ({@link MigrationCommand#measuresFirst}): the
     * distinct pages it writes in a short and a longer window, for the scheduler's forecast. Touches no migration.
     *
     * @throws IOException when the hypervisor cannot measure: the migration goes on without
     */
    DirtyMeasurement measure(MigrationCommand command) throws IOException, InterruptedException;

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
            case LibvirtDriver.NAME -> new LibvirtDriver(config);
            default -> throw new IllegalArgumentException("ferry.worker.driver must be simulated, qemu or libvirt, was '" + name + "'");
        };
    }
}
