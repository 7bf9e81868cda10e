package dev.ferry.scheduler.events;

import dev.ferry.events.EventCodec;
import dev.ferry.events.MigrationEvent;
import dev.ferry.messaging.IdempotentConsumer;
import dev.ferry.scheduler.service.Dispatcher;
import dev.ferry.scheduler.service.MigrationEvents;
import dev.ferry.scheduler.service.MigrationMetrics;
import dev.ferry.support.MigrationLogContext;
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
        return Uni.createFrom().item(() -> EventCodec.event(payload)).flatMap(event -> logged(event, () -> {
            java.util.concurrent.atomic.AtomicBoolean changed = new java.util.concurrent.atomic.AtomicBoolean();
            return consumer.applyOnce(event.eventId(), () -> events.apply(event, payload).invoke(changed::set).replaceWithVoid())
                    // an outcome frees a slot: let the queue move now rather than on the next tick
                    .invoke(() -> {
                        if (event.type().isOutcome()) {
                            dispatcher.kick();
                        }
                    })
                    // counted once it has committed, the first time, and only what changed the migration
                    .call(first -> first && changed.get() ? metrics.applied(event) : Uni.createFrom().voidItem());
        })).replaceWithVoid();
    }

    /**
     * Every line logged while an event is applied names its migration, attempt and VM (MDC, kept on the record's
     * Vert.x context through the pipeline), as the worker's lines about it do.
     */
    private static <T> Uni<T> logged(MigrationEvent event, java.util.function.Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            MigrationLogContext log = MigrationLogContext.of(event.migrationId(), event.attempt(), event.vmId(), null);
            return work.get().eventually(log::close);
        });
    }
}
