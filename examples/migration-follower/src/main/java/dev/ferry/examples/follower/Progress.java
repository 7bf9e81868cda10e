package dev.ferry.examples.follower;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns migration-events records into the lines an operator reads, following the rules docs/events/asyncapi.yaml
 * gives every consumer: deduplicate on eventId (delivery is at least once), drop events of an attempt older than the
 * newest seen, take only the scheduler's decision as a migration's end, skip records of a contract version newer than
 * the one this code was written against, and ignore fields and event types it does not know.
 */
public final class Progress {
    /** The contract version this consumer was written against (docs/events/schemas/v1). */
    static final int CONTRACT = 1;
    /** Enough to catch redeliveries, which come close together; bounded so that a long follow does not grow. */
    private static final int REMEMBERED_EVENTS = 100_000;

    /** A migration's end as the scheduler decided it: phase, and the line that says so. */
    public record Decision(String migrationId, String phase) {
        public boolean succeeded() {
            return "SUCCEEDED".equals(phase);
        }
    }

    private final Set<String> seen = new LinkedHashSet<>();
    private final Map<String, Integer> newestAttempt = new HashMap<>();
    private Decision lastDecision;

    /** The line for one record's value, if it is worth one. */
    public Optional<String> line(JsonNode record) {
        lastDecision = null;
        int contract = record.path("contract").asInt(1);
        if (contract > CONTRACT) {
            return Optional.of("skipped a record of contract version " + contract + " (this follower reads version "
                    + CONTRACT + "; see docs/events/schemas/v" + contract + ")");
        }
        String eventId = record.path("eventId").asText(null);
        String migration = record.path("migrationId").asText(null);
        if (eventId == null || migration == null || !remember(eventId)) {
            return Optional.empty();
        }
        int attempt = record.path("attempt").asInt();
        if (attempt < newestAttempt.merge(migration, attempt, Math::max)) {
            return Optional.empty(); // a late event of an attempt the scheduler has already replaced
        }
        String who = short8(migration) + " attempt " + attempt;
        boolean scheduler = "scheduler".equals(record.path("workerId").asText());
        String type = record.path("type").asText();
        return switch (type) {
            case "MIGRATION_STARTED" -> Optional.of(who + ": started by " + record.path("workerId").asText() + ", VM "
                    + record.path("vmId").asLong() + " from host " + record.path("sourceHostId").asLong() + " to host "
                    + record.path("targetHostId").asLong());
            case "ROUND_COMPLETED" -> Optional.of(who + " " + round(record.path("round")));
            case "DIRTY_RATE_MEASURED" -> Optional.of(who + ": before round 1 the guest wrote " + windows(record.path("measurement")));
            case "MIGRATION_SUCCEEDED", "MIGRATION_FAILED", "MIGRATION_CANCELLED", "OUTCOME_UNKNOWN" -> scheduler
                    ? Optional.of(decided(migration, type, record.path("outcome")))
                    : Optional.of(who + ": the worker reports " + type + "; the scheduler decides");
            default -> Optional.empty(); // heartbeats, and types newer than this code
        };
    }

    /** The scheduler's decision the last record carried, if it was one. */
    public Optional<Decision> decision() {
        return Optional.ofNullable(lastDecision);
    }

    private String decided(String migration, String type, JsonNode outcome) {
        String phase = type.startsWith("MIGRATION_") ? type.substring("MIGRATION_".length()) : type;
        lastDecision = new Decision(migration, phase);
        StringBuilder line = new StringBuilder(short8(migration) + ": " + phase + " (the scheduler's decision)");
        if (!outcome.isMissingNode() && !outcome.isNull()) {
            line.append(String.format(Locale.ROOT, ": %d rounds, %s sent, downtime %d ms, total %.1f s",
                    outcome.path("rounds").asInt(), bytes(outcome.path("totalBytesSent").asLong()),
                    outcome.path("downtimeMillis").asLong(), outcome.path("totalTimeMillis").asLong() / 1000.0));
            if (outcome.hasNonNull("failureReason")) {
                line.append("; ").append(outcome.get("failureReason").asText());
            }
        }
        return line.toString();
    }

    /** "3,904 distinct pages in 250 ms, 7,680 in 1000 ms (calc-dirty-rate page-sampling)". */
    private static String windows(JsonNode m) {
        StringBuilder line = new StringBuilder();
        for (JsonNode w : m.path("windows")) {
            line.append(line.length() == 0 ? String.format(Locale.ROOT, "%,d distinct pages in %d ms", w.path("pages").asLong(),
                    w.path("millis").asLong()) : String.format(Locale.ROOT, ", %,d in %d ms", w.path("pages").asLong(),
                    w.path("millis").asLong()));
        }
        return line.append(" (").append(m.path("method").asText("?")).append(")").toString();
    }

    private static String round(JsonNode r) {
        return String.format(Locale.ROOT, "round %d%s: sent %s at %s/s, %s left, dirtying %s/s, expected downtime %d ms, "
                        + "throttle %d%% -> %s (%s)",
                r.path("round").asInt(), r.path("stopAndCopy").asBoolean() ? " (final, VM paused)" : "",
                bytes(r.path("bytesSent").asLong()), bytes((long) r.path("bandwidthBytesPerSecond").asDouble()),
                bytes(r.path("remainingBytes").asLong()),
                bytes((long) (r.path("dirtyRatePagesPerSecond").asDouble() * pageSize(r))),
                r.path("expectedDowntimeMillis").asLong(), r.path("throttlePercent").asInt(),
                r.path("decision").asText("?"), r.path("reason").asText(""));
    }

    /** The guest's page size, as the round's own figures give it (4 KiB when it sent nothing). */
    private static long pageSize(JsonNode r) {
        long pages = r.path("pagesSent").asLong();
        return pages > 0 ? r.path("bytesSent").asLong() / pages : 4096;
    }

    private boolean remember(String eventId) {
        if (!seen.add(eventId)) {
            return false;
        }
        if (seen.size() > REMEMBERED_EVENTS) {
            seen.remove(seen.iterator().next());
        }
        return true;
    }

    static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%d MiB", Math.round(b / (double) (1L << 20)));
    }

    private static String short8(String uuid) {
        return uuid.length() > 8 ? uuid.substring(0, 8) : uuid;
    }
}
