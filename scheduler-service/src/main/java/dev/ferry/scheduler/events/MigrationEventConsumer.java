package dev.ferry.scheduler.events;

import dev.ferry.events.EventCodec;
import dev.ferry.events.MigrationEvent;
import dev.ferry.messaging.IdempotentConsumer;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.service.Dispatcher;
import dev.ferry.scheduler.service.EventRows;
import dev.ferry.scheduler.service.MigrationEvents;
import dev.ferry.scheduler.service.MigrationMetrics;
import dev.ferry.support.MigrationLogContext;
import dev.ferry.support.Transience;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Applies worker events to migrations, once per event id ({@link IdempotentConsumer}), a batch of records (one poll) at a
 * time: the dedup rows, the audit entries and the state changes of the whole batch share one transaction, which first
 * locks every migration the batch touches, in id order. Within the batch the events apply one after another in the
 * order Kafka gave them, so each migration's events (one partition, keyed by migration) keep their order; their audit
 * entries and rounds are written together at the end ({@link EventRows}). The channel runs two consumers (its
 * {@code concurrency}), each with its own partitions and one batch at a time: two batches apply at once, each changing
 * only the rows of its own migrations, so neither waits for the other.
 *
 * <p>An unparseable record goes to the dead-letter topic on its own, and the rest of the batch is applied. When the
 * batch fails for a reason that will not pass (an event for a migration this scheduler never had), it is applied again
 * record by record, each in its own transaction, so that only the bad record is dead-lettered; a failure that will pass
 * (the database away) retries the batch until it applies.
 */
@ApplicationScoped
public class MigrationEventConsumer {
    private static final Logger LOG = Logger.getLogger(MigrationEventConsumer.class);

    @Inject
    MigrationEvents events;

    @Inject
    Dispatcher dispatcher;

    @Inject
    IdempotentConsumer consumer;

    @Inject
    MigrationMetrics metrics;

    /** A record that parsed, with what it says. */
    private record Parsed(KafkaRecord<String, String> record, MigrationEvent event) {
    }

    @Incoming("migration-events")
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        List<Parsed> parsed = new ArrayList<>();
        List<java.util.function.Supplier<Uni<Void>>> rejected = new ArrayList<>();
        for (KafkaRecord<String, String> record : batch.getRecords()) {
            try {
                parsed.add(new Parsed(record, EventCodec.event(record.getPayload())));
            } catch (RuntimeException invalid) {
                rejected.add(() -> Uni.createFrom().completionStage(() -> record.nack(invalid)));
            }
        }
        return applyBatch(parsed)
                .onFailure(e -> !Transience.isTransient(e)).recoverWithUni(e -> {
                    LOG.infof("a batch of %d events did not apply (%s); applying them one by one", parsed.size(), e.getMessage());
                    return oneByOne(parsed);
                })
                // dead-lettered only now: the dead-letter handler acks its record, which may be the newest of its
                // partition, and that offset must not be committed before the records before it have applied
                .flatMap(x -> Multi.createFrom().iterable(rejected).onItem().transformToUniAndConcatenate(java.util.function.Supplier::get)
                        .collect().last())
                .flatMap(x -> Uni.createFrom().completionStage(batch::ack));
    }

    /** The whole batch in one transaction; counted and followed up once it has committed. */
    private Uni<Void> applyBatch(List<Parsed> parsed) {
        Set<String> changed = java.util.concurrent.ConcurrentHashMap.newKeySet();
        long begun = System.nanoTime();
        long[] marks = new long[3];
        return consumer.applyBatchOnce(parsed.stream().map(p -> p.event().eventId()).toList(), first -> {
            changed.clear(); // a retried batch starts over: only its committed attempt counts
            Set<String> todo = new HashSet<>(first);
            List<Parsed> now = parsed.stream().filter(p -> todo.remove(p.event().eventId())).toList();
            Set<UUID> migrations = new java.util.TreeSet<>(now.stream().map(p -> p.event().migrationId()).toList());
            // every row the batch changes, locked at once and in id order as the claim renewals lock them; the events
            // below then find their migration in the session, already locked
            Uni<?> locked = migrations.isEmpty() ? Uni.createFrom().voidItem()
                    : Migration.<Migration>find("id in ?1 order by id", migrations).withLock(LockModeType.PESSIMISTIC_WRITE).list();
            EventRows rows = new EventRows();
            marks[0] = System.nanoTime();
            return locked.invoke(x -> marks[1] = System.nanoTime()).flatMap(x -> Multi.createFrom().iterable(now)
                    .onItem().transformToUniAndConcatenate(p -> logged(p.event(), () -> events.apply(p.event(), p.record().getPayload(), rows)
                            .invoke(c -> {
                                if (c) {
                                    changed.add(p.event().eventId());
                                }
                            })))
                    .collect().last()).flatMap(x -> rows.flush()).invoke(x -> marks[2] = System.nanoTime());
        }).invoke(first -> LOG.debugf("batch of %d events, %d new: dedup %d ms, lock %d ms, apply %d ms, commit %d ms",
                parsed.size(), first.size(), (marks[0] - begun) / 1_000_000, (marks[1] - marks[0]) / 1_000_000,
                (marks[2] - marks[1]) / 1_000_000, (System.nanoTime() - marks[2]) / 1_000_000)).flatMap(first -> {
            Set<String> once = new HashSet<>(first); // an event twice in the batch is followed up once, as it applied once
            return followUp(parsed.stream().map(Parsed::event).filter(e -> once.remove(e.eventId())).toList(), changed);
        });
    }

    /** Record by record, each in its own transaction: a record that cannot apply goes to the dead-letter topic alone. */
    private Uni<Void> oneByOne(List<Parsed> parsed) {
        return Multi.createFrom().iterable(parsed).onItem().transformToUniAndConcatenate(p -> logged(p.event(), () -> {
            AtomicBoolean changed = new AtomicBoolean();
            return consumer.applyOnce(p.event().eventId(), () -> {
                EventRows rows = new EventRows(); // a retried attempt starts over
                return events.apply(p.event(), p.record().getPayload(), rows).invoke(changed::set).flatMap(x -> rows.flush());
            })
                    .flatMap(first -> first ? followUp(List.of(p.event()), changed.get() ? Set.of(p.event().eventId()) : Set.of())
                            : Uni.createFrom().voidItem())
                    .onFailure(e -> !Transience.isTransient(e)).recoverWithUni(e -> Uni.createFrom().completionStage(() -> p.record().nack(e)));
        })).collect().last().replaceWithVoid();
    }

    /**
     * After commit: what changed a migration is counted, the first time only; an outcome frees a slot, so the queue moves
     * now rather than on the next tick.
     */
    private Uni<Void> followUp(List<MigrationEvent> applied, Set<String> changed) {
        if (applied.stream().anyMatch(e -> e.type().isOutcome())) {
            dispatcher.kick();
        }
        return Multi.createFrom().iterable(applied).filter(e -> changed.contains(e.eventId()))
                .onItem().transformToUniAndConcatenate(metrics::applied).collect().last().replaceWithVoid();
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
