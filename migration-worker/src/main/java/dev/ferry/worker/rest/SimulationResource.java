package dev.ferry.worker.rest;

import dev.ferry.model.engine.PreCopyEngine;
import dev.ferry.model.sim.WorkloadSuite;
import dev.ferry.support.ProblemException;
import dev.ferry.support.security.Roles;
import dev.ferry.worker.service.MigrationPlan;
import dev.ferry.worker.service.WorkerConfig;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** What the simulator can tell before a migration: the planning side of the simulated driver. */
@Path("/simulation")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.VIEWER)
public class SimulationResource {
    static final long MAX_MEMORY_BYTES = 256L << 30; // sampling walks the guest's pages: keep a request bounded
    static final double MAX_SECONDS = 10;
    /** 400 Gbit/s, the fastest NIC in service. */
    static final long MAX_LINK_BYTES_PER_SECOND = 50_000_000_000L;

    @Inject
    WorkerConfig config;

    @GET
    @Path("/dirty-rate")
    @Blocking
    @Operation(summary = "Sample a VM's dirty rate before migrating it (like QEMU's calc-dirty-rate; simulated)")
    public DirtyRateSample dirtyRate(@QueryParam("vmId") Long vmId, @QueryParam("memoryBytes") Long memoryBytes,
            @QueryParam("linkBandwidthBytesPerSecond") @DefaultValue("1250000000") long linkBandwidth,
            @QueryParam("seconds") @DefaultValue("1") double seconds) {
        if (vmId == null) {
            throw ProblemException.badRequest("missing-vm-id", "vmId", "vmId is required");
        }
        if (memoryBytes == null || memoryBytes < PreCopyEngine.PAGE_SIZE || memoryBytes > MAX_MEMORY_BYTES) {
            throw ProblemException.badRequest("bad-memory", "memoryBytes",
                    "memoryBytes must be between one page (4096) and 256 GiB, was " + memoryBytes);
        }
        if (linkBandwidth <= 0 || linkBandwidth > MAX_LINK_BYTES_PER_SECOND) {
            // the simulated guest dirties in proportion to the link: an absurd link would simulate for minutes
            throw ProblemException.badRequest("bad-bandwidth", "linkBandwidthBytesPerSecond",
                    "linkBandwidthBytesPerSecond must be > 0 and at most " + MAX_LINK_BYTES_PER_SECOND + " (400 Gbit/s), was "
                            + linkBandwidth);
        }
        if (!(seconds > 0) || seconds > MAX_SECONDS) {
            throw ProblemException.badRequest("bad-period", "seconds", "seconds must be > 0 and <= 10, was " + seconds);
        }
        WorkloadSuite.Spec spec = MigrationPlan.workload(config.simulatedWorkload(), vmId);
        var guest = MigrationPlan.guest(spec, memoryBytes, linkBandwidth, vmId, vmId);
        double pagesPerSecond = guest.sampleDirtyRate(seconds);
        return new DirtyRateSample(vmId, spec.name(), seconds, pagesPerSecond, pagesPerSecond * PreCopyEngine.PAGE_SIZE,
                "simulated");
    }
}
