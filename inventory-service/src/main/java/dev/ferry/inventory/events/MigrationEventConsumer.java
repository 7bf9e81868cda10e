package dev.ferry.inventory.events;

import dev.ferry.events.EventCodec;
import dev.ferry.events.MigrationEvent;
import dev.ferry.inventory.service.ReservationService;
import dev.ferry.messaging.IdempotentConsumer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Turns the scheduler's decisions into placement: success commits the reservation and moves the VM, failure and
 * cancel release it, an unknown outcome keeps the hold until an operator resolves it. Only the scheduler decides how a
 * migration ended: a worker's own report (a round, or an outcome the scheduler may yet contradict) changes nothing
 * here. Applied once per event id ({@link IdempotentConsumer}), and idempotent by the reservation's state besides; a
 * record that cannot be parsed fails and goes to the dead-letter topic.
 */
@ApplicationScoped
public class MigrationEventConsumer {

    @Inject
    ReservationService reservations;

    @Inject
    IdempotentConsumer consumer;

    @Incoming("migration-events")
    public Uni<Void> consume(String payload) {
        return Uni.createFrom().item(() -> EventCodec.event(payload)).flatMap(event -> !event.isDecision()
                ? Uni.createFrom().voidItem()
                : consumer.applyOnce(event.eventId(), () -> apply(event)).replaceWithVoid());
    }

    private Uni<Void> apply(MigrationEvent event) {
        return switch (event.type()) {
            case MIGRATION_SUCCEEDED -> reservations.commit(event.migrationId(), event.vmId(), event.targetHostId());
            case OUTCOME_UNKNOWN -> reservations.keepUnresolved(event.migrationId(), event.outcome() == null ? null
                    : event.outcome().failureReason());
            case MIGRATION_CANCELLED -> reservations.releaseFor(event.migrationId(), "migration cancelled");
            default -> reservations.releaseFor(event.migrationId(), "migration failed: " + event.outcome().failureReason());
        };
    }
}
