package dev.ferry.scheduler.events;

import dev.ferry.events.EventCodec;
import dev.ferry.events.InventoryEvent;
import dev.ferry.events.InventoryEventType;
import dev.ferry.scheduler.service.Discrepancies;
import dev.ferry.messaging.IdempotentConsumer;
import dev.ferry.scheduler.service.Dispatcher;
import dev.ferry.scheduler.service.QueueReactions;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Acts on inventory-events for the queue: a destination that left service, a source that went down, a VM that was
 * removed ({@link QueueReactions}); and lists what a host's report contradicted as a discrepancy. Applied once per event id; inventory being away is waited out; a record that
 * cannot be parsed goes to the dead-letter topic.
 */
@ApplicationScoped
public class InventoryEventConsumer {

    @Inject
    QueueReactions reactions;

    @Inject
    IdempotentConsumer consumer;

    @Inject
    Dispatcher dispatcher;

    @Inject
    Discrepancies discrepancies;

    @Incoming("inventory-events")
    public Uni<Void> consume(String payload) {
        InventoryEvent event = EventCodec.inventoryEvent(payload);
        if (event.type() == InventoryEventType.HOST_DISCREPANCY) {
            // the one list an operator watches: a host's report that contradicts inventory joins the migrations' ones
            String subject = "host-" + event.hostId() + "/" + (event.vmId() != null ? "vm-" + event.vmId() : event.reason());
            return consumer.applyOnce(event.eventId(), () -> discrepancies.raiseAboutHost(event.hostId(), event.vmId(), event.state(),
                    event.reason(), subject, event.timestamp())).replaceWithVoid();
        }
        if (!QueueReactions.concernsTheQueue(event)) {
            return Uni.createFrom().voidItem();
        }
        java.util.concurrent.atomic.AtomicInteger leftBehind = new java.util.concurrent.atomic.AtomicInteger();
        return consumer.applyOnce(event.eventId(), () -> reactions.decide(event),
                        decisions -> {
                            leftBehind.set(0); // an attempt rolled back and retried counts again
                            return reactions.apply(event, payload, decisions, leftBehind);
                        })
                // new destinations claimed meanwhile: decided on again, counting what this one claimed
                .call(() -> leftBehind.get() > 0 ? reactions.placeLeftBehind(event, payload) : Uni.createFrom().voidItem())
                .invoke(dispatcher::kick) // a re-placed migration may start at once
                .replaceWithVoid();
    }
}
