package dev.ferry.scheduler.model;

import dev.ferry.events.DirtyPageRound;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.util.UUID;

/** One pre-copy round as a worker reported it. */
@Entity
public class MigrationRound extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public UUID migrationId;
    public int attempt;
    /** The worker run within the attempt: a takeover appends its rounds under the next run. */
    public int run;
    public String workerId;
    public int round;
    public long bytesSent;
    public long pagesDirtied;
    public double dirtyRatePagesPerSecond;
    public double bandwidthBytesPerSecond;
    public long durationMillis;
    public long remainingBytes;
    public long expectedDowntimeMillis;
    public int throttlePercent;
    public String decision;
    public String reason;
    public boolean stopAndCopy;
    /** The bandwidth the scheduler had given the migration when the round was recorded: its share of the links. */
    public Double shareBytesPerSecond;
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public dev.ferry.events.MigrationMode mode;

    public static MigrationRound of(UUID migrationId, int attempt, int run, String workerId, DirtyPageRound r) {
        MigrationRound m = new MigrationRound();
        m.migrationId = migrationId;
        m.attempt = attempt;
        m.run = run;
        m.workerId = workerId;
        m.mode = dev.ferry.events.MigrationMode.orDefault(r.mode());
        m.round = r.round();
        m.bytesSent = r.bytesSent();
        m.pagesDirtied = r.pagesDirtied();
        m.dirtyRatePagesPerSecond = r.dirtyRatePagesPerSecond();
        m.bandwidthBytesPerSecond = r.bandwidthBytesPerSecond();
        m.durationMillis = r.durationMillis();
        m.remainingBytes = r.remainingBytes();
        m.expectedDowntimeMillis = r.expectedDowntimeMillis();
        m.throttlePercent = r.throttlePercent();
        m.decision = r.decision();
        m.reason = r.reason();
        m.stopAndCopy = r.stopAndCopy();
        return m;
    }

    /** The newest {@code n} rounds of a migration, oldest first: what its view shows. */
    public static io.smallrye.mutiny.Uni<java.util.List<MigrationRound>> latest(UUID migrationId, int n) {
        return MigrationRound.<MigrationRound>find("migrationId = ?1 order by id desc", migrationId)
                .page(io.quarkus.panache.common.Page.ofSize(n)).list()
                .map(list -> {
                    java.util.List<MigrationRound> oldestFirst = new java.util.ArrayList<>(list);
                    java.util.Collections.reverse(oldestFirst);
                    return oldestFirst;
                });
    }

    /** Up to {@code limit} rounds after the cursor {@code after} (a round's position), in the order they arrived. */
    public static io.smallrye.mutiny.Uni<java.util.List<MigrationRound>> after(UUID migrationId, long after, int limit) {
        return MigrationRound.<MigrationRound>find("migrationId = ?1 and id > ?2 order by id", migrationId, after)
                .page(io.quarkus.panache.common.Page.ofSize(limit)).list();
    }
}
