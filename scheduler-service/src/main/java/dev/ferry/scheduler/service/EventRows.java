package dev.ferry.scheduler.service;

import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.MigrationRound;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The audit entries and rounds a batch of worker events adds, written with one INSERT per table when
 * {@link #flush flushed}, in the caller's transaction, and the share accounts its first rounds restart, with one
 * UPDATE. Persisting them one by one costs a statement and a round trip
 * each (their ids are database identities, which Hibernate cannot batch); at thousands of round events a second that
 * was most of the consumer's time.
 *
 * <p>Each column goes as one array parameter, unnested into rows: a parameter per value costs more to bind than the
 * insert itself. Rows go in in the order they were added ({@code ORDER BY} the position), and the database hands out
 * identities in that order, so a migration's rounds and audit trail keep the order its events arrived in. A row added
 * here is not a managed entity: what is added must be complete, and anything else that writes an audit entry must
 * {@link #flush} first, so that the trail stays in order.
 */
public final class EventRows {
    private static final Table<AuditEntry> AUDIT = new Table<>("audit_entry", List.of(
            new Column<>("migration_id", "uuid", e -> e.migrationId),
            new Column<>("direction", "text", e -> e.direction),
            new Column<>("record_type", "text", e -> e.recordType),
            new Column<>("record_id", "text", e -> e.recordId),
            new Column<>("attempt", "int", e -> e.attempt),
            new Column<>("sequence", "bigint", e -> e.sequence),
            new Column<>("note", "text", e -> e.note),
            new Column<>("payload", "text", e -> e.payload),
            new Column<>("recorded_at", "timestamptz", e -> e.recordedAt),
            new Column<>("principal", "text", e -> e.principal),
            new Column<>("principal_subject", "text", e -> e.principalSubject)));

    private static final Table<MigrationRound> ROUND = new Table<>("migration_round", List.of(
            new Column<>("migration_id", "uuid", r -> r.migrationId),
            new Column<>("attempt", "int", r -> r.attempt),
            new Column<>("run", "int", r -> r.run),
            new Column<>("worker_id", "text", r -> r.workerId),
            new Column<>("mode", "text", r -> r.mode.name()),
            new Column<>("round", "int", r -> r.round),
            new Column<>("bytes_sent", "bigint", r -> r.bytesSent),
            new Column<>("pages_dirtied", "bigint", r -> r.pagesDirtied),
            new Column<>("dirty_rate_pages_per_second", "float8", r -> r.dirtyRatePagesPerSecond),
            new Column<>("bandwidth_bytes_per_second", "float8", r -> r.bandwidthBytesPerSecond),
            new Column<>("duration_millis", "bigint", r -> r.durationMillis),
            new Column<>("remaining_bytes", "bigint", r -> r.remainingBytes),
            new Column<>("expected_downtime_millis", "bigint", r -> r.expectedDowntimeMillis),
            new Column<>("throttle_percent", "int", r -> r.throttlePercent),
            new Column<>("decision", "text", r -> r.decision),
            new Column<>("reason", "text", r -> r.reason),
            new Column<>("stop_and_copy", "boolean", r -> r.stopAndCopy),
            new Column<>("share_bytes_per_second", "float8", r -> r.shareBytesPerSecond)));

    private final List<AuditEntry> audit = new ArrayList<>();
    private final List<MigrationRound> rounds = new ArrayList<>();
    private final List<ShareStart> shareStarts = new ArrayList<>();

    /** A migration whose attempt first ran at {@code at}: what its shares let it send is counted from then (V20). */
    private record ShareStart(java.util.UUID migrationId, java.time.Instant at) {
    }

    public void add(AuditEntry entry) {
        audit.add(entry);
    }

    public void add(MigrationRound round) {
        rounds.add(round);
    }

    /**
     * The migration's attempt first runs at {@code at}: its share's account (share_capacity_bytes, share_from,
     * share_since, which LinkAllocation's own UPDATE also writes and the entity never does) begins again from then.
     * Kept for the flush rather than run at once: a native statement makes Hibernate flush the whole session first
     * (dirty-checking every migration the batch locked), and one per first round made a batch of 500 first rounds
     * take 20 s.
     */
    public void startShare(java.util.UUID migrationId, java.time.Instant at) {
        shareStarts.add(new ShareStart(migrationId, at));
    }

    /** Writes what was added since the last flush, audit entries first; nothing is left to write after it. */
    public Uni<Void> flush() {
        List<AuditEntry> a = List.copyOf(audit);
        List<MigrationRound> r = List.copyOf(rounds);
        List<ShareStart> s = List.copyOf(shareStarts);
        audit.clear();
        rounds.clear();
        shareStarts.clear();
        return AUDIT.insert(a).flatMap(x -> ROUND.insert(r)).flatMap(x -> startShares(s));
    }

    /** One UPDATE for every share that begins again; a migration started before V20 keeps none (share_from null). */
    private static Uni<Void> startShares(List<ShareStart> starts) {
        if (starts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] ids = starts.stream().map(s -> s.migrationId().toString()).toArray(String[]::new);
        String[] ats = starts.stream().map(s -> s.at().toString()).toArray(String[]::new);
        return Panache.getSession().flatMap(session -> session.createNativeQuery("UPDATE migration m SET share_capacity_bytes = 0, "
                + "share_from = v.at, share_since = v.at FROM unnest(CAST(CAST(?1 AS text[]) AS uuid[]), "
                + "CAST(CAST(?2 AS text[]) AS timestamptz[])) AS v(id, at) WHERE m.id = v.id AND m.share_from IS NOT NULL")
                .setParameter(1, ids).setParameter(2, ats).executeUpdate()).replaceWithVoid();
    }

    /** A column, its PostgreSQL type and where its value comes from. */
    record Column<T>(String name, String type, Function<T, Object> value) {
    }

    record Table<T>(String name, List<Column<T>> columns) {
        /**
         * INSERT INTO t (a, b) SELECT a, b FROM unnest(CAST(CAST(?1 AS text[]) AS uuid[]), ...) WITH ORDINALITY AS r(a, b, n)
         * ORDER BY n (CAST, not {@code ::}, which Hibernate's parameter parsing reads as part of the label). Every array goes as text and is cast in the statement: one parameter type Hibernate binds the same way
         * everywhere, and PostgreSQL's own parsing of each value.
         */
        String sql() {
            StringBuilder names = new StringBuilder();
            StringBuilder arrays = new StringBuilder();
            for (int i = 0; i < columns.size(); i++) {
                names.append(i == 0 ? "" : ", ").append(columns.get(i).name());
                arrays.append(i == 0 ? "" : ", ").append("CAST(CAST(?").append(i + 1).append(" AS text[]) AS ").append(columns.get(i).type())
                        .append("[])");
            }
            return "INSERT INTO " + name + " (" + names + ") SELECT " + names + " FROM unnest(" + arrays + ") WITH ORDINALITY AS r("
                    + names + ", position) ORDER BY position";
        }

        /** Column by column, the rows' values as text (null stays null). */
        List<String[]> arrays(List<T> rows) {
            List<String[]> arrays = new ArrayList<>();
            for (Column<T> c : columns) {
                String[] values = new String[rows.size()];
                for (int r = 0; r < rows.size(); r++) {
                    Object v = c.value().apply(rows.get(r));
                    values[r] = v == null ? null : Objects.toString(v);
                }
                arrays.add(values);
            }
            return arrays;
        }

        Uni<Void> insert(List<T> rows) {
            if (rows.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            List<String[]> arrays = arrays(rows);
            return Panache.getSession().flatMap(s -> {
                var q = s.createNativeQuery(sql());
                for (int i = 0; i < arrays.size(); i++) {
                    q.setParameter(i + 1, arrays.get(i));
                }
                return q.executeUpdate();
            }).replaceWithVoid();
        }
    }
}
