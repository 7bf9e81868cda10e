package dev.ferry.scheduler.rebalance;

import dev.ferry.support.security.Callers;
import dev.ferry.support.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Evening out a cluster's hosts. */
@Path("/")
@Tag(name = "rebalance", description = "Even out a cluster's allocation, each move weighed against its predicted cost")
@RolesAllowed(Roles.OPERATOR)
public class RebalanceResource {

    @Inject
    RebalanceService rebalances;

    @Inject
    SecurityIdentity identity;

    @POST
    @Path("clusters/{id}/rebalance")
    @Operation(summary = "Rebalance a cluster",
            description = "Proposes moves that reduce the cluster's imbalance (the standard deviation across its UP hosts of "
                    + "allocated memory and of allocated vCPUs, each relative to the host's capacity with its overcommit), "
                    + "taking at each step the move that removes the most imbalance per second of predicted cost (total time, "
                    + "and downtime counted 100 times); moves predicted not to converge are never proposed. 202 with the plan "
                    + "and the queued migrations (REBALANCE priority: after evacuations and operators' requests). With "
                    + "dryRun=true, 200 with the plan, changing nothing. 409 while the cluster's last rebalance has moves "
                    + "left.")
    @APIResponse(responseCode = "202", description = "Queued", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = RebalancePlanView.class)))
    @APIResponse(responseCode = "200", description = "dryRun=true: the plan", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = RebalancePlanView.class)))
    @APIResponse(responseCode = "404", description = "No such cluster (no host in it)")
    @APIResponse(responseCode = "409", description = "The cluster's last rebalance still has moves to make, or none of its hosts is UP")
    public Uni<Response> rebalance(@PathParam("id") long clusterId,
            @Parameter(description = "only show the plan; nothing is queued") @QueryParam("dryRun") boolean dryRun) {
        if (dryRun) {
            return rebalances.preview(clusterId).map(p -> Response.ok(p).build());
        }
        return rebalances.rebalance(clusterId, Callers.of(identity)).map(p -> Response.accepted(p).build());
    }
}
