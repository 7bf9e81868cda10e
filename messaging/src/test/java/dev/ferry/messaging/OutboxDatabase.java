package dev.ferry.messaging;

import dev.ferry.support.tracing.TraceParents;
import dev.ferry.testsupport.TestDatabase;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgPool;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** A fresh database with the messaging tables (from the module's own migration script), and pools on it. */
final class OutboxDatabase implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);
    final Vertx vertx = Vertx.vertx();
    final String name = "messaging_" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Pool> pools = new ArrayList<>();
    private final int port;

    OutboxDatabase() throws IOException {
        port = TestDatabase.ensureDatabase(name);
        for (String script : new String[] {"V2_1__reliable_messaging.sql", "V2_2__outbox_trace.sql"}) {
            try (InputStream ddl = getClass().getResourceAsStream("/db/messaging/" + script)) {
                pool().query(new String(ddl.readAllBytes(), StandardCharsets.UTF_8)).execute().await().atMost(WAIT);
            }
        }
    }

    /** A pool of its own, as each replica of a service has. */
    Pool pool() {
        Pool p = PgPool.pool(vertx, new PgConnectOptions().setHost("localhost").setPort(port).setDatabase(name)
                .setUser("postgres").setPassword("postgres"), new PoolOptions().setMaxSize(4));
        pools.add(p);
        return p;
    }

    /** Writes rows as a service transaction would: several at once, committed together. */
    void write(String topic, List<String[]> keyAndPayload) {
        pools.get(0).withTransaction(c -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (String[] row : keyAndPayload) {
                chain = chain.call(() -> c.preparedQuery("SELECT outbox_write($1, $2, $3)").execute(Tuple.of(topic, row[0], row[1])));
            }
            return chain;
        }).await().atMost(WAIT);
    }

    /** One row written by a traced transaction: {@code traceParent} is the span that wrote it. */
    void writeTraced(String topic, String key, String payload, String traceParent) {
        pools.get(0).preparedQuery("SELECT outbox_write($1, $2, $3, $4)").execute(Tuple.of(topic, key, payload, traceParent))
                .await().atMost(WAIT);
    }

    long unpublished() {
        return pools.get(0).query("SELECT count(*) FROM outbox_message WHERE published_at IS NULL").execute()
                .await().atMost(WAIT).iterator().next().getLong(0);
    }

    /** A real Kafka producer as the sender: completes on the broker's acknowledgement. */
    static OutboxPublisher.RecordSender kafka(KafkaProducer<String, String> producer) {
        return (topic, key, payload, traceParent) -> Uni.createFrom().completionStage(() -> {
            CompletableFuture<Void> acked = new CompletableFuture<>();
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, payload);
            if (traceParent != null) {
                record.headers().add(TraceParents.HEADER, traceParent.getBytes(StandardCharsets.UTF_8));
            }
            producer.send(record, (meta, e) -> {
                if (e != null) {
                    acked.completeExceptionally(e);
                } else {
                    acked.complete(null);
                }
            });
            return acked;
        });
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p);
    }

    static List<String> values(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }

    @Override
    public void close() {
        for (Pool p : pools) {
            p.close().await().atMost(WAIT);
        }
        vertx.close().await().atMost(WAIT);
    }
}
