package dev.ferry.scheduler.rest;

import dev.ferry.scheduler.model.Discrepancy;
import dev.ferry.support.Pages;
import dev.ferry.support.ProblemException;
import dev.ferry.support.security.Roles;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Page;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** What disagreed with a decided outcome, and migrations whose outcome nobody knows: for an operator to resolve. */
@Path("/discrepancies")
@Tag(name = "discrepancies", description = "Events that contradict a decided outcome, outcomes nobody knows, hosts that contradict inventory")
@RolesAllowed(Roles.VIEWER)
public class DiscrepancyResource {

    @Schema(name = "Discrepancy", example = "{\"id\": 3, \"migrationId\": \"7d8e2f5c-2f61-4a7e-9a63-2c1a9d7c6a10\", \"kind\": \"CONTRADICTS_OUTCOME\", \"detail\": \"worker 4242@worker-1 reports MIGRATION_SUCCEEDED but the migration was decided CANCELLED (VM on host 1)\", \"recordId\": \"c9cdbcbc-1265-4dc3-a793-a89b18b6158f\", \"raisedAt\": \"2026-11-25T20:00:09Z\", \"resolvedAt\": null, \"resolution\": null}")
    public record DiscrepancyView(long id, UUID migrationId, String kind, String detail, String recordId, Instant raisedAt,
            Instant resolvedAt, String resolution,
            @Schema(description = "The host whose report raised it (host discovery's sync); null for a migration's") Long hostId,
            @Schema(description = "The VM it concerns, if one") Long vmId) {
        static DiscrepancyView of(Discrepancy d) {
            return new DiscrepancyView(d.id, d.migrationId, d.kind, d.detail, d.recordId, d.raisedAt, d.resolvedAt, d.resolution,
                    d.hostId, d.vmId);
        }
    }

    @Schema(example = "{\"note\": \"virsh list on hv-01 and hv-03: the VM runs on hv-01 only\"}")
    public record Acknowledgement(@NotBlank @Size(max = 1000) String note) {
    }

    @GET
    @WithSession
    @Operation(summary = "List discrepancies, newest first: open ones by default, of one migration or one host if asked")
    public Uni<List<DiscrepancyView>> list(@QueryParam("open") @DefaultValue("true") boolean open,
            @QueryParam("migrationId") UUID migrationId,
            @QueryParam("hostId") Long hostId,
            @QueryParam("page") @DefaultValue("0") @Min(0) @Max(Pages.MAX_PAGE) int page,
            @QueryParam("size") @DefaultValue("100") @Min(1) @Max(1000) int size) {
        StringBuilder q = new StringBuilder("1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (open) {
            q.append(" and resolvedAt is null");
        }
        if (migrationId != null) {
            q.append(" and migrationId = :m");
            params.put("m", migrationId);
        }
        if (hostId != null) {
            q.append(" and hostId = :h");
            params.put("h", hostId);
        }
        return Discrepancy.<Discrepancy>find(q.append(" order by id desc").toString(), params).page(Page.of(page, size)).list()
                .map(list -> list.stream().map(DiscrepancyView::of).toList());
    }

    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("{id}/acknowledge")
    @WithTransaction
    @Operation(summary = "Close a discrepancy after checking, with a note saying what was found or done",
            description = "An unknown outcome is closed by POST /migrations/{id}/resolve instead, which decides the migration.")
    public Uni<DiscrepancyView> acknowledge(@PathParam("id") long id, @NotNull @Valid Acknowledgement ack) {
        return Discrepancy.<Discrepancy>findById(id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Discrepancy", id))
                .flatMap(d -> {
                    if (Discrepancy.OUTCOME_UNKNOWN.equals(d.kind) && d.resolvedAt == null) {
                        return Uni.createFrom().failure(ProblemException.conflict("resolve-the-migration", "discrepancy " + id
                                + " is an unknown outcome: state where the VM runs with POST /migrations/" + d.migrationId + "/resolve"));
                    }
                    if (d.resolvedAt == null) {
                        d.resolvedAt = Instant.now();
                        d.resolution = "acknowledged: " + ack.note();
                    }
                    return Uni.createFrom().item(DiscrepancyView.of(d));
                });
    }
}
