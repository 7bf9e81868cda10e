package dev.ferry.platform;

import com.fasterxml.jackson.databind.JsonNode;

/** How the demo prints sizes and rounds. */
final class Format {
    private static final int BAR_WIDTH = 24;

    private Format() {
    }

    static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format("%.2f GiB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format("%.1f MiB", b / (double) (1L << 20));
        }
        return String.format("%.1f KiB", b / 1024.0);
    }

    /** A bar as long as the share of memory this round sent, then the round's numbers. */
    static String roundLine(JsonNode r, long memoryBytes) {
        double share = Math.min(1.0, r.path("bytesSent").asLong() / (double) memoryBytes);
        int filled = (int) Math.round(share * BAR_WIDTH);
        String bar = "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled);
        String label = r.path("stopAndCopy").asBoolean() ? "stop&copy" : "round " + String.format("%2d", r.path("round").asInt());
        return String.format("  %-9s [%s] sent %10s  dirtied %,9d pages  remaining %10s  exp. downtime %5d ms  %s",
                label, bar, bytes(r.path("bytesSent").asLong()), r.path("pagesDirtied").asLong(),
                bytes(r.path("remainingBytes").asLong()), r.path("expectedDowntimeMillis").asLong(), r.path("decision").asText());
    }
}
