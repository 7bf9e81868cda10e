package dev.ferry.scheduler.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.events.CommandType;
import dev.ferry.events.EventCodec;
import dev.ferry.events.MigrationCommand;
import dev.ferry.events.Topics;
import dev.ferry.scheduler.client.InventoryClient;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.OutboxMessage;
import dev.ferry.scheduler.model.PhaseTransition;
import dev.ferry.scheduler.outbox.OutboxRelay;
import dev.ferry.scheduler.rest.MigrationRequest;
import dev.ferry.support.Problem;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Accepts a migration: checks and reserves the destination through inventory-service, then writes the
 * migration, its first transition, its audit entry and its START command in one transaction.
 */
@ApplicationScoped
public class MigrationService {
    private static final Logger LOG = Logger.getLogger(MigrationService.class);

    @Inject
    @RestClient
    InventoryClient inventory;

    @Inject
    SchedulerConfig config;

    @Inject
    OutboxRelay relay;

    /** The chosen destination and why. */
    record Target(long hostId, String reason) {
    }

    public Uni<Migration> request(MigrationRequest req, String idempotencyKey) {
        if (idempotencyKey == null) {
            return start(req, null);
        }
        return Panache.withSession(() -> Migration.<Migration>find("idempotencyKey", idempotencyKey).firstResult())
                .flatMap(existing -> existing != null ? Uni.createFrom().item(existing) : start(req, idempotencyKey));
    }

    private Uni<Migration> start(MigrationRequest req, String idempotencyKey) {
        UUID id = UUID.randomUUID();
        long maxDowntime = Objects.requireNonNullElse(req.maxDowntimeMillis(), config.defaultMaxDowntimeMillis());
        return inventory.vm(req.vmId())
                .onFailure().transform(e -> InventoryErrors.translate(e, "vmId"))
                .flatMap(vm -> chooseTarget(vm, req)
                        .flatMap(target -> inventory.reserve(Map.of("migrationId", id.toString(), "vmId", req.vmId(),
                                        "hostId", target.hostId(), "ttlSeconds", config.reservationTtl().toSeconds()))
                                .onFailure().transform(e -> InventoryErrors.translate(e, "targetHostId"))
                                .flatMap(reservation -> linkBandwidth(vm.path("hostId").asLong(), target.hostId())
                                        .flatMap(bandwidth -> persist(id, idempotencyKey, vm, target, reservation, bandwidth, maxDowntime))
                                        .onFailure().call(e -> releaseQuietly(reservation.path("id").asLong(), e)))));
    }

    private Uni<Target> chooseTarget(JsonNode vm, MigrationRequest req) {
        if (req.targetHostId() != null) {
            return Uni.createFrom().item(new Target(req.targetHostId(), "chosen by the operator"));
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

    /** The migration stream runs at the slower of the two hosts' migration links. */
    private Uni<Long> linkBandwidth(long sourceHostId, long targetHostId) {
        return inventory.host(sourceHostId).flatMap(source -> inventory.host(targetHostId)
                        .map(target -> Math.min(source.path("linkBandwidthBytesPerSecond").asLong(),
                                target.path("linkBandwidthBytesPerSecond").asLong())))
                .onFailure().transform(e -> InventoryErrors.translate(e, "targetHostId"));
    }

    private Uni<Migration> persist(UUID id, String idempotencyKey, JsonNode vm, Target target, JsonNode reservation,
            long bandwidth, long maxDowntime) {
        Migration m = new Migration();
        m.id = id;
        m.idempotencyKey = idempotencyKey;
        m.vmId = vm.path("id").asLong();
        m.vmName = vm.path("name").asText();
        m.memoryBytes = vm.path("memoryBytes").asLong();
        m.sourceHostId = vm.path("hostId").asLong();
        m.targetHostId = target.hostId();
        m.targetReason = target.reason();
        m.reservationId = reservation.path("id").asLong();
        m.linkBandwidthBytesPerSecond = bandwidth;
        m.maxDowntimeMillis = maxDowntime;
        m.phase = MigrationPhase.SCHEDULED;
        m.attempt = 1;
        m.remainingBytes = m.memoryBytes;
        m.createdAt = Instant.now();
        m.updatedAt = m.createdAt;
        MigrationCommand start = new MigrationCommand(UUID.randomUUID().toString(), CommandType.START, id, m.attempt,
                m.vmId, m.vmName, m.sourceHostId, m.targetHostId, m.reservationId, m.memoryBytes, bandwidth, maxDowntime,
                Instant.now());
        String payload = EventCodec.toJson(start);
        return Panache.withTransaction(() -> m.<Migration>persist()
                .call(() -> PhaseTransition.of(id, null, MigrationPhase.SCHEDULED,
                        "destination host " + target.hostId() + " reserved (reservation " + m.reservationId
                                + "); start command queued").persist())
                .call(() -> AuditEntry.of(id, AuditEntry.SENT, start.type().name(), start.commandId(), start.attempt(),
                        null, payload).persist())
                .call(() -> OutboxMessage.of(Topics.MIGRATION_COMMANDS, id.toString(), payload).persist()))
                .invoke(relay::kick);
    }

    private Uni<Void> releaseQuietly(long reservationId, Throwable cause) {
        LOG.warnf("migration not recorded (%s); releasing reservation %d", cause.getMessage(), reservationId);
        return inventory.release(reservationId, Map.of("reason", "scheduler could not record the migration"))
                .onFailure().invoke(e -> LOG.warnf("release of reservation %d failed too; it expires on its own: %s",
                        reservationId, e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
