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
import java.time.Instant;
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

    /** The chosen destination and why. */
    record Target(long hostId, String reason) {
    }

    public Uni<Migration> request(MigrationRequest req, String idempotencyKey) {
        if (idempotencyKey == null) {
            return accept(req, null);
        }
        return Panache.withSession(() -> Migration.<Migration>find("idempotencyKey", idempotencyKey).firstResult())
                .flatMap(existing -> existing != null ? Uni.createFrom().item(existing) : accept(req, idempotencyKey));
    }

    private Uni<Migration> accept(MigrationRequest req, String idempotencyKey) {
        return inventory.vm(req.vmId())
                .onFailure().transform(e -> InventoryErrors.translate(e, "vmId"))
                .flatMap(vm -> chooseTarget(vm, req)
                        .flatMap(target -> inventory.host(vm.path("hostId").asLong())
                                .flatMap(source -> inventory.host(target.hostId()).map(dest -> List.of(source, dest)))
                                .onFailure().transform(e -> InventoryErrors.translate(e, "targetHostId"))
                                .flatMap(hosts -> persist(req, idempotencyKey, vm, target, hosts.get(0), hosts.get(1)))))
                .invoke(dispatcher::kick);
    }

    private Uni<Target> chooseTarget(JsonNode vm, MigrationRequest req) {
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
                .map(candidates -> {
                    int compatible = 0;
                    JsonNode best = null;
                    for (JsonNode c : candidates) {
                        if (c.path("verdict").path("compatible").asBoolean()) {
                            compatible++;
                            best = best == null ? c : best;
                        }
                    }
                    if (best == null) {
                        throw new ProblemException(new Problem("no-compatible-host", "Migration not possible", 422,
                                "no host in VM " + vm.path("name").asText() + "'s cluster passes every pre-check")
                                .with("excludedHosts", candidates));
                    }
                    long freeMib = best.path("freeMemoryAfterBytes").asLong() >> 20;
                    return new Target(best.path("verdict").path("hostId").asLong(), "ranked first of " + compatible
                            + " compatible host(s): keeps the most memory free (" + freeMib + " MiB after the move)");
                });
    }

    private Uni<Migration> persist(MigrationRequest req, String idempotencyKey, JsonNode vm, Target target,
            JsonNode source, JsonNode dest) {
        Migration m = new Migration();
        m.id = UUID.randomUUID();
        m.idempotencyKey = idempotencyKey;
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
        m.maxDowntimeMillis = Objects.requireNonNullElse(req.maxDowntimeMillis(), config.defaultMaxDowntimeMillis());
        m.deadline = req.deadline();
        m.throttleCeilingPercent = req.throttleCeilingPercent();
        m.allowPostCopy = Boolean.TRUE.equals(req.allowPostCopy());
        m.priority = Objects.requireNonNullElse(req.priority(), MigrationPriority.USER);
        m.phase = MigrationPhase.QUEUED;
        m.attempt = 1;
        m.remainingBytes = m.memoryBytes;
        m.createdAt = Instant.now();
        m.updatedAt = m.createdAt;
        return Panache.withTransaction(() -> m.<Migration>persist()
                .call(() -> PhaseTransition.of(m.id, null, MigrationPhase.QUEUED, "pre-checks passed for host "
                        + target.hostId() + " (" + target.reason() + "); waiting for a migration slot").persist()));
    }
}
