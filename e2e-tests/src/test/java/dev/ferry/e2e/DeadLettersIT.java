package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.platform.DeadLetters;
import dev.ferry.testsupport.KafkaProbe;
import dev.ferry.testsupport.TestBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** ./ferry dead-letters against a real broker: a record with its reason, replayed to its origin once, not twice. */
class DeadLettersIT {

    static void deadLetter(String key, String value, String reason) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", TestBroker.bootstrapServers());
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            var r = new ProducerRecord<>("inventory-events-dlq", key, value);
            // as SmallRye's dead-letter strategy writes them
            r.headers().add("dead-letter-reason", reason.getBytes(StandardCharsets.UTF_8));
            r.headers().add("dead-letter-topic", "inventory-events".getBytes(StandardCharsets.UTF_8));
            producer.send(r).get();
        }
    }

    @Test
    void aDeadLetterIsListedWithItsReasonAndReplayedToItsOriginOnce() throws Exception {
        TestBroker.createTopics("inventory-events", "inventory-events-dlq");
        String key = "dl-" + UUID.randomUUID();
        deadLetter(key, "{\"eventId\":\"" + key + "\"}", "Connection refused: the database was away");

        var letters = DeadLetters.list(TestBroker.bootstrapServers(), "inventory-events-dlq");
        var mine = letters.stream().filter(l -> key.equals(l.key())).findFirst().orElseThrow();
        assertThat(mine.reason()).isEqualTo("Connection refused: the database was away");
        assertThat(mine.origin()).isEqualTo("inventory-events");
        assertThat(mine.replayed()).isFalse();

        var out = new ByteArrayOutputStream();
        int sent = DeadLetters.replay(TestBroker.bootstrapServers(), "inventory-events-dlq", new PrintStream(out, true));
        assertThat(sent).isGreaterThanOrEqualTo(1);
        assertThat(out.toString()).contains("key " + key);
        var back = KafkaProbe.readUntil(TestBroker.bootstrapServers(), "inventory-events", r -> key.equals(r.key()),
                seen -> !seen.isEmpty(), Duration.ofSeconds(20));
        assertThat(back).hasSize(1);
        assertThat(back.get(0).value()).contains(key);

        assertThat(DeadLetters.replay(TestBroker.bootstrapServers(), "inventory-events-dlq", new PrintStream(new ByteArrayOutputStream())))
                .isZero();
        assertThat(DeadLetters.list(TestBroker.bootstrapServers(), "inventory-events-dlq").stream()
                .filter(l -> key.equals(l.key())).findFirst().orElseThrow().replayed()).isTrue();
        assertThat(KafkaProbe.readUntil(TestBroker.bootstrapServers(), "inventory-events", r -> key.equals(r.key()),
                seen -> false, Duration.ofSeconds(2))).hasSize(1);
    }
}
