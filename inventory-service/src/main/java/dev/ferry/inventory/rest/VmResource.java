package dev.ferry.inventory.rest;

import dev.ferry.inventory.precheck.Verdict;
import dev.ferry.inventory.rest.FleetRequests.CompatibilityQuery;
import dev.ferry.inventory.service.PlacementService;
import dev.ferry.inventory.service.PlacementService.Candidate;
import dev.ferry.inventory.model.Vm;
import dev.ferry.inventory.rest.FleetRequests.NewVm;
import dev.ferry.inventory.service.FleetService;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** VMs: register, read, and ask where they can go. */
@Path("/vms")
@Tag(name = "vms", description = "VMs, pre-migration checks (XenMotion rules) and candidate hosts")
public class VmResource {

    @Inject
    FleetService fleet;

    @POST
        @Operation(summary = "Register a VM on a host")
    public Uni<Response> createVm(@NotNull @Valid NewVm req) {
        return fleet.createVm(req).map(v -> FleetResource.created("vms", v.id, v));
    }

    @GET
        @WithSession
    @Operation(summary = "List VMs, filtered by host, paged by name")
    public Uni<List<Vm>> vms(@QueryParam("hostId") Long hostId,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("100") @Min(1) @Max(1000) int size) {
        var query = hostId == null ? Vm.<Vm>find("order by name") : Vm.<Vm>find("hostId = ?1 order by name", hostId);
        return query.page(Page.of(page, size)).list();
    }

    @GET
    @Path("{id}")
    @WithSession
    @Operation(summary = "One VM, with the host it runs on")
    public Uni<Vm> vm(@PathParam("id") long id) {
        return Vm.<Vm>findById(id).onItem().ifNull().failWith(() -> ProblemException.notFound("VM", id));
    }


    @Inject
    PlacementService placement;

    @POST
    @Path("{id}/compatibility")
    @Operation(summary = "Check the VM against candidate hosts",
            description = "One verdict per host, with every rule's result, its stable code and a sentence")
    public Uni<List<Verdict>> compatibility(@PathParam("id") long id, @NotNull @Valid CompatibilityQuery query) {
        return placement.check(id, query.hostIds());
    }

    @GET
    @Path("{id}/candidates")
    @Operation(summary = "Hosts the VM could move to, ranked; excluded hosts come last with their failed rules")
    public Uni<List<Candidate>> candidates(@PathParam("id") long id) {
        return placement.candidates(id);
    }
}
