package dev.ferry.examples.follower;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.AbortStatus;
import dev.ferry.events.DirtyPageRound;
import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationEvent;
import dev.ferry.events.MigrationMode;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.testsupport.TestBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example consumer against a real broker, fed the records Ferry's own codec writes, redeliveries and a retried
 * attempt included: it prints each round of the attempt that counts once, and stops at the scheduler's decision.
 */
class MigrationFollowerTest {
    private static final long MIB = 1L << 20;

    @BeforeAll
    static void topic() {
        TestBroker.createTopics(MigrationFollower.TOPIC);
    }

    @Test
    void printsEachRoundOfTheAttemptThatCountsOnceAndEndsAtTheSchedulersDecision() throws Exception {
        UUID id = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        MigrationEvent round2 = round(id, 1, 3, 2, 40, false);
        try (KafkaProducer<String, String> producer = producer()) {
            send(producer, id, EventCodec.toJson(event(id, EventType.MIGRATION_STARTED, 1, 1, "worker-1", null, null)));
            send(producer, id, EventCodec.toJson(round(id, 1, 2, 1, 300, false)));
            send(producer, other, EventCodec.toJson(round(other, 1, 2, 1, 999, false)));
            send(producer, id, EventCodec.toJson(round2));
            send(producer, id, EventCodec.toJson(round2)); // delivered twice
            send(producer, id, EventCodec.toJson(event(id, EventType.MIGRATION_STARTED, 2, 1, "worker-2", null, null)));
            send(producer, id, EventCodec.toJson(round(id, 1, 4, 3, 20, false))); // attempt 1, late: attempt 2 runs now
            send(producer, id, EventCodec.toJson(round(id, 2, 2, 1, 250, false)));
            send(producer, id, EventCodec.toJson(event(id, EventType.HEARTBEAT, 2, 3, "worker-2", null, null)));
            send(producer, id, "{\"contract\": 2, \"eventId\": \"from-the-future\", \"migrationId\": \"" + id + "\"}");
            send(producer, id, EventCodec.toJson(round(id, 2, 4, 2, 8, true)));
            MigrationOutcome outcome = new MigrationOutcome(2, 900 * MIB, 180, 14_020, null, "simulator", MigrationMode.PRE_COPY,
                    AbortStatus.NONE);
            send(producer, id, EventCodec.toJson(event(id, EventType.MIGRATION_SUCCEEDED, 2, 5, "worker-2", null, outcome)));
            send(producer, id, EventCodec.toJson(event(id, EventType.MIGRATION_SUCCEEDED, 2, 6, MigrationEvent.SCHEDULER, null, outcome)));
        }
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        Progress.Decision decision = MigrationFollower.follow(kafka(), id.toString(), Duration.ofSeconds(60),
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(decision).isEqualTo(new Progress.Decision(id.toString(), "SUCCEEDED"));
        String m = id.toString().substring(0, 8);
        assertThat(printed.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                m + " attempt 1: started by worker-1, VM 42 from host 3 to host 5",
                m + " attempt 1 round 1: sent 1.0 GiB at 1.0 GiB/s, 300 MiB left, dirtying 100 MiB/s, expected downtime 300 ms, throttle 0% -> CONTINUE (round 1)",
                m + " attempt 1 round 2: sent 1.0 GiB at 1.0 GiB/s, 40 MiB left, dirtying 100 MiB/s, expected downtime 40 ms, throttle 0% -> CONTINUE (round 2)",
                m + " attempt 2: started by worker-2, VM 42 from host 3 to host 5",
                m + " attempt 2 round 1: sent 1.0 GiB at 1.0 GiB/s, 250 MiB left, dirtying 100 MiB/s, expected downtime 250 ms, throttle 0% -> CONTINUE (round 1)",
                "skipped a record of contract version 2 (this follower reads version 1; see docs/events/schemas/v2)",
                m + " attempt 2 round 2 (final, VM paused): sent 1.0 GiB at 1.0 GiB/s, 8 MiB left, dirtying 100 MiB/s, expected downtime 8 ms, throttle 0% -> STOP_AND_COPY (round 2)",
                m + " attempt 2: the worker reports MIGRATION_SUCCEEDED; the scheduler decides",
                m + ": SUCCEEDED (the scheduler's decision): 2 rounds, 900 MiB sent, downtime 180 ms, total 14.0 s");
    }

    @Test
    void givesUpAtItsTimeoutWhenNoDecisionComes() {
        UUID id = UUID.randomUUID();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        assertThat(MigrationFollower.follow(kafka(), id.toString(), Duration.ofSeconds(3), new PrintStream(printed))).isNull();
        assertThat(printed.toString()).isEmpty();
    }

    private static MigrationEvent round(UUID id, int attempt, long sequence, int n, long remainingMib, boolean last) {
        DirtyPageRound r = new DirtyPageRound(n, 262_144, 1L << 30, 25_600, 25_600, 1L << 30, 1_000, remainingMib * 256,
                remainingMib * MIB, remainingMib, 0, last ? "STOP_AND_COPY" : "CONTINUE", "round " + n, last, MigrationMode.PRE_COPY);
        return event(id, EventType.ROUND_COMPLETED, attempt, sequence, "worker-" + attempt, r, null);
    }

    private static MigrationEvent event(UUID id, EventType type, int attempt, long sequence, String worker, DirtyPageRound round,
            MigrationOutcome outcome) {
        return new MigrationEvent(UUID.randomUUID().toString(), type, id, attempt, sequence, Instant.now(), 42, 3, 5, 912,
                worker, round, outcome);
    }

    private static void send(KafkaProducer<String, String> producer, UUID key, String value) throws Exception {
        producer.send(new ProducerRecord<>(MigrationFollower.TOPIC, key.toString(), value)).get();
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static Properties kafka() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.bootstrapServers());
        return p;
    }
}
