package dev.ferry.messaging;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Publishes outbox rows; the core of the relay, free of CDI so that two of them can be run against one database.
 *
 * <p>How each row goes out once and the rows of one key in order, with several replicas:
 * <ul>
 * <li>only the holder of the {@link DatabaseLease} "outbox" publishes; it renews the lease before every batch, and
 *     stops sending when its lease would run out before the next send could time out. Another replica takes over
 *     when the lease expires;</li>
 * <li>a batch is the oldest unpublished rows. Rows of different keys go out concurrently; the rows of one key go one
 *     after the other, each sent only after Kafka acknowledged the one before, and a failure stops that key's rows
 *     for the rest of the drain. The drain goes on with the other keys, so that one record Kafka refuses holds back
 *     only its own key; a topic refused in two batches without a success is left out for the rest of the drain, so
 *     that a missing topic holds back only its own rows, and with the broker away a drain ends after two batches per
 *     topic;</li>
 * <li>the rows of one key are numbered in commit order ({@link Outbox#write} serialises writers of a key), so that
 *     reading by id never sends a later change before an earlier one that committed first;</li>
 * <li>no row lock is held while Kafka is waited on: rows are read without locks and marked published afterwards in
 *     a statement of their own.</li>
 * </ul>
 * Delivery is at least once: a row that Kafka took but that could not be marked (the database went away at that
 * moment), or a holder paused past its lease, sends again. Consumers deduplicate by event id.
 */
public final class OutboxPublisher {
    private static final Logger LOG = Logger.getLogger(OutboxPublisher.class);
    static final String LEASE = "outbox";

    /** Sends one record and completes when the broker acknowledged it. */
    @FunctionalInterface
    public interface RecordSender {
        /** @param traceParent the trace the row was written in, for the record's traceparent header; null: none */
        Uni<Void> send(String topic, String key, String payload, String traceParent);
    }

    /** @param leaseTtl must exceed the send timeout, so that a holder renews before a send could outlive the lease */
    public record Settings(int batchSize, Duration sendTimeout, Duration leaseTtl) {
        public Settings {
            if (batchSize < 1 || leaseTtl.compareTo(sendTimeout.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("the outbox needs a batch of at least 1 and a lease of at least twice "
                        + "the send timeout (batch " + batchSize + ", lease " + leaseTtl + ", send timeout " + sendTimeout + ")");
            }
        }
    }

    /** What one drain did. */
    public record Pass(boolean holder, int published, int failed) {
    }

    /** One batch: how many rows were read, and what became of them. */
    private record Batch(boolean holder, int read, int published, int failed) {
    }

    private record Pending(long id, String topic, String key, String payload, String traceParent) {
    }

    private final Pool pool;
    private final RecordSender sender;
    private final Settings settings;
    private final DatabaseLease lease;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong oldestAgeMillis = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    public OutboxPublisher(Pool pool, RecordSender sender, Settings settings, String holder) {
        this.pool = pool;
        this.sender = sender;
        this.settings = settings;
        // Stop sending while a send could still complete inside the lease: a margin of one send timeout.
        this.lease = new DatabaseLease(pool, LEASE, holder, settings.leaseTtl(), settings.sendTimeout());
    }

    public String holder() {
        return lease.holder();
    }

    /** Unpublished rows at the last look. */
    public long backlog() {
        return backlog.get();
    }

    /** Age of the oldest unpublished row at the last look, 0 when there is none. */
    public long oldestAgeMillis() {
        return oldestAgeMillis.get();
    }

    /** Rows this publisher sent and marked. */
    public long publishedCount() {
        return published.get();
    }

    /** Sends that failed or timed out. */
    public long failureCount() {
        return failures.get();
    }

    /**
     * Publishes until nothing is left that can go now. A call while a drain runs makes that drain run once more
     * (it may have read the rows before the caller's commit), so no wake-up is lost and two drains never overlap.
     */
    public Uni<Pass> drain() {
        if (!busy.compareAndSet(false, true)) {
            again.set(true);
            return Uni.createFrom().item(new Pass(false, 0, 0));
        }
        return drainLoop(new Pass(false, 0, 0))
                .eventually(() -> busy.set(false))
                .call(result -> again.getAndSet(false) ? drain() : Uni.createFrom().voidItem());
    }

    private Uni<Pass> drainLoop(Pass sofar) {
        return drainLoop(sofar, new Exclusions()).call(this::measure);
    }

    /** Batches until one comes back short: each either publishes or excludes what failed, so the drain ends. */
    private Uni<Pass> drainLoop(Pass sofar, Exclusions exclusions) {
        return batch(exclusions).flatMap(b -> {
            Pass total = new Pass(b.holder() || sofar.holder(), sofar.published() + b.published(), sofar.failed() + b.failed());
            exclusions.endBatch();
            boolean more = b.holder() && b.read() == settings.batchSize();
            return more ? drainLoop(total, exclusions) : Uni.createFrom().item(total);
        });
    }

    /**
     * What the rest of a drain leaves out. A key whose send failed: its later rows wait for the next drain, so that its
     * order holds. A topic that failed in two batches without one success: Kafka is refusing the topic (missing, not
     * authorised) or is away, and its rows must not hold back the other topics' rows behind them.
     */
    private static final class Exclusions {
        final List<String> keyTopics = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> keys = java.util.Collections.synchronizedList(new ArrayList<>());
        final Set<String> topics = ConcurrentHashMap.newKeySet();
        private final Map<String, Integer> strikes = new ConcurrentHashMap<>();
        private final Set<String> failedInBatch = ConcurrentHashMap.newKeySet();
        private final Set<String> sentInBatch = ConcurrentHashMap.newKeySet();

        void failed(String topic, String key) {
            keyTopics.add(topic);
            keys.add(key);
            failedInBatch.add(topic);
        }

        void sent(String topic) {
            sentInBatch.add(topic);
        }

        void endBatch() {
            for (String topic : failedInBatch) {
                if (!sentInBatch.contains(topic) && strikes.merge(topic, 1, Integer::sum) >= 2) {
                    topics.add(topic);
                    LOG.warnf("outbox: topic %s refused every record of two batches; its rows wait for the next drain", topic);
                }
            }
            failedInBatch.clear();
            sentInBatch.clear();
        }
    }

    /** One batch: claim the lease, read the oldest rows of keys that have not failed, send them, mark what went out. */
    private Uni<Batch> batch(Exclusions exclusions) {
        return lease.claim().flatMap(held -> !held ? Uni.createFrom().item(new Batch(false, 0, 0, 0))
                : pool.preparedQuery("SELECT id, topic, record_key, payload, trace_parent FROM outbox_message m WHERE published_at IS NULL "
                                + "AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS f(topic, record_key) "
                                + "WHERE f.topic = m.topic AND f.record_key = m.record_key) "
                                + "AND NOT (m.topic = ANY($4::text[])) "
                                + "ORDER BY id LIMIT $1")
                        .execute(Tuple.of(settings.batchSize(), exclusions.keyTopics.toArray(new String[0]),
                                exclusions.keys.toArray(new String[0]), exclusions.topics.toArray(new String[0])))
                        .map(rows -> {
                            List<Pending> pending = new ArrayList<>();
                            for (Row r : rows) {
                                pending.add(new Pending(r.getLong("id"), r.getString("topic"), r.getString("record_key"),
                                        r.getString("payload"), r.getString("trace_parent")));
                            }
                            return pending;
                        })
                        .flatMap(pending -> sendAll(pending, exclusions)
                                .map(p -> new Batch(true, pending.size(), p.published(), p.failed()))));
    }

    private Uni<Pass> sendAll(List<Pending> pending, Exclusions exclusions) {
        if (pending.isEmpty()) {
            return Uni.createFrom().item(new Pass(true, 0, 0));
        }
        Map<String, List<Pending>> byKey = new LinkedHashMap<>();
        for (Pending p : pending) {
            byKey.computeIfAbsent(p.topic() + '\u0000' + p.key(), k -> new ArrayList<>()).add(p);
        }
        List<Long> sent = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<Long, String> errors = new java.util.concurrent.ConcurrentHashMap<>();
        List<Uni<Void>> chains = new ArrayList<>();
        for (List<Pending> ofKey : byKey.values()) {
            chains.add(sendInOrder(ofKey, 0, sent, errors, exclusions));
        }
        return Uni.join().all(chains).andCollectFailures()
                .flatMap(x -> mark(sent, errors))
                .map(x -> new Pass(true, sent.size(), errors.size()));
    }

    /** The rows of one key, each after the previous one's ack; the first failure ends the key for this drain. */
    private Uni<Void> sendInOrder(List<Pending> rows, int index, List<Long> sent, Map<Long, String> errors,
            Exclusions exclusions) {
        if (index == rows.size() || !lease.held()) {
            return Uni.createFrom().voidItem();
        }
        Pending p = rows.get(index);
        return sender.send(p.topic(), p.key(), p.payload(), p.traceParent())
                .ifNoItem().after(settings.sendTimeout()).fail()
                .map(ok -> true)
                .onFailure().recoverWithItem(e -> {
                    errors.put(p.id(), e.getClass().getSimpleName() + ": " + e.getMessage());
                    exclusions.failed(p.topic(), p.key());
                    failures.incrementAndGet();
                    LOG.warnf("outbox row %d to %s not published: %s", p.id(), p.topic(), errors.get(p.id()));
                    return false;
                })
                .flatMap(ok -> {
                    if (!ok) {
                        return Uni.createFrom().voidItem();
                    }
                    sent.add(p.id());
                    exclusions.sent(p.topic());
                    return sendInOrder(rows, index + 1, sent, errors, exclusions);
                });
    }

    private Uni<Void> mark(List<Long> sent, Map<Long, String> errors) {
        Uni<Void> marked = sent.isEmpty() ? Uni.createFrom().voidItem()
                : pool.preparedQuery("UPDATE outbox_message SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1)")
                        .execute(Tuple.of(sent.toArray(new Long[0])))
                        .invoke(rows -> published.addAndGet(rows.rowCount()))
                        .replaceWithVoid();
        for (Map.Entry<Long, String> e : errors.entrySet()) {
            marked = marked.call(() -> pool.preparedQuery("UPDATE outbox_message SET attempts = attempts + 1, last_error = $2 WHERE id = $1")
                    .execute(Tuple.of(e.getKey(), e.getValue())));
        }
        return marked;
    }

    /** The backlog and its age, for the metrics, once per drain; every replica measures, whether it publishes or not. */
    private Uni<Void> measure() {
        return pool.query("SELECT count(*) AS n, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)) * 1000, 0) AS age "
                        + "FROM outbox_message WHERE published_at IS NULL")
                .execute()
                .invoke(rows -> {
                    Row r = rows.iterator().next();
                    backlog.set(r.getLong("n"));
                    oldestAgeMillis.set(Math.round(((Number) r.getValue("age")).doubleValue()));
                })
                .replaceWithVoid();
    }

    /** Gives the lease up, so that another replica publishes at once instead of after the lease runs out. */
    public Uni<Void> releaseLease() {
        return lease.release();
    }
}
