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
import dev.ferry.inventory.model.VmState;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.PUT;
import java.util.HashMap;
import java.util.Map;
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
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** VMs: register, read, and ask where they can go. */
@Path("/vms")
@Tag(name = "vms", description = "VMs, pre-migration checks (XenMotion rules) and candidate hosts")
public class VmResource {

    @Inject
    FleetService fleet;

    @POST
        @Operation(summary = "Register a VM on a host")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = Vm.class)))
    public Uni<Response> createVm(@NotNull @Valid NewVm req) {
        return fleet.createVm(req).map(v -> FleetResource.created("vms", v.id, v));
    }

    @GET
        @WithSession
    @Operation(summary = "List VMs, filtered by host, state and part of the name, paged by name")
    public Uni<List<Vm>> vms(@QueryParam("hostId") Long hostId, @QueryParam("state") VmState state,
            @QueryParam("name") String nameContains,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("100") @Min(1) @Max(1000) int size) {
        StringBuilder q = new StringBuilder("1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (hostId != null) {
            q.append(" and hostId = :host");
            params.put("host", hostId);
        }
        if (state != null) {
            q.append(" and state = :state");
            params.put("state", state);
        }
        if (nameContains != null && !nameContains.isBlank()) {
            q.append(" and lower(name) like :name");
            params.put("name", "%" + nameContains.toLowerCase() + "%");
        }
        return Vm.<Vm>find(q.append(" order by name").toString(), params).page(Page.of(page, size)).list();
    }

    @PUT
    @Path("{id}")
    @Operation(summary = "Change a VM's record", description = "Send the version you read; 409 if it changed since. "
            + "A new hostId corrects the record (publishes VM_PLACEMENT_CHANGED) and is refused during a migration.")
    public Uni<Vm> update(@PathParam("id") long id, @NotNull @Valid NewVm req) {
        return fleet.updateVm(id, req);
    }

    @DELETE
    @APIResponse(responseCode = "204", description = "Deleted")
    @Path("{id}")
    @Operation(summary = "Remove a VM", description = "409 while a migration holds a reservation for it")
    public Uni<Response> delete(@PathParam("id") long id) {
        return fleet.deleteVm(id).map(x -> Response.noContent().build());
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
