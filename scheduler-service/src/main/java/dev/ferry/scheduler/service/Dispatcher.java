package dev.ferry.scheduler.service;

import dev.ferry.events.CommandType;
import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.inventory.api.Requests.NewReservation;
import dev.ferry.inventory.api.Requests.Release;
import dev.ferry.messaging.DatabaseLease;
import dev.ferry.scheduler.client.InventoryRefusal;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.service.MigrationService.Replacement;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.plan.DestinationClaims;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Starts queued migrations as slots free up: one pass at a time, and of the service's replicas only the holder of
 * the {@link DatabaseLease} "dispatcher" (so that two passes never hand out the same slot), on every tick and whenever
 * something may have freed a slot. Starting means reserving the destination through inventory-service and then, in
 * one transaction, SCHEDULED plus the START command. A destination that refuses the hold is replaced, when the
 * scheduler chose it, by the next best host; when the operator chose it, the migration fails.
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

    @Inject
    Pool pool;

    @Inject
    MigrationService migrations;

    @Inject
    Outcomes outcomes;

    @Inject
    LinkAllocation links;

    private DatabaseLease lease;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    @PostConstruct
    void createLease() {
        // The margin covers one start: a reservation call and a transaction, each bounded by its timeout.
        lease = new DatabaseLease(pool, "dispatcher", DatabaseLease.uniqueHolder(), config.dispatcherLease(),
                config.dispatcherLease().dividedBy(2));
    }

    void onStop(@Observes ShutdownEvent event) {
        try {
            lease.release().await().atMost(Duration.ofSeconds(2));
        } catch (RuntimeException databaseAway) {
            LOG.debugf("dispatcher lease not released at shutdown: %s", databaseAway.getMessage());
        }
    }

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

    /** A pass, when this replica holds the lease; the holder's next tick serves the others' requests. */
    private Uni<Void> pass() {
        return lease.claim().flatMap(held -> held ? shareLinks().call(this::queuedPass) : Uni.createFrom().voidItem());
    }

    /** What ended since the last pass leaves its share of the links to the others (a failure waits for the next). */
    private Uni<Void> shareLinks() {
        return links.rebalance().onFailure().invoke(e -> LOG.warnf("links not re-shared in this pass: %s", e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /** A queued migration the planner gave a slot, for the destination it was planned for. */
    private record Planned(UUID id, long targetHostId) {
    }

    private Uni<Void> queuedPass() {
        return Panache.withSession(() -> Migration.<Migration>list("phase", MigrationPhase.QUEUED)
                        .flatMap(queued -> queued.isEmpty() ? Uni.createFrom().item(List.<Planned>of())
                                : activeStreams().map(active -> {
                                            Map<UUID, Long> targets = new HashMap<>();
                                            queued.forEach(m -> targets.put(m.id, m.targetHostId));
                                            return SlotPlanner.startable(
                                                    queued.stream().map(m -> new SlotPlanner.Waiting(m.id, m.priority, m.createdAt,
                                                            m.sourceHostId, m.targetHostId, m.sourceMaxOutbound, m.targetMaxInbound)).toList(),
                                                    active,
                                                    config.maxConcurrentMigrations())
                                                    .stream().map(id -> new Planned(id, targets.get(id))).toList();
                                        })))
                .flatMap(this::startInOrder);
    }

    /** The hosts of every migration under way: columns, not rows, since a busy fleet has a thousand of them and every pass reads them. */
    private static Uni<List<SlotPlanner.Active>> activeStreams() {
        List<String> phases = MigrationPhase.UNDER_WAY.stream().map(Enum::name).toList();
        return Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT source_host_id, target_host_id FROM migration WHERE phase IN (:phases)",
                Object[].class).setParameter("phases", phases).getResultList())
                .map(rows -> rows.stream().map(r -> new SlotPlanner.Active(((Number) r[0]).longValue(), ((Number) r[1]).longValue())).toList());
    }

    private Uni<Void> startInOrder(List<Planned> planned) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Planned p : planned) {
            // renewed before each start: a start that began inside the lease ends inside it
            chain = chain.flatMap(x -> lease.claim()).flatMap(held -> held ? start(p) : Uni.createFrom().voidItem());
        }
        return chain;
    }

    /**
     * Starts a planned migration, if it still waits for the destination it was planned for: one cancelled, ended or
     * re-placed since the plan waits for the next pass, so that no slot or host limit is handed out on old facts.
     */
    private Uni<Void> start(Planned p) {
        UUID id = p.id();
        return Panache.withSession(() -> Migration.<Migration>findById(id)).flatMap(m -> {
            if (m == null || m.phase() != MigrationPhase.QUEUED || m.targetHostId != p.targetHostId()) {
                return Uni.createFrom().voidItem();
            }
            return inventory.reserve(new NewReservation(id, m.vmId, p.targetHostId(), (int) config.reservationTtl().toSeconds()))
                    .flatMap(reservation -> scheduled(id, p.targetHostId(), reservation.id()))
                    .onFailure(e -> e instanceof InventoryRefusal r && refusesDestination(r))
                    .recoverWithUni(e -> refused(id, p.targetHostId(), (InventoryRefusal) e))
                    .onFailure(e -> e instanceof InventoryRefusal r && staleHold(r) != null)
                    .recoverWithUni(e -> giveBack(id, staleHold((InventoryRefusal) e), "the migration's destination changed "
                            + "while it waited; the hold is no longer wanted"))
                    .onFailure().invoke(e -> LOG.warnf("migration %s stays queued: %s", id, e.getMessage()))
                    .onFailure().recoverWithNull()
                    .replaceWithVoid();
        });
    }

    /**
     * The destination itself said no: a pre-check failed (422) or the host is gone. Other refusals pass by themselves;
     * the migration waits for the next pass.
     */
    private static boolean refusesDestination(InventoryRefusal r) {
        return r.status() == 422 || "host-not-found".equals(slug(r)) || "vm-not-found".equals(slug(r));
    }

    /**
     * A hold this queued migration still has on another host (409 reservation-exists): made for a destination it had
     * before, and not given back (inventory was away then, or the scheduler stopped in between). Nothing runs on it,
     * since the migration is still queued: give it back, and the next pass holds the new destination.
     */
    private static Long staleHold(InventoryRefusal r) {
        return "reservation-exists".equals(slug(r)) && r.refusal().reservationId() != null ? r.refusal().reservationId() : null;
    }

    /**
     * SCHEDULED and the START command in one transaction, if the migration still waits for the host just reserved and
     * this replica still holds the lease. Otherwise the hold is given back, after the transaction: no call to another
     * service while a row is locked. A hold that already started the migration is in use and stays.
     */
    private Uni<Void> scheduled(UUID id, long reservedHostId, long reservationId) {
        if (!lease.held()) {
            return giveBack(id, reservationId, "the dispatcher's lease ran out before the migration could start");
        }
        return Panache.withTransaction(() -> Migration.<Migration>findById(id, LockModeType.PESSIMISTIC_WRITE).flatMap(m -> {
            if (m.phase() != MigrationPhase.QUEUED) {
                boolean inUse = Long.valueOf(reservationId).equals(m.reservationId) && (m.phase() == MigrationPhase.SCHEDULED
                        || m.phase() == MigrationPhase.RUNNING || m.phase() == MigrationPhase.OUTCOME_UNKNOWN || m.phase() == MigrationPhase.SUCCEEDED);
                return Uni.createFrom().item(inUse ? null : "migration " + m.phase() + " before it started");
            }
            if (m.targetHostId != reservedHostId) {
                return Uni.createFrom().item("the destination changed to host " + m.targetHostId + " while host "
                        + reservedHostId + " was being reserved");
            }
            m.reservationId = reservationId;
            return m.transition(MigrationPhase.SCHEDULED, "slot free; destination host " + m.targetHostId
                            + " reserved (reservation " + reservationId + "); start command queued", Instant.now())
                    .call(() -> links.starting(m).call(share -> migrations.forecastAtShare(m, share))
                            .call(share -> commands.send(m, CommandType.START, share)))
                    .replaceWith((String) null);
        })).flatMap(reason -> reason == null ? Uni.createFrom().voidItem() : giveBack(id, reservationId, reason));
    }

    /**
     * Gives a hold back. If inventory is away it stays until the next pass finds it in the way (409 with its id) or
     * the migration's outcome releases it, whichever comes first: never longer than the migration waits.
     */
    private Uni<Void> giveBack(UUID id, long reservationId, String reason) {
        return inventory.release(reservationId, new Release(reason))
                .onFailure().invoke(e -> LOG.warnf("hold %d of migration %s not given back yet (%s)", reservationId, id, e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid()
                .invoke(this::kick); // the migration may start for its new destination at once
    }

    /**
     * The destination could not be held when the slot came (it filled up or changed since the pre-check). A destination
     * the scheduler chose is replaced by the next best host, asked before the transaction and judged again in it under
     * that host's lock (a host claimed meanwhile leaves the migration queued, for the next pass to choose again); the
     * operator's choice, or no other host passing, fails the migration.
     */
    private Uni<Void> refused(UUID id, long refusedHostId, InventoryRefusal refusal) {
        return Panache.withSession(() -> Migration.<Migration>findById(id))
                .flatMap(m -> m.targetChoice.replaceable() && !"vm-not-found".equals(slug(refusal))
                        ? migrations.replacement(m, Set.of(refusedHostId))
                                .onFailure(InventoryRefusal.class).recoverWithItem(e -> new MigrationService.Replaced(null,
                                        "no other host could be chosen: " + ((InventoryRefusal) e).detail()))
                        : Uni.createFrom().item(new MigrationService.Replaced(null, null)))
                // the new destination's room is judged again under its lock, taken before the migration's row
                .flatMap(replaced -> Panache.withTransaction(() -> (replaced.found() == null ? Uni.createFrom().<DestinationClaims.Room>nullItem()
                        : MigrationService.roomHeld(replaced.found().target()))
                        .flatMap(room -> Migration.<Migration>findById(id, LockModeType.PESSIMISTIC_WRITE).flatMap(m -> {
                            if (m.phase() != MigrationPhase.QUEUED || m.targetHostId != refusedHostId) {
                                return Uni.createFrom().voidItem(); // moved on meanwhile
                            }
                            String why = "the destination could not be reserved when a slot freed up: " + refusal.detail();
                            Instant now = Instant.now();
                            if (replaced.found() == null) {
                                return outcomes.ended(m, MigrationPhase.FAILED, why + (replaced.whyNone() != null
                                        ? "; " + replaced.whyNone() : ""), now);
                            }
                            if (room != null && !room.fits()) {
                                // queued for meanwhile: the next pass chooses again, counting that claim
                                LOG.infof("migration %s not re-placed on %s, claimed meanwhile: %s", id,
                                        replaced.found().target().host().name(), room.shortfall());
                                return Uni.createFrom().voidItem();
                            }
                            Replacement replacement = replaced.found();
                            AuditEntry audit = AuditEntry.of(m.id, AuditEntry.RECEIVED, "RESERVATION_REFUSED",
                                    "POST /reservations for host " + refusedHostId, m.attempt, null, refusal.detail());
                            audit.note = MigrationService.retarget(m, replacement, why + "; re-placed: "
                                    + replacement.target().reason(), migrations.steering(m.policy), now);
                            return audit.persist().replaceWithVoid();
                        }))))
                .invoke(this::kick);
    }

    private static String slug(InventoryRefusal refusal) {
        return refusal.refusal() == null ? null : refusal.refusal().slug();
    }
}
