package dev.ferry.inventory.service;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** Sweeps expired reservations; expired holds already stop counting against capacity before the sweep. */
@ApplicationScoped
public class ReservationExpiry {
    private static final Logger LOG = Logger.getLogger(ReservationExpiry.class);

    @Inject
    ReservationService reservations;

    @Scheduled(every = "${ferry.inventory.reservation-sweep-interval:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return reservations.expireOverdue()
                .invoke(n -> {
                    if (n > 0) {
                        LOG.infof("released %d expired reservation(s)", n);
                    }
                })
                .onFailure().invoke(e -> LOG.warn("reservation sweep failed; retrying on the next tick", e))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
