package dev.ferry.inventory.rest;

import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.inventory.api.Requests.CompatibilityQuery;
import dev.ferry.inventory.api.Requests.NewVm;
import dev.ferry.inventory.api.Verdict;
import dev.ferry.inventory.api.Views.Candidate;
import dev.ferry.inventory.api.Views.VmView;
import dev.ferry.inventory.api.VmState;
import dev.ferry.inventory.mapping.ViewMapper;
import dev.ferry.inventory.repository.VmRepository;
import dev.ferry.inventory.service.PlacementService;
import dev.ferry.inventory.service.VmService;
import dev.ferry.support.Pages;
import dev.ferry.support.ProblemException;
import dev.ferry.support.security.Roles;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** VMs: register, read, and ask where they can go. */
@Path("/vms")
@Tag(name = "vms", description = "VMs, pre-migration checks (XenMotion rules) and candidate hosts")
@RolesAllowed(Roles.VIEWER)
public class VmResource {

    @Inject
    VmService vms;

    @Inject
    VmRepository repository;

    @Inject
    PlacementService placement;

    @RolesAllowed(Roles.ADMIN)
    @POST
    @Operation(summary = "Register a VM on a host")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = VmView.class)))
    public Uni<Response> create(@NotNull @Valid NewVm req) {
        return vms.create(req).map(v -> Created.at("vms", v.id, ViewMapper.view(v)));
    }

    @GET
    @WithSession
    @Operation(summary = "List VMs, filtered by host, state and part of the name, paged by name")
    public Uni<List<VmView>> list(@QueryParam("hostId") Long hostId, @QueryParam("state") VmState state,
            @QueryParam("name") String nameContains,
            @QueryParam("page") @DefaultValue("0") @Min(0) @Max(Pages.MAX_PAGE) int page,
            @QueryParam("size") @DefaultValue("100") @Min(1) @Max(InventoryApi.MAX_PAGE_SIZE) int size) {
        return repository.page(hostId, state, nameContains, page, size).map(all -> ViewMapper.all(all, ViewMapper::view));
    }

    @GET
    @Path("{id}")
    @WithSession
    @Operation(summary = "One VM, with the host it runs on")
    public Uni<VmView> get(@PathParam("id") long id) {
        return repository.findById(id).onItem().ifNull().failWith(() -> ProblemException.notFound("VM", id)).map(ViewMapper::view);
    }

    @RolesAllowed(Roles.ADMIN)
    @PUT
    @Path("{id}")
    @Operation(summary = "Change a VM's record", description = "Send the version you read; 409 if it changed since. "
            + "A new hostId corrects the record (publishes VM_PLACEMENT_CHANGED) and is refused during a migration.")
    public Uni<VmView> update(@PathParam("id") long id, @NotNull @Valid NewVm req) {
        return vms.update(id, req).map(ViewMapper::view);
    }

    @RolesAllowed(Roles.ADMIN)
    @DELETE
    @APIResponse(responseCode = "204", description = "Deleted")
    @Path("{id}")
    @Operation(summary = "Remove a VM", description = "409 while a migration holds a reservation for it; publishes VM_REMOVED")
    public Uni<Response> delete(@PathParam("id") long id) {
        return vms.delete(id).map(x -> Response.noContent().build());
    }

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
