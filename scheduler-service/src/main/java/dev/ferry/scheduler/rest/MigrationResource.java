package dev.ferry.scheduler.rest;

import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationRound;
import dev.ferry.scheduler.plan.PredictionAccuracy;
import dev.ferry.scheduler.service.MigrationService;
import dev.ferry.scheduler.service.OperatorRequests;
import dev.ferry.support.Pages;
import dev.ferry.support.ProblemException;
import dev.ferry.support.security.Callers;
import dev.ferry.support.security.Roles;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** Migrations: request one, watch it, read its history and audit trail. */
@Path("/migrations")
@Tag(name = "migrations", description = "Live migrations as durable state machines")
@RolesAllowed(Roles.VIEWER)
public class MigrationResource {

    @Inject
    MigrationService migrations;

    @Inject
    OperatorRequests operator;

    @Inject
    ProgressStream progress;

    /** The caller, whose name and subject every request records. */
    @Inject
    SecurityIdentity identity;

    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Operation(summary = "Request a live migration",
            description = "Checks and reserves the destination through inventory-service and queues the start command. "
                    + "422 lists every failed pre-check. Admission control: a migration whose forecast, run under "
                    + "everything the request allows, does not converge within its limits is refused with 422 "
                    + "predicted-not-to-converge, saying why and listing each single change predicted to make it converge, "
                    + "least disruptive first (a longer downtime target within what the operators allow, a host with a "
                    + "faster link, a higher throttle ceiling, post-copy, Ferry's policy); force=true queues it anyway. "
                    + "A repeated Idempotency-Key returns the first migration. "
                    + "With dryRun=true, answers as the request would (200 with the migration it would start: target, "
                    + "reason, forecast; or the same refusal) and records, reserves and sends nothing.")
    @APIResponse(responseCode = "202", description = "Accepted", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = MigrationView.class)))
    @APIResponse(responseCode = "200", description = "dryRun=true: what it would do", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = MigrationPlan.class)))
    @APIResponse(responseCode = "422", description = "Not possible (failed pre-checks), or predicted not to converge",
            content = @Content(mediaType = "application/problem+json", examples = @ExampleObject(name = "predicted not to converge",
                    value = "{\"type\": \"https://ferry.dev/problems/predicted-not-to-converge\", \"title\": \"Migration "
                            + "predicted not to converge\", \"status\": 422, \"detail\": \"VM db-7 to hv-3 is predicted not to "
                            + "converge within its limits: policy ferry would give up after 14 rounds (...); 2 change(s) would, "
                            + "the least disruptive first: host hv-9, whose link carries 1192 MiB/s against 119 MiB/s. Repeat the "
                            + "request with force=true to queue it anyway.\", \"vmId\": 7, \"hostId\": 3, \"forecast\": "
                            + "{\"rounds\": 14, \"totalTimeMillis\": 61230, \"downtimeMillis\": 0, \"converges\": false, "
                            + "\"policy\": \"ferry\"}, \"suggestions\": [{\"field\": \"targetHostId\", \"value\": 9, "
                            + "\"change\": \"host hv-9, whose link carries 1192 MiB/s against 119 MiB/s\", \"forecast\": "
                            + "{\"rounds\": 4, \"totalTimeMillis\": 3900, \"downtimeMillis\": 210}}, {\"field\": "
                            + "\"allowPostCopy\", \"value\": true, \"change\": \"allow post-copy (...)\", \"forecast\": "
                            + "{\"rounds\": 6, \"totalTimeMillis\": 52000, \"downtimeMillis\": 15}}]}")))
    public Uni<Response> request(@NotNull @Valid MigrationRequest req,
            @HeaderParam("Idempotency-Key") @Size(max = 200) String idempotencyKey,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "only show the plan: pre-checks, "
                    + "target and forecast; nothing is recorded, reserved or started") @QueryParam("dryRun") boolean dryRun,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "queue it even when it is "
                    + "predicted not to converge within its limits (the audit trail says it was forced)") @QueryParam("force")
            boolean force) {
        if (dryRun) {
            return migrations.plan(req, force).map(m -> Response.ok(MigrationPlan.of(m)).build());
        }
        return migrations.request(req, idempotencyKey, Callers.of(identity), force)
                .flatMap(m -> view(m.id))
                .map(v -> Response.accepted(v).location(URI.create("/migrations/" + v.id())).build());
    }

    @GET
    @Path("prediction-accuracy")
    @WithSession
    @Operation(summary = "How far predictions were from the outcome, over finished migrations (newest 500)",
            description = "Mean absolute percentage error of total time, mean absolute error of downtime and rounds, "
                    + "over succeeded migrations overall and per driver; per outcome (SUCCEEDED, GAVE_UP when the policy "
                    + "aborted, FAILED for any other failure); how often the prediction of convergence, which admission "
                    + "control acts on, was right; and the 100 newest samples with their basis, driver and outcome: how far "
                    + "an operator can trust a forecast")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = PredictionAccuracy.class), examples = @ExampleObject(name = "after a dozen migrations",
            value = "{\"migrations\": 12, \"totalTimeMeanAbsolutePercentError\": 8.4, \"downtimeMeanAbsoluteErrorMillis\": 6.5, \"roundsMeanAbsoluteError\": 0.4, \"byDriver\": {\"simulated\": {\"migrations\": 12, \"totalTimeMeanAbsolutePercentError\": 8.4, \"downtimeMeanAbsoluteErrorMillis\": 6.5, \"roundsMeanAbsoluteError\": 0.4}}, \"byOutcome\": {\"GAVE_UP\": {\"migrations\": 2, \"totalTimeMeanAbsolutePercentError\": 21.0, \"downtimeMeanAbsoluteErrorMillis\": 0.0, \"roundsMeanAbsoluteError\": 3.5}, \"SUCCEEDED\": {\"migrations\": 12, \"totalTimeMeanAbsolutePercentError\": 8.4, \"downtimeMeanAbsoluteErrorMillis\": 6.5, \"roundsMeanAbsoluteError\": 0.4}}, \"convergence\": {\"migrations\": 14, \"succeededAsPredicted\": 12, \"succeededAgainstPrediction\": 0, \"gaveUpAsPredicted\": 1, \"gaveUpAgainstPrediction\": 1, \"rightPercent\": 92.9}, \"recent\": [{\"migrationId\": \"7d8e2f5c-2f61-4a7e-9a63-2c1a9d7c6a10\", \"vmName\": \"web-1\", \"predictedTotalTimeMillis\": 7530, \"actualTotalTimeMillis\": 7500, \"predictedDowntimeMillis\": 46, \"actualDowntimeMillis\": 46, \"predictedRounds\": 5, \"actualRounds\": 5, \"basis\": \"learned from this VM's last migration\", \"driver\": \"simulated\", \"outcome\": \"SUCCEEDED\", \"predictedToConverge\": true}]}")))
    public Uni<PredictionAccuracy> predictionAccuracy() {
        // a success with no figures (an unknown outcome an operator resolved) has nothing to compare with
        return Migration.<Migration>find("predictedTotalTimeMillis is not null and (phase = ?1 and totalTimeMillis is not null "
                        + "or phase = ?2) and endedAt is not null order by endedAt desc", MigrationPhase.SUCCEEDED, MigrationPhase.FAILED)
                .page(Page.of(0, 500)).list()
                .flatMap(list -> {
                    List<UUID> failed = list.stream().filter(m -> m.phase() == MigrationPhase.FAILED).map(m -> m.id).toList();
                    // a failed migration whose policy decided to abort did not converge; any other failure says nothing of it
                    Uni<List<MigrationRound>> aborts = failed.isEmpty() ? Uni.createFrom().item(List.of())
                            : MigrationRound.list("migrationId in ?1 and decision = ?2", failed, "ABORT");
                    return aborts.map(rounds -> {
                        Set<UUID> gaveUp = rounds.stream().map(r -> r.migrationId).collect(Collectors.toSet());
                        return PredictionAccuracy.of(list.stream().map(m -> new PredictionAccuracy.Sample(m.id.toString(), m.vmName,
                                m.predictedTotalTimeMillis, m.totalTimeMillis == null ? 0 : m.totalTimeMillis, m.predictedDowntimeMillis,
                                m.downtimeMillis == null ? 0 : m.downtimeMillis, m.predictedRounds, m.currentRound, m.predictionBasis,
                                m.driver, m.phase() == MigrationPhase.SUCCEEDED ? PredictionAccuracy.SUCCEEDED
                                        : gaveUp.contains(m.id) ? PredictionAccuracy.GAVE_UP : PredictionAccuracy.FAILED,
                                m.predictedConverges)).toList());
                    });
                });
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One migration: phase, round, bytes, progress, history and rounds")
    public Uni<MigrationView> get(@PathParam("id") UUID id) {
        return view(id);
    }

    @GET
    @WithSession
    @Operation(summary = "List migrations, newest first, filtered by phase, VM, host, requester and creation time",
            description = "requestedBy matches the requester's name or subject (an evacuation's migrations carry its requester).")
    public Uni<List<MigrationView>> list(@QueryParam("phase") MigrationPhase phase, @QueryParam("vmId") Long vmId,
            @QueryParam("hostId") Long hostId, @QueryParam("requestedBy") @Size(max = 255) String requestedBy,
            @QueryParam("since") Instant since, @QueryParam("until") Instant until,
            @QueryParam("page") @DefaultValue("0") @Min(0) @Max(Pages.MAX_PAGE) int page,
            @QueryParam("size") @DefaultValue("50") @Min(1) @Max(500) int size) {
        StringBuilder q = new StringBuilder("1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (phase != null) {
            q.append(" and phase = :phase");
            params.put("phase", phase);
        }
        if (vmId != null) {
            q.append(" and vmId = :vm");
            params.put("vm", vmId);
        }
        if (hostId != null) {
            q.append(" and (sourceHostId = :host or targetHostId = :host)");
            params.put("host", hostId);
        }
        if (requestedBy != null) {
            q.append(" and (requestedBy = :by or requestedBySubject = :by)");
            params.put("by", requestedBy);
        }
        if (since != null) {
            q.append(" and createdAt >= :since");
            params.put("since", since);
        }
        if (until != null) {
            q.append(" and createdAt < :until");
            params.put("until", until);
        }
        return Migration.<Migration>find(q.append(" order by createdAt desc").toString(), params)
                .page(Page.of(page, size)).list()
                .map(list -> list.stream().map(m -> MigrationView.of(m, List.of(), 0, List.of())).toList());
    }

    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("{id}/cancel")
    @Operation(summary = "Cancel a migration in any non-final phase; the VM stays on the source",
            description = "202: the cancel is recorded and sent to the worker; the phase turns CANCELLED when the worker "
                    + "confirms (or after ferry.scheduler.cancel-timeout if no worker does). 409 when already final.")
    @APIResponse(responseCode = "202", description = "Accepted", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = MigrationView.class)))
    public Uni<Response> cancel(@PathParam("id") UUID id) {
        return operator.cancel(id, Callers.of(identity)).flatMap(m -> view(id)).map(v -> Response.accepted(v).build());
    }

    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("{id}/force-complete")
    @Operation(summary = "End the live rounds now: pause the VM and copy what remains",
            description = "Trades a longer downtime for an end. 202 when sent to the worker; 409 when final or being cancelled.")
    @APIResponse(responseCode = "202", description = "Accepted", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = MigrationView.class)))
    public Uni<Response> forceComplete(@PathParam("id") UUID id) {
        return operator.forceComplete(id, Callers.of(identity)).flatMap(m -> view(id)).map(v -> Response.accepted(v).build());
    }

    /** Where an operator found the VM of a migration whose outcome was unknown. */
    @Schema(example = "{\"vmRunsOnHostId\": 3, \"note\": \"virsh list on hv-03 shows it running; hv-01 has none\"}")
    public record Resolution(@NotNull @Min(1) Long vmRunsOnHostId, @Size(max = 1000) String note) {
    }

    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("{id}/resolve")
    @Operation(summary = "State where the VM of an OUTCOME_UNKNOWN migration runs, after checking both hosts",
            description = "The destination makes it SUCCEEDED, the source FAILED (CANCELLED if a cancel was asked for); "
                    + "inventory follows, and the migration's open discrepancies close. 409 unless OUTCOME_UNKNOWN; 422 for "
                    + "a host that is neither the source nor the destination.")
    public Uni<MigrationView> resolve(@PathParam("id") UUID id, @NotNull @Valid Resolution resolution) {
        return operator.resolve(id, resolution.vmRunsOnHostId(), resolution.note(), Callers.of(identity)).flatMap(m -> view(id));
    }

    @GET
    @Path("{id}/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Live progress as server-sent events",
            description = "One event whenever the migration changes (new round, phase, request), polled every 500 ms; "
                    + "the stream ends after the final phase, or after 1 hour.")
    public Multi<MigrationView> stream(@PathParam("id") UUID id) {
        return progress.stream(id);
    }

    @GET
    @Path("{id}/events")
    @WithSession
    @Operation(summary = "The audit trail: every command sent and every event received for this migration, in order",
            description = "A page of at most `limit` records after the cursor `after` (a record's position; 0 from the "
                    + "start). When the page is full, the Link header names the next one.")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = "application/json",
            schema = @Schema(type = SchemaType.ARRAY, implementation = AuditView.class)))
    public Uni<Response> events(@PathParam("id") UUID id,
            @QueryParam("after") @DefaultValue("0") @Min(0) long after,
            @QueryParam("limit") @DefaultValue("500") @Min(1) @Max(5000) int limit) {
        return Migration.<Migration>findById(id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Migration", id))
                .flatMap(m -> AuditEntry.<AuditEntry>find("migrationId = ?1 and id > ?2 order by id", id, after)
                        .page(Page.ofSize(limit)).list())
                .map(entries -> paged(entries.stream().map(AuditView::of).toList(), limit,
                        list -> list.get(list.size() - 1).position(), "/migrations/" + id + "/events"));
    }

    @GET
    @Path("{id}/rounds")
    @WithSession
    @Operation(summary = "Every round of a migration, in the order they arrived, a page at a time",
            description = "The migration's own view carries only its latest rounds. A page holds at most `limit` rounds after "
                    + "the cursor `after` (a round's position; 0 from the start); when it is full, the Link header names the next.")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = "application/json",
            schema = @Schema(type = SchemaType.ARRAY, implementation = MigrationView.Round.class)))
    public Uni<Response> rounds(@PathParam("id") UUID id,
            @QueryParam("after") @DefaultValue("0") @Min(0) long after,
            @QueryParam("limit") @DefaultValue("500") @Min(1) @Max(5000) int limit) {
        return Migration.<Migration>findById(id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Migration", id))
                .flatMap(m -> MigrationRound.after(id, after, limit))
                .map(rounds -> paged(rounds.stream().map(MigrationView::round).toList(), limit,
                        list -> list.get(list.size() - 1).position(), "/migrations/" + id + "/rounds"));
    }

    /** A page as the body, and the next page's address in a Link header when this one is full. */
    private static <T> Response paged(List<T> page, int limit, java.util.function.Function<List<T>, Long> lastPosition, String path) {
        Response.ResponseBuilder ok = Response.ok(page);
        if (page.size() == limit) {
            ok.header("Link", "<" + path + "?after=" + lastPosition.apply(page) + "&limit=" + limit + ">; rel=\"next\"");
        }
        return ok.build();
    }

    @WithSession
    public Uni<MigrationView> view(UUID id) {
        return Migration.<Migration>findById(id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Migration", id))
                .flatMap(MigrationView::read);
    }
}
