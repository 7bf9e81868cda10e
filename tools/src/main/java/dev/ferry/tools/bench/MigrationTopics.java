package dev.ferry.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Watches the platform's migration topics from their beginning, as a consumer group of its own: when each migration's
 * START went out (the record's producer timestamp, set as the scheduler's relay sends it) and when its worker began
 * round 1 (the MIGRATION_STARTED event's own timestamp, the worker's clock). Every clock is this machine's.
 */
final class MigrationTopics implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Instant> startSent = new ConcurrentHashMap<>();
    private final Map<String, Instant> roundOneBegan = new ConcurrentHashMap<>();
    private final Thread poller;
    private volatile boolean closed;

    MigrationTopics(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // the topics may not exist yet: the subscription picks them up as they appear
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "500");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p);
        consumer.subscribe(List.of("migration-commands", "migration-events"));
        poller = new Thread(() -> {
            try (consumer) {
                while (!closed) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                        record(r);
                    }
                }
            }
        }, "bench-topics");
        poller.setDaemon(true);
        poller.start();
    }

    private void record(ConsumerRecord<String, String> r) {
        try {
            JsonNode v = JSON.readTree(r.value());
            String id = v.path("migrationId").asText();
            String type = v.path("type").asText();
            if (r.topic().equals("migration-commands") && type.equals("START")) {
                startSent.putIfAbsent(id, Instant.ofEpochMilli(r.timestamp()));
            } else if (r.topic().equals("migration-events") && type.equals("MIGRATION_STARTED")) {
                roundOneBegan.putIfAbsent(id, Instant.parse(v.path("timestamp").asText()));
            }
        } catch (Exception unreadable) {
            // not a record of ours: the benchmark waits for the ones it asked for, and says so if they never come
        }
    }

    /** When the worker began round 1 of the migration; waits for it up to {@code timeout}. */
    Instant roundOneBegan(String migrationId, Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            Instant t = roundOneBegan.get(migrationId);
            if (t != null) {
                return t;
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("migration " + migrationId + ": no MIGRATION_STARTED on migration-events within " + timeout);
    }

    /** When the START of the migration went out on migration-commands; null when it was not seen. */
    Instant startSent(String migrationId) {
        return startSent.get(migrationId);
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        poller.join(5_000);
    }
}
