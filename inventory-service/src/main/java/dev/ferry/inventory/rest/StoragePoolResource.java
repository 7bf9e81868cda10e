package dev.ferry.inventory.rest;

import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.inventory.api.Requests.NewStoragePool;
import dev.ferry.inventory.api.Views.StoragePoolView;
import dev.ferry.inventory.mapping.ViewMapper;
import dev.ferry.inventory.repository.StoragePoolRepository;
import dev.ferry.inventory.service.StoragePoolService;
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

/** Storage pools and the hosts that reach them. */
@Path("/storage-pools")
@Tag(name = "fleet", description = "The fleet model: what runs where and what every host can take")
@RolesAllowed(Roles.VIEWER)
public class StoragePoolResource {

    @Inject
    StoragePoolService pools;

    @Inject
    StoragePoolRepository repository;

    @RolesAllowed(Roles.ADMIN)
    @POST
    @Operation(summary = "Create a storage pool and say which hosts reach it")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = StoragePoolView.class)))
    public Uni<Response> create(@NotNull @Valid NewStoragePool req) {
        return pools.create(req).map(p -> Created.at("storage-pools", p.id, ViewMapper.view(p)));
    }

    @GET
    @WithSession
    @Operation(summary = "List storage pools, optionally those a host reaches, paged by name")
    public Uni<List<StoragePoolView>> list(@QueryParam("hostId") Long hostId,
            @QueryParam("page") @DefaultValue("0") @Min(0) @Max(Pages.MAX_PAGE) int page,
            @QueryParam("size") @DefaultValue("100") @Min(1) @Max(InventoryApi.MAX_PAGE_SIZE) int size) {
        return repository.page(hostId, page, size).map(all -> ViewMapper.all(all, ViewMapper::view));
    }

    @RolesAllowed(Roles.ADMIN)
    @PUT
    @Path("{id}")
    @Operation(summary = "Change a storage pool", description = "Send the version you read; 409 if it changed since")
    public Uni<StoragePoolView> update(@PathParam("id") long id, @NotNull @Valid NewStoragePool req) {
        return pools.update(id, req).map(ViewMapper::view);
    }

    @RolesAllowed(Roles.ADMIN)
    @DELETE
    @APIResponse(responseCode = "204", description = "Deleted")
    @Path("{id}")
    @Operation(summary = "Delete a storage pool", description = "409 while VM volumes are on it")
    public Uni<Response> delete(@PathParam("id") long id) {
        return pools.delete(id).map(x -> Response.noContent().build());
    }
}
