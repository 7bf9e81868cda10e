package dev.ferry.scheduler.console;

import dev.ferry.support.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.inventory.api.Requests.CompatibilityQuery;
import dev.ferry.inventory.api.Requests.HostStateChange;
import dev.ferry.inventory.api.Verdict;
import dev.ferry.inventory.api.Views.Candidate;
import dev.ferry.inventory.api.Views.ClusterView;
import dev.ferry.inventory.api.Views.HostView;
import dev.ferry.inventory.api.Views.ReservationView;
import dev.ferry.inventory.api.Views.VmView;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * inventory-service's reads under the scheduler's origin, for the web console (and any client that reaches only the
 * scheduler). Each operation answers exactly what inventory's operation of the same path answers, to the same caller;
 * a malformed body is refused here (400) before it travels.
 */
@Path("/inventory")
@Tag(name = "inventory relay", description = "inventory-service's reads the console needs, relayed with the caller's token: "
        + "same paths after /inventory, same answers, same roles")
@RolesAllowed(Roles.VIEWER)
@Produces(MediaType.APPLICATION_JSON)
public class InventoryRelayResource {
    private static final String AUTH = "Authorization";

    @Inject
    InventoryRelay relay;

    /** Bodies are read as inventory-api's records and written again: what is malformed is refused here, with a 400. */
    @Inject
    ObjectMapper json;

    @Context
    UriInfo uri;

    @GET
    @Path("clusters")
    @Operation(summary = "Clusters (inventory's GET /clusters)")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = ClusterView.class)))
    public Uni<Response> clusters(@QueryParam("page") Integer page, @QueryParam("size") Integer size,
            @HeaderParam(AUTH) String auth) {
        return get("/clusters", auth);
    }

    @GET
    @Path("hosts")
    @Operation(summary = "Hosts with state, CPU and memory (inventory's GET /hosts)")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = HostView.class)))
    public Uni<Response> hosts(@QueryParam("clusterId") Long clusterId, @QueryParam("state") String state,
            @QueryParam("page") Integer page, @QueryParam("size") Integer size, @HeaderParam(AUTH) String auth) {
        return get("/hosts", auth);
    }

    @GET
    @Path("hosts/{id}")
    @Operation(summary = "One host (inventory's GET /hosts/{id})")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = HostView.class)))
    public Uni<Response> host(@PathParam("id") long id, @HeaderParam(AUTH) String auth) {
        return get("/hosts/" + id, auth);
    }

    @GET
    @Path("vms")
    @Operation(summary = "VMs, by host, state or name (inventory's GET /vms)")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = VmView.class)))
    public Uni<Response> vms(@QueryParam("hostId") Long hostId, @QueryParam("state") String state, @QueryParam("name") String name,
            @QueryParam("page") Integer page, @QueryParam("size") Integer size, @HeaderParam(AUTH) String auth) {
        return get("/vms", auth);
    }

    @GET
    @Path("vms/{id}")
    @Operation(summary = "One VM (inventory's GET /vms/{id})")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = VmView.class)))
    public Uni<Response> vm(@PathParam("id") long id, @HeaderParam(AUTH) String auth) {
        return get("/vms/" + id, auth);
    }

    @GET
    @Path("vms/{id}/candidates")
    @Operation(summary = "Every host the VM could move to, ranked, with each host's failed rules "
            + "(inventory's GET /vms/{id}/candidates)")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = Candidate.class)))
    public Uni<Response> candidates(@PathParam("id") long id, @HeaderParam(AUTH) String auth) {
        return get("/vms/" + id + "/candidates", auth);
    }

    @GET
    @Path("reservations")
    @Operation(summary = "Capacity held on destinations for migrations, by host or state (inventory's GET /reservations)")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = ReservationView.class)))
    public Uni<Response> reservations(@QueryParam("migrationId") String migrationId, @QueryParam("hostId") Long hostId,
            @QueryParam("state") String state, @QueryParam("page") Integer page, @QueryParam("size") Integer size,
            @HeaderParam(AUTH) String auth) {
        return get("/reservations", auth);
    }

    @POST
    @Path("vms/{id}/compatibility")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "The pre-check verdict, rule by rule, for chosen hosts (inventory's POST /vms/{id}/compatibility)")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = Verdict.class)))
    public Uni<Response> compatibility(@PathParam("id") long id, @NotNull @Valid CompatibilityQuery query,
            @HeaderParam(AUTH) String auth) throws JsonProcessingException {
        return relay.forward("POST", "/vms/" + id + "/compatibility", null, auth, json.writeValueAsString(query));
    }

    @RolesAllowed(Roles.ADMIN)
    @PUT
    @Path("hosts/{id}/state")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change a host's state, e.g. into MAINTENANCE (inventory's PUT /hosts/{id}/state, admin only)")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = HostView.class)))
    public Uni<Response> changeHostState(@PathParam("id") long id, @NotNull @Valid HostStateChange change,
            @HeaderParam(AUTH) String auth) throws JsonProcessingException {
        return relay.forward("PUT", "/hosts/" + id + "/state", null, auth, json.writeValueAsString(change));
    }

    private Uni<Response> get(String path, String auth) {
        return relay.forward("GET", path, uri.getRequestUri().getRawQuery(), auth, null);
    }
}
