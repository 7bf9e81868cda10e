package dev.ferry.scheduler.service;

import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.MigrationRound;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The audit entries and rounds a batch of worker events adds, written with one multi-row INSERT per table when
 * {@link #flush flushed}, in the caller's transaction. Persisting them one by one costs a statement and a round trip
 * each (their ids are database identities, which Hibernate cannot batch); at thousands of round events a second that
 * was most of the consumer's time.
 *
 * <p>Rows go in in the order they were added, and the database hands out identities in that order, so a migration's
 * rounds and audit trail keep the order its events arrived in. A row added here is not a managed entity: what is
 * added must be complete, and anything else that writes an audit entry must {@link #flush} first, so that the trail
 * stays in order.
 */
public final class EventRows {
    /** Far below PostgreSQL's 65,535 parameters per statement at 17 columns. */
    static final int ROWS_PER_STATEMENT = 1000;

    private static final String AUDIT = "INSERT INTO audit_entry (migration_id, direction, record_type, record_id, attempt, "
            + "sequence, note, payload, recorded_at, principal, principal_subject) VALUES ";
    private static final int AUDIT_COLUMNS = 11;
    private static final String ROUND = "INSERT INTO migration_round (migration_id, attempt, run, worker_id, mode, round, "
            + "bytes_sent, pages_dirtied, dirty_rate_pages_per_second, bandwidth_bytes_per_second, duration_millis, "
            + "remaining_bytes, expected_downtime_millis, throttle_percent, decision, reason, stop_and_copy) VALUES ";
    private static final int ROUND_COLUMNS = 17;

    private final List<AuditEntry> audit = new ArrayList<>();
    private final List<MigrationRound> rounds = new ArrayList<>();

    public void add(AuditEntry entry) {
        audit.add(entry);
    }

    public void add(MigrationRound round) {
        rounds.add(round);
    }

    /** Writes what was added since the last flush, audit entries first; nothing is left to write after it. */
    public Uni<Void> flush() {
        List<AuditEntry> a = List.copyOf(audit);
        List<MigrationRound> r = List.copyOf(rounds);
        audit.clear();
        rounds.clear();
        return insert(AUDIT, AUDIT_COLUMNS, a, EventRows::auditValues).flatMap(x -> insert(ROUND, ROUND_COLUMNS, r, EventRows::roundValues));
    }

    private static Object[] auditValues(AuditEntry e) {
        return new Object[] { e.migrationId, e.direction, e.recordType, e.recordId, e.attempt, e.sequence, e.note, e.payload,
                e.recordedAt.atOffset(ZoneOffset.UTC), e.principal, e.principalSubject };
    }

    private static Object[] roundValues(MigrationRound r) {
        return new Object[] { r.migrationId, r.attempt, r.run, r.workerId, r.mode.name(), r.round, r.bytesSent, r.pagesDirtied,
                r.dirtyRatePagesPerSecond, r.bandwidthBytesPerSecond, r.durationMillis, r.remainingBytes,
                r.expectedDowntimeMillis, r.throttlePercent, r.decision, r.reason, r.stopAndCopy };
    }

    private static <T> Uni<Void> insert(String head, int columns, List<T> rows, Function<T, Object[]> values) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            List<T> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
            chain = chain.flatMap(x -> Panache.getSession().flatMap(s -> {
                var q = s.createNativeQuery(head + placeholders(chunk.size(), columns));
                int i = 1;
                for (T row : chunk) {
                    for (Object v : values.apply(row)) {
                        q.setParameter(i++, v);
                    }
                }
                return q.executeUpdate();
            })).replaceWithVoid();
        }
        return chain;
    }

    /** "(?1, ?2), (?3, ?4)" for two rows of two columns. */
    static String placeholders(int rows, int columns) {
        StringBuilder sql = new StringBuilder();
        int p = 1;
        for (int r = 0; r < rows; r++) {
            sql.append(r == 0 ? "(" : ", (");
            for (int c = 0; c < columns; c++) {
                sql.append(c == 0 ? "?" : ", ?").append(p++);
            }
            sql.append(')');
        }
        return sql.toString();
    }
}
