package dev.ferry.tools.bench;

import dev.ferry.platform.FerryService;
import dev.ferry.tools.bench.ControlPlaneBenchmark.Dispatch;
import dev.ferry.tools.bench.ControlPlaneBenchmark.Start;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/** docs/benchmarks/control-plane.md from one run of {@link ControlPlaneBenchmark}. */
final class ControlPlaneReport {
    static final double DISPATCH_P50_GOAL_MS = 100;
    static final double DISPATCH_P99_GOAL_MS = 500;
    static final double READY_GOAL_S = 3;
    static final long RSS_GOAL_MIB = 300;
    private static final long MIB = 1L << 20;
    /** Start-up steps shown per service: the slowest by median. */
    private static final int STEPS_SHOWN = 8;
    /** Timed migrations per median in the trend line. */
    private static final int BLOCK = 50;

    private ControlPlaneReport() {
    }

    static String markdown(Dispatch first, List<Dispatch> warm, List<Start> starts, double upSeconds, int startsPerService,
            double runMinutes) {
        StringBuilder md = new StringBuilder("# The control plane: dispatch latency, start and footprint\n\n");
        md.append(String.format(Locale.ROOT, "Produced by `./ferry bench-control-plane %d %d` on %s, %s, in %.1f minutes. ",
                warm.size(), startsPerService, Machine.describe(), Instant.now().toString().substring(0, 10), runMinutes));
        md.append(String.format(Locale.ROOT, "A platform of its own: PostgreSQL, one Kafka node (KRaft), the local identity provider and "
                + "the three services from their jars as `./ferry up` starts them (`java -Xmx384m -jar`, JVM mode, tokens checked "
                + "on every request), the worker on the simulator. Bringing it all up on an empty database took %.1f s.%n%n", upSeconds));

        md.append("## Dispatch latency (issue #14, goal 2)\n\n");
        md.append(String.format(Locale.ROOT, "From just before `POST /migrations` to the worker beginning round 1 (the `timestamp` of "
                + "its MIGRATION_STARTED event, which it publishes as it calls the driver), one migration after another, each started "
                + "only once the previous one ended and inventory showed its VM on the new host: a slot is always free. In between: "
                + "the answer to the POST, the move to SCHEDULED (the migration's history) and the START command going out on "
                + "`migration-commands` (the record's producer timestamp). One clock: all on this machine. The first migration after "
                + "the platform came up is shown apart; the next %d ran untimed, so that the timed ones meet a JIT-compiled request "
                + "path, as a service that has run for a while does.%n%n", ControlPlaneBenchmark.WARM_UP));
        md.append("| | samples | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | first after start (ms) |\n|---|---:|---:|---:|---:|---:|---:|\n");
        row(md, "`POST /migrations` answered", warm, Dispatch::postMillis, first.postMillis());
        row(md, "SCHEDULED (slot and destination reserved)", warm, Dispatch::scheduledMillis, first.scheduledMillis());
        row(md, "START on Kafka", warm, Dispatch::startSentMillis, first.startSentMillis());
        row(md, "worker began round 1", warm, Dispatch::roundOneMillis, first.roundOneMillis());
        md.append("\nThe median to round 1 of each 50 timed migrations, in the order they ran: ");
        List<String> blocks = new java.util.ArrayList<>();
        for (int from = 0; from < warm.size(); from += BLOCK) {
            blocks.add(String.format(Locale.ROOT, "%.0f ms", Report.median(warm.subList(from, Math.min(warm.size(), from + BLOCK)),
                    Dispatch::roundOneMillis)));
        }
        md.append(String.join(", ", blocks)).append(".\n");
        double[] toRound = sorted(warm, Dispatch::roundOneMillis);
        double p50 = InventoryBenchmark.pct(toRound, 50);
        double p99 = InventoryBenchmark.pct(toRound, 99);
        md.append(String.format(Locale.ROOT, "%nGoal: p50 under %.0f ms and p99 under %.0f ms: **%s** (p50 %.0f ms, p99 %.0f ms).%n%n",
                DISPATCH_P50_GOAL_MS, DISPATCH_P99_GOAL_MS, p50 < DISPATCH_P50_GOAL_MS && p99 < DISPATCH_P99_GOAL_MS ? "met" : "not met",
                p50, p99));

        md.append("## Start and footprint (issue #14, goal 4)\n\n");
        md.append(String.format(Locale.ROOT, "Each service stopped, then started alone %d times with PostgreSQL, Kafka and the identity "
                + "provider up and its schema already migrated. *Ready*: from the process's spawn to `/q/health/ready` answering 200 "
                + "(polled every 10 ms). *Quarkus*: the \"started in\" it logs. Resident: the kernel's VmRSS at readiness and 10 s "
                + "later. Median, with the range over the starts.%n%n", startsPerService));
        md.append("| service | ready (s) | Quarkus \"started in\" (s) | resident at ready (MiB) | resident 10 s later (MiB) |\n"
                + "|---|---|---|---|---|\n");
        Map<FerryService, List<Start>> by = ControlPlaneBenchmark.byService(starts);
        boolean readyMet = true;
        boolean rssMet = true;
        for (Map.Entry<FerryService, List<Start>> e : by.entrySet()) {
            List<Start> s = e.getValue();
            md.append("| ").append(e.getKey().module).append(" | ").append(spread(s, Start::readySeconds, "%.2f"))
                    .append(" | ").append(spread(s, x -> x.steps().startedInSeconds(), "%.2f"))
                    .append(" | ").append(spread(s, x -> x.rssAtReady() / (double) MIB, "%.0f"))
                    .append(" | ").append(spread(s, x -> x.rssSettled() / (double) MIB, "%.0f")).append(" |\n");
            readyMet &= Report.median(s, Start::readySeconds) <= READY_GOAL_S;
            rssMet &= Report.median(s, x -> Math.max(x.rssAtReady(), x.rssSettled()) / (double) MIB) <= RSS_GOAL_MIB;
        }
        md.append(String.format(Locale.ROOT, "%nGoal: ready in at most %.0f s: **%s**. At most %d MiB resident after start: **%s**.%n%n",
                READY_GOAL_S, readyMet ? "met" : "not met", RSS_GOAL_MIB, rssMet ? "met" : "not met"));

        md.append("### Where the start goes\n\n");
        md.append("Quarkus' own account of its start-up steps (`-Dquarkus.debug.print-startup-times=true`, wall-clock time of each "
                + "recorded step, median over the starts), the slowest first, and what share of the sum of all steps each takes. "
                + "The steps run one after the other; class loading and JIT compilation inside a step are part of its time, and the "
                + "JVM's own boot before the first step is in none of them.\n\n");
        for (Map.Entry<FerryService, List<Start>> e : by.entrySet()) {
            steps(md, e.getKey(), e.getValue());
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String what, List<Dispatch> warm, ToDoubleFunction<Dispatch> f, double first) {
        double[] v = sorted(warm, f);
        md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f | %.0f | %.0f |%n", what, v.length,
                InventoryBenchmark.pct(v, 50), InventoryBenchmark.pct(v, 95), InventoryBenchmark.pct(v, 99), v[v.length - 1], first));
    }

    private static <T> double[] sorted(List<T> of, ToDoubleFunction<T> f) {
        return of.stream().mapToDouble(f).filter(x -> !Double.isNaN(x)).sorted().toArray();
    }

    private static <T> String spread(List<T> of, ToDoubleFunction<T> f, String format) {
        double[] v = sorted(of, f);
        if (v.length == 0) {
            return "not reported";
        }
        return String.format(Locale.ROOT, format + " (" + format + " to " + format + ")", Report.median(of, f), v[0], v[v.length - 1]);
    }

    private static void steps(StringBuilder md, FerryService service, List<Start> starts) {
        Map<String, List<Long>> each = new HashMap<>();
        for (Start s : starts) {
            s.steps().stepMillis().forEach((step, ms) -> each.computeIfAbsent(step, k -> new java.util.ArrayList<>()).add(ms));
        }
        if (each.isEmpty()) {
            md.append("**").append(service.module).append("**: no steps reported (run without print-startup-times).\n\n");
            return;
        }
        Map<String, Double> medians = each.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> Report.median(e.getValue(), Long::doubleValue)));
        double total = medians.values().stream().mapToDouble(Double::doubleValue).sum();
        md.append(String.format(Locale.ROOT, "**%s**: %d steps, %.0f ms in all.%n%n| step | median (ms) | share |%n|---|---:|---:|%n",
                service.module, medians.size(), total));
        medians.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder())).limit(STEPS_SHOWN)
                .forEach(e -> md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f %% |%n", e.getKey(), e.getValue(),
                        100 * e.getValue() / total)));
        md.append('\n');
    }
}
