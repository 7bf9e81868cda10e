package dev.ferry.inventory.rest;

import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.inventory.api.Requests.NewNetwork;
import dev.ferry.inventory.api.Views.NetworkView;
import dev.ferry.inventory.mapping.ViewMapper;
import dev.ferry.inventory.repository.NetworkRepository;
import dev.ferry.inventory.service.NetworkService;
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

/** Guest networks and the hosts that carry them. */
@Path("/networks")
@Tag(name = "fleet", description = "The fleet model: what runs where and what every host can take")
@RolesAllowed(Roles.VIEWER)
public class NetworkResource {

    @Inject
    NetworkService networks;

    @Inject
    NetworkRepository repository;

    @RolesAllowed(Roles.ADMIN)
    @POST
    @Operation(summary = "Create a network and say which hosts carry it")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = NetworkView.class)))
    public Uni<Response> create(@NotNull @Valid NewNetwork req) {
        return networks.create(req).map(n -> Created.at("networks", n.id, ViewMapper.view(n)));
    }

    @GET
    @WithSession
    @Operation(summary = "List networks, optionally those a host carries, paged by name")
    public Uni<List<NetworkView>> list(@QueryParam("hostId") Long hostId,
            @QueryParam("page") @DefaultValue("0") @Min(0) @Max(Pages.MAX_PAGE) int page,
            @QueryParam("size") @DefaultValue("100") @Min(1) @Max(InventoryApi.MAX_PAGE_SIZE) int size) {
        return repository.page(hostId, page, size).map(all -> ViewMapper.all(all, ViewMapper::view));
    }

    @RolesAllowed(Roles.ADMIN)
    @PUT
    @Path("{id}")
    @Operation(summary = "Change a network", description = "Send the version you read; 409 if it changed since")
    public Uni<NetworkView> update(@PathParam("id") long id, @NotNull @Valid NewNetwork req) {
        return networks.update(id, req).map(ViewMapper::view);
    }

    @RolesAllowed(Roles.ADMIN)
    @DELETE
    @APIResponse(responseCode = "204", description = "Deleted")
    @Path("{id}")
    @Operation(summary = "Delete a network", description = "409 while VM NICs are on it")
    public Uni<Response> delete(@PathParam("id") long id) {
        return networks.delete(id).map(x -> Response.noContent().build());
    }
}
