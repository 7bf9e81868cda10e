package dev.ferry.tools.bench;

import dev.ferry.platform.FerryService;
import dev.ferry.platform.KafkaNode;
import dev.ferry.platform.Layout;
import dev.ferry.platform.Ports;
import dev.ferry.platform.PostgresServer;
import dev.ferry.platform.Supervised;
import dev.ferry.platform.Trees;
import dev.ferry.platform.identity.LocalIdentity;
import dev.ferry.platform.identity.LocalRealm;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * inventory-service on a large fleet, measured over real HTTP and real PostgreSQL: a platform of its own (PostgreSQL, a
 * Kafka node, the inventory-service jar) on free ports under a temporary directory, a fleet loaded with SQL straight
 * into its tables, then the latency of a compatibility check, a reservation, a ranked candidate list and deep pages of
 * the lists. A command, not a test: ./ferry bench-inventory [hosts] [vms-per-host] writes docs/benchmarks/inventory.md.
 */
public final class InventoryBenchmark {
    /** Most clusters hold this many hosts; one holds {@link #BIG_CLUSTER}, to show what a ranking costs there. */
    static final int CLUSTER = 500;
    static final int BIG_CLUSTER = 2000;
    static final int REPEATS = 3;
    /** Its own client, not local-platform's Http: the timings are of raw bodies, unparsed, checked by counting. */
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The benchmark signs in as admin (it reserves as inventory's admin may) to its own in-process identity provider. */
    private static String bearer;
    /** How long one request may take (-Dferry.bench.timeout, seconds): a slow build to compare with needs more. */
    private static final Duration TIMEOUT = Duration.ofSeconds(Integer.getInteger("ferry.bench.timeout", 30));

    record Stats(String what, int samples, double p50, double p95, double p99, double max) {
    }

    /** One run: its rows, and what became of its reservations (held, or refused by a pre-check). */
    record Run(List<Stats> rows, int held, int refused) {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/benchmarks");
        int hosts = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int vmsPerHost = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        long runStart = System.nanoTime();
        Path root = Path.of(System.getProperty("ferry.root", ".")).toAbsolutePath().normalize();
        Path state = Files.createTempDirectory("ferry-bench-inventory");
        Map<String, String> ports = Map.of("FERRY_KAFKA_PORT", Integer.toString(Ports.free()),
                "FERRY_KAFKA_CONTROLLER_PORT", Integer.toString(Ports.free()), "FERRY_DB_PORT", Integer.toString(Ports.free()));
        Layout layout = new Layout(root, state, ports);
        List<Supervised> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        // Ctrl-C stops what this run started too, and nothing of it stays on disk
        Thread cleanUp = new Thread(() -> stopAndDelete(started, state), "bench-clean-up");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        LocalIdentity identity = null;
        try {
            started.add(PostgresServer.start(layout.data().resolve("postgres"), layout.dbPort(), layout.log("postgres"),
                    Duration.ofSeconds(120)));
            PostgresServer.createDatabases(layout.dbPort());
            Supervised kafka = KafkaNode.start(layout, false);
            started.add(kafka);
            kafka.awaitReady(() -> Ports.open(layout.kafkaPort()), Duration.ofSeconds(120));
            int port = Ports.free();
            int management = Ports.free();
            identity = LocalIdentity.start(LocalRealm.generate(), "127.0.0.1", 0, Duration.ofHours(2));
            bearer = "Bearer " + identity.tokenFor("admin");
            Supervised inventory = FerryService.INVENTORY.start(root, Map.of("FERRY_KAFKA_BOOTSTRAP", "127.0.0.1:" + layout.kafkaPort(),
                    "FERRY_DB_HOST", "127.0.0.1", "FERRY_DB_PORT", Integer.toString(layout.dbPort()),
                    "FERRY_OIDC_URL", identity.issuer()), port, management,
                    layout.log("inventory"), "512m", false);
            started.add(inventory);
            inventory.awaitReady(() -> FerryService.ready(management), Duration.ofSeconds(120));
            String base = "http://127.0.0.1:" + port;
            long loadStart = System.nanoTime();
            load(layout.dbPort(), hosts, vmsPerHost);
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            System.err.printf("loaded %d hosts and %d VMs in %.1f s%n", hosts, hosts * vmsPerHost, loadSeconds);
            List<Run> runs = new ArrayList<>();
            for (int r = 0; r < REPEATS; r++) {
                runs.add(measure(base, hosts, vmsPerHost, new SplittableRandom(r)));
            }
            Files.createDirectories(out);
            double runMinutes = (System.nanoTime() - runStart) / 60e9;
            Files.writeString(out.resolve("inventory.md"), markdown(runs, hosts, vmsPerHost, loadSeconds, runMinutes));
            System.err.println("wrote " + out.resolve("inventory.md"));
        } finally {
            stopAndDelete(started, state);
            if (identity != null) {
                identity.close(); // its HTTP server's dispatcher is no daemon thread: left open, the command never ended
            }
            Runtime.getRuntime().removeShutdownHook(cleanUp);
        }
    }

    /** Newest first; idempotent, so that the shutdown hook and the normal end may both call it. */
    private static synchronized void stopAndDelete(List<Supervised> started, Path state) {
        for (int i = started.size() - 1; i >= 0; i--) {
            Supervised p = started.get(i);
            p.stop(p.name().equals("postgres") ? Supervised.Signal.INT : Supervised.Signal.TERM, Duration.ofSeconds(30));
        }
        started.clear();
        // a PostgreSQL whose start was cut short (Ctrl-C) is not in the list yet: found by its own pid file
        PostgresServer.running(state.resolve("data/postgres"), state.resolve("logs/postgres.log"))
                .ifPresent(p -> p.stop(Supervised.Signal.INT, Duration.ofSeconds(30)));
        try {
            Trees.delete(state);
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
        }
    }

    /**
     * The fleet, with SQL into inventory's own tables: one big cluster and many of {@link #CLUSTER} hosts; every 50th
     * host in maintenance, every 10th an AMD, every 7th without avx2; VMs of 4 to 16 GiB, a third of them needing avx2.
     */
    static void load(int dbPort, int hosts, int vmsPerHost) throws SQLException {
        int big = Math.min(hosts, BIG_CLUSTER);
        // host h (1-based) is in cluster 1 when h <= big, else in 2 + (h - big - 1) / CLUSTER
        String clusterOf = "(CASE WHEN h <= " + big + " THEN 1 ELSE 2 + (h - " + big + " - 1) / " + CLUSTER + " END)";
        int clusters = 1 + (int) Math.ceil(Math.max(0, hosts - big) / (double) CLUSTER);
        new FleetSql("bench-c", 1, clusters, 1, hosts, clusterOf, "CASE WHEN h % 50 = 0 THEN 'MAINTENANCE' ELSE 'UP' END",
                "CASE WHEN h % 10 = 0 THEN 'AuthenticAMD' ELSE 'GenuineIntel' END", 512 * FleetSql.GIB, 1_250_000_000, 2, 2,
                List.of("sse4_2", "avx", "avx2", "aes", "vmx"), "f <> 'avx2' OR h % 7 <> 0", 1, (long) hosts * vmsPerHost,
                "((v - 1) / " + vmsPerHost + " + 1)", "(4 + v % 4 * 4)::bigint * " + FleetSql.GIB, "2 + v % 3", 40 * FleetSql.GIB, "v % 3 = 0").load(dbPort);
    }

    /** The hosts of the cluster {@code host} is in: its first host and how many there are. */
    static int[] clusterOf(int host, int hosts) {
        int big = Math.min(hosts, BIG_CLUSTER);
        int start = host <= big ? 1 : big + 1 + (host - big - 1) / CLUSTER * CLUSTER;
        int size = host <= big ? big : Math.min(CLUSTER, hosts - start + 1);
        return new int[] {start, size};
    }

    static Run measure(String base, int hosts, int vmsPerHost, SplittableRandom random) throws Exception {
        int vms = hosts * vmsPerHost;
        int big = Math.min(hosts, BIG_CLUSTER);
        IntFunction<Integer> hostOfVm = v -> (v - 1) / vmsPerHost + 1;
        // a VM and another host of its cluster
        IntFunction<int[]> pair = seed -> {
            int vm = 1 + random.nextInt(vms);
            int host = hostOfVm.apply(vm);
            int[] cluster = clusterOf(host, hosts);
            int start = cluster[0];
            int size = cluster[1];
            int target = start + random.nextInt(size);
            return new int[] {vm, target == host ? start + (target - start + 1) % size : target};
        };
        List<Stats> out = new ArrayList<>();
        out.add(time("compatibility of one VM with one host", 300, i -> {
            int[] p = pair.apply(i);
            return expect(post(base + "/vms/" + p[0] + "/compatibility", "{\"hostIds\": [" + p[1] + "]}"), "\"hostId\":" + p[1], 1);
        }));
        int[] held = new int[1];
        int[] refused = new int[1];
        out.add(time("reservation of one destination (then released)", 300, i -> {
            int[] p = pair.apply(i);
            String body = "{\"migrationId\": \"" + UUID.randomUUID() + "\", \"vmId\": " + p[0] + ", \"hostId\": " + p[1] + "}";
            long t0 = System.nanoTime();
            String answer = post(base + "/reservations", body);
            long t = System.nanoTime() - t0;
            if (answer.contains("\"state\":\"ACTIVE\"")) {
                held[0]++;
                int id = answer.indexOf("\"id\":");
                post(base + "/reservations/" + answer.substring(id + 5, answer.indexOf(',', id)).trim() + "/release", "{}");
            } else if (answer.contains("migration-not-possible")) {
                refused[0]++;
            } else {
                throw new IllegalStateException("a reservation neither held nor refused by the pre-checks: " + answer);
            }
            return t;
        }));
        // every other host of the cluster is ranked, each with its verdict; the VM's host is one of a full cluster
        int fullClusters = Math.max(0, (hosts - big) / CLUSTER);
        if (fullClusters > 0) {
            out.add(time("ranked candidates over a cluster of " + CLUSTER + " hosts", 40, i -> {
                int host = big + 1 + random.nextInt(fullClusters * CLUSTER);
                return expect(get(base + "/vms/" + vmOnHost(host, vmsPerHost, random) + "/candidates"), "\"verdict\"", CLUSTER - 1);
            }));
        }
        out.add(time("ranked candidates over a cluster of " + big + " hosts", 20, i -> expect(get(base + "/vms/"
                + vmOnHost(1 + random.nextInt(big), vmsPerHost, random) + "/candidates"), "\"verdict\"", big - 1)));
        int vmPage = vms / 200;
        out.add(time("a page of 100 VMs deep in the list (page " + vmPage + ")", 50, i ->
                expect(get(base + "/vms?page=" + vmPage + "&size=100"), "\"vcpus\"", Math.min(100, vms - vmPage * 100))));
        out.add(time("a page of 1000 hosts", 20, i -> {
            int page = random.nextInt(Math.max(1, hosts / 1000));
            return expect(get(base + "/hosts?page=" + page + "&size=1000"), "\"cpuCores\"", Math.min(1000, hosts - page * 1000));
        }));
        System.err.printf("reservations: %d held, %d refused by a pre-check%n", held[0], refused[0]);
        return new Run(out, held[0], refused[0]);
    }

    /** A wrong answer fast is no result: the body must hold {@code what} exactly {@code times} times. */
    static String expect(String body, String what, int times) {
        int found = 0;
        for (int at = body.indexOf(what); at >= 0; at = body.indexOf(what, at + 1)) {
            found++;
        }
        if (found != times) {
            throw new IllegalStateException("expected " + times + " x " + what + ", found " + found + " in " + body.substring(0,
                    Math.min(300, body.length())));
        }
        return body;
    }

    static int vmOnHost(int host, int vmsPerHost, SplittableRandom random) {
        return (host - 1) * vmsPerHost + 1 + random.nextInt(vmsPerHost);
    }

    @FunctionalInterface
    interface Call {
        /** Runs one request; returns its duration in nanoseconds, or a response body to time the whole call. */
        Object run(int i) throws Exception;
    }

    /** Warms the path up, then times {@code samples} requests one after the other. */
    static Stats time(String what, int fullSamples, Call call) throws Exception {
        // -Dferry.bench.samples=0.1 runs a tenth of the samples (a slow build to compare with)
        int samples = Math.max(3, (int) (fullSamples * Double.parseDouble(System.getProperty("ferry.bench.samples", "1"))));
        System.err.printf("%s: %d samples%n", what, samples);
        for (int i = 0; i < Math.min(Integer.getInteger("ferry.bench.warmup", 20), samples); i++) {
            call.run(i);
        }
        double[] ms = new double[samples];
        for (int i = 0; i < samples; i++) {
            long t0 = System.nanoTime();
            Object r = call.run(i);
            ms[i] = (r instanceof Long nanos ? nanos : System.nanoTime() - t0) / 1e6;
        }
        java.util.Arrays.sort(ms);
        Stats s = new Stats(what, samples, pct(ms, 50), pct(ms, 95), pct(ms, 99), ms[ms.length - 1]);
        System.err.printf(Locale.ROOT, "%-60s p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms%n", what, s.p50(), s.p99(), s.max());
        return s;
    }

    static double pct(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    static String get(String url) throws IOException, InterruptedException {
        return check(HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).header("Authorization", bearer).build(),
                HttpResponse.BodyHandlers.ofString()), url);
    }

    static String post(String url, String json) throws IOException, InterruptedException {
        return check(HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).header("Authorization", bearer)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString()), url);
    }

    /** A refused reservation (422: the pre-checks said no) is an answer too; a 5xx is a failed run. */
    private static String check(HttpResponse<String> r, String url) {
        if (r.statusCode() >= 500) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    static String markdown(List<Run> runs, int hosts, int vmsPerHost, double loadSeconds, double runMinutes) {
        StringBuilder s = new StringBuilder();
        s.append("# inventory-service on a large fleet\n\n");
        s.append(String.format(Locale.ROOT, "Fleet: %,d hosts (one cluster of %,d, the rest in clusters of %d; every 10th host AMD, "
                        + "every 50th in maintenance), %,d VMs (%d per host, 4 to 16 GiB, a volume on their cluster's NFS pool, a NIC, "
                        + "a third needing avx2), loaded with SQL in %.1f s. ", hosts, Math.min(hosts, BIG_CLUSTER), CLUSTER,
                hosts * vmsPerHost, vmsPerHost, loadSeconds));
        List<String> jvm = FerryService.jvmOptions(Map.of());
        s.append("Each request over real HTTP to inventory-service (its jar, 512 MiB heap"
                + (jvm.isEmpty() ? "" : ", " + String.join(" ", jvm)) + ") on real PostgreSQL, one after the other "
                + "after a warm-up; " + REPEATS + " runs, each row gives the three runs' figures (milliseconds).\n\n");
        s.append("| request | samples | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n");
        List<Stats> first = runs.get(0).rows();
        for (int i = 0; i < first.size(); i++) {
            int row = i;
            s.append("| ").append(first.get(i).what()).append(" | ").append(first.get(i).samples());
            for (java.util.function.ToDoubleFunction<Stats> f : List.<java.util.function.ToDoubleFunction<Stats>>of(Stats::p50,
                    Stats::p95, Stats::p99, Stats::max)) {
                s.append(" | ").append(String.join(" / ", runs.stream().map(r -> String.format(Locale.ROOT, "%.1f",
                        f.applyAsDouble(r.rows().get(row)))).toList()));
            }
            s.append(" |\n");
        }
        s.append("\nReservations held (then released) / refused by a pre-check (the VM's host and the random destination differ "
                + "in CPU vendor, every 10th host being AMD; the destination is in maintenance; or it lacks the avx2 a third of "
                + "the VMs need), per run, warm-up included: ").append(String.join(", ", runs.stream().map(r -> r.held() + " / " + r.refused())
                        .toList())).append(". Both are timed: a refusal runs every pre-check too.\n");
        s.append("\nGoals (issue 11): a compatibility check and a reservation each under 100 ms, a ranked candidate list over all "
                + "hosts of a cluster under 1 s, every list paged.\n\n");
        s.append(String.format(Locale.ROOT, "The whole run (platform start, load and the three runs) took %.1f min.%n%n", runMinutes));
        s.append("Command: `./ferry bench-inventory` (arguments: hosts, VMs per host; defaults 10000 10). Machine: ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB max heap for the benchmark's client, Java ")
                .append(System.getProperty("java.version")).append(", inventory-service on ")
                .append(dev.ferry.platform.ServiceJdk.chosen().describe()).append(", ").append(Instant.now().toString(), 0, 10).append(".\n");
        return s.toString();
    }
}
