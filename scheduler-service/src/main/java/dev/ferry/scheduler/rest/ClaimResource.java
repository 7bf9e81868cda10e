package dev.ferry.scheduler.rest;

import dev.ferry.scheduler.model.Claims;
import dev.ferry.scheduler.service.ClaimService;
import dev.ferry.support.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Workers' claims: the right to act on the hypervisor for one attempt of one migration, renewed with a heartbeat. */
@Path("/migrations/{id}/claims")
@Tag(name = "claims", description = "For workers: the fence that keeps two workers (or a late command) off one migration")
@RolesAllowed(Roles.WORKER)
public class ClaimResource {

    @Inject
    ClaimService claims;

    /** What a worker asks for. */
    @Schema(example = "{\"attempt\": 1, \"workerId\": \"4242@worker-1\", \"driver\": \"qemu\", \"jobsOutliveWorker\": true}")
    public record ClaimRequest(
            @NotNull @Min(1) @Max(1_000_000) Integer attempt,
            @NotBlank @Size(max = 200) String workerId,
            @NotBlank @Size(max = 50) String driver,
            boolean jobsOutliveWorker) {
    }

    @POST
    @Operation(summary = "Claim (or renew the claim on) the current attempt of a migration",
            description = "200 with the lease's end and how often to renew it. 409 when the migration ended, the attempt is "
                    + "not the current one, another worker holds it, a cancel came first, or this worker's claim lapsed: "
                    + "then the worker must not act on the hypervisor for it.")
    public Uni<ClaimService.Granted> claim(@PathParam("id") UUID id, @NotNull @Valid ClaimRequest request) {
        return claims.claim(id, new Claims.Request(request.attempt(), request.workerId(), request.driver(), request.jobsOutliveWorker()));
    }

    @DELETE
    @Path("{workerId}")
    @APIResponse(responseCode = "204", description = "Given back (or not held by this worker)")
    @Operation(summary = "Give a claim back (a worker shutting down): the migration is taken over at once",
            description = "204 whether or not the worker held it.")
    public Uni<Response> release(@PathParam("id") UUID id, @PathParam("workerId") @Size(max = 200) String workerId,
            @QueryParam("attempt") @NotNull @Min(1) @Max(1_000_000) Integer attempt,
            @QueryParam("reason") @Size(max = 500) String reason) {
        return claims.release(id, workerId, attempt, reason == null ? "no reason given" : reason)
                .replaceWith(Response.noContent().build());
    }
}
