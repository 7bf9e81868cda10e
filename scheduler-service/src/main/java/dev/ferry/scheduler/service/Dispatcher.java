package dev.ferry.scheduler.service;

import dev.ferry.events.CommandType;
import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.inventory.api.Requests.NewReservation;
import dev.ferry.inventory.api.Requests.Release;
import dev.ferry.scheduler.client.InventoryRefusal;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Starts queued migrations as slots free up: one pass at a time (so that two passes never hand out the
 * same slot), on every tick and whenever something may have freed a slot. Starting means reserving the
 * destination through inventory-service and then, in one transaction, SCHEDULED plus the START command.
 */
@ApplicationScoped
public class Dispatcher {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class);

    @Inject
    InventoryApi inventory;

    @Inject
    SchedulerConfig config;

    @Inject
    Commands commands;

    @Inject
    Vertx vertx;

    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    /** Runs a pass soon, on a Vert.x context of its own (the caller's carries the caller's database session). */
    public void kick() {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(x -> dispatch().subscribe().with(ok -> { }, e -> LOG.debug("dispatch kick failed", e)));
    }

    @Scheduled(every = "${ferry.scheduler.dispatch-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> dispatch() {
        if (!busy.compareAndSet(false, true)) {
            again.set(true); // the running pass may have read the queue before this change: run once more after it
            return Uni.createFrom().voidItem();
        }
        return pass()
                .onFailure().invoke(e -> LOG.warn("dispatch pass failed; retrying on the next tick", e))
                .onFailure().recoverWithNull()
                .eventually(() -> {
                    busy.set(false);
                    if (again.getAndSet(false)) {
                        kick();
                    }
                })
                .replaceWithVoid();
    }

    private Uni<Void> pass() {
        return Panache.withSession(() -> Migration.<Migration>list("phase", MigrationPhase.QUEUED)
                        .flatMap(queued -> queued.isEmpty() ? Uni.createFrom().item(List.<UUID>of())
                                : Migration.<Migration>list("phase in ?1", List.of(MigrationPhase.SCHEDULED, MigrationPhase.RUNNING))
                                        .map(active -> SlotPlanner.startable(
                                                queued.stream().map(m -> new SlotPlanner.Waiting(m.id, m.priority, m.createdAt,
                                                        m.sourceHostId, m.targetHostId, m.sourceMaxOutbound, m.targetMaxInbound)).toList(),
                                                active.stream().map(m -> new SlotPlanner.Active(m.sourceHostId, m.targetHostId)).toList(),
                                                config.maxConcurrentMigrations()))))
                .flatMap(this::startInOrder);
    }

    private Uni<Void> startInOrder(List<UUID> ids) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (UUID id : ids) {
            chain = chain.flatMap(x -> start(id));
        }
        return chain;
    }

    private Uni<Void> start(UUID id) {
        return Panache.withSession(() -> Migration.<Migration>findById(id)).flatMap(m -> inventory.reserve(new NewReservation(id,
                        m.vmId, m.targetHostId, (int) config.reservationTtl().toSeconds()))
                .flatMap(reservation -> scheduled(id, reservation.id()))
                .onFailure(InventoryRefusal.class).recoverWithUni(e -> refused(id, (InventoryRefusal) e))
                .onFailure().invoke(e -> LOG.warnf("migration %s stays queued: %s", id, e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid());
    }

    /**
     * SCHEDULED and the START command in one transaction. A migration cancelled or timed out while its destination was
     * being reserved gives the hold back, after the transaction: no call to another service while a row is locked.
     */
    private Uni<Void> scheduled(UUID id, long reservationId) {
        return Panache.withTransaction(() -> Migration.<Migration>findById(id, LockModeType.PESSIMISTIC_WRITE).flatMap(m -> {
            if (m.phase() != MigrationPhase.QUEUED) {
                return Uni.createFrom().item("migration " + m.phase() + " before it started");
            }
            m.reservationId = reservationId;
            return m.transition(MigrationPhase.SCHEDULED, "slot free; destination host " + m.targetHostId
                            + " reserved (reservation " + reservationId + "); start command queued", Instant.now())
                    .call(() -> commands.send(m, CommandType.START))
                    .replaceWith((String) null);
        })).flatMap(giveBack -> giveBack == null ? Uni.createFrom().voidItem()
                : inventory.release(reservationId, new Release(giveBack)).onFailure().recoverWithNull().replaceWithVoid());
    }

    /** The destination could not be held when the slot came (it filled up or changed since the pre-check). */
    private Uni<Void> refused(UUID id, InventoryRefusal refusal) {
        return Panache.withTransaction(() -> Migration.<Migration>findById(id, LockModeType.PESSIMISTIC_WRITE).flatMap(m -> {
            if (m.phase() != MigrationPhase.QUEUED) {
                return Uni.createFrom().voidItem();
            }
            m.failureReason = "the destination could not be reserved when a slot freed up: " + refusal.detail();
            return m.transition(MigrationPhase.FAILED, m.failureReason, Instant.now());
        }));
    }
}
