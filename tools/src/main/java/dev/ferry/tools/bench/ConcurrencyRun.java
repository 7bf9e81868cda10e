package dev.ferry.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.platform.FerryService;
import dev.ferry.platform.Http;
import dev.ferry.platform.Launcher;
import dev.ferry.platform.Layout;
import dev.ferry.platform.Ports;
import dev.ferry.platform.Supervised;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;

/**
 * Many migrations at once on the simulator, end to end: a fleet of {@link #HOSTS} hosts with 1-4 GiB VMs loaded into
 * inventory, the scheduler's cluster-wide limit and the hosts' limits raised, three worker processes sharing
 * {@link #PARTITIONS} partitions of the command and event topics (the production overlay's count), every VM asked to
 * move at once. While they run, the running list is read every 100 ms as a console would; at the end every migration
 * must have succeeded in its first attempt and run, inventory must show each VM where it went, and no discrepancy may
 * be open. The simulator runs in real time on 1 GbE links, so that migrations last long enough to overlap.
 */
final class ConcurrencyRun {
    static final int HOSTS = 200;
    static final int PARTITIONS = 12;
    static final int WORKERS = 3;
    /** Ids far from the demo inventory's, in a cluster of their own. */
    static final long CLUSTER = 900;
    static final long FIRST_HOST = 9001;
    static final long FIRST_VM = 90001;
    private static final Duration END_TIMEOUT = Duration.ofMinutes(20);

    /** What one run found. */
    record Result(int requested, int accepted, List<String> refusals, int succeeded, List<String> notSucceeded, int retried,
            int misplaced, int discrepancies, int peakRunning, double dispatchAllSeconds, double lastEndedSeconds,
            double[] listMillis, Map<String, Integer> perWorker) {
    }

    /** A read of the running list at least this slow is logged with its time: the goal's p99 is 100 ms. */
    static final double SLOW_LIST_MILLIS = 100;

    private ConcurrencyRun() {
    }

    /**
     * Runs {@code migrations} migrations at once on a platform whose services are all stopped (Kafka, PostgreSQL and
     * the identity provider up): starts inventory, the scheduler and three workers for it, and stops them after.
     */
    static Result run(Launcher launcher, Layout layout, int migrations) throws Exception {
        int vmsPerHost = (int) Math.ceil(migrations / (double) HOSTS);
        load(layout.dbPort(), HOSTS, vmsPerHost);
        morePartitions("127.0.0.1:" + layout.kafkaPort());
        List<Supervised> started = new ArrayList<>();
        try {
            BenchPlatform.checkNotStopping();
            started.add(await(launcher.startService(FerryService.INVENTORY), layout.managementPort(FerryService.INVENTORY)));
            started.add(await(launcher.startService(FerryService.SCHEDULER, FerryService.SCHEDULER.shortName,
                    layout.servicePort(FerryService.SCHEDULER), layout.managementPort(FerryService.SCHEDULER),
                    Map.of("FERRY_SCHEDULER_MAX_CONCURRENT_MIGRATIONS", Integer.toString(migrations))),
                    layout.managementPort(FerryService.SCHEDULER)));
            Map<String, String> worker = Map.of("FERRY_WORKER_SIMULATION_TIME_SCALE", "1.0",
                    "FERRY_WORKER_MAX_CONCURRENT_MIGRATIONS", Integer.toString(migrations / WORKERS + 50));
            for (int w = 1; w <= WORKERS; w++) {
                BenchPlatform.checkNotStopping();
                int port = w == 1 ? layout.servicePort(FerryService.WORKER) : Ports.free();
                int management = w == 1 ? layout.managementPort(FerryService.WORKER) : Ports.free();
                started.add(await(launcher.startService(FerryService.WORKER, w == 1 ? "worker" : "worker-" + w, port, management,
                        worker), management));
            }
            return drive("http://127.0.0.1:" + layout.servicePort(FerryService.SCHEDULER),
                    "http://127.0.0.1:" + layout.servicePort(FerryService.INVENTORY), migrations);
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).stop(Supervised.Signal.TERM, Duration.ofSeconds(30));
            }
        }
    }

    static Supervised await(Supervised p, int management) {
        return p.awaitReady(() -> FerryService.ready(management), Duration.ofSeconds(180));
    }

    /** Hosts (1 GbE, ten migrations in and out each) in one cluster, and VMs of 1 to 4 GiB, straight into inventory's tables. */
    static void load(int dbPort, int hosts, int vmsPerHost) throws SQLException {
        new FleetSql("bench-concurrency-", CLUSTER, 1, FIRST_HOST, hosts, Long.toString(CLUSTER), "'UP'", "'GenuineIntel'", 256 * FleetSql.GIB,
                125_000_000, 10, 10, List.of("sse4_2", "avx", "aes", "vmx"), "true", FIRST_VM, (long) hosts * vmsPerHost,
                "(" + FIRST_HOST + " + (v - " + FIRST_VM + ") / " + vmsPerHost + ")", "(1 + v % 4)::bigint * " + FleetSql.GIB, "2",
                20 * FleetSql.GIB, null).load(dbPort);
    }

    /** The production overlay's partitions for the topics the workers share (raised before any consumer joins). */
    static void morePartitions(String bootstrap) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            Map<String, NewPartitions> raise = new HashMap<>();
            var described = admin.describeTopics(List.of("migration-commands", "migration-events")).allTopicNames().get();
            described.forEach((topic, d) -> {
                if (d.partitions().size() < PARTITIONS) {
                    raise.put(topic, NewPartitions.increaseTo(PARTITIONS));
                }
            });
            if (!raise.isEmpty()) {
                admin.createPartitions(raise).all().get();
            }
        }
    }

    static Result drive(String scheduler, String inventory, int migrations) throws Exception {
        List<Double> listMillis = new CopyOnWriteArrayList<>();
        List<String> refusals = new CopyOnWriteArrayList<>();
        Map<Long, String> ids = new ConcurrentHashMap<>();
        Instant begin = Instant.now();
        Thread console = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long t0 = System.nanoTime();
                try {
                    try {
                        Http.get(scheduler + "/migrations?phase=RUNNING"); // the console's first page: 50, newest first
                        double millis = (System.nanoTime() - t0) / 1e6;
                        listMillis.add(millis);
                        if (millis >= SLOW_LIST_MILLIS) {
                            // when, to line up with the services' GC or safepoint logs (-Xlog through FERRY_JVM_OPTIONS)
                            System.out.printf(Locale.ROOT, "slow running list: %.0f ms, asked at %s%n", millis,
                                    Instant.now().minusNanos(Math.round(millis * 1e6)));
                        }
                    } catch (RuntimeException e) {
                        listMillis.add(Double.POSITIVE_INFINITY); // an error counts as the slowest answer
                        System.out.printf(Locale.ROOT, "failed running list: %s, asked at %s%n", e.getMessage(),
                                Instant.now().minusNanos(System.nanoTime() - t0));
                    }
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-console");
        console.setDaemon(true);
        console.start();
        try {
            requestAndAwait(scheduler, migrations, ids, refusals, begin);
        } finally {
            // the console is timed while migrations run, not while this harness reads each one afterwards
            console.interrupt();
            console.join(5_000);
        }
        Map<Long, JsonNode> ended = new HashMap<>();
        for (Map.Entry<Long, String> e : ids.entrySet()) {
            JsonNode m = Http.get(scheduler + "/migrations/" + e.getValue());
            if (ControlPlaneBenchmark.FINAL.contains(m.path("phase").asText())) {
                ended.put(e.getKey(), m);
            }
        }
        return judge(inventory, scheduler, migrations, ids, ended, refusals, listMillis, begin);
    }

    private static void requestAndAwait(String scheduler, int migrations, Map<Long, String> ids, List<String> refusals,
            Instant begin) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            Thread t = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < migrations; i = next.getAndIncrement()) {
                    long vm = FIRST_VM + i;
                    try {
                        ids.put(vm, Http.post(scheduler + "/migrations", Map.of("vmId", vm, "maxDowntimeMillis", 300)).path("id").asText());
                    } catch (RuntimeException e) {
                        refusals.add("VM " + vm + ": " + e.getMessage());
                    }
                }
            }, "bench-client-" + c);
            t.start();
            clients.add(t);
        }
        for (Thread t : clients) {
            t.join();
        }
        System.err.printf("%d migrations requested, %d refused, in %.1f s%n", ids.size(), refusals.size(),
                Duration.between(begin, Instant.now()).toMillis() / 1000.0);
        // three short reads every 5 s, not one per migration: the console's latency is what is measured meanwhile
        long until = System.nanoTime() + END_TIMEOUT.toNanos();
        while (underWay(scheduler) && System.nanoTime() < until) {
            System.err.printf("migrations still under way after %.0f s%n", Duration.between(begin, Instant.now()).toMillis() / 1000.0);
            Thread.sleep(5_000);
        }
    }

    /** Whether any migration still waits or moves: one short page per phase that is not final. */
    private static boolean underWay(String scheduler) {
        for (String phase : List.of("QUEUED", "SCHEDULED", "RUNNING")) {
            if (Http.get(scheduler + "/migrations?size=1&phase=" + phase).size() > 0) {
                return true;
            }
        }
        return false;
    }

    private static Result judge(String inventory, String scheduler, int migrations, Map<Long, String> ids, Map<Long, JsonNode> ended,
            List<String> refusals, List<Double> listMillis, Instant begin) throws InterruptedException {
        List<String> notSucceeded = new ArrayList<>();
        int succeeded = 0;
        int retried = 0;
        int misplaced = 0;
        Map<String, Integer> perWorker = new TreeMap<>();
        TreeMap<Instant, Integer> changes = new TreeMap<>();
        Instant lastScheduled = begin;
        Instant lastEnded = begin;
        Map<Long, Long> targets = new HashMap<>();
        for (Map.Entry<Long, String> e : ids.entrySet()) {
            JsonNode m = ended.get(e.getKey());
            if (m == null) {
                notSucceeded.add(e.getValue() + " never ended");
                continue;
            }
            if (!m.path("phase").asText().equals("SUCCEEDED")) {
                notSucceeded.add(e.getValue() + " " + m.path("phase").asText() + ": " + m.path("failureReason").asText());
                continue;
            }
            succeeded++;
            if (m.path("attempt").asInt() != 1 || m.path("run").asInt() != 1) {
                retried++;
            }
            perWorker.merge(m.path("workerId").asText(), 1, Integer::sum);
            Instant running = null;
            Instant decided = null;
            for (JsonNode h : m.path("history")) {
                Instant at = Instant.parse(h.path("at").asText());
                switch (h.path("to").asText()) {
                    case "SCHEDULED" -> lastScheduled = at.isAfter(lastScheduled) ? at : lastScheduled;
                    case "RUNNING" -> running = running == null ? at : running;
                    case "SUCCEEDED" -> {
                        decided = at;
                        lastEnded = at.isAfter(lastEnded) ? at : lastEnded;
                    }
                    default -> {
                    }
                }
            }
            if (running != null && decided != null) {
                changes.merge(running, 1, Integer::sum);
                changes.merge(decided, -1, Integer::sum);
            }
            targets.put(e.getKey(), m.path("targetHostId").asLong());
        }
        // inventory learns each move from the scheduler's decision on Kafka: it may trail the decision a little
        long settle = System.nanoTime() + 30_000_000_000L;
        for (Map.Entry<Long, Long> t : targets.entrySet()) {
            while (Http.get(inventory + "/vms/" + t.getKey()).path("hostId").asLong() != t.getValue()) {
                if (System.nanoTime() > settle) {
                    misplaced++;
                    break;
                }
                Thread.sleep(100);
            }
        }
        int running = 0;
        int peak = 0;
        for (int delta : changes.values()) {
            running += delta;
            peak = Math.max(peak, running);
        }
        int open = Http.get(scheduler + "/discrepancies?open=true").size();
        double[] list = listMillis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        Collections.sort(notSucceeded);
        return new Result(migrations, ids.size(), refusals, succeeded, notSucceeded, retried, misplaced, open, peak,
                Duration.between(begin, lastScheduled).toMillis() / 1000.0, Duration.between(begin, lastEnded).toMillis() / 1000.0, list,
                perWorker);
    }
}
