package dev.ferry.tools.bench;

import dev.ferry.platform.FerryService;
import dev.ferry.platform.PostgresServer;
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

    static String markdown(Dispatch first, List<Dispatch> warm, List<Start> starts, ConcurrencyRun.Result many, double upSeconds,
            int startsPerService, double runMinutes) {
        StringBuilder md = new StringBuilder("# The control plane: dispatch latency, start and footprint, many migrations at once\n\n");
        md.append(String.format(Locale.ROOT, "Produced by `./ferry bench-control-plane %d %d %d` on %s, %s, in %.1f minutes. ",
                warm.size(), startsPerService, many == null ? 0 : many.requested(), Machine.describe(),
                Instant.now().toString().substring(0, 10), runMinutes));
        md.append(String.format(Locale.ROOT, "A platform of its own: PostgreSQL (%s), one Kafka node (KRaft), the local identity provider and "
                + "the three services from their jars as `./ferry up` starts them (`%s`, JVM mode, tokens checked "
                + "on every request), the worker on the simulator. Bringing it all up on an empty database took %.1f s.%n%n",
                PostgresServer.DURABILITY, FerryService.commandLine(), upSeconds));

        md.append("## Dispatch latency (issue #14, goal 2)\n\n");
        md.append(String.format(Locale.ROOT, "From just before `POST /migrations` to the worker beginning round 1 (the `timestamp` of "
                + "its MIGRATION_STARTED event, which it publishes as it calls the driver), one migration after another, each started "
                + "only once the previous one ended and inventory showed its VM on the new host: a slot is always free. In between: "
                + "the answer to the POST, the move to SCHEDULED (the migration's history) and the START command handed to the producer of "
                + "`migration-commands` (the record's timestamp, set as it is sent). One clock: all on this machine. The first migration after "
                + "the platform came up is shown apart; the next %d ran untimed, so that the timed ones meet a JIT-compiled request "
                + "path, as a service that has run for a while does.%n%n", ControlPlaneBenchmark.WARM_UP));
        md.append("| | samples | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | first after start (ms) |\n|---|---:|---:|---:|---:|---:|---:|\n");
        row(md, "`POST /migrations` answered", warm, Dispatch::postMillis, first.postMillis());
        row(md, "SCHEDULED (slot and destination reserved)", warm, Dispatch::scheduledMillis, first.scheduledMillis());
        row(md, "START handed to Kafka's producer", warm, Dispatch::startSentMillis, first.startSentMillis());
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
                + "provider up and its schema already migrated. *Ready*: from just before the launcher starts the process to `/q/health/ready` "
                + "answering 200 (polled every 10 ms; in a start after the service wrote a new class-data dump, that includes the "
                + "launcher's check of it, 0.1 to 0.5 s). *Quarkus*: the \"started in\" it logs. Resident: the kernel's VmRSS at readiness and 10 s "
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
        if (many != null) {
            concurrency(md, many);
        }
        return md.toString();
    }

    private static void concurrency(StringBuilder md, ConcurrencyRun.Result r) {
        md.append("## Many migrations at once (issue #14, goal 3)\n\n");
        md.append(String.format(Locale.ROOT, "%d migrations requested at once (four clients, one VM each) on a fleet of its own: %d hosts "
                + "in one cluster, 1 GbE links, ten migrations in and ten out per host, 1 to 4 GiB VMs; the scheduler's limit raised "
                + "to %d; %d worker processes sharing %d partitions of `migration-commands` and `migration-events` (the production "
                + "overlay's count); the simulator in real time, so that each migration lasts as long as its share of the links "
                + "says. Meanwhile `GET /migrations?phase=RUNNING` (its first page, 50 migrations) was read every 100 ms, as a console "
                + "would.%n%n",
                r.requested(), ConcurrencyRun.HOSTS, r.requested(), ConcurrencyRun.WORKERS, ConcurrencyRun.PARTITIONS));
        md.append("| | |\n|---|---:|\n");
        md.append(String.format(Locale.ROOT, "| accepted | %d of %d |%n", r.accepted(), r.requested()));
        md.append(String.format(Locale.ROOT, "| succeeded | %d |%n", r.succeeded()));
        md.append(String.format(Locale.ROOT, "| failed, cancelled or never ended | %d |%n", r.notSucceeded().size()));
        md.append(String.format(Locale.ROOT, "| retried or run again (attempt or run above 1) | %d |%n", r.retried()));
        md.append(String.format(Locale.ROOT, "| VMs not where inventory says they went | %d |%n", r.misplaced()));
        md.append(String.format(Locale.ROOT, "| open discrepancies | %d |%n", r.discrepancies()));
        md.append(String.format(Locale.ROOT, "| most running at once (from the migrations' histories) | %d |%n", r.peakRunning()));
        md.append(String.format(Locale.ROOT, "| last one SCHEDULED, from the first request | %.1f s |%n", r.dispatchAllSeconds()));
        md.append(String.format(Locale.ROOT, "| last one SUCCEEDED, from the first request | %.1f s |%n", r.lastEndedSeconds()));
        md.append("| migrations per worker | ").append(r.perWorker().values().stream().map(String::valueOf)
                .collect(Collectors.joining(", "))).append(" |\n");
        double[] v = r.listMillis();
        double p99 = v.length == 0 ? Double.NaN : InventoryBenchmark.pct(v, 99);
        md.append(String.format(Locale.ROOT, "%n`GET /migrations?phase=RUNNING`: %d reads, p50 %.0f ms, p99 %.0f ms, max %.0f ms.%n%n",
                v.length, v.length == 0 ? Double.NaN : InventoryBenchmark.pct(v, 50), p99, v.length == 0 ? Double.NaN : v[v.length - 1]));
        boolean all = r.accepted() == r.requested() && r.succeeded() == r.requested() && r.retried() == 0 && r.misplaced() == 0
                && r.discrepancies() == 0;
        md.append(String.format(Locale.ROOT, "Goal: all succeed, none lost or run twice: **%s**; the running list's p99 under 100 ms: **%s**.%n%n",
                all ? "met" : "not met", p99 < 100 ? "met" : "not met"));
        if (!r.refusals().isEmpty() || !r.notSucceeded().isEmpty()) {
            md.append("What went wrong (the first ten):\n\n");
            java.util.stream.Stream.concat(r.refusals().stream(), r.notSucceeded().stream()).limit(10)
                    .forEach(x -> md.append("- ").append(x.replace("|", "/")).append('\n'));
            md.append('\n');
        }
    }

    private static void row(StringBuilder md, String what, List<Dispatch> warm, ToDoubleFunction<Dispatch> f, double first) {
        double[] v = sorted(warm, f);
        if (v.length == 0) {
            md.append("| ").append(what).append(" | 0 | | | | | |\n");
            return;
        }
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
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return String.format(Locale.ROOT, format + " (" + format + " to " + format + ")", median, v[0], v[v.length - 1]);
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
