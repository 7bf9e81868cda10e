package dev.ferry.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.support.tracing.TraceParents;
import dev.ferry.testsupport.KafkaProbe;
import dev.ferry.testsupport.TestBroker;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The relay against a real PostgreSQL and a real broker, two replicas on one database where it matters. */
class OutboxPublisherTest {
    static final OutboxPublisher.Settings SETTINGS = new OutboxPublisher.Settings(50, Duration.ofMillis(500), Duration.ofSeconds(2));
    static KafkaProducer<String, String> producer;

    @BeforeAll
    static void broker() {
        producer = OutboxDatabase.producer(TestBroker.bootstrapServers());
    }

    @AfterAll
    static void closeProducer() {
        producer.close();
    }

    static String topic() {
        String t = "outbox-test-" + UUID.randomUUID();
        TestBroker.createTopics(t);
        return t;
    }

    static List<String> published(String topic, int expected) {
        return OutboxDatabase.values(KafkaProbe.readUntil(TestBroker.bootstrapServers(), topic, r -> true,
                seen -> seen.size() >= expected, Duration.ofSeconds(30)));
    }

    /** key -> its payloads in the order they reached the topic; payloads are "key:n" with n rising per key. */
    static Map<String, List<Integer>> byKey(List<String> payloads) {
        Map<String, List<Integer>> out = new HashMap<>();
        for (String p : payloads) {
            String[] kn = p.split(":");
            out.computeIfAbsent(kn[0], k -> new ArrayList<>()).add(Integer.parseInt(kn[1]));
        }
        return out;
    }

    @Test
    void twoReplicasOnOneDatabasePublishEveryRowOnceAndEachKeyInOrder() throws Exception {
        String topic = topic();
        try (OutboxDatabase db = new OutboxDatabase()) {
            OutboxPublisher a = new OutboxPublisher(db.pool(), OutboxDatabase.kafka(producer), SETTINGS, "replica-a");
            OutboxPublisher b = new OutboxPublisher(db.pool(), OutboxDatabase.kafka(producer), SETTINGS, "replica-b");
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Thread> kickers = new ArrayList<>();
            for (OutboxPublisher p : List.of(a, b)) {
                // every commit wakes both replicas, and each also polls: here both are woken every few milliseconds
                Thread t = new Thread(() -> {
                    while (writing.get() || db.unpublished() > 0) {
                        p.drain().subscribe().with(x -> { }, e -> { });
                        sleep(3);
                    }
                });
                t.start();
                kickers.add(t);
            }
            int keys = 20;
            int perKey = 30;
            for (int n = 0; n < perKey; n++) {
                List<String[]> rows = new ArrayList<>();
                for (int k = 0; k < keys; k++) {
                    rows.add(new String[] {"vm-" + k, "vm-" + k + ":" + n});
                }
                db.write(topic, rows.subList(0, keys / 2));
                db.write(topic, rows.subList(keys / 2, keys));
            }
            writing.set(false);
            for (Thread t : kickers) {
                t.join(TimeUnit.SECONDS.toMillis(60));
            }

            List<String> payloads = published(topic, keys * perKey);
            assertThat(payloads).hasSize(keys * perKey).doesNotHaveDuplicates();
            byKey(payloads).forEach((key, seq) -> assertThat(seq).as(key).isSorted().hasSize(perKey));
            assertThat(db.unpublished()).isZero();
            // one replica held the lease throughout; the other never sent a row
            assertThat(List.of(a.publishedCount(), b.publishedCount())).containsExactlyInAnyOrder(0L, (long) keys * perKey);
        }
    }

    @Test
    void aRowGoesOutInTheTraceThatWroteItAndAnUntracedOneWithoutATraceparent() throws Exception {
        String topic = topic();
        String traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        try (OutboxDatabase db = new OutboxDatabase()) {
            db.writeTraced(topic, "k", "k:0", traceParent);
            db.write(topic, List.<String[]>of(new String[] {"k", "k:1"}));
            new OutboxPublisher(db.pool(), OutboxDatabase.kafka(producer), SETTINGS, "replica-a").drain().await().atMost(OutboxDatabase.WAIT);

            var records = KafkaProbe.readUntil(TestBroker.bootstrapServers(), topic, r -> true, seen -> seen.size() >= 2,
                    Duration.ofSeconds(30));
            assertThat(OutboxDatabase.values(records)).containsExactly("k:0", "k:1");
            var traced = records.get(0).headers().lastHeader(TraceParents.HEADER);
            assertThat(traced).isNotNull();
            assertThat(new String(traced.value(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(traceParent);
            assertThat(records.get(1).headers().lastHeader(TraceParents.HEADER)).isNull();
        }
    }

    @Test
    void whenThePublishingReplicaDiesTheOtherTakesOverOnceItsLeaseRunsOut() throws Exception {
        String topic = topic();
        try (OutboxDatabase db = new OutboxDatabase()) {
            OutboxPublisher a = new OutboxPublisher(db.pool(), OutboxDatabase.kafka(producer), SETTINGS, "replica-a");
            OutboxPublisher b = new OutboxPublisher(db.pool(), OutboxDatabase.kafka(producer), SETTINGS, "replica-b");
            db.write(topic, List.<String[]>of(new String[] {"k", "k:0"}));
            assertThat(a.drain().await().atMost(OutboxDatabase.WAIT).published()).isEqualTo(1);

            // a stops here without a word (killed); a new row waits for b, which may publish once a's lease has run out
            db.write(topic, List.<String[]>of(new String[] {"k", "k:1"}));
            assertThat(b.drain().await().atMost(OutboxDatabase.WAIT).holder()).isFalse();
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> b.drain().await().atMost(OutboxDatabase.WAIT).published() == 1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThanOrEqualTo(SETTINGS.leaseTtl().plusSeconds(1));

            // a replica shutting down gives the lease up: the other publishes at once
            assertThat(b.releaseLease().await().atMost(OutboxDatabase.WAIT)).isNull();
            db.write(topic, List.<String[]>of(new String[] {"k", "k:2"}));
            assertThat(a.drain().await().atMost(OutboxDatabase.WAIT).published()).isEqualTo(1);

            assertThat(published(topic, 3)).containsExactly("k:0", "k:1", "k:2");
        }
    }

    @Test
    void noRowLockIsHeldWhileKafkaIsWaitedOn() throws Exception {
        String topic = topic();
        try (OutboxDatabase db = new OutboxDatabase()) {
            CountDownLatch sending = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            OutboxPublisher.RecordSender slow = (t, k, p, tp) -> Uni.createFrom().<Void>item(() -> {
                sending.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }).runSubscriptionOn(io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool())
                    .call(() -> OutboxDatabase.kafka(producer).send(t, k, p, tp));
            OutboxPublisher relay = new OutboxPublisher(db.pool(), slow,
                    new OutboxPublisher.Settings(50, Duration.ofSeconds(5), Duration.ofSeconds(15)), "slow");
            db.write(topic, List.<String[]>of(new String[] {"k", "k:0"}));

            var pass = relay.drain().subscribeAsCompletionStage();
            assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
            // while the relay waits on Kafka, a writer may lock and change the very row being sent
            var locked = db.pool().withTransaction(c -> c.query("SELECT id FROM outbox_message FOR UPDATE NOWAIT").execute())
                    .await().atMost(OutboxDatabase.WAIT);
            assertThat(locked.rowCount()).isEqualTo(1);
            release.countDown();

            assertThat(pass.get(10, TimeUnit.SECONDS).published()).isEqualTo(1);
            assertThat(db.unpublished()).isZero();
        }
    }

    @Test
    void aFailedSendHoldsBackTheRestOfItsKeyOnlyAndIsRetried() throws Exception {
        String topic = topic();
        try (OutboxDatabase db = new OutboxDatabase()) {
            AtomicBoolean brokerDownForK1 = new AtomicBoolean(true);
            OutboxPublisher.RecordSender kafka = OutboxDatabase.kafka(producer);
            OutboxPublisher.RecordSender flaky = (t, k, p, tp) -> k.equals("k1") && brokerDownForK1.get()
                    ? Uni.createFrom().<Void>failure(new org.apache.kafka.common.errors.TimeoutException("no leader"))
                    : kafka.send(t, k, p, tp);
            OutboxPublisher relay = new OutboxPublisher(db.pool(), flaky, SETTINGS, "flaky");
            db.write(topic, List.of(new String[] {"k1", "k1:0"}, new String[] {"k2", "k2:0"}, new String[] {"k1", "k1:1"},
                    new String[] {"k2", "k2:1"}));

            var first = relay.drain().await().atMost(OutboxDatabase.WAIT);
            assertThat(first.published()).isEqualTo(2);
            assertThat(first.failed()).isEqualTo(1);
            assertThat(db.unpublished()).isEqualTo(2);
            assertThat(relay.backlog()).isEqualTo(2);

            brokerDownForK1.set(false);
            assertThat(relay.drain().await().atMost(OutboxDatabase.WAIT).published()).isEqualTo(2);

            List<String> payloads = published(topic, 4);
            assertThat(payloads).hasSize(4);
            assertThat(byKey(payloads)).containsEntry("k1", List.of(0, 1)).containsEntry("k2", List.of(0, 1));
            assertThat(relay.backlog()).isZero();
        }
    }

    @Test
    void aRecordKafkaRefusesHoldsBackOnlyItsOwnKeyEvenWhenItFillsWholeBatches() throws Exception {
        String topic = topic();
        try (OutboxDatabase db = new OutboxDatabase()) {
            OutboxPublisher.RecordSender kafka = OutboxDatabase.kafka(producer);
            OutboxPublisher.RecordSender refusing = (t, k, p, tp) -> k.equals("poison")
                    ? Uni.createFrom().<Void>failure(new org.apache.kafka.common.errors.RecordTooLargeException("too large"))
                    : kafka.send(t, k, p, tp);
            OutboxPublisher relay = new OutboxPublisher(db.pool(), refusing, SETTINGS, "refusing");
            List<String[]> rows = new ArrayList<>();
            for (int i = 0; i < SETTINGS.batchSize() + 10; i++) {
                rows.add(new String[] {"poison", "poison:" + i});
            }
            for (int i = 0; i < 20; i++) {
                rows.add(new String[] {"k" + (i % 4), "k" + (i % 4) + ":" + (i / 4)});
            }
            db.write(topic, rows);

            var pass = relay.drain().await().atMost(OutboxDatabase.WAIT);

            assertThat(pass.published()).isEqualTo(20);
            assertThat(pass.failed()).isEqualTo(1);
            assertThat(db.unpublished()).isEqualTo(SETTINGS.batchSize() + 10);
            Map<String, List<Integer>> reached = byKey(published(topic, 20));
            assertThat(reached).doesNotContainKey("poison");
            for (int k = 0; k < 4; k++) {
                assertThat(reached).containsEntry("k" + k, List.of(0, 1, 2, 3, 4));
            }
        }
    }

    @Test
    void aTopicKafkaRefusesHoldsBackOnlyItsOwnRowsNotTheOtherTopicsBehindThem() throws Exception {
        String good = topic();
        String missing = "never-created-" + UUID.randomUUID();
        try (OutboxDatabase db = new OutboxDatabase()) {
            OutboxPublisher.RecordSender kafka = OutboxDatabase.kafka(producer);
            OutboxPublisher.RecordSender refusing = (t, k, p, tp) -> t.equals(missing)
                    ? Uni.createFrom().<Void>failure(new org.apache.kafka.common.errors.UnknownTopicOrPartitionException(t))
                    : kafka.send(t, k, p, tp);
            OutboxPublisher relay = new OutboxPublisher(db.pool(), refusing, SETTINGS, "relay");
            List<String[]> head = new ArrayList<>();
            for (int i = 0; i < SETTINGS.batchSize() * 3; i++) {
                head.add(new String[] {"m" + i, "m" + i + ":0"});
            }
            db.write(missing, head);
            db.write(good, List.of(new String[] {"vm-1", "vm-1:0"}, new String[] {"vm-1", "vm-1:1"}));

            var pass = relay.drain().await().atMost(OutboxDatabase.WAIT);

            assertThat(pass.published()).isEqualTo(2);
            assertThat(byKey(published(good, 2))).containsEntry("vm-1", List.of(0, 1));
            assertThat(pass.failed()).as("two batches of the refused topic, then it is left out").isEqualTo(SETTINGS.batchSize() * 2);
        }
    }

    @Test
    void withTheBrokerAwayADrainStopsAfterTwoBatchesOfEachTopic() throws Exception {
        String topic = topic();
        try (OutboxDatabase db = new OutboxDatabase()) {
            OutboxPublisher relay = new OutboxPublisher(db.pool(),
                    (t, k, p, tp) -> Uni.createFrom().failure(new org.apache.kafka.common.errors.TimeoutException("no broker")),
                    SETTINGS, "alone");
            List<String[]> rows = new ArrayList<>();
            for (int i = 0; i < SETTINGS.batchSize() * 5; i++) {
                rows.add(new String[] {"key" + i, "key" + i + ":0"});
            }
            db.write(topic, rows);

            var pass = relay.drain().await().atMost(OutboxDatabase.WAIT);

            assertThat(pass.published()).isZero();
            assertThat(pass.failed()).isEqualTo(SETTINGS.batchSize() * 2);
            assertThat(db.unpublished()).isEqualTo(SETTINGS.batchSize() * 5L);
        }
    }

    @Test
    void aLaterWriterOfAKeyNeverOvertakesAnEarlierOneThatCommitsAfterIt() throws Exception {
        String topic = topic();
        try (OutboxDatabase db = new OutboxDatabase()) {
            OutboxPublisher relay = new OutboxPublisher(db.pool(), OutboxDatabase.kafka(producer), SETTINGS, "relay");
            var earlier = db.pool().getConnection().await().atMost(OutboxDatabase.WAIT);
            var earlierTx = earlier.begin().await().atMost(OutboxDatabase.WAIT);
            earlier.preparedQuery("SELECT outbox_write($1, $2, $3)").execute(io.vertx.mutiny.sqlclient.Tuple.of(topic, "vm-1", "vm-1:0"))
                    .await().atMost(OutboxDatabase.WAIT);

            var later = java.util.concurrent.CompletableFuture.runAsync(() -> db.write(topic, List.<String[]>of(new String[] {"vm-1", "vm-1:1"})));
            Thread.sleep(500);
            assertThat(later).as("the later writer waits for the earlier transaction").isNotDone();
            assertThat(relay.drain().await().atMost(OutboxDatabase.WAIT).published()).isZero();

            earlierTx.commit().await().atMost(OutboxDatabase.WAIT);
            earlier.close().await().atMost(OutboxDatabase.WAIT);
            later.get(30, TimeUnit.SECONDS);
            assertThat(relay.drain().await().atMost(OutboxDatabase.WAIT).published()).isEqualTo(2);

            assertThat(byKey(published(topic, 2))).containsEntry("vm-1", List.of(0, 1));
        }
    }

    @Test
    void everyReplicaMeasuresTheBacklogAndItsAgeEvenWithoutTheLease() throws Exception {
        String topic = topic();
        try (OutboxDatabase db = new OutboxDatabase()) {
            OutboxPublisher holder = new OutboxPublisher(db.pool(), (t, k, p, tp) -> Uni.createFrom().failure(new IllegalStateException("down")),
                    SETTINGS, "holder");
            OutboxPublisher standby = new OutboxPublisher(db.pool(), OutboxDatabase.kafka(producer), SETTINGS, "standby");
            db.write(topic, List.of(new String[] {"a", "a:0"}, new String[] {"b", "b:0"}, new String[] {"c", "c:0"}));
            holder.drain().await().atMost(OutboxDatabase.WAIT);
            Thread.sleep(300);

            var pass = standby.drain().await().atMost(OutboxDatabase.WAIT);

            assertThat(pass.holder()).isFalse();
            assertThat(standby.backlog()).isEqualTo(3);
            assertThat(standby.oldestAgeMillis()).isGreaterThanOrEqualTo(300);
        }
    }

    @Test
    void publishedRowsAndConsumedIdsGoOncePastTheirRetention() throws Exception {
        String topic = topic();
        try (OutboxDatabase db = new OutboxDatabase()) {
            var pool = db.pool();
            db.write(topic, List.of(new String[] {"a", "a:0"}, new String[] {"a", "a:1"}, new String[] {"b", "b:0"}));
            pool.query("UPDATE outbox_message SET published_at = now() - interval '2 days' WHERE payload <> 'b:0'").execute()
                    .await().atMost(OutboxDatabase.WAIT);
            pool.query("INSERT INTO consumed_event VALUES ('old', now() - interval '8 days'), ('new', now())").execute()
                    .await().atMost(OutboxDatabase.WAIT);

            long deleted = MessagingRetention.prune(pool, Duration.ofDays(1), Duration.ofDays(7), 1).await().atMost(OutboxDatabase.WAIT);

            assertThat(deleted).isEqualTo(3);
            assertThat(db.unpublished()).isEqualTo(1); // never an unpublished row, however old
            assertThat(pool.query("SELECT event_id FROM consumed_event").execute().await().atMost(OutboxDatabase.WAIT)
                    .iterator().next().getString(0)).isEqualTo("new");
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
