package dev.ferry.inventory.events;

import dev.ferry.events.EventCodec;
import dev.ferry.events.MigrationEvent;
import dev.ferry.inventory.service.ReservationService;
import dev.ferry.messaging.IdempotentConsumer;
import dev.ferry.messaging.RecordTrace;
import dev.ferry.support.Transience;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
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

    /**
     * A poll's records at a time: inventory reads every record of the topic, and all but the decisions are skipped, so
     * taking them one message at a time through the channel cost more than the work. The decisions apply in the
     * batch's order, each in its own transaction; unparseable records are dead-lettered once the rest has applied, so
     * that no offset after a record still to apply is committed before it.
     */
    @Incoming("migration-events")
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        List<Supplier<Uni<Void>>> dead = new ArrayList<>();
        Uni<Void> applied = Uni.createFrom().voidItem();
        for (KafkaRecord<String, String> record : batch.getRecords()) {
            MigrationEvent event;
            try {
                event = EventCodec.event(record.getPayload());
            } catch (RuntimeException invalid) {
                dead.add(() -> Uni.createFrom().completionStage(() -> record.nack(invalid)));
                continue;
            }
            if (event.isDecision()) {
                // in the record's trace: what the decision causes (inventory's own events) goes on in the migration's
                applied = applied.flatMap(x -> RecordTrace.within(record, () -> consumer.applyOnce(event.eventId(), () -> apply(event)))
                        .replaceWithVoid()
                        .onFailure(e -> !Transience.isTransient(e)).invoke(e -> dead.add(() -> Uni.createFrom().completionStage(() -> record.nack(e))))
                        .onFailure(e -> !Transience.isTransient(e)).recoverWithNull());
            }
        }
        return applied
                .flatMap(x -> Multi.createFrom().iterable(dead).onItem().transformToUniAndConcatenate(Supplier::get).collect().last())
                .flatMap(x -> Uni.createFrom().completionStage(batch::ack));
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
