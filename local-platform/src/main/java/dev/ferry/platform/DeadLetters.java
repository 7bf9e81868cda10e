package dev.ferry.platform;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The dead-letter topics, for an operator: what is in them and why (the consumer's reason, kept in the record's
 * headers), and, once the cause is fixed, each record replayed onto the topic it came from, once: a consumer group of
 * its own remembers how far replays went, so a second replay sends only what arrived since.
 */
public final class DeadLetters {
    /** The consumer group whose offsets say what has been replayed already. */
    public static final String REPLAY_GROUP = "ferry-dead-letter-replay";
    public static final List<String> TOPICS = List.of("migration-events-dlq", "migration-commands-dlq", "inventory-events-dlq");
    private static final Duration POLL = Duration.ofSeconds(2);

    /** One dead letter as an operator reads it. */
    public record Letter(String topic, int partition, long offset, Instant at, String key, String origin, String reason,
            String value, boolean replayed) {
    }

    private DeadLetters() {
    }

    /** Every record of the dead-letter topic, oldest first per partition, and whether it was replayed already. */
    public static List<Letter> list(String bootstrap, String topic) {
        requireKnown(topic);
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap, "ferry-dead-letter-list-" + UUID.randomUUID())) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            Map<TopicPartition, OffsetAndMetadata> replayedTo = replayed(bootstrap, partitions);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<Letter> letters = new ArrayList<>();
            for (ConsumerRecord<String, String> r : drain(consumer, partitions)) {
                OffsetAndMetadata mark = replayedTo.get(new TopicPartition(r.topic(), r.partition()));
                letters.add(letter(r, mark != null && r.offset() < mark.offset()));
            }
            return letters;
        }
    }

    /** Sends every record not replayed before back to its origin topic, then remembers how far it went. */
    public static int replay(String bootstrap, String topic, PrintStream out) {
        requireKnown(topic);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap, REPLAY_GROUP);
                KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            Map<TopicPartition, OffsetAndMetadata> from = consumer.committed(new java.util.HashSet<>(partitions));
            for (TopicPartition tp : partitions) {
                if (from.get(tp) == null) {
                    consumer.seekToBeginning(List.of(tp));
                } else {
                    consumer.seek(tp, from.get(tp).offset());
                }
            }
            int sent = 0;
            for (ConsumerRecord<String, String> r : drain(consumer, partitions)) {
                Letter l = letter(r, false);
                ProducerRecord<String, String> again = new ProducerRecord<>(l.origin(), r.key(), r.value());
                again.headers().add("ferry-replayed-from", (topic + "@" + r.partition() + ":" + r.offset()).getBytes(StandardCharsets.UTF_8));
                producer.send(again);
                out.printf("replayed %s@%d:%d to %s (key %s; was: %s)%n", topic, r.partition(), r.offset(), l.origin(), r.key(), l.reason());
                sent++;
            }
            producer.flush(); // every record is on its topic before the group says it was replayed
            Map<TopicPartition, OffsetAndMetadata> done = new java.util.HashMap<>();
            for (TopicPartition tp : partitions) {
                done.put(tp, new OffsetAndMetadata(consumer.position(tp)));
            }
            consumer.commitSync(done);
            return sent;
        }
    }

    /** Where a dead letter came from: the header SmallRye sets, or the topic's name without "-dlq". */
    static Letter letter(ConsumerRecord<String, String> r, boolean replayed) {
        String origin = header(r, "dead-letter-topic");
        if (origin == null) {
            origin = r.topic().substring(0, r.topic().length() - "-dlq".length());
        }
        String reason = header(r, "dead-letter-reason");
        return new Letter(r.topic(), r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()), r.key(), origin,
                reason == null ? "(no reason recorded)" : reason, r.value(), replayed);
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static void requireKnown(String topic) {
        if (!TOPICS.contains(topic)) {
            throw new LaunchException("no dead-letter topic " + topic + "; they are " + String.join(", ", TOPICS));
        }
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, String> consumer, String topic) {
        var infos = consumer.partitionsFor(topic, Duration.ofSeconds(15));
        if (infos == null || infos.isEmpty()) {
            throw new LaunchException("topic " + topic + " does not exist on the broker (nothing was ever dead-lettered there)");
        }
        return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }

    private static Map<TopicPartition, OffsetAndMetadata> replayed(String bootstrap, List<TopicPartition> partitions) {
        try (KafkaConsumer<String, String> group = consumer(bootstrap, REPLAY_GROUP)) {
            Map<TopicPartition, OffsetAndMetadata> committed = group.committed(new java.util.HashSet<>(partitions));
            Map<TopicPartition, OffsetAndMetadata> known = new java.util.HashMap<>();
            committed.forEach((tp, o) -> {
                if (o != null) {
                    known.put(tp, o);
                }
            });
            return known;
        }
    }

    /** Reads the assigned partitions up to their current end (records arriving meanwhile wait for the next run). */
    private static List<ConsumerRecord<String, String>> drain(KafkaConsumer<String, String> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(POLL)) {
                if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                    out.add(r);
                }
            }
        }
        return out;
    }
}
