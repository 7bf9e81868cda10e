package dev.ferry.inventory.api;

import dev.ferry.inventory.api.Requests.CompatibilityQuery;
import dev.ferry.inventory.api.Requests.HostStateChange;
import dev.ferry.inventory.api.Requests.NewReservation;
import dev.ferry.inventory.api.Requests.Release;
import dev.ferry.inventory.api.Views.Candidate;
import dev.ferry.inventory.api.Views.HostView;
import dev.ferry.inventory.api.Views.ReservationView;
import dev.ferry.inventory.api.Views.VmView;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * inventory-service's REST API as other services call it: the scheduler builds its REST client from this interface.
 * Every method names an operation inventory-service serves with these very records; a test in inventory-service
 * holds this interface against its OpenAPI document and round-trips the records through real HTTP.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface InventoryApi {
    /** The largest page a list endpoint gives. */
    int MAX_PAGE_SIZE = 1000;

    @GET
    @Path("vms/{id}")
    Uni<VmView> vm(@PathParam("id") long id);

    /** One page of the VMs on a host, by name. */
    @GET
    @Path("vms")
    Uni<List<VmView>> vmsOnHost(@QueryParam("hostId") long hostId, @QueryParam("page") int page, @QueryParam("size") int size);

    @GET
    @Path("hosts/{id}")
    Uni<HostView> host(@PathParam("id") long id);

    /** One page of a cluster's hosts, by name. */
    @GET
    @Path("hosts")
    Uni<List<HostView>> hostsOfCluster(@QueryParam("clusterId") long clusterId, @QueryParam("page") int page,
            @QueryParam("size") int size);

    @PUT
    @Path("hosts/{id}/state")
    Uni<HostView> changeHostState(@PathParam("id") long id, HostStateChange request);

    /** Every other host of the VM's cluster: compatible ones first, each with every rule's verdict. */
    @GET
    @Path("vms/{id}/candidates")
    Uni<List<Candidate>> candidates(@PathParam("id") long vmId);

    @POST
    @Path("vms/{id}/compatibility")
    Uni<List<Verdict>> compatibility(@PathParam("id") long vmId, CompatibilityQuery query);

    /** One page of the placement rules that name a VM on this host (or in this cluster), by name. */
    @GET
    @Path("placement-rules")
    Uni<List<Views.PlacementRuleView>> placementRules(@QueryParam("hostId") Long hostId, @QueryParam("clusterId") Long clusterId,
            @QueryParam("page") int page, @QueryParam("size") int size);

    /** Holds the destination; 422 with every failed rule when it cannot be held. */
    @POST
    @Path("reservations")
    Uni<ReservationView> reserve(NewReservation request);

    @POST
    @Path("reservations/{id}/release")
    Uni<ReservationView> release(@PathParam("id") long id, Release request);
}
