package dev.ferry.inventory.rest;

import dev.ferry.inventory.InventoryConfig;
import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.inventory.api.Requests.NewReservation;
import dev.ferry.inventory.api.Requests.Release;
import dev.ferry.inventory.api.ReservationState;
import dev.ferry.inventory.api.Views.ReservationView;
import dev.ferry.inventory.mapping.ViewMapper;
import dev.ferry.inventory.repository.ReservationRepository;
import dev.ferry.inventory.service.ReservationService;
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
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Destination holds for migrations. */
@Path("/reservations")
@Tag(name = "reservations", description = "CPU and memory held on a destination for one migration")
@RolesAllowed(Roles.VIEWER)
public class ReservationResource {

    @Inject
    ReservationService reservations;

    @Inject
    ReservationRepository repository;

    @Inject
    InventoryConfig config;

    @RolesAllowed({Roles.SCHEDULER, Roles.ADMIN})
    @POST
    @Operation(summary = "Reserve the destination for a migration",
            description = "Runs every pre-check under a lock on the target; 422 lists every failed rule. "
                    + "Repeating the request for the same migration returns the same reservation; a migration whose "
                    + "reservation was released may reserve again, re-checked, in the same reservation; 409 while it holds "
                    + "another host or after its reservation was committed.")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = ReservationView.class)))
    public Uni<Response> reserve(@NotNull @Valid NewReservation req) {
        Duration ttl = req.ttlSeconds() == null ? config.reservationTtl() : Duration.ofSeconds(req.ttlSeconds());
        return reservations.reserve(req.migrationId(), req.vmId(), req.hostId(), ttl)
                .map(r -> Created.at("reservations", r.id, ViewMapper.view(r)));
    }

    @GET
    @WithSession
    @Operation(summary = "List reservations by migration, host or state, paged by id")
    public Uni<List<ReservationView>> list(@QueryParam("migrationId") UUID migrationId, @QueryParam("hostId") Long hostId,
            @QueryParam("state") ReservationState state,
            @QueryParam("page") @DefaultValue("0") @Min(0) @Max(Pages.MAX_PAGE) int page,
            @QueryParam("size") @DefaultValue("100") @Min(1) @Max(InventoryApi.MAX_PAGE_SIZE) int size) {
        return repository.page(migrationId, hostId, state, page, size).map(all -> ViewMapper.all(all, ViewMapper::view));
    }

    @GET
    @Path("{id}")
    @WithSession
    @Operation(summary = "One reservation")
    public Uni<ReservationView> get(@PathParam("id") long id) {
        return repository.findById(id).onItem().ifNull().failWith(() -> ProblemException.notFound("Reservation", id))
                .map(ViewMapper::view);
    }

    @RolesAllowed({Roles.SCHEDULER, Roles.ADMIN})
    @POST
    @Path("{id}/commit")
    @Operation(summary = "Commit a reservation: the VM now runs on the reserved host",
            description = "Normally done by the migration's success event; harmless when already committed, 409 when released")
    public Uni<ReservationView> commit(@PathParam("id") long id) {
        return reservations.commitById(id).map(ViewMapper::view);
    }

    @RolesAllowed({Roles.SCHEDULER, Roles.ADMIN})
    @POST
    @Path("{id}/release")
    @Operation(summary = "Release a reservation; harmless when already released, 409 when committed")
    public Uni<ReservationView> release(@PathParam("id") long id, Release req) {
        String reason = req == null || req.reason() == null ? "released by request" : req.reason();
        return reservations.release(id, reason).map(ViewMapper::view);
    }
}
