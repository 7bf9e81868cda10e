package dev.ferry.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Follows one migration to its end, printing a progress bar per round as it completes (the bar is the share of the
 * VM's memory the round sent), then the outcome. Polls the migration's view: a round appears within a poll of its
 * event. On a terminal, a status line says what runs meanwhile.
 */
final class MigrationWatch {
    private static final int BAR_WIDTH = 24;
    private static final Duration POLL = Duration.ofMillis(200);

    private final Api api;
    private final PrintWriter out;
    private final boolean terminal;
    private final Outage outage;

    MigrationWatch(Api api, PrintWriter out, PrintWriter err, boolean terminal) {
        this.api = api;
        this.out = out;
        this.terminal = terminal;
        this.outage = new Outage(err);
    }

    /**
     * Waits up to {@code timeout} for the end, through a scheduler outage (the migration goes on meanwhile); returns the
     * exit status of the outcome, or TIMED_OUT.
     */
    int follow(String id, Duration timeout) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        long shown = 0; // the position of the last round printed: the view carries its latest 50, each with its position
        int rounds = 0;
        while (true) {
            JsonNode m = outage.retry(() -> api.scheduler("GET", "/migrations/" + id, null), deadline);
            for (JsonNode r : m.path("rounds")) {
                if (r.path("position").asLong() > shown) {
                    clearStatus();
                    out.println(roundLine(r, m.path("memoryBytes").asLong()));
                    shown = r.path("position").asLong();
                    rounds++;
                }
            }
            String phase = m.path("phase").asText();
            if (ended(phase)) {
                clearStatus();
                return outcome(m);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            if (elapsed.compareTo(timeout) > 0) {
                clearStatus();
                out.printf("still %s after %d s; it goes on: ferryctl events %s --follow%n", phase, elapsed.toSeconds(), id);
                out.flush();
                return ExitCodes.TIMED_OUT;
            }
            if (terminal) {
                out.printf(Locale.ROOT, "\r\033[K  %-9s round %d running ... %.1f s", phase, rounds + 1, elapsed.toMillis() / 1000.0);
                out.flush();
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    static boolean ended(String phase) {
        return phase.equals("SUCCEEDED") || phase.equals("FAILED") || phase.equals("CANCELLED") || phase.equals("OUTCOME_UNKNOWN");
    }

    private int outcome(JsonNode m) {
        String phase = m.path("phase").asText();
        out.println();
        if (phase.equals("SUCCEEDED")) {
            long memory = m.path("memoryBytes").asLong();
            long sent = m.path("bytesSent").asLong();
            out.printf(Locale.ROOT, "SUCCEEDED after %d rounds: downtime %d ms, total time %.2f s, sent %s (%.2fx memory)  [%s]%n",
                    m.path("currentRound").asInt(), m.path("downtimeMillis").asLong(), m.path("totalTimeMillis").asLong() / 1000.0,
                    Output.bytes(sent), (double) sent / memory, m.path("driver").asText("?"));
        } else {
            out.println(phase + ": " + m.path("failureReason").asText(""));
        }
        out.flush();
        return ExitCodes.ofPhase(phase);
    }

    private void clearStatus() {
        if (terminal) {
            out.print("\r\033[K");
        }
    }

    /** A bar as long as the share of memory this round sent, then the round's numbers. */
    static String roundLine(JsonNode r, long memoryBytes) {
        double share = memoryBytes <= 0 ? 0 : Math.min(1.0, r.path("bytesSent").asLong() / (double) memoryBytes);
        int filled = (int) Math.round(share * BAR_WIDTH);
        String bar = "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled);
        String label = r.path("stopAndCopy").asBoolean() ? "stop&copy" : "round " + String.format("%2d", r.path("round").asInt());
        return String.format(Locale.ROOT, "  %-9s [%s] sent %10s  dirtied %,9d pages  remaining %10s  exp. downtime %5d ms  %s",
                label, bar, Output.bytes(r.path("bytesSent").asLong()), r.path("pagesDirtied").asLong(),
                Output.bytes(r.path("remainingBytes").asLong()), r.path("expectedDowntimeMillis").asLong(), r.path("decision").asText());
    }
}
