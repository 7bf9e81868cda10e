package dev.ferry.scheduler.rest;

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
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** A worker's renewal, twice per heartbeat: every claim it holds renewed in one call. */
@Path("/claims/renewals")
@Tag(name = "claims")
@RolesAllowed(Roles.WORKER)
public class ClaimRenewalResource {

    @Inject
    ClaimService claims;

    public record HeldClaim(@NotNull UUID migrationId, @NotNull @Min(1) @Max(1_000_000) Integer attempt) {
    }

    @Schema(example = "{\"workerId\": \"4242@worker-1\", \"claims\": [{\"migrationId\": \"7d8e2f5c-2f61-4a7e-9a63-2c1a9d7c6a10\", \"attempt\": 1}]}")
    public record RenewalRequest(@NotBlank @Size(max = 200) String workerId, @NotNull @Size(max = 10_000) List<@NotNull @Valid HeldClaim> claims) {
    }

    @Schema(name = "Renewal", example = "{\"leaseMillis\": 15000, \"renewEveryMillis\": 5000, \"renewed\": [\"7d8e2f5c-2f61-4a7e-9a63-2c1a9d7c6a10\"], \"refused\": [{\"migrationId\": \"0b5f2f0e-3c41-4f6a-8d0e-4a8b9c1d2e3f\", \"slug\": \"stale-attempt\", \"detail\": \"attempt 1 of migration 0b5f2f0e-3c41-4f6a-8d0e-4a8b9c1d2e3f is not the current one (2): it was given up and retried\"}]}")
    public record RenewalView(long leaseMillis, long renewEveryMillis, List<UUID> renewed, List<ClaimService.Refused> refused) {
    }

    @POST
    @Operation(summary = "Renew every claim a worker holds (twice per heartbeat)",
            description = "Renewed: the worker may go on acting for those until the lease ends. Refused (ended, retried, "
                    + "lapsed, someone else's): the worker must stop acting for those at once. Neither (its row was held by "
                    + "another transaction past the renewal's wait: 1 s a row, 2 s for all): not renewed by this call; the worker's next renewal renews it, "
                    + "and the worker acts for it until its lease, as it had.")
    public Uni<RenewalView> renew(@NotNull @Valid RenewalRequest request) {
        return claims.renew(request.workerId(), request.claims().stream()
                        .map(c -> new ClaimService.Held(c.migrationId(), c.attempt())).toList())
                .map(r -> new RenewalView(r.leaseMillis(), r.renewEveryMillis(), r.renewed(), r.refused()));
    }
}
