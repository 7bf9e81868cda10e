package dev.ferry.scheduler.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.ClientWebApplicationException;
import io.quarkus.rest.client.reactive.ClientExceptionMapper;

/** inventory-service's REST API, as far as the scheduler needs it. Bodies stay JSON: inventory owns their shape. */
@RegisterRestClient(configKey = "inventory")
@Path("/")
public interface InventoryClient {

    @GET
    @Path("vms/{id}")
    Uni<JsonNode> vm(@PathParam("id") long id);

    @GET
    @Path("hosts/{id}")
    Uni<JsonNode> host(@PathParam("id") long id);

    @GET
    @Path("vms")
    Uni<JsonNode> vmsOnHost(@QueryParam("hostId") long hostId, @QueryParam("size") int size);

    @PUT
    @Path("hosts/{id}/state")
    Uni<JsonNode> changeHostState(@PathParam("id") long id, Map<String, Object> request);

    @GET
    @Path("vms/{id}/candidates")
    Uni<JsonNode> candidates(@PathParam("id") long id);

    @POST
    @Path("vms/{id}/compatibility")
    Uni<JsonNode> compatibility(@PathParam("id") long id, Map<String, Object> request);

    @POST
    @Path("reservations")
    Uni<JsonNode> reserve(Map<String, Object> request);

    @POST
    @Path("reservations/{id}/release")
    Uni<JsonNode> release(@PathParam("id") long id, Map<String, Object> request);

    /** Keeps inventory's problem body, so that its failed rules reach the operator unchanged. */
    @ClientExceptionMapper
    static RuntimeException toException(Response response) {
        if (response.getStatus() < 400) {
            return null;
        }
        JsonNode problem = null;
        try {
            problem = response.readEntity(JsonNode.class);
        } catch (RuntimeException unreadable) {
            // no JSON body: the status alone will have to do
        }
        if (response.getStatus() >= 500) {
            return new ClientWebApplicationException("inventory-service answered " + response.getStatus(), response.getStatus());
        }
        return new InventoryRefusal(response.getStatus(), problem);
    }
}
