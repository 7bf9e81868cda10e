package dev.ferry.inventory.repository;

import dev.ferry.inventory.api.ReservationState;
import dev.ferry.inventory.model.Reservation;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class ReservationRepository implements PanacheRepositoryBase<Reservation, Long> {

    /** One page of reservations by id, filtered by migration, host and state when given. */
    public Uni<List<Reservation>> page(UUID migrationId, Long hostId, ReservationState state, int page, int size) {
        Paging q = new Paging().and("migrationId = :m", "m", migrationId).and("hostId = :h", "h", hostId)
                .and("state = :s", "s", state);
        return find(q.query("id"), q.params()).page(Paging.page(page, size)).list();
    }

    public Uni<Reservation> ofMigration(UUID migrationId) {
        return find("migrationId", migrationId).firstResult();
    }

    public Uni<Reservation> ofMigrationLocked(UUID migrationId) {
        return find("migrationId", migrationId).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /** A VM's hold that still counts (active and unexpired), if any. */
    public Uni<Reservation> activeFor(long vmId, Instant now) {
        return find("vmId = ?1 and state = ?2 and expiresAt > ?3", vmId, ReservationState.ACTIVE, now).firstResult();
    }

    public Uni<List<Reservation>> allActiveFor(long vmId) {
        return list("vmId = ?1 and state = ?2", vmId, ReservationState.ACTIVE);
    }

    /**
     * Ends every hold overdue at {@code now} in one statement and returns their ids. A hold renewed or committed
     * meanwhile no longer matches (PostgreSQL re-checks the condition on a row it had to wait for), and of several
     * replicas sweeping at once each hold is ended by exactly one.
     */
    public Uni<List<Long>> endOverdue(Instant now, String reason) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("UPDATE reservation SET state = :released, "
                        + "ended_at = now(), end_reason = :reason WHERE state = :active AND expires_at <= :now RETURNING id", Long.class)
                .setParameter("released", ReservationState.RELEASED.name()).setParameter("active", ReservationState.ACTIVE.name())
                .setParameter("reason", reason).setParameter("now", now).getResultList());
    }

    /** The VM a hold is for, read without loading the hold, so that the VM row can be locked first; null when none. */
    public Uni<Long> vmOf(long reservationId) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT vm_id FROM reservation WHERE id = :id", Long.class)
                .setParameter("id", reservationId).getResultList()).map(rows -> rows.isEmpty() ? null : rows.get(0));
    }

    public Uni<Long> countActiveOnHost(long hostId) {
        return count("hostId = ?1 and state = ?2", hostId, ReservationState.ACTIVE);
    }

    public Uni<Long> countActiveForVm(long vmId) {
        return count("vmId = ?1 and state = ?2", vmId, ReservationState.ACTIVE);
    }
}
