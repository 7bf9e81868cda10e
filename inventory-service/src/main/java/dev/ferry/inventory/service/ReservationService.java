package dev.ferry.inventory.service;

import dev.ferry.events.InventoryEventType;
import dev.ferry.inventory.api.ReservationState;
import dev.ferry.inventory.api.Verdict;
import dev.ferry.inventory.events.InventoryEventLog;
import dev.ferry.inventory.model.Reservation;
import dev.ferry.inventory.model.Vm;
import dev.ferry.inventory.precheck.PreChecks;
import dev.ferry.inventory.repository.HostGuestRepository;
import dev.ferry.inventory.repository.PrecheckReader;
import dev.ferry.inventory.repository.ReservationRepository;
import dev.ferry.inventory.repository.VmRepository;
import dev.ferry.support.Problem;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Holds CPU and memory on a destination for one migration. Two reservations can never over-commit a host: each one
 * locks the VM row and then the target host row, re-reads the host's load under that lock and only then inserts.
 * Locks are always taken in that order (VM, host, reservation), by reserve and by both ways to commit, so that they
 * cannot deadlock each other; the sweeper ends overdue holds in one conditional statement. A hold is committed or released by the
 * migration's outcome, idempotently by its state.
 */
@ApplicationScoped
public class ReservationService {
    private static final Logger LOG = Logger.getLogger(ReservationService.class);

    @Inject
    ReservationRepository reservations;

    @Inject
    VmRepository vms;

    @Inject
    PrecheckReader facts;

    @Inject
    InventoryEventLog events;

    @Inject
    HostGuestRepository guests;

    /**
     * Holds the destination for a migration. A retried request gets the same hold, never a second one. A migration
     * whose hold was released (its destination changed while it waited, or the hold ran out) may hold again, re-checked
     * like a first request, in the same reservation row: one row per migration. A migration that holds another host,
     * or whose hold was committed, is refused with a conflict.
     */
    @WithTransaction
    public Uni<Reservation> reserve(UUID migrationId, long vmId, long hostId, Duration ttl) {
        Instant now = Instant.now(); // one clock for which holds still count and which have expired
        // Lock order, here and in commit: the VM row, the host row, then the migration's reservation (and, here, the VM's
        // placement rules between VMs).
        return RowLock.forUpdate("vm", vmId).flatMap(x -> vms.findById(vmId))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("VM", vmId))
                .flatMap(vm -> RowLock.forUpdate("host", hostId)
                        .flatMap(x -> reservations.ofMigrationLocked(migrationId))
                        .flatMap(mine -> {
                            ProblemException conflict = conflict(mine, migrationId, vmId, hostId, now);
                            if (conflict != null) {
                                return Uni.createFrom().failure(conflict);
                            }
                            if (mine != null && mine.state == ReservationState.ACTIVE && mine.hostId == hostId
                                    && mine.expiresAt.isAfter(now)) {
                                return Uni.createFrom().item(mine);
                            }
                            return checkedHold(migrationId, vm, hostId, ttl, mine, now);
                        }));
    }

    /** Why the migration cannot hold {@code hostId} whatever the host's state, or null. */
    private static ProblemException conflict(Reservation mine, UUID migrationId, long vmId, long hostId, Instant now) {
        if (mine == null) {
            return null;
        }
        if (mine.vmId != vmId) {
            return ProblemException.conflict("reservation-exists", "migration " + migrationId + " holds reservation " + mine.id
                    + " for VM " + mine.vmId + ", not VM " + vmId);
        }
        if (mine.state == ReservationState.COMMITTED) {
            return ProblemException.conflict("reservation-committed", "migration " + migrationId + " already moved VM "
                    + vmId + " to host " + mine.hostId + " (reservation " + mine.id + ")");
        }
        if (mine.state == ReservationState.ACTIVE && mine.hostId != hostId && mine.expiresAt.isAfter(now)) {
            return new ProblemException(new Problem("reservation-exists", "Conflict", 409, "migration " + migrationId
                    + " already holds reservation " + mine.id + " on host " + mine.hostId + "; release it before holding host "
                    + hostId).with("reservationId", mine.id));
        }
        return null;
    }

    /** Every pre-check against the host's load read under its lock; then the hold, new or renewed in {@code mine}. */
    private Uni<Reservation> checkedHold(UUID migrationId, Vm vm, long hostId, Duration ttl, Reservation mine, Instant now) {
        return expireStaleHolds(vm.id, now)
                .flatMap(x -> reservations.activeFor(vm.id, now))
                .flatMap(active -> {
                    if (active != null) {
                        return Uni.createFrom().failure(ProblemException.conflict("vm-already-migrating",
                                "VM " + vm.name + " already has an active reservation (" + active.id
                                        + ") for migration " + active.migrationId));
                    }
                    // the target may be the VM's own host: then NOT_CURRENT_HOST says no, like every other rule
                    return RowLock.vmRulesOf(vm.id).flatMap(x -> facts.vm(vm)).flatMap(vmFacts -> facts.hosts(new LinkedHashSet<>(List.of(vm.hostId, hostId)), vmFacts, now)
                            .flatMap(hosts -> {
                        if (!hosts.containsKey(hostId)) {
                            return Uni.createFrom().failure(ProblemException.notFound("Host", hostId));
                        }
                        Verdict verdict = PreChecks.evaluate(vmFacts, hosts.get(vm.hostId), hosts.get(hostId));
                        return verdict.compatible() ? persist(mine != null ? mine : new Reservation(), migrationId, vm, hostId, ttl)
                                : Uni.createFrom().failure(refused(vm, verdict));
                    }));
                });
    }

    /** An expired hold for this VM would still block the one-active-per-VM index: end it first. */
    private Uni<Void> expireStaleHolds(long vmId, Instant now) {
        return reservations.allActiveFor(vmId).map(all -> all.stream().filter(r -> !r.expiresAt.isAfter(now)).toList())
                .flatMap(this::expire).replaceWithVoid();
    }

    private Uni<Integer> expire(List<Reservation> overdue) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Reservation r : overdue) {
            r.end(ReservationState.RELEASED, Reservation.EXPIRED);
            chain = chain.flatMap(x -> events.reservation(InventoryEventType.RESERVATION_RELEASED, r));
        }
        return chain.map(x -> overdue.size());
    }

    /** A new hold, or a released one held again (same row, same id): capacity counts from now. */
    private Uni<Reservation> persist(Reservation r, UUID migrationId, Vm vm, long hostId, Duration ttl) {
        r.migrationId = migrationId;
        r.vmId = vm.id;
        r.sourceHostId = vm.hostId;
        r.hostId = hostId;
        r.memoryBytes = vm.memoryBytes;
        r.vcpus = vm.vcpus;
        r.state = ReservationState.ACTIVE;
        r.createdAt = Instant.now();
        r.expiresAt = r.createdAt.plus(ttl);
        r.endedAt = null;
        r.endReason = null;
        return reservations.persist(r).call(saved -> events.reservation(InventoryEventType.RESERVATION_CREATED, saved));
    }

    static ProblemException refused(Vm vm, Verdict verdict) {
        List<Map<String, String>> failed = verdict.failed().stream()
                .map(f -> Map.of("code", f.code().name(), "message", f.message())).toList();
        return new ProblemException(new Problem("migration-not-possible", "Migration not possible", 422,
                verdict.refusal(vm.name))
                .with("vmId", vm.id).with("hostId", verdict.hostId()).with("failedRules", failed));
    }

    /** Frees the capacity. Releasing twice is harmless; releasing a committed hold is a conflict. */
    @WithTransaction
    public Uni<Reservation> release(long id, String reason) {
        return reservations.findById(id, LockModeType.PESSIMISTIC_WRITE)
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
        // the VM row before the hold, the order reserve and commit take them in
        return reservations.vmOf(id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Reservation", id))
                .flatMap(vmId -> RowLock.forUpdate("vm", vmId))
                .flatMap(x -> reservations.findById(id, LockModeType.PESSIMISTIC_WRITE))
                .flatMap(r -> r.state == ReservationState.RELEASED
                        ? Uni.createFrom().failure(ProblemException.conflict("reservation-released",
                                "reservation " + id + " was released (" + r.endReason + "); its capacity may be taken"))
                        : commit(r.migrationId, r.vmId, r.hostId).replaceWith(r));
    }

    /**
     * The migration succeeded: the hold becomes the VM's placement. Idempotent by the hold's state, so that a replay
     * of an old outcome (its consumed-event row long pruned) changes nothing: only an ACTIVE hold is committed, or one
     * that merely expired while the VM still ran on its source (placement follows reality). A success for a hold that
     * a failure or cancel already released disagrees with the scheduler: it is reported, not applied.
     */
    public Uni<Void> commit(UUID migrationId, long vmId, long targetHostId) {
        // the VM row before the reservation, the order reserve takes them in
        return RowLock.forUpdate("vm", vmId).flatMap(x -> reservations.ofMigrationLocked(migrationId))
                .flatMap(r -> vms.findById(vmId).flatMap(vm -> {
                    String refused = commitRefusal(r, vm, vmId, targetHostId);
                    if (refused != null) {
                        LOG.warnf("success of migration %s not applied: %s", migrationId, refused);
                        return Uni.createFrom().voidItem();
                    }
                    if (r.state == ReservationState.COMMITTED) {
                        return Uni.createFrom().voidItem(); // applied before
                    }
                    long from = vm.hostId;
                    vm.hostId = r.hostId;
                    LOG.infof("VM %s placed on host %d (was %d) by migration %s", vm.name, r.hostId, from, migrationId);
                    Uni<Void> placed = events.placementChanged(vmId, from, r.hostId, "migration " + migrationId + " succeeded")
                            .call(() -> guests.followMigration(vm.name, from, r.hostId));
                    if (r.state == ReservationState.RELEASED) {
                        // states only move forward: the hold stays released, the VM follows the scheduler's decision
                        LOG.warnf("migration %s succeeded after its hold on host %d expired; the VM is placed there without it",
                                migrationId, r.hostId);
                        return placed;
                    }
                    r.end(ReservationState.COMMITTED, "migration " + migrationId + " succeeded");
                    return events.reservation(InventoryEventType.RESERVATION_COMMITTED, r).call(() -> placed);
                }));
    }

    /** Why a success cannot be applied as it stands, or null when it can (or already was). */
    private static String commitRefusal(Reservation r, Vm vm, long vmId, long targetHostId) {
        if (r == null) {
            return "no reservation was made for it";
        }
        if (vm == null) {
            return "VM " + vmId + " is no longer in the inventory";
        }
        if (r.vmId != vmId || r.hostId != targetHostId) {
            return "the event names VM " + vmId + " on host " + targetHostId + ", the hold VM " + r.vmId + " on host " + r.hostId;
        }
        if (r.state == ReservationState.RELEASED && !(Reservation.EXPIRED.equals(r.endReason) && vm.hostId.equals(r.sourceHostId))) {
            return "its hold was released (" + r.endReason + "): the scheduler ended the migration, so the VM stays on host "
                    + vm.hostId;
        }
        return null;
    }

    /** The migration failed or was cancelled: the VM stayed on the source; free the hold if still held. */
    public Uni<Void> releaseFor(UUID migrationId, String reason) {
        return reservations.ofMigrationLocked(migrationId).flatMap(r -> {
            if (r != null && r.state == ReservationState.ACTIVE) {
                r.end(ReservationState.RELEASED, reason);
                return events.reservation(InventoryEventType.RESERVATION_RELEASED, r);
            }
            return Uni.createFrom().voidItem();
        });
    }

    /** How long a hold whose migration's outcome is unknown is kept: until an operator resolves it, in practice. */
    static final Duration UNRESOLVED_HOLD = Duration.ofDays(365);

    /**
     * Nobody knows where the VM runs: the hold stays (the VM may already use the destination) until the scheduler
     * decides, on the driver's word or an operator's. A hold already ended stays as it is.
     */
    public Uni<Void> keepUnresolved(UUID migrationId, String why) {
        return reservations.ofMigrationLocked(migrationId).invoke(r -> {
            if (r != null && r.state == ReservationState.ACTIVE) {
                r.expiresAt = Instant.now().plus(UNRESOLVED_HOLD);
                LOG.warnf("outcome of migration %s unknown (%s): hold %d on host %d kept until it is resolved", migrationId, why,
                        r.id, r.hostId);
            } else {
                LOG.warnf("outcome of migration %s unknown (%s), and it holds nothing: the VM may run on host %s without a hold",
                        migrationId, why, r == null ? "?" : String.valueOf(r.hostId));
            }
        }).replaceWithVoid();
    }

    /** Ends holds whose migration never reported back, so that a lost scheduler never strands capacity. */
    @WithTransaction
    public Uni<Integer> expireOverdue() {
        return reservations.endOverdue(Instant.now(), Reservation.EXPIRED)
                .flatMap(ids -> ids.isEmpty() ? Uni.createFrom().item(List.<Reservation>of())
                        : reservations.list("id in ?1", ids))
                .flatMap(ended -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (Reservation r : ended) {
                        chain = chain.flatMap(x -> events.reservation(InventoryEventType.RESERVATION_RELEASED, r));
                    }
                    return chain.map(x -> ended.size());
                });
    }
}
