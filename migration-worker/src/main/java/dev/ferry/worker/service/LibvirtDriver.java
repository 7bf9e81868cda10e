package dev.ferry.worker.service;

import dev.ferry.events.DirtyMeasurement;
import dev.ferry.events.MigrationCommand;
import dev.ferry.model.engine.ConvergencePolicy;
import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.FencedException;
import dev.ferry.model.engine.GuestLocation;
import dev.ferry.model.engine.MigrationContext;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.worker.libvirt.LibvirtLocation;
import dev.ferry.worker.libvirt.LibvirtMigration;
import java.io.IOException;

/**
 * The libvirt driver as the service uses it: the START names both hosts' libvirt URIs and the destination's migration
 * address (inventory holds them), the VM's name is its libvirt domain's, and {@link LibvirtMigration} runs the
 * peer-to-peer migration. A migration job a dead worker left running on the source is adopted: followed and steered
 * to its end as the same attempt. After every run the driver asks both hosts where the guest runs, and after a
 * failure aborts any job left unsteered.
 */
final class LibvirtDriver implements HypervisorDriver {
    static final String NAME = "libvirt";
    private final WorkerConfig config;

    LibvirtDriver(WorkerConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean jobsOutliveWorker() {
        return true; // the source's libvirtd runs a peer-to-peer migration, not the worker
    }

    @Override
    public Finished migrate(MigrationCommand command, ConvergencePolicy policy, MigrationLimits limits, Controls controls)
            throws InterruptedException {
        String missing = missing(command);
        if (missing != null) {
            return Finished.failed(missing, GuestLocation.SOURCE, "nothing was sent");
        }
        try {
            // a job already running for this guest (its worker died) is adopted by LibvirtMigration, not restarted
            controls.requireClaim("touching libvirt");
            var context = MigrationContext.of(command.memoryBytes(), MigrationPlan.link(command), limits);
            var endpoints = new LibvirtMigration.Endpoints(command.sourceLibvirtUri(), command.targetLibvirtUri(),
                    "tcp://" + command.targetMigrationAddress(), command.vmName());
            MigrationResult result = new LibvirtMigration(endpoints, policy, context, config.progressTimeout()).run(controls);
            LibvirtLocation.Answer where = locate(command);
            return Finished.ran(result, where.where(), where.why());
        } catch (IOException | RuntimeException e) {
            if (e instanceof FencedException fenced) {
                throw fenced; // the new owner decides; this worker touches nothing more
            }
            controls.requireClaim("settling libvirt after a failure");
            String left = LibvirtMigration.settle(command.sourceLibvirtUri(), command.vmName());
            LibvirtLocation.Answer where = locate(command);
            return Finished.failed(left == null ? e.getMessage() : e.getMessage() + "; " + left, where.where(), where.why());
        }
    }

    @Override
    public DirtyMeasurement measure(MigrationCommand command) throws IOException, InterruptedException {
        if (command.sourceLibvirtUri() == null) {
            throw new IOException("inventory has no libvirt URI for the source host");
        }
        return LibvirtMigration.measureBeforeStart(command.sourceLibvirtUri(), command.vmName());
    }

    @Override
    public Finished abandon(MigrationCommand command, String why, Controls controls) throws InterruptedException {
        String missing = missing(command);
        if (missing != null) {
            return Finished.failed(why + "; " + missing, GuestLocation.SOURCE, "nothing was sent");
        }
        controls.requireClaim("stopping libvirt");
        String left = LibvirtMigration.settle(command.sourceLibvirtUri(), command.vmName());
        LibvirtLocation.Answer where = locate(command);
        return Finished.failed(left == null ? why : why + "; " + left, where.where(), where.why());
    }

    private static LibvirtLocation.Answer locate(MigrationCommand command) {
        return LibvirtMigration.locate(command.sourceLibvirtUri(), command.targetLibvirtUri(), command.vmName());
    }

    /** What inventory lacks for this driver, or null. */
    private static String missing(MigrationCommand command) {
        if (command.sourceLibvirtUri() == null || command.targetLibvirtUri() == null || command.targetMigrationAddress() == null) {
            return "the libvirt driver needs both hosts' libvirt URIs and the destination's migration address in inventory "
                    + "(source " + command.sourceLibvirtUri() + ", destination " + command.targetLibvirtUri() + ", address "
                    + command.targetMigrationAddress() + "); nothing was sent";
        }
        return null;
    }
}
