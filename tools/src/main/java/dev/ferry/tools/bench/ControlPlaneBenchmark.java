package dev.ferry.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.platform.FerryService;
import dev.ferry.platform.Http;
import dev.ferry.platform.Launcher;
import dev.ferry.platform.Layout;
import dev.ferry.platform.Ports;
import dev.ferry.platform.Supervised;
import dev.ferry.platform.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The control plane's own latency and start, on a platform of its own (PostgreSQL, a Kafka node, the identity provider
 * and the three services from their jars, as ./ferry up starts them, on free ports under a temporary directory; the
 * worker on the simulator):
 * <ul>
 * <li><b>dispatch latency</b>: from {@code POST /migrations} to the worker beginning round 1 (its MIGRATION_STARTED
 * event), for the first migration after the platform came up and then for one migration after another, each with a
 * slot free; with the time the START command went out on Kafka in between;</li>
 * <li><b>start and footprint</b>: each service stopped, then started alone (Kafka, PostgreSQL and the identity
 * provider up, the database already migrated) several times: from just before the launcher starts it to its readiness answering 200,
 * its resident memory then and 10 s later, and the start-up steps Quarkus reports.</li>
 * <li><b>many at once</b>: {@link ConcurrencyRun}, a thousand migrations on a fleet of 200 hosts and three workers.</li>
 * </ul>
 * A command, not a test: {@code ./ferry bench-control-plane [samples] [starts] [concurrent]} writes
 * docs/benchmarks/control-plane.md.
 */
public final class ControlPlaneBenchmark {
    static final Set<String> FINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED", "OUTCOME_UNKNOWN");
    /** The demo's VMs that can go back and forth on shared storage (batch-1 is on local disk, db-1 needs the most room). */
    static final List<String> MOVABLE = List.of("web-2", "cache-1", "app-1", "web-1");
    private static final long MIB = 1L << 20;
    /** Migrations run before the timed ones, after the first. */
    static final int WARM_UP = 100;

    /**
     * One migration, each time from just before the POST: its answer, the scheduler's move to SCHEDULED (slot and
     * destination reserved), the START on Kafka and the worker's round 1.
     */
    record Dispatch(double postMillis, double scheduledMillis, double startSentMillis, double roundOneMillis) {
    }

    /** One start of one service. */
    record Start(FerryService service, double readySeconds, long rssAtReady, long rssSettled, StartupSteps steps) {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/benchmarks");
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int starts = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int concurrent = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        long runStart = System.nanoTime();
        try (BenchPlatform platform = new BenchPlatform("bench-control-plane-logs")) {
            Layout layout = platform.layout;
            Launcher launcher = platform.launcher;
            long upStart = System.nanoTime();
            launcher.up();
            double upSeconds = (System.nanoTime() - upStart) / 1e9;
            String scheduler = "http://127.0.0.1:" + layout.servicePort(FerryService.SCHEDULER);
            String inventory = "http://127.0.0.1:" + layout.servicePort(FerryService.INVENTORY);
            Map<String, Long> vms = vmIds(inventory);
            Dispatch first;
            System.err.printf("platform up in %.1f s; the first migration, %d not timed, then %d timed%n", upSeconds, WARM_UP, samples);
            List<Dispatch> warm = new ArrayList<>();
            try (MigrationTopics topics = new MigrationTopics("127.0.0.1:" + layout.kafkaPort())) {
                first = dispatch(scheduler, inventory, topics, vms.get(MOVABLE.get(0)));
                System.err.printf("first migration after start: round 1 began %.0f ms after the POST%n", first.roundOneMillis());
                // the JIT compiles the request path as a service that has run for a while has it: not timed
                for (int i = 0; i < WARM_UP; i++) {
                    dispatch(scheduler, inventory, topics, vms.get(MOVABLE.get(i % MOVABLE.size())));
                }
                for (int i = 0; i < samples; i++) {
                    Dispatch d = dispatch(scheduler, inventory, topics, vms.get(MOVABLE.get(i % MOVABLE.size())));
                    warm.add(d);
                    System.err.printf("sample %d: %s%n", i + 1, d);
                }
            }
            List<Start> measured = starts(platform, starts);
            ConcurrencyRun.Result many = concurrent > 0 ? ConcurrencyRun.run(launcher, layout, concurrent) : null;
            Files.createDirectories(out);
            String md = ControlPlaneReport.markdown(first, warm, measured, many, upSeconds, starts, (System.nanoTime() - runStart) / 60e9);
            // the ingest's section is another command's (./ferry bench-ingest): kept as its run wrote it
            Path file = out.resolve("control-plane.md");
            String ingest = Files.exists(file) ? ReportSections.section(Files.readString(file), IngestReport.HEADING) : "";
            md = ingest.isEmpty() ? md : ReportSections.replace(md, IngestReport.HEADING, ingest);
            Files.writeString(file, md);
            System.out.print(md);
        }
    }

    static Map<String, Long> vmIds(String inventory) {
        Map<String, Long> ids = new HashMap<>();
        JsonNode page = Http.get(inventory + "/vms?size=100");
        for (JsonNode vm : page.has("items") ? page.path("items") : page) {
            ids.put(vm.path("name").asText(), vm.path("id").asLong());
        }
        if (!ids.keySet().containsAll(MOVABLE)) {
            throw new IllegalStateException("the demo inventory lacks one of " + MOVABLE + ": " + ids.keySet());
        }
        return ids;
    }

    /**
     * Requests the migration of one VM and times it to the worker's round 1; then waits for it to end and for inventory
     * to place the VM where it went, so that the next request finds a slot free and a settled fleet.
     */
    static Dispatch dispatch(String scheduler, String inventory, MigrationTopics topics, long vmId) throws InterruptedException {
        Instant before = Instant.now();
        long t0 = System.nanoTime();
        JsonNode requested = Http.post(scheduler + "/migrations", Map.of("vmId", vmId, "maxDowntimeMillis", 300));
        double post = (System.nanoTime() - t0) / 1e6;
        String id = requested.path("id").asText();
        Instant roundOne = topics.roundOneBegan(id, Duration.ofSeconds(60));
        JsonNode m = awaitEnd(scheduler + "/migrations/" + id, Duration.ofSeconds(120));
        Instant startSent = topics.startSent(id); // read once the migration ended: its START was read long before
        if (!m.path("phase").asText().equals("SUCCEEDED")) {
            throw new IllegalStateException("migration " + id + " of VM " + vmId + " ended " + m.path("phase").asText() + ": "
                    + m.path("failureReason").asText());
        }
        long target = m.path("targetHostId").asLong();
        long until = System.nanoTime() + 30_000_000_000L;
        while (Http.get(inventory + "/vms/" + vmId).path("hostId").asLong() != target) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("inventory did not place VM " + vmId + " on host " + target + " within 30 s");
            }
            Thread.sleep(20);
        }
        Instant scheduled = null;
        for (JsonNode h : m.path("history")) {
            if (h.path("to").asText().equals("SCHEDULED") && scheduled == null) {
                scheduled = Instant.parse(h.path("at").asText());
            }
        }
        return new Dispatch(post, scheduled == null ? Double.NaN : millisBetween(before, scheduled), startSent == null ? Double.NaN : millisBetween(before, startSent), millisBetween(before, roundOne));
    }

    private static double millisBetween(Instant a, Instant b) {
        return Duration.between(a, b).toNanos() / 1e6;
    }

    private static JsonNode awaitEnd(String url, Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode m = Http.get(url);
            if (FINAL.contains(m.path("phase").asText())) {
                return m;
            }
            if (System.nanoTime() > until) {
                throw new IllegalStateException(url + " still " + m.path("phase").asText() + " after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    /** Stops the three services, then starts each alone {@code times} times, stopping it after each. */
    static List<Start> starts(BenchPlatform platform, int times) throws IOException, InterruptedException {
        platform.stopServices();
        Launcher launcher = platform.launcher;
        Layout layout = platform.layout;
        List<Start> out = new ArrayList<>();
        for (FerryService s : FerryService.values()) {
            for (int i = 0; i < times; i++) {
                Path log = layout.log(s.shortName);
                long offset = Files.exists(log) ? Files.size(log) : 0;
                BenchPlatform.checkNotStopping();
                long t0 = System.nanoTime();
                Supervised p = launcher.startService(s);
                int management = layout.managementPort(s);
                long until = t0 + 120_000_000_000L;
                while (!FerryService.ready(management)) {
                    if (!p.alive() || System.nanoTime() > until) {
                        throw new IllegalStateException(s.module + " did not become ready:\n" + p.tail());
                    }
                    Thread.sleep(10);
                }
                double ready = (System.nanoTime() - t0) / 1e9;
                long rssReady = FootprintBenchmark.rss(p.pid());
                Thread.sleep(10_000);
                long rssSettled = FootprintBenchmark.rss(p.pid());
                p.stop(Supervised.Signal.TERM, Duration.ofSeconds(30));
                StartupSteps steps = StartupSteps.of(linesFrom(log, offset));
                out.add(new Start(s, ready, rssReady, rssSettled, steps));
                System.err.printf("%s start %d: ready in %.2f s (Quarkus: started in %.2f s), %d MiB resident at ready, %d MiB 10 s later%n",
                        s.module, i + 1, ready, steps.startedInSeconds(), rssReady / MIB, rssSettled / MIB);
            }
        }
        return out;
    }

    private static List<String> linesFrom(Path log, long offset) throws IOException {
        byte[] all = Files.readAllBytes(log);
        return Arrays.asList(new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
                java.nio.charset.StandardCharsets.UTF_8).split("\n"));
    }

    /** Per service, in the order measured. */
    static Map<FerryService, List<Start>> byService(List<Start> starts) {
        Map<FerryService, List<Start>> by = new EnumMap<>(FerryService.class);
        for (Start s : starts) {
            by.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(s);
        }
        return by;
    }
}
