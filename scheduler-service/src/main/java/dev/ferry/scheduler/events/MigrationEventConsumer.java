package dev.ferry.scheduler.events;

import dev.ferry.events.EventCodec;
import dev.ferry.scheduler.model.ConsumedEvent;
import dev.ferry.scheduler.service.Dispatcher;
import dev.ferry.scheduler.service.MigrationEvents;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Applies worker events to migrations. The dedup row, the audit entry and the state change share one
 * transaction; an unparseable record fails and goes to the dead-letter topic, and consumption goes on.
 */
@ApplicationScoped
public class MigrationEventConsumer {

    @Inject
    MigrationEvents events;

    @Inject
    Dispatcher dispatcher;

    @Incoming("migration-events")
    public Uni<Void> consume(String payload) {
        return Uni.createFrom().item(() -> EventCodec.event(payload))
                .flatMap(event -> Panache.withTransaction(() -> ConsumedEvent.<ConsumedEvent>findById(event.eventId())
                        .flatMap(seen -> seen != null ? Uni.createFrom().voidItem()
                                : ConsumedEvent.of(event.eventId()).persist().flatMap(x -> events.apply(event, payload))))
                        // an outcome frees a slot: let the queue move now rather than on the next tick
                        .invoke(() -> {
                            if (event.type().isOutcome()) {
                                dispatcher.kick();
                            }
                        }));
    }

}
