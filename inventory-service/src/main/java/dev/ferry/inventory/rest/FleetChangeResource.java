package dev.ferry.inventory.rest;

import dev.ferry.events.Principal;
import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.inventory.audit.FleetChange;
import dev.ferry.inventory.repository.Paging;
import dev.ferry.support.Pages;
import dev.ferry.support.security.Roles;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The fleet's audit trail: every change made through the API, who made it, newest first. */
@Path("/fleet-changes")
@Tag(name = "fleet", description = "The fleet model: what runs where and what every host can take")
@RolesAllowed(Roles.VIEWER)
public class FleetChangeResource {

    /** One change of the fleet. */
    @Schema(example = "{\"id\": 42, \"changedAt\": \"2026-12-02T15:04:05Z\", \"changedBy\": {\"subject\": \"8c1f0f7e-3d7a-4f0e-9d5b-6b1a2c3d4e5f\", \"name\": \"admin\"}, \"action\": \"state\", \"entity\": \"host\", \"entityId\": 3, \"detail\": \"UP -> MAINTENANCE\"}")
    public record FleetChangeView(long id, Instant changedAt, Principal changedBy, String action, String entity, Long entityId,
            String detail) {
        static FleetChangeView of(FleetChange c) {
            return new FleetChangeView(c.id, c.changedAt, new Principal(c.principalSubject, c.principal), c.action, c.entity,
                    c.entityId, c.detail);
        }
    }

    @GET
    @WithSession
    @Operation(summary = "The fleet's audit trail, newest first, filtered by what changed and who changed it",
            description = "entity is cluster, host, VM, storage pool or network; changedBy matches a name or a subject.")
    public Uni<List<FleetChangeView>> list(@QueryParam("entity") @Size(max = 50) String entity,
            @QueryParam("entityId") Long entityId, @QueryParam("changedBy") @Size(max = 255) String changedBy,
            @QueryParam("page") @DefaultValue("0") @Min(0) @Max(Pages.MAX_PAGE) int page,
            @QueryParam("size") @DefaultValue("100") @Min(1) @Max(InventoryApi.MAX_PAGE_SIZE) int size) {
        Paging q = new Paging().and("entity = :entity", "entity", entity).and("entityId = :entityId", "entityId", entityId)
                .and("(principal = :by or principalSubject = :by)", "by", changedBy);
        return FleetChange.<FleetChange>find(q.query("id desc"), q.params()).page(Paging.page(page, size)).list()
                .map(all -> all.stream().map(FleetChangeView::of).toList());
    }
}
