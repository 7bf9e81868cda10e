package dev.ferry.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Set;

/** The outbox relay and the idempotent consumer, the same in every service. */
@ConfigMapping(prefix = "ferry.messaging")
public interface MessagingConfig {

    /**
     * Every topic this service's outbox may write, besides the default topic of the {@code outbox} channel. A write
     * to another topic is refused in the writer's transaction: it is a programming error, not something to retry.
     */
    Set<String> outboxTopics();

    /** Upper bound on one Kafka send, so that a dead broker never stalls the relay. */
    @WithDefault("PT5S")
    Duration sendTimeout();

    /** Rows read and sent per pass; a full pass is followed at once by another. */
    @WithDefault("200")
    int batchSize();

    /**
     * How long the publishing replica's lease lasts without renewal. A replica that dies is replaced after at most
     * this long; it must exceed a pass (at most one send timeout per key chain), or two replicas would publish.
     */
    @WithDefault("PT15S")
    Duration leaseTtl();

    /**
     * How often the relay looks for unpublished rows besides the database's after-commit notification (its
     * fallback when the notification connection is down). Read by its @Scheduled expression; at least one second.
     */
    @WithDefault("1s")
    String pollInterval();

    /** Published outbox rows are kept this long for inspection, then deleted. */
    @WithDefault("P1D")
    Duration publishedRetention();

    /**
     * Consumed-event ids are kept this long. Longer than any redelivery (Kafka retention of the topics), and where a
     * replay older than that could still do harm, the effect itself is idempotent by state (attempt, sequence, a
     * reservation's state).
     */
    @WithDefault("P7D")
    Duration consumedRetention();

    /** How often old rows are pruned (read by the @Scheduled expression). */
    @WithDefault("10m")
    String pruneInterval();

    /** Rows deleted per statement when pruning, so that a large backlog never holds one long transaction. */
    @WithDefault("10000")
    int pruneBatch();

    /** First wait before retrying a consumer whose database is unreachable; it doubles up to the maximum. */
    @WithDefault("PT0.2S")
    Duration retryInitialBackoff();

    /** Longest wait between retries while an outage lasts; the record is retried until it applies. */
    @WithDefault("PT10S")
    Duration retryMaxBackoff();
}
