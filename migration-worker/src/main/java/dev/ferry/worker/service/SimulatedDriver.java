package dev.ferry.worker.service;

import dev.ferry.events.DirtyMeasurement;
import dev.ferry.events.MigrationCommand;
import dev.ferry.model.engine.ConvergencePolicy;
import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.GuestLocation;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.PreCopyEngine;
import dev.ferry.model.sim.SimulatedGuest;
import dev.ferry.model.sim.WorkloadSuite;
import dev.ferry.worker.qemu.DirtySample;
import dev.ferry.worker.qemu.ZeroPages;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/** The pre-copy engine over a page-level simulated guest whose workload is picked for the VM: a simulation. */
final class SimulatedDriver implements HypervisorDriver {
    static final String NAME = "simulated";
    private static final Logger LOG = Logger.getLogger(SimulatedDriver.class);
    private final WorkerConfig config;

    SimulatedDriver(WorkerConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Finished migrate(MigrationCommand command, ConvergencePolicy policy, MigrationLimits limits, Controls controls) {
        WorkloadSuite.Spec workload = MigrationPlan.workload(config.simulatedWorkload(), command.vmId());
        var link = MigrationPlan.link(command);
        var guest = guest(command, workload);
        LOG.infof("migration %s of VM %s: %d MiB over %d MB/s, workload %s, policy %s (simulated)", command.migrationId(),
                command.vmName(), command.memoryBytes() >> 20, command.linkBandwidthBytesPerSecond() / 1_000_000,
                workload.name(), policy.name());
        MigrationResult result = new PreCopyEngine(guest, policy, link, limits).run(controls);
        // the simulated guest lives in this process: it runs where the engine left it
        boolean moved = result.outcome() == MigrationResult.Outcome.SUCCEEDED;
        return Finished.ran(result, moved ? GuestLocation.DESTINATION : GuestLocation.SOURCE, "simulated guest");
    }

    /**
     * The simulator's sample of the guest the migration will move (its workload and seed), in virtual time: the windows
     * QEMU's calc-dirty-rate takes on a real guest ({@link DirtySample#BEFORE_START_MILLIS}), and its zero pages.
     */
    @Override
    public DirtyMeasurement measure(MigrationCommand command) throws InterruptedException {
        var guest = guest(command, MigrationPlan.workload(config.simulatedWorkload(), command.vmId()));
        List<DirtyMeasurement.Window> windows = new ArrayList<>();
        for (int millis : DirtySample.BEFORE_START_MILLIS) {
            double seconds = millis / 1000.0;
            windows.add(new DirtyMeasurement.Window(millis, Math.round(guest.sampleDirtyRate(seconds) * seconds)));
        }
        double zeroShare;
        try {
            // sampled as a real guest's is, so that a simulated forecast is only as sure of them as a real one
            zeroShare = ZeroPages.share(guest.pages(), page -> guest.isZeroPage((int) page),
                    new java.util.SplittableRandom(command.migrationId().getMostSignificantBits()), System::nanoTime);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a simulated guest's every page can be read", e);
        }
        return new DirtyMeasurement(windows, "simulated sample", zeroShare);
    }

    private static SimulatedGuest guest(MigrationCommand command, WorkloadSuite.Spec workload) {
        return MigrationPlan.guest(workload, command.memoryBytes(), MigrationPlan.link(command).bandwidthBytesPerSecond(),
                command.vmId(), command.migrationId().getLeastSignificantBits());
    }

    @Override
    public Finished abandon(MigrationCommand command, String why, Controls controls) {
        return Finished.failed(why + "; nothing was sent", GuestLocation.SOURCE, "simulated guest: nothing ran"); // a simulation dies with its worker
    }
}
