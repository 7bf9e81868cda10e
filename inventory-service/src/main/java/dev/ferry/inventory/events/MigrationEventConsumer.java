package dev.ferry.inventory.events;

import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationEvent;
import dev.ferry.inventory.service.ReservationService;
import dev.ferry.messaging.IdempotentConsumer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Turns migration outcomes into placement: success commits the reservation and moves the VM, failure and cancel
 * release it. Applied once per event id ({@link IdempotentConsumer}), and idempotent by the reservation's state
 * besides; a record that cannot be parsed fails and goes to the dead-letter topic.
 */
@ApplicationScoped
public class MigrationEventConsumer {

    @Inject
    ReservationService reservations;

    @Inject
    IdempotentConsumer consumer;

    @Incoming("migration-events")
    public Uni<Void> consume(String payload) {
        return Uni.createFrom().item(() -> EventCodec.event(payload)).flatMap(event -> !event.type().isOutcome()
                ? Uni.createFrom().voidItem() // rounds are progress; placement changes only on an outcome
                : consumer.applyOnce(event.eventId(), () -> apply(event)).replaceWithVoid());
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
