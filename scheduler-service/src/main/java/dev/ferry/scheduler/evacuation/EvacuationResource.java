package dev.ferry.scheduler.evacuation;

import dev.ferry.events.Principal;
import dev.ferry.scheduler.service.OperatorRequests;
import dev.ferry.support.Pages;
import dev.ferry.support.security.Callers;
import dev.ferry.support.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Host evacuation for maintenance. */
@Path("/")
@Tag(name = "evacuations", description = "Empty a host for maintenance: plan, order, concurrency, progress and ETA")
@RolesAllowed(Roles.VIEWER)
public class EvacuationResource {

    @Inject
    EvacuationService evacuations;

    @Inject
    OperatorRequests operator;

    /** The caller, whose name and subject the evacuation and its migrations record. */
    @Inject
    SecurityIdentity identity;

    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("hosts/{id}/evacuate")
    @Operation(summary = "Evacuate a host",
            description = "Puts the host into MAINTENANCE through inventory-service, plans a migration for every VM on it "
                    + "(order, destinations and how many at once chosen under shared links: concurrent migrations share the host's "
                    + "outbound and each destination's inbound link) and runs them "
                    + "at EVACUATION priority. 202 with the plan and its predicted makespan; VMs that cannot go anywhere "
                    + "are listed with the reason. Asking again while it runs returns the running evacuation. With "
                    + "dryRun=true, answers 200 with the plan it would run now and changes nothing.")
    @APIResponse(responseCode = "202", description = "Accepted", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = EvacuationView.class)))
    @APIResponse(responseCode = "200", description = "dryRun=true: the plan", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = EvacuationPlanView.class)))
    public Uni<Response> evacuate(@PathParam("id") long hostId,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "only show the plan: the host "
                    + "keeps its state and nothing is queued") @jakarta.ws.rs.QueryParam("dryRun") boolean dryRun) {
        if (dryRun) {
            return evacuations.preview(hostId).map(p -> Response.ok(p).build());
        }
        return evacuations.evacuate(hostId, Callers.of(identity)).flatMap(evacuations::view)
                .map(v -> Response.accepted(v).location(URI.create("/evacuations/" + v.id())).build());
    }

    @GET
    @Path("evacuations/{id}")
    @Operation(summary = "One evacuation: plan, progress, ETA and what could not be placed")
    public Uni<EvacuationView> get(@PathParam("id") UUID id) {
        return evacuations.view(id);
    }

    @GET
    @Path("evacuations")
    @Operation(summary = "Evacuations, newest first, paged")
    public Uni<List<EvacuationView>> list(@QueryParam("page") @DefaultValue("0") @Min(0) @Max(Pages.MAX_PAGE) int page,
            @QueryParam("size") @DefaultValue("50") @Min(1) @Max(500) int size) {
        return evacuations.list(page, size);
    }

    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("evacuations/{id}/cancel")
    @Operation(summary = "Cancel an evacuation: every migration not yet finished is cancelled; what moved stays moved",
            description = "The host stays in MAINTENANCE: put it back UP through inventory-service when it should take VMs again.")
    @APIResponse(responseCode = "202", description = "Accepted", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = EvacuationView.class)))
    public Uni<Response> cancel(@PathParam("id") UUID id) {
        Principal by = Callers.of(identity);
        return evacuations.cancel(id)
                .flatMap(ids -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (UUID m : ids) {
                        chain = chain.flatMap(x -> operator.cancel(m, by).replaceWithVoid()
                                .onFailure().recoverWithNull()); // one that just finished cannot be cancelled: fine
                    }
                    return chain;
                })
                .flatMap(x -> evacuations.view(id))
                .map(v -> Response.accepted(v).build());
    }
}
