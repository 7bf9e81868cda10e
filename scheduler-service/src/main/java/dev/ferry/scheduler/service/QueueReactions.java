package dev.ferry.scheduler.service;

import dev.ferry.events.InventoryEvent;
import dev.ferry.events.InventoryEventType;
import dev.ferry.inventory.api.HostState;
import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.client.InventoryRefusal;
import dev.ferry.scheduler.service.MigrationService.Replacement;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * What a change in the inventory means for migrations still waiting in the queue, decided when it happens instead of
 * at dispatch: a destination that left service (MAINTENANCE, DISABLED, DOWN, removed) is replaced by the next best
 * compatible host when the scheduler chose it, and fails the migration when the operator did; a source that went DOWN
 * or a VM that was removed fails it. Decisions that need inventory are made first, outside any transaction; then one
 * transaction applies those still valid, with an audit entry on each migration.
 */
@ApplicationScoped
public class QueueReactions {
    private static final Logger LOG = Logger.getLogger(QueueReactions.class);

    @Inject
    InventoryApi inventory;

    @Inject
    MigrationService migrations;

    @Inject
    Outcomes outcomes;

    @Inject
    SchedulerConfig config;

    /** What to do with one queued migration: move it to {@code replacement}'s host, or fail it (null) with the reason. */
    public record Decision(UUID migrationId, long fromHostId, Replacement replacement, String reason) {
    }

    /** Whether the event can affect a queued migration at all. */
    public static boolean concernsTheQueue(InventoryEvent e) {
        return e.type() == InventoryEventType.VM_REMOVED || e.type() == InventoryEventType.HOST_REMOVED
                || (e.type() == InventoryEventType.HOST_STATE_CHANGED && !"UP".equals(e.state()));
    }

    /** The decisions, made outside any transaction (they may ask inventory for a new destination). */
    public Uni<List<Decision>> decide(InventoryEvent e) {
        return stillSo(e).flatMap(still -> !still ? Uni.createFrom().item(List.<Decision>of())
                : Panache.withSession(() -> affected(e)).flatMap(queued -> {
            Uni<List<Decision>> chain = Uni.createFrom().item(new ArrayList<>());
            for (Migration m : queued) {
                chain = chain.flatMap(list -> decide(e, m).map(d -> {
                    list.add(d);
                    return list;
                }));
            }
            return chain;
        }));
    }

    /**
     * Whether a host's state change still holds: an event read late (after an outage, or replayed) about a host that is
     * UP again says nothing about the queue any more. A host inventory no longer knows counts as gone.
     */
    private Uni<Boolean> stillSo(InventoryEvent e) {
        if (e.type() != InventoryEventType.HOST_STATE_CHANGED) {
            return Uni.createFrom().item(true);
        }
        return inventory.host(e.hostId()).map(host -> host.state() != HostState.UP)
                .onFailure(f -> f instanceof InventoryRefusal r && r.status() == 404).recoverWithItem(true);
    }

    /** The queued migrations the event concerns; those requested after it happened already knew of it. */
    private static Uni<List<Migration>> affected(InventoryEvent e) {
        Instant before = e.timestamp() != null ? e.timestamp() : Instant.now();
        if (e.type() == InventoryEventType.VM_REMOVED) {
            return Migration.list("phase = ?1 and vmId = ?2 and createdAt < ?3", MigrationPhase.QUEUED, e.vmId(), before);
        }
        return Migration.list("phase = ?1 and (targetHostId = ?2 or sourceHostId = ?2) and createdAt < ?3", MigrationPhase.QUEUED,
                e.hostId(), before);
    }

    private Uni<Decision> decide(InventoryEvent e, Migration m) {
        String what = e.type() == InventoryEventType.VM_REMOVED ? "VM " + m.vmName + " was removed from the inventory"
                : "host " + e.hostId() + (e.type() == InventoryEventType.HOST_REMOVED ? " was removed from the inventory"
                        : " went " + e.state());
        if (e.type() == InventoryEventType.VM_REMOVED) {
            return fail(m, what + " while the migration waited in the queue");
        }
        if (m.sourceHostId == e.hostId()) {
            // A source in maintenance is what an evacuation empties; one that is down or gone cannot migrate anything live.
            boolean lost = e.type() == InventoryEventType.HOST_REMOVED || "DOWN".equals(e.state());
            return lost ? fail(m, "the source " + what + " while the migration waited in the queue; a live migration needs a "
                    + "running source") : Uni.createFrom().nullItem();
        }
        if (!m.targetChoice.replaceable()) {
            return fail(m, "the destination the operator chose, " + what + ", while the migration waited in the queue");
        }
        return migrations.replacement(m, Set.of(m.targetHostId))
                .map(r -> new Decision(m.id, m.targetHostId, r.found(), r.found() == null
                        ? "its destination " + what + " while it waited, and " + r.whyNone()
                        : "its destination " + what + " while it waited; re-placed: " + r.found().target().reason()))
                // inventory refusing this migration's VM or source (removed meanwhile) ends this migration, not the others
                .onFailure(InventoryRefusal.class).recoverWithItem(refusal -> new Decision(m.id, m.targetHostId, null,
                        "its destination " + what + " while it waited, and no new one could be chosen: "
                                + ((InventoryRefusal) refusal).detail()));
    }

    private static Uni<Decision> fail(Migration m, String reason) {
        return Uni.createFrom().item(new Decision(m.id, m.targetHostId, null, reason));
    }

    /**
     * Applies the decisions still valid (the migration still QUEUED for the same destination), in the caller's
     * transaction. The new destinations' locks are taken first, all at once in id order (as every holder takes them),
     * and each new destination's room is judged again under it: decisions made one by one may have chosen the same
     * host's last room, and requests may have claimed it since.
     */
    public Uni<Void> apply(InventoryEvent e, String payload, List<Decision> decisions) {
        return apply(e, payload, decisions, new AtomicInteger());
    }

    /** @param leftBehind counts the migrations whose new destination was claimed meanwhile ({@link #placeLeftBehind}) */
    public Uni<Void> apply(InventoryEvent e, String payload, List<Decision> decisions, AtomicInteger leftBehind) {
        Set<Long> destinations = new java.util.TreeSet<>();
        decisions.stream().filter(d -> d != null && d.replacement() != null)
                .forEach(d -> destinations.add(d.replacement().target().host().id()));
        Uni<Void> chain = DestinationLocks.hold(destinations);
        Instant now = Instant.now();
        // rows locked in id order, as the database orders them (the consumers lock in that order; the watchdog one at a time)
        List<Decision> inOrder = decisions.stream().filter(d -> d != null)
                .sorted(java.util.Comparator.comparing(d -> d.migrationId().toString())).toList();
        for (Decision d : inOrder) {
            chain = chain.flatMap(x -> Migration.<Migration>findById(d.migrationId(), LockModeType.PESSIMISTIC_WRITE)
                    .flatMap(m -> m == null || m.phase() != MigrationPhase.QUEUED || m.targetHostId != d.fromHostId()
                            ? Uni.createFrom().voidItem() : act(m, e, payload, d, now, leftBehind)));
        }
        return chain;
    }

    /** How many times the migrations left behind are decided on again before the dispatcher is left to deal with them. */
    static final int AGAIN = 4;

    /**
     * Decides again, in a transaction of its own, on the migrations the event left on the host it concerns because
     * their new destination was claimed meanwhile: typically several that were each decided alone and chose the same
     * host's last room. Each round counts the claims the last one made, so it places at least one more or finds no room
     * and fails them with the reason; a few rounds, then what is left waits for the dispatcher (refused the old
     * destination when a slot frees up, it chooses again). Outside any transaction: deciding asks inventory.
     */
    public Uni<Void> placeLeftBehind(InventoryEvent e, String payload) {
        return placeLeftBehind(e, payload, 1)
                .onFailure().invoke(f -> LOG.warnf("migrations left behind by inventory event %s not decided on again: %s",
                        e.eventId(), f.getMessage()))
                .onFailure().recoverWithNull();
    }

    private Uni<Void> placeLeftBehind(InventoryEvent e, String payload, int round) {
        AtomicInteger left = new AtomicInteger();
        return decide(e).flatMap(decisions -> decisions.stream().allMatch(d -> d == null) ? Uni.createFrom().voidItem()
                        : Panache.withTransaction(() -> apply(e, payload, decisions, left)))
                .flatMap(x -> left.get() > 0 && round < AGAIN ? placeLeftBehind(e, payload, round + 1) : Uni.createFrom().voidItem());
    }

    private Uni<Void> act(Migration m, InventoryEvent e, String payload, Decision d, Instant now, AtomicInteger leftBehind) {
        AuditEntry audit = AuditEntry.of(m.id, AuditEntry.RECEIVED, e.type().name(), e.eventId(), m.attempt, null, payload);
        if (d.replacement() == null) {
            audit.note = "applied: the migration failed: " + d.reason();
            return outcomes.ended(m, MigrationPhase.FAILED, d.reason(), now).call(() -> audit.persist());
        }
        return MigrationService.roomHeld(d.replacement().target()).flatMap(room -> {
            if (room != null && !room.fits()) {
                // decided on again once this transaction's claims are in (placeLeftBehind)
                leftBehind.incrementAndGet();
                audit.note = "applied: not re-placed yet: " + d.reason() + "; but " + room.shortfall()
                        + " (claimed meanwhile); a new destination is chosen again";
                return audit.persist().replaceWithVoid();
            }
            audit.note = MigrationService.retarget(m, d.replacement(), d.reason(), migrations.steering(m.policy), now);
            // written now, so that the next decision's room counts this claim
            return audit.persist().call(Panache::flush).replaceWithVoid();
        });
    }
}
