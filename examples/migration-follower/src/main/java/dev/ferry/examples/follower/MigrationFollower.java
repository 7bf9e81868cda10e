package dev.ferry.examples.follower;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows migrations from the migration-events topic alone and prints their progress, round by round: an example of
 * a consumer built from docs/events (no Ferry code, no Ferry API).
 * <pre>
 * java -cp ... dev.ferry.examples.follower.MigrationFollower BOOTSTRAP [MIGRATION-ID [TIMEOUT-SECONDS]]
 * </pre>
 * Without a migration id it follows every migration until stopped. With one it prints only that migration and exits
 * when the scheduler has decided its end: 0 succeeded, 1 failed, cancelled or unknown, 3 no decision in time.
 */
public final class MigrationFollower {
    static final String TOPIC = "migration-events";
    private static final ObjectMapper JSON = new ObjectMapper();

    private MigrationFollower() {
    }

    /**
     * Reads the topic from its beginning (a group of its own, committing nothing: every run replays the history) and
     * prints a line per record worth one; returns the decision about {@code migrationId}, or null at the deadline.
     */
    public static Progress.Decision follow(Properties kafka, String migrationId, Duration timeout, PrintStream out) {
        Progress progress = new Progress();
        Instant deadline = timeout == null ? Instant.MAX : Instant.now().plus(timeout);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(settings(kafka))) {
            consumer.subscribe(List.of(TOPIC));
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (migrationId != null && !migrationId.equals(r.key())) {
                        continue; // keyed by migration id: another migration's record
                    }
                    JsonNode value = parse(r);
                    if (value == null) {
                        out.printf("skipped %s@%d:%d: not JSON%n", r.topic(), r.partition(), r.offset());
                        continue;
                    }
                    progress.line(value).ifPresent(out::println);
                    Progress.Decision decided = progress.decision().orElse(null);
                    if (decided != null && decided.migrationId().equals(migrationId)) {
                        return decided;
                    }
                }
            }
        }
        return null;
    }

    private static Properties settings(Properties given) {
        Properties p = new Properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "migration-follower-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.putAll(given); // the caller's bootstrap servers, and TLS or SASL settings where the broker needs them
        return p;
    }

    private static JsonNode parse(ConsumerRecord<String, String> r) {
        try {
            JsonNode value = r.value() == null ? null : JSON.readTree(r.value());
            return value != null && value.isObject() ? value : null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: MigrationFollower BOOTSTRAP [MIGRATION-ID [TIMEOUT-SECONDS]]");
            System.exit(2);
        }
        Properties kafka = new Properties();
        kafka.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        String migration = args.length > 1 ? args[1] : null;
        Duration timeout = args.length > 2 ? Duration.ofSeconds(Long.parseLong(args[2])) : null;
        Progress.Decision decision = follow(kafka, migration, timeout, System.out);
        if (migration != null) {
            System.exit(decision == null ? 3 : decision.succeeded() ? 0 : 1);
        }
    }
}
