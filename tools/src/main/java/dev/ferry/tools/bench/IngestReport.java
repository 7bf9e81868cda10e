package dev.ferry.tools.bench;

import dev.ferry.platform.FerryService;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** The event ingest's section of docs/benchmarks/control-plane.md, from one {@link IngestRun}. */
final class IngestReport {
    static final String HEADING = "## Event ingest";
    /** What the issue asks: the goal's rate sustained, and within 200 ms (p99) to the API at the moderate rate. */
    static final double VISIBLE_P99_GOAL_MS = 200;

    private IngestReport() {
    }

    static String markdown(IngestRun.Result r, double upSeconds, double runMinutes) {
        IngestRun.Stage cold = r.stages().stream().filter(s -> s.when().equals(IngestRun.COLD)).findFirst().orElseThrow();
        IngestRun.Stage timed = r.stages().stream().filter(s -> s.when().equals(IngestRun.WARM)).findFirst().orElseThrow();
        IngestRun.Stage goal = r.stages().get(r.stages().size() - 1);
        StringBuilder md = new StringBuilder(HEADING + " (issue #14, goal 1)\n\n");
        md.append(String.format(Locale.ROOT, "Produced by `./ferry bench-ingest %d` on %s, %s, in %.1f minutes, on a platform of its "
                + "own as above, the services started as `%s` (up in %.1f s). ", goal.rate(), Machine.describe(),
                Instant.now().toString().substring(0, 10), runMinutes, FerryService.commandLine(), upSeconds));
        md.append(String.format(Locale.ROOT, "%d migrations were requested, placed, reserved and dispatched through the API on a fleet "
                + "of their own (%d hosts), then claimed by the load generator acting as their worker (the worker client's token); no "
                + "worker process ran. The generator kept the claims and wrote valid ROUND_COMPLETED events straight to "
                + "`migration-events` (%d partitions), round-robin over the migrations, each migration's in sequence, for %d s per "
                + "timed stage: %d a second twice (the services' first events, while the JIT compiles the event path, then again "
                + "warm, after %d s more at that rate, untimed), then the goal's rate. Inventory-service read the same records. Applied per second: the scheduler's own "
                + "`ferry_migration_rounds_total` over the stage; lag: each consumer group's uncommitted records, from Kafka; visible: "
                + "from just before the event was handed to the producer until `GET /migrations/{id}` showed its round (one event "
                + "in %d followed, each on its own, read every %d ms for its first %d ms and every %d ms after, by one of %d followers; "
                + "an event never seen counts with what it "
                + "had waited when the stage ended; the second half: only the events produced in the stage's last %d s, which "
                + "a backlog or a JIT still compiling from the stage before leaves out; the goal is judged on the whole stage). Lag is counted from committed offsets, which the consumers commit every few "
                + "seconds: a lag of a few thousand records at 1,000/s is that interval, not a backlog. After each stage the "
                + "scheduler had up to %d s to catch up.%n%n",
                r.migrations(), IngestRun.HOSTS, ConcurrencyRun.PARTITIONS, IngestRun.STAGE.toSeconds(), IngestRun.TIMED_RATE,
                IngestRun.WARMING.toSeconds(), IngestRun.TRACK_EVERY,
                IngestRun.FOLLOW_EVERY, IngestRun.FOLLOW_SLOWER_AFTER, IngestRun.FOLLOW_LATE, IngestRun.FOLLOWERS,
                IngestRun.STAGE.toSeconds() / 2, IngestRun.DRAIN.toSeconds()));
        md.append("| stage | events/s asked | produced | produced/s | applied/s by the scheduler | scheduler lag at the stage's end | "
                + "caught up after | inventory lag, most | inventory lag after | visible p50 | visible p99 | second half: visible p50 | "
                + "second half: visible p99 |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (IngestRun.Stage s : r.stages()) {
            double[] v = s.visibleMillis();
            double[] later = s.laterVisibleMillis();
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.0f | %d | %s | %d | %d | %s | %s | %s | %s |%n", s.when(), s.rate(),
                    s.produced(),
                    s.producedPerSecond(), s.appliedPerSecond(), s.schedulerLagAtEnd(),
                    Double.isNaN(s.drainedSeconds()) ? "not within " + IngestRun.DRAIN.toSeconds() + " s"
                            : String.format(Locale.ROOT, "%.1f s", s.drainedSeconds()),
                    s.inventoryLagMax(), s.inventoryLagAfter(), millis(v, 50), millis(v, 99), millis(later, 50), millis(later, 99)));
        }
        md.append(String.format(Locale.ROOT, "%nChecked at the end: the rounds of every 20th migration (%d rounds) are 1, 2, 3, ... in "
                + "order with none missing or twice: %s; open discrepancies: %d; records on `migration-events-dlq`: %d.%n%n",
                r.roundsChecked(), r.outOfOrder().isEmpty() ? "yes" : "**no** (" + r.outOfOrder().size() + ": "
                        + String.join("; ", r.outOfOrder().stream().limit(3).toList()) + ")", r.discrepancies(), r.deadLetters()));
        for (IngestRun.Stage s : List.of(cold, timed)) {
            double[] reads = s.readMillis();
            double[] reached = s.reachedMillis();
            md.append(String.format(Locale.ROOT, "Where the time goes at %d a second (%s): from production to the scheduler's consumer "
                    + "applying the event (its audit entry's time, taken as the event is applied within its batch; %d of the followed "
                    + "events) p50 %s, p99 %s; the followers' own reads of `GET /migrations/{id}` (%d reads) p50 %s, p99 %s. The rest "
                    + "is the batch's remaining work and its commit.%n%n", s.rate(), s.when(), reached.length, millis(reached, 50),
                    millis(reached, 99), reads.length, millis(reads, 50), millis(reads, 99)));
        }
        double[] v = timed.visibleMillis();
        md.append(String.format(Locale.ROOT, "Goal: %d events a second sustained: **%s** (%.0f applied a second); visible within %.0f ms "
                + "(p99) at %d a second, warm: **%s** (%s; from the services' first events: %s).%n%n", goal.rate(), goal.appliedPerSecond() >= goal.rate() * 0.98 ? "met" : "not met",
                goal.appliedPerSecond(), VISIBLE_P99_GOAL_MS, timed.rate(),
                v.length > 0 && InventoryBenchmark.pct(v, 99) < VISIBLE_P99_GOAL_MS ? "met" : "not met", millis(v, 99),
                millis(cold.visibleMillis(), 99)));
        return md.toString();
    }

    private static String millis(double[] sorted, int pct) {
        return sorted.length == 0 ? "-" : String.format(Locale.ROOT, "%.0f ms", InventoryBenchmark.pct(sorted, pct));
    }
}
