package dev.ferry.inventory.rest;

import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.inventory.api.Requests.NewPlacementRule;
import dev.ferry.inventory.api.Views.PlacementRuleView;
import dev.ferry.inventory.mapping.ViewMapper;
import dev.ferry.inventory.repository.PlacementRuleRepository;
import dev.ferry.inventory.service.PlacementRuleService;
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

/** Placement rules (DRS's affinity, anti-affinity and host groups), enforced by the pre-checks of every move. */
@Path("/placement-rules")
@Tag(name = "fleet", description = "The fleet model: what runs where and what every host can take")
@RolesAllowed(Roles.VIEWER)
public class PlacementRuleResource {

    @Inject
    PlacementRuleService service;

    @Inject
    PlacementRuleRepository repository;

    @RolesAllowed(Roles.ADMIN)
    @POST
    @Operation(summary = "Create a placement rule: VMs TOGETHER on one host, APART on different hosts, or ON_HOSTS only",
            description = "Every later move, placement, evacuation and rebalance honours it; a move it blocks fails the "
                    + "VM_AFFINITY, VM_ANTI_AFFINITY or HOST_AFFINITY pre-check with the rule's name. VMs already placed "
                    + "against it stay where they are until moved.")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = PlacementRuleView.class)))
    public Uni<Response> create(@NotNull @Valid NewPlacementRule req) {
        return service.create(req).map(r -> Created.at("placement-rules", r.id, ViewMapper.view(r)));
    }

    @GET
    @WithSession
    @Operation(summary = "List placement rules by name; with hostId or clusterId, those that name a VM on it")
    public Uni<List<PlacementRuleView>> list(@QueryParam("hostId") Long hostId, @QueryParam("clusterId") Long clusterId,
            @QueryParam("page") @DefaultValue("0") @Min(0) @Max(Pages.MAX_PAGE) int page,
            @QueryParam("size") @DefaultValue("100") @Min(1) @Max(InventoryApi.MAX_PAGE_SIZE) int size) {
        if (hostId != null && clusterId != null) {
            return Uni.createFrom().failure(ProblemException.badRequest("invalid-filter", "clusterId",
                    "give hostId or clusterId, not both"));
        }
        return repository.page(hostId, clusterId, page, size).map(all -> ViewMapper.all(all, ViewMapper::view));
    }

    @GET
    @WithSession
    @Path("{id}")
    @Operation(summary = "One placement rule")
    public Uni<PlacementRuleView> get(@PathParam("id") long id) {
        return repository.findById(id).onItem().ifNull().failWith(() -> ProblemException.notFound("Placement rule", id))
                .map(ViewMapper::view);
    }

    @RolesAllowed(Roles.ADMIN)
    @PUT
    @Path("{id}")
    @Operation(summary = "Change a placement rule", description = "Send the version you read; 409 if it changed since")
    public Uni<PlacementRuleView> update(@PathParam("id") long id, @NotNull @Valid NewPlacementRule req) {
        return service.update(id, req).map(ViewMapper::view);
    }

    @RolesAllowed(Roles.ADMIN)
    @DELETE
    @APIResponse(responseCode = "204", description = "Deleted")
    @Path("{id}")
    @Operation(summary = "Delete a placement rule")
    public Uni<Response> delete(@PathParam("id") long id) {
        return service.delete(id).map(x -> Response.noContent().build());
    }
}
