package dev.ferry.inventory.rest;

import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.inventory.api.Requests.NewCluster;
import dev.ferry.inventory.api.Views.ClusterView;
import dev.ferry.inventory.mapping.ViewMapper;
import dev.ferry.inventory.repository.ClusterRepository;
import dev.ferry.inventory.service.ClusterService;
import dev.ferry.support.Pages;
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

/** Clusters. */
@Path("/clusters")
@Tag(name = "fleet", description = "The fleet model: what runs where and what every host can take")
@RolesAllowed(Roles.VIEWER)
public class ClusterResource {

    @Inject
    ClusterService clusters;

    @Inject
    ClusterRepository repository;

    @RolesAllowed(Roles.ADMIN)
    @POST
    @Operation(summary = "Create a cluster")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = ClusterView.class)))
    public Uni<Response> create(@NotNull @Valid NewCluster req) {
        return clusters.create(req).map(c -> Created.at("clusters", c.id, ViewMapper.view(c)));
    }

    @GET
    @WithSession
    @Operation(summary = "List clusters, paged by name")
    public Uni<List<ClusterView>> list(@QueryParam("page") @DefaultValue("0") @Min(0) @Max(Pages.MAX_PAGE) int page,
            @QueryParam("size") @DefaultValue("100") @Min(1) @Max(InventoryApi.MAX_PAGE_SIZE) int size) {
        return repository.page(page, size).map(all -> ViewMapper.all(all, ViewMapper::view));
    }

    @RolesAllowed(Roles.ADMIN)
    @PUT
    @Path("{id}")
    @Operation(summary = "Rename a cluster", description = "Send the version you read; 409 if it changed since")
    public Uni<ClusterView> update(@PathParam("id") long id, @NotNull @Valid NewCluster req) {
        return clusters.update(id, req).map(ViewMapper::view);
    }

    @RolesAllowed(Roles.ADMIN)
    @DELETE
    @APIResponse(responseCode = "204", description = "Deleted")
    @Path("{id}")
    @Operation(summary = "Delete an empty cluster", description = "409 while hosts belong to it")
    public Uni<Response> delete(@PathParam("id") long id) {
        return clusters.delete(id).map(x -> Response.noContent().build());
    }
}
