package dev.ferry.scheduler.events;

import dev.ferry.events.EventCodec;
import dev.ferry.messaging.IdempotentConsumer;
import dev.ferry.scheduler.service.Dispatcher;
import dev.ferry.scheduler.service.MigrationEvents;
import dev.ferry.scheduler.service.MigrationMetrics;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Applies worker events to migrations, once per event id ({@link IdempotentConsumer}): the dedup row, the audit entry
 * and the state change share one transaction; an unparseable record goes to the dead-letter topic, and consumption
 * goes on.
 */
@ApplicationScoped
public class MigrationEventConsumer {

    @Inject
    MigrationEvents events;

    @Inject
    Dispatcher dispatcher;

    @Inject
    IdempotentConsumer consumer;

    @Inject
    MigrationMetrics metrics;

    @Incoming("migration-events")
    public Uni<Void> consume(String payload) {
        return Uni.createFrom().item(() -> EventCodec.event(payload))
                .flatMap(event -> consumer.applyOnce(event.eventId(), () -> events.apply(event, payload))
                        // an outcome frees a slot: let the queue move now rather than on the next tick
                        .invoke(() -> {
                            if (event.type().isOutcome()) {
                                dispatcher.kick();
                            }
                        })
                        // counted once it has committed, and only the first time
                        .call(first -> first ? metrics.applied(event) : Uni.createFrom().voidItem()))
                .replaceWithVoid();
    }
}
