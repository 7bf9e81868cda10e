package dev.ferry.inventory.rest;

import dev.ferry.inventory.model.Cluster;
import dev.ferry.inventory.model.Host;
import dev.ferry.inventory.model.HostState;
import dev.ferry.inventory.model.Network;
import dev.ferry.inventory.model.StoragePool;
import dev.ferry.inventory.rest.FleetRequests.HostStateChange;
import dev.ferry.inventory.rest.FleetRequests.NewCluster;
import dev.ferry.inventory.rest.FleetRequests.NewHost;
import dev.ferry.inventory.rest.FleetRequests.NewNetwork;
import dev.ferry.inventory.rest.FleetRequests.NewStoragePool;
import dev.ferry.inventory.service.FleetService;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.smallrye.mutiny.Uni;
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
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Clusters, hosts, storage pools and networks. */
@Path("/")
@Tag(name = "fleet", description = "The fleet model: what runs where and what every host can take")
public class FleetResource {

    @Inject
    FleetService fleet;

    @POST
    @Path("clusters")
    @Operation(summary = "Create a cluster")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = Cluster.class)))
    public Uni<Response> createCluster(@NotNull @Valid NewCluster req) {
        return fleet.createCluster(req).map(c -> created("clusters", c.id, c));
    }

    @GET
    @Path("clusters")
    @WithSession
    @Operation(summary = "List clusters")
    public Uni<List<Cluster>> clusters() {
        return Cluster.listAll(io.quarkus.panache.common.Sort.by("name"));
    }

    @PUT
    @Path("clusters/{id}")
    @Operation(summary = "Rename a cluster", description = "Send the version you read; 409 if it changed since")
    public Uni<Cluster> updateCluster(@PathParam("id") long id, @NotNull @Valid NewCluster req) {
        return fleet.updateCluster(id, req);
    }

    @DELETE
    @APIResponse(responseCode = "204", description = "Deleted")
    @Path("clusters/{id}")
    @Operation(summary = "Delete an empty cluster", description = "409 while hosts belong to it")
    public Uni<Response> deleteCluster(@PathParam("id") long id) {
        return fleet.deleteCluster(id).map(x -> Response.noContent().build());
    }

    @POST
    @Path("hosts")
    @Operation(summary = "Register a hypervisor host")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = Host.class)))
    public Uni<Response> createHost(@NotNull @Valid NewHost req) {
        return fleet.createHost(req).map(h -> created("hosts", h.id, h));
    }

    @GET
    @Path("hosts")
    @WithSession
    @Operation(summary = "List hosts, filtered by cluster and state, paged by name")
    public Uni<List<Host>> hosts(@QueryParam("clusterId") Long clusterId, @QueryParam("state") HostState state,
            @QueryParam("page") @DefaultValue("0") @Min(0) int page,
            @QueryParam("size") @DefaultValue("100") @Min(1) @Max(1000) int size) {
        var params = new java.util.HashMap<String, Object>();
        StringBuilder q = new StringBuilder("1 = 1");
        if (clusterId != null) {
            q.append(" and clusterId = :c");
            params.put("c", clusterId);
        }
        if (state != null) {
            q.append(" and state = :s");
            params.put("s", state);
        }
        return Host.<Host>find(q.append(" order by name").toString(), params).page(Page.of(page, size)).list();
    }

    @GET
    @Path("hosts/{id}")
    @WithSession
    @Operation(summary = "One host")
    public Uni<Host> host(@PathParam("id") long id) {
        return Host.<Host>findById(id).onItem().ifNull().failWith(() -> ProblemException.notFound("Host", id));
    }

    @PUT
    @Path("hosts/{id}")
    @Operation(summary = "Change a host", description = "Send the version you read; 409 if it changed since. "
            + "A state change publishes HOST_STATE_CHANGED on inventory-events.")
    public Uni<Host> updateHost(@PathParam("id") long id, @NotNull @Valid NewHost req) {
        return fleet.updateHost(id, req);
    }

    @DELETE
    @APIResponse(responseCode = "204", description = "Deleted")
    @Path("hosts/{id}")
    @Operation(summary = "Remove a host", description = "409 while VMs run on it or reservations hold it")
    public Uni<Response> deleteHost(@PathParam("id") long id) {
        return fleet.deleteHost(id).map(x -> Response.noContent().build());
    }

    @PUT
    @Path("hosts/{id}/state")
    @Operation(summary = "Change a host's state (UP, MAINTENANCE, DISABLED, DOWN)")
    public Uni<Host> changeHostState(@PathParam("id") long id, @NotNull @Valid HostStateChange req) {
        return fleet.changeHostState(id, req.state());
    }

    @POST
    @Path("storage-pools")
    @Operation(summary = "Create a storage pool and say which hosts reach it")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = StoragePool.class)))
    public Uni<Response> createPool(@NotNull @Valid NewStoragePool req) {
        return fleet.createPool(req).map(p -> created("storage-pools", p.id, p));
    }

    @GET
    @Path("storage-pools")
    @WithSession
    @Operation(summary = "List storage pools, optionally those a host reaches")
    public Uni<List<StoragePool>> pools(@QueryParam("hostId") Long hostId) {
        return hostId == null ? StoragePool.listAll(io.quarkus.panache.common.Sort.by("name"))
                : StoragePool.list("select p from StoragePool p join p.hostIds h where h = ?1 order by p.name", hostId);
    }

    @PUT
    @Path("storage-pools/{id}")
    @Operation(summary = "Change a storage pool", description = "Send the version you read; 409 if it changed since")
    public Uni<StoragePool> updatePool(@PathParam("id") long id, @NotNull @Valid NewStoragePool req) {
        return fleet.updatePool(id, req);
    }

    @DELETE
    @APIResponse(responseCode = "204", description = "Deleted")
    @Path("storage-pools/{id}")
    @Operation(summary = "Delete a storage pool", description = "409 while VM volumes are on it")
    public Uni<Response> deletePool(@PathParam("id") long id) {
        return fleet.deletePool(id).map(x -> Response.noContent().build());
    }

    @POST
    @Path("networks")
    @Operation(summary = "Create a network and say which hosts carry it")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json", schema = @Schema(implementation = Network.class)))
    public Uni<Response> createNetwork(@NotNull @Valid NewNetwork req) {
        return fleet.createNetwork(req).map(n -> created("networks", n.id, n));
    }

    @GET
    @Path("networks")
    @WithSession
    @Operation(summary = "List networks, optionally those a host carries")
    public Uni<List<Network>> networks(@QueryParam("hostId") Long hostId) {
        return hostId == null ? Network.listAll(io.quarkus.panache.common.Sort.by("name"))
                : Network.list("select n from Network n join n.hostIds h where h = ?1 order by n.name", hostId);
    }

    @PUT
    @Path("networks/{id}")
    @Operation(summary = "Change a network", description = "Send the version you read; 409 if it changed since")
    public Uni<Network> updateNetwork(@PathParam("id") long id, @NotNull @Valid NewNetwork req) {
        return fleet.updateNetwork(id, req);
    }

    @DELETE
    @APIResponse(responseCode = "204", description = "Deleted")
    @Path("networks/{id}")
    @Operation(summary = "Delete a network", description = "409 while VM NICs are on it")
    public Uni<Response> deleteNetwork(@PathParam("id") long id) {
        return fleet.deleteNetwork(id).map(x -> Response.noContent().build());
    }

    static Response created(String collection, Long id, Object body) {
        return Response.created(URI.create("/" + collection + "/" + id)).entity(body).build();
    }
}
