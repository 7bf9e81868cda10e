package dev.ferry.inventory.rest;

import dev.ferry.inventory.model.Reservation;
import dev.ferry.inventory.model.ReservationState;
import dev.ferry.inventory.rest.FleetRequests.NewReservation;
import dev.ferry.inventory.rest.FleetRequests.Release;
import dev.ferry.inventory.service.ReservationService;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Destination holds for migrations. */
@Path("/reservations")
@Tag(name = "reservations", description = "CPU and memory held on a destination for one migration")
public class ReservationResource {
    /** A hold outlives any sane migration; the scheduler commits or releases it long before. */
    private static final int DEFAULT_TTL_SECONDS = 3600;

    @Inject
    ReservationService reservations;

    @POST
    @Operation(summary = "Reserve the destination for a migration",
            description = "Runs every pre-check under a lock on the target; 422 lists every failed rule. "
                    + "Repeating the request for the same migration returns the same reservation.")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = Reservation.class)))
    public Uni<Response> reserve(@NotNull @Valid NewReservation req) {
        Duration ttl = Duration.ofSeconds(Objects.requireNonNullElse(req.ttlSeconds(), DEFAULT_TTL_SECONDS));
        return reservations.reserve(req.migrationId(), req.vmId(), req.hostId(), ttl)
                .map(r -> Response.created(URI.create("/reservations/" + r.id)).entity(r).build());
    }

    @GET
    @Operation(summary = "List reservations by migration, host or state")
    public Uni<List<Reservation>> list(@QueryParam("migrationId") UUID migrationId, @QueryParam("hostId") Long hostId,
            @QueryParam("state") ReservationState state) {
        return reservations.list(migrationId, hostId, state);
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One reservation")
    public Uni<Reservation> get(@PathParam("id") long id) {
        return reservations.get(id);
    }

    @POST
    @Path("{id}/commit")
    @Operation(summary = "Commit a reservation: the VM now runs on the reserved host",
            description = "Normally done by the migration's success event; harmless when already committed, 409 when released")
    public Uni<Reservation> commit(@PathParam("id") long id) {
        return reservations.commitById(id);
    }

    @POST
    @Path("{id}/release")
    @Operation(summary = "Release a reservation; harmless when already released, 409 when committed")
    public Uni<Reservation> release(@PathParam("id") long id, Release req) {
        String reason = req == null || req.reason() == null ? "released by request" : req.reason();
        return reservations.release(id, reason);
    }
}
