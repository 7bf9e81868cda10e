package dev.ferry.inventory.rest;

import dev.ferry.inventory.api.HostState;
import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.inventory.api.Requests.DiscoverHost;
import dev.ferry.inventory.api.Requests.HostStateChange;
import dev.ferry.inventory.api.Requests.NewHost;
import dev.ferry.inventory.api.Views.HostView;
import dev.ferry.inventory.discovery.HostDiscovery;
import dev.ferry.inventory.mapping.ViewMapper;
import dev.ferry.inventory.repository.HostRepository;
import dev.ferry.inventory.service.HostService;
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

/** Hypervisor hosts. */
@Path("/hosts")
@Tag(name = "fleet", description = "The fleet model: what runs where and what every host can take")
@RolesAllowed(Roles.VIEWER)
public class HostResource {

    @Inject
    HostService hosts;

    @Inject
    HostRepository repository;

    @Inject
    HostDiscovery discovery;

    @RolesAllowed(Roles.ADMIN)
    @POST
    @Operation(summary = "Register a hypervisor host")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = HostView.class)))
    public Uni<Response> create(@NotNull @Valid NewHost req) {
        return hosts.create(req).map(h -> Created.at("hosts", h.id, ViewMapper.view(h)));
    }

    @RolesAllowed(Roles.ADMIN)
    @POST
    @Path("discover")
    @Operation(summary = "Register a host by its libvirt URI",
            description = "Creates the host in state DISCOVERING and asks a worker to probe its libvirtd; the report fills in "
                    + "the CPU, memory and versions and makes the host UP. GET the host to follow it (lastReportAt, "
                    + "unreachableReason).")
    @APIResponse(responseCode = "201", description = "Created, discovery under way", content = @Content(mediaType = "application/json", schema = @Schema(implementation = HostView.class)))
    public Uni<Response> discover(@NotNull @Valid DiscoverHost req) {
        return discovery.discover(req).map(h -> Created.at("hosts", h.id, ViewMapper.view(h)));
    }

    @RolesAllowed(Roles.ADMIN)
    @POST
    @Path("{id}/probe")
    @Operation(summary = "Ask the host's libvirtd again now", description = "A worker probes the host (as the periodic sync "
            + "does): its facts are refreshed and its guests compared with inventory; differences become discrepancies.")
    @APIResponse(responseCode = "202", description = "Probe sent")
    public Uni<Response> probe(@PathParam("id") long id) {
        return discovery.probeNow(id).map(h -> Response.accepted(ViewMapper.view(h)).build());
    }

    @GET
    @WithSession
    @Operation(summary = "List hosts, filtered by cluster and state, paged by name")
    public Uni<List<HostView>> list(@QueryParam("clusterId") Long clusterId, @QueryParam("state") HostState state,
            @QueryParam("page") @DefaultValue("0") @Min(0) @Max(Pages.MAX_PAGE) int page,
            @QueryParam("size") @DefaultValue("100") @Min(1) @Max(InventoryApi.MAX_PAGE_SIZE) int size) {
        return repository.page(clusterId, state, page, size).map(all -> ViewMapper.all(all, ViewMapper::view));
    }

    @GET
    @Path("{id}")
    @WithSession
    @Operation(summary = "One host")
    public Uni<HostView> get(@PathParam("id") long id) {
        return repository.findById(id).onItem().ifNull().failWith(() -> ProblemException.notFound("Host", id)).map(ViewMapper::view);
    }

    @RolesAllowed(Roles.ADMIN)
    @PUT
    @Path("{id}")
    @Operation(summary = "Change a host", description = "Send the version you read; 409 if it changed since. "
            + "A state change publishes HOST_STATE_CHANGED on inventory-events.")
    public Uni<HostView> update(@PathParam("id") long id, @NotNull @Valid NewHost req) {
        return hosts.update(id, req).map(ViewMapper::view);
    }

    @RolesAllowed(Roles.ADMIN)
    @DELETE
    @APIResponse(responseCode = "204", description = "Deleted")
    @Path("{id}")
    @Operation(summary = "Remove a host", description = "409 while VMs run on it or reservations hold it; publishes HOST_REMOVED")
    public Uni<Response> delete(@PathParam("id") long id) {
        return hosts.delete(id).map(x -> Response.noContent().build());
    }

    @RolesAllowed({Roles.ADMIN, Roles.SCHEDULER})
    @PUT
    @Path("{id}/state")
    @Operation(summary = "Change a host's state (UP, MAINTENANCE, DISABLED, DOWN)")
    public Uni<HostView> changeState(@PathParam("id") long id, @NotNull @Valid HostStateChange req) {
        return hosts.changeState(id, req.state()).map(ViewMapper::view);
    }
}
