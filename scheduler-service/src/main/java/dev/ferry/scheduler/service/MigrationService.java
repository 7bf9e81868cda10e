package dev.ferry.scheduler.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.scheduler.client.InventoryClient;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationPriority;
import dev.ferry.scheduler.model.PhaseTransition;
import dev.ferry.scheduler.rest.MigrationRequest;
import dev.ferry.support.Problem;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.ferry.model.forecast.Forecast;
import dev.ferry.model.forecast.Forecaster;
import dev.ferry.scheduler.plan.PlacementRanking;
import dev.ferry.model.forecast.DirtyModel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Accepts a migration: runs every pre-check through inventory-service (so that a migration that cannot go
 * is refused now, with every failed rule), picks the target, and records the migration QUEUED. The
 * {@link Dispatcher} reserves the destination and sends the start command when a slot is free.
 */
@ApplicationScoped
public class MigrationService {

    @Inject
    @RestClient
    InventoryClient inventory;

    @Inject
    SchedulerConfig config;

    @Inject
    Dispatcher dispatcher;

    @Inject
    DirtyHistory history;

    /** The chosen destination and why. */
    public record Target(long hostId, String reason) {
    }

    public Uni<Migration> request(MigrationRequest req, String idempotencyKey) {
        if (idempotencyKey == null) {
            return accept(req, null);
        }
        return Panache.withSession(() -> Migration.<Migration>find("idempotencyKey", idempotencyKey).firstResult())
                .flatMap(existing -> existing != null ? Uni.createFrom().item(existing) : accept(req, idempotencyKey));
    }

    private Uni<Migration> accept(MigrationRequest req, String idempotencyKey) {
        long maxDowntime = Objects.requireNonNullElse(req.maxDowntimeMillis(), config.defaultMaxDowntimeMillis());
        return inventory.vm(req.vmId())
                .onFailure().transform(e -> InventoryErrors.translate(e, "vmId"))
                .flatMap(vm -> inventory.host(vm.path("hostId").asLong())
                        .onFailure().transform(e -> InventoryErrors.translate(e, "vmId"))
                        .flatMap(source -> history.modelFor(vm.path("id").asLong(), vm.path("memoryBytes").asLong(),
                                        source.path("linkBandwidthBytesPerSecond").asDouble())
                                .flatMap(dirty -> chooseTarget(vm, source, req, dirty, maxDowntime)
                                        .flatMap(target -> inventory.host(target.hostId())
                                                .onFailure().transform(e -> InventoryErrors.translate(e, "targetHostId"))
                                                .flatMap(dest -> persist(req, idempotencyKey, vm, target, source, dest, dirty, maxDowntime))))))
                .invoke(dispatcher::kick);
    }

    private Uni<Target> chooseTarget(JsonNode vm, JsonNode source, MigrationRequest req, DirtyModel dirty, long maxDowntime) {
        if (req.targetHostId() != null) {
            return inventory.compatibility(req.vmId(), Map.of("hostIds", List.of(req.targetHostId())))
                    .onFailure().transform(e -> InventoryErrors.translate(e, "targetHostId"))
                    .map(verdicts -> {
                        JsonNode verdict = verdicts.get(0);
                        if (!verdict.path("compatible").asBoolean()) {
                            throw new ProblemException(new Problem("migration-not-possible", "Migration not possible", 422,
                                    "VM " + vm.path("name").asText() + " cannot migrate to " + verdict.path("hostName").asText()
                                            + ": " + verdict.path("failed").size() + " rule(s) failed")
                                    .with("vmId", req.vmId()).with("hostId", req.targetHostId())
                                    .with("failedRules", verdict.path("failed")));
                        }
                        return new Target(req.targetHostId(), "chosen by the operator");
                    });
        }
        return inventory.candidates(req.vmId())
                .onFailure().transform(e -> InventoryErrors.translate(e, "vmId"))
                .flatMap(candidates -> {
                    List<JsonNode> compatible = new ArrayList<>();
                    candidates.forEach(c -> {
                        if (c.path("verdict").path("compatible").asBoolean()) {
                            compatible.add(c);
                        }
                    });
                    if (compatible.isEmpty()) {
                        return Uni.createFrom().failure(new ProblemException(new Problem("no-compatible-host",
                                "Migration not possible", 422, "no host in VM " + vm.path("name").asText()
                                        + "'s cluster passes every pre-check").with("excludedHosts", candidates)));
                    }
                    return options(compatible, source).map(options -> {
                        var ranked = PlacementRanking.rank(options, vm.path("memoryBytes").asLong(), maxDowntime, dirty,
                                config.forecastPolicy());
                        return new Target(ranked.get(0).option().hostId(), PlacementRanking.reason(ranked));
                    });
                });
    }

    /** Each compatible host with its link (the slower of the two ends) and the migrations already heading there. */
    private Uni<List<PlacementRanking.Option>> options(List<JsonNode> compatible, JsonNode source) {
        double sourceLink = source.path("linkBandwidthBytesPerSecond").asDouble();
        return Panache.withSession(() -> Migration.<Migration>list("phase in ?1",
                        List.of(MigrationPhase.QUEUED, MigrationPhase.SCHEDULED, MigrationPhase.RUNNING)))
                .flatMap(active -> {
                    Uni<List<PlacementRanking.Option>> chain = Uni.createFrom().item(new ArrayList<>());
                    for (JsonNode c : compatible) {
                        long hostId = c.path("verdict").path("hostId").asLong();
                        int inbound = (int) active.stream().filter(m -> m.targetHostId == hostId).count();
                        chain = chain.flatMap(list -> inventory.host(hostId).map(host -> {
                            list.add(new PlacementRanking.Option(hostId, host.path("name").asText(),
                                    Math.min(sourceLink, host.path("linkBandwidthBytesPerSecond").asDouble()),
                                    c.path("freeMemoryAfterBytes").asLong(), inbound));
                            return list;
                        }));
                    }
                    return chain;
                })
                .onFailure().transform(e -> InventoryErrors.translate(e, "vmId"));
    }

    /** A new QUEUED migration with its forecast; not yet persisted. */
    public static Migration queued(JsonNode vm, Target target, JsonNode source, JsonNode dest, DirtyModel dirty,
            long maxDowntime, MigrationPriority priority, String policy) {
        Migration m = new Migration();
        m.id = UUID.randomUUID();
        m.vmId = vm.path("id").asLong();
        m.vmName = vm.path("name").asText();
        m.memoryBytes = vm.path("memoryBytes").asLong();
        m.sourceHostId = vm.path("hostId").asLong();
        m.targetHostId = target.hostId();
        m.targetReason = target.reason();
        // The migration stream runs at the slower of the two hosts' migration links.
        m.linkBandwidthBytesPerSecond = Math.min(source.path("linkBandwidthBytesPerSecond").asLong(),
                dest.path("linkBandwidthBytesPerSecond").asLong());
        m.sourceMaxOutbound = source.path("maxOutboundMigrations").asInt(2);
        m.targetMaxInbound = dest.path("maxInboundMigrations").asInt(2);
        m.maxDowntimeMillis = maxDowntime;
        Forecast forecast = Forecaster.forecast(m.memoryBytes, m.linkBandwidthBytesPerSecond, maxDowntime, dirty, policy);
        m.predictedRounds = forecast.rounds();
        m.predictedTotalTimeMillis = forecast.totalTimeMillis();
        m.predictedDowntimeMillis = forecast.downtimeMillis();
        m.predictionBasis = forecast.basis() + "; forecast by running policy " + policy + " in virtual time"
                + (forecast.converges() ? "" : "; predicted not to converge: the policy would give up");
        m.priority = priority;
        m.phase = MigrationPhase.QUEUED;
        m.attempt = 1;
        m.remainingBytes = m.memoryBytes;
        m.createdAt = Instant.now();
        m.updatedAt = m.createdAt;
        return m;
    }

    private Uni<Migration> persist(MigrationRequest req, String idempotencyKey, JsonNode vm, Target target,
            JsonNode source, JsonNode dest, DirtyModel dirty, long maxDowntime) {
        Migration m = queued(vm, target, source, dest, dirty, maxDowntime,
                Objects.requireNonNullElse(req.priority(), MigrationPriority.USER), config.forecastPolicy());
        m.idempotencyKey = idempotencyKey;
        m.deadline = req.deadline();
        m.throttleCeilingPercent = req.throttleCeilingPercent();
        m.allowPostCopy = Boolean.TRUE.equals(req.allowPostCopy());
        return Panache.withTransaction(() -> m.<Migration>persist()
                .call(() -> PhaseTransition.of(m.id, null, MigrationPhase.QUEUED, "pre-checks passed for host "
                        + target.hostId() + " (" + target.reason() + "); waiting for a migration slot").persist()));
    }
}
