package dev.ferry.inventory.events;

import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationEvent;
import dev.ferry.inventory.model.ConsumedEvent;
import dev.ferry.inventory.service.ReservationService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Turns migration outcomes into placement: success commits the reservation and moves the VM, failure
 * and cancel release it. The dedup row and the effect share one transaction, so a redelivered event
 * is applied exactly once; a record that cannot be parsed fails and goes to the dead-letter topic.
 */
@ApplicationScoped
public class MigrationEventConsumer {
    private static final Logger LOG = Logger.getLogger(MigrationEventConsumer.class);

    @Inject
    ReservationService reservations;

    @Incoming("migration-events")
    public Uni<Void> consume(String payload) {
        return Uni.createFrom().item(() -> EventCodec.event(payload)).flatMap(event -> {
            if (!event.type().isOutcome()) {
                return Uni.createFrom().voidItem(); // rounds are progress; placement changes only on an outcome
            }
            return Panache.withTransaction(() -> ConsumedEvent.<ConsumedEvent>findById(event.eventId())
                    .flatMap(seen -> {
                        if (seen != null) {
                            LOG.debugf("event %s already applied", event.eventId());
                            return Uni.createFrom().voidItem();
                        }
                        return ConsumedEvent.of(event.eventId()).persist().flatMap(x -> apply(event));
                    }));
        });
    }

    private Uni<Void> apply(MigrationEvent event) {
        if (event.type() == EventType.MIGRATION_SUCCEEDED) {
            return reservations.commit(event.migrationId(), event.vmId(), event.targetHostId());
        }
        String reason = event.type() == EventType.MIGRATION_CANCELLED ? "migration cancelled"
                : "migration failed: " + event.outcome().failureReason();
        return reservations.releaseFor(event.migrationId(), reason);
    }
}
