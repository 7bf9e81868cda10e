package dev.ferry.inventory.service;

import dev.ferry.events.InventoryEventType;
import dev.ferry.inventory.model.Host;
import dev.ferry.inventory.model.Reservation;
import dev.ferry.inventory.model.ReservationState;
import dev.ferry.inventory.model.Vm;
import dev.ferry.inventory.outbox.InventoryEventLog;
import dev.ferry.inventory.precheck.PreChecks;
import dev.ferry.inventory.precheck.Verdict;
import dev.ferry.support.Problem;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Holds CPU and memory on a destination for one migration. Two reservations can never over-commit a
 * host: each one locks the VM row and then the target host row, re-reads the host's load under that
 * lock and only then inserts. Locks are always taken in that order, so two reservations cannot deadlock.
 */
@ApplicationScoped
public class ReservationService {
    private static final Logger LOG = Logger.getLogger(ReservationService.class);

    @Inject
    FleetReader fleet;

    @Inject
    InventoryEventLog events;

    @WithTransaction
    public Uni<Reservation> reserve(UUID migrationId, long vmId, long hostId, Duration ttl) {
        return Reservation.<Reservation>find("migrationId", migrationId).firstResult().flatMap(existing -> {
            if (existing != null) {
                // A retried request for the same migration gets the same hold, never a second one.
                if (existing.vmId != vmId || existing.hostId != hostId) {
                    return Uni.createFrom().failure(ProblemException.conflict("reservation-exists",
                            "migration " + migrationId + " already holds reservation " + existing.id
                                    + " for VM " + existing.vmId + " on host " + existing.hostId));
                }
                return Uni.createFrom().item(existing);
            }
            return lockedReserve(migrationId, vmId, hostId, ttl);
        });
    }

    private Uni<Reservation> lockedReserve(UUID migrationId, long vmId, long hostId, Duration ttl) {
        return RowLock.forUpdate("vm", vmId).flatMap(x -> Vm.<Vm>findById(vmId))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("VM", vmId))
                .flatMap(vm -> RowLock.forUpdate("host", hostId).flatMap(x -> Host.<Host>findById(hostId))
                        .onItem().ifNull().failWith(() -> ProblemException.notFound("Host", hostId))
                        .flatMap(target -> Reservation.<Reservation>find("vmId = ?1 and state = ?2 and expiresAt > ?3",
                                vmId, ReservationState.ACTIVE, Instant.now()).firstResult()
                                .flatMap(active -> {
                                    if (active != null) {
                                        return Uni.createFrom().failure(ProblemException.conflict("vm-already-migrating",
                                                "VM " + vm.name + " already has an active reservation (" + active.id
                                                        + ") for migration " + active.migrationId));
                                    }
                                    return expireStaleHold(vmId).flatMap(x -> Host.<Host>findById(vm.hostId))
                                            .flatMap(source -> fleet.read().flatMap(view -> {
                                                Verdict verdict = PreChecks.evaluate(view.vmFacts(vm), view.hostFacts(source),
                                                        view.hostFacts(target));
                                                if (!verdict.compatible()) {
                                                    return Uni.createFrom().failure(refused(vm, verdict));
                                                }
                                                return persist(migrationId, vm, target, ttl);
                                            }));
                                })));
    }

    /** An expired hold for this VM would still block the one-active-per-VM index: end it first. */
    private Uni<Void> expireStaleHold(long vmId) {
        return Reservation.<Reservation>list("vmId = ?1 and state = ?2", vmId, ReservationState.ACTIVE)
                .flatMap(this::expire)
                .replaceWithVoid();
    }

    private Uni<Integer> expire(List<Reservation> overdue) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Reservation r : overdue) {
            r.end(ReservationState.RELEASED, "expired");
            chain = chain.flatMap(x -> events.reservation(InventoryEventType.RESERVATION_RELEASED, r));
        }
        return chain.map(x -> overdue.size());
    }

    private Uni<Reservation> persist(UUID migrationId, Vm vm, Host target, Duration ttl) {
        Reservation r = new Reservation();
        r.migrationId = migrationId;
        r.vmId = vm.id;
        r.sourceHostId = vm.hostId;
        r.hostId = target.id;
        r.memoryBytes = vm.memoryBytes;
        r.vcpus = vm.vcpus;
        r.state = ReservationState.ACTIVE;
        r.createdAt = Instant.now();
        r.expiresAt = r.createdAt.plus(ttl);
        return r.<Reservation>persist().call(saved -> events.reservation(InventoryEventType.RESERVATION_CREATED, saved));
    }

    private static ProblemException refused(Vm vm, Verdict verdict) {
        List<Map<String, String>> failed = verdict.failed().stream()
                .map(f -> Map.of("code", f.code().name(), "message", f.message())).toList();
        return new ProblemException(new Problem("migration-not-possible", "Migration not possible", 422,
                "VM " + vm.name + " cannot migrate to " + verdict.hostName() + ": " + failed.size() + " rule(s) failed")
                .with("vmId", vm.id).with("hostId", verdict.hostId()).with("failedRules", failed));
    }

    @WithSession
    public Uni<Reservation> get(long id) {
        return Reservation.<Reservation>findById(id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Reservation", id));
    }

    @WithSession
    public Uni<List<Reservation>> list(UUID migrationId, Long hostId, ReservationState state) {
        StringBuilder q = new StringBuilder("1 = 1");
        var params = new java.util.HashMap<String, Object>();
        if (migrationId != null) {
            q.append(" and migrationId = :m");
            params.put("m", migrationId);
        }
        if (hostId != null) {
            q.append(" and hostId = :h");
            params.put("h", hostId);
        }
        if (state != null) {
            q.append(" and state = :s");
            params.put("s", state);
        }
        return Reservation.list(q.append(" order by id").toString(), params);
    }

    /** Frees the capacity. Releasing twice is harmless; releasing a committed hold is a conflict. */
    @WithTransaction
    public Uni<Reservation> release(long id, String reason) {
        return Reservation.<Reservation>findById(id, LockModeType.PESSIMISTIC_WRITE)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Reservation", id))
                .flatMap(r -> {
                    if (r.state == ReservationState.COMMITTED) {
                        return Uni.createFrom().failure(ProblemException.conflict("reservation-committed",
                                "reservation " + id + " was committed: the VM already runs on host " + r.hostId));
                    }
                    if (r.state == ReservationState.ACTIVE) {
                        r.end(ReservationState.RELEASED, reason);
                        return events.reservation(InventoryEventType.RESERVATION_RELEASED, r).replaceWith(r);
                    }
                    return Uni.createFrom().item(r);
                });
    }

    @WithTransaction
    public Uni<Reservation> commitById(long id) {
        return Reservation.<Reservation>findById(id, LockModeType.PESSIMISTIC_WRITE)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Reservation", id))
                .flatMap(r -> r.state == ReservationState.RELEASED
                        ? Uni.createFrom().failure(ProblemException.conflict("reservation-released",
                                "reservation " + id + " was released (" + r.endReason + "); its capacity may be taken"))
                        : commit(r.migrationId, r.vmId, r.hostId).replaceWith(r));
    }

    /**
     * The migration succeeded: the VM runs on the destination whatever the hold's state, so placement
     * follows reality even when the hold had expired. Applying it twice changes nothing.
     */
    public Uni<Void> commit(UUID migrationId, long vmId, long targetHostId) {
        return Reservation.<Reservation>find("migrationId", migrationId).withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResult()
                .flatMap(r -> RowLock.forUpdate("vm", vmId).flatMap(x -> Vm.<Vm>findById(vmId)).flatMap(vm -> {
                    Uni<Void> effects = Uni.createFrom().voidItem();
                    if (r != null && r.state != ReservationState.COMMITTED) {
                        r.end(ReservationState.COMMITTED, "migration " + migrationId + " succeeded");
                        effects = effects.flatMap(x -> events.reservation(InventoryEventType.RESERVATION_COMMITTED, r));
                    }
                    if (vm != null && vm.hostId != targetHostId) {
                        long from = vm.hostId;
                        LOG.infof("VM %s placed on host %d (was %d) by migration %s", vm.name, targetHostId, from, migrationId);
                        vm.hostId = targetHostId;
                        effects = effects.flatMap(x -> events.placementChanged(vmId, from, targetHostId,
                                "migration " + migrationId + " succeeded"));
                    }
                    return effects;
                }));
    }

    /** The migration failed or was cancelled: the VM stayed on the source; free the hold if still held. */
    public Uni<Void> releaseFor(UUID migrationId, String reason) {
        return Reservation.<Reservation>find("migrationId", migrationId).withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResult()
                .flatMap(r -> {
                    if (r != null && r.state == ReservationState.ACTIVE) {
                        r.end(ReservationState.RELEASED, reason);
                        return events.reservation(InventoryEventType.RESERVATION_RELEASED, r);
                    }
                    return Uni.createFrom().voidItem();
                });
    }

    /** Ends holds whose migration never reported back, so that a lost scheduler never strands capacity. */
    @WithTransaction
    public Uni<Integer> expireOverdue() {
        return Reservation.<Reservation>list("state = ?1 and expiresAt <= ?2", ReservationState.ACTIVE, Instant.now())
                .flatMap(this::expire);
    }
}
