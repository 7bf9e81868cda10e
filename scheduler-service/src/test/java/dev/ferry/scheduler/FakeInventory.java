package dev.ferry.scheduler;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.inventory.api.HostState;
import dev.ferry.inventory.api.ReservationState;
import dev.ferry.inventory.api.Rule;
import dev.ferry.inventory.api.RuleResult;
import dev.ferry.inventory.api.Verdict;
import dev.ferry.inventory.api.Views.Candidate;
import dev.ferry.inventory.api.Views.HostView;
import dev.ferry.inventory.api.Views.ReservationView;
import dev.ferry.inventory.api.Views.VmView;
import dev.ferry.inventory.api.VmState;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

/**
 * Stands in for inventory-service in the scheduler's own suite, so that each refusal can be provoked at will. It
 * answers with inventory-api's records, as the real one does; the real inventory-service is exercised against the
 * scheduler in the end-to-end test.
 */
public class FakeInventory implements QuarkusTestResourceLifecycleManager {
    static final long GIB = 1L << 30;
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    /** What POST /reservations answers next: status and body. */
    public static final AtomicReference<Object[]> RESERVE_ANSWER = new AtomicReference<>();
    public static final AtomicInteger RELEASES = new AtomicInteger();
    /** Host state changes asked for (an evacuation puts its host into maintenance). */
    public static final AtomicInteger STATE_CHANGES = new AtomicInteger();
    /** The failed rules POST /vms/{id}/compatibility reports next; null: compatible. */
    public static final AtomicReference<List<RuleResult>> COMPAT_FAILURES = new AtomicReference<>();
    /** Hosts that are not UP: candidates report them refused by TARGET_UP. */
    public static final Set<Long> DOWN_HOSTS = ConcurrentHashMap.newKeySet();
    /** Hosts that filled up since the pre-check: candidates still list them, reservations on them answer 422. */
    public static final Set<Long> FULL_HOSTS = ConcurrentHashMap.newKeySet();
    /** A hold of an earlier destination the next reservation finds in the way (409 with its id) until it is released. */
    public static final java.util.concurrent.atomic.AtomicLong STALE_HOLD = new java.util.concurrent.atomic.AtomicLong();
    /** The ids of every reservation released, in order. */
    public static final List<Long> RELEASED_IDS = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Calls a person's token made through the scheduler's inventory relay: "METHOD path as name". */
    public static final List<String> RELAYED = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** GET /hosts/{id} calls per host id: what a request read host by host. */
    public static final Map<Long, AtomicInteger> HOST_READS = new ConcurrentHashMap<>();
    /** The destinations the candidates name, all of cluster 1 (as the sources are): what GET /hosts?clusterId=1 lists. */
    static final List<Long> CLUSTER_1_DESTINATIONS = List.of(2L, 3L, 4L, 590L, 900L);
    private static final AtomicInteger RESERVATION_IDS = new AtomicInteger(100);
    /** The placement rules inventory answers for any host or cluster: none unless a test sets them. */
    static final java.util.concurrent.atomic.AtomicReference<List<dev.ferry.inventory.api.Views.PlacementRuleView>> RULES =
            new java.util.concurrent.atomic.AtomicReference<>(List.of());
    private HttpServer server;

    public static void reserveSucceeds() {
        RESERVE_ANSWER.set(null);
        COMPAT_FAILURES.set(null);
    }

    public static void reserveAnswers(int status, String body) {
        RESERVE_ANSWER.set(new Object[] {status, body});
    }

    /** Every VM runs on a host of its own id (1000 + id), so that tests do not share source limits. */
    static VmView vm(long id) {
        return new VmView(id, "vm-" + id, 4 * GIB, 2, 1000 + id, VmState.RUNNING, null, null, null, Set.of(), List.of(),
                Set.of(), 0);
    }

    /**
     * Hosts 500-599 allow 2 inbound and 2 outbound migrations, the others are roomy; sources (> 1000) and hv-900 have
     * 10 GbE, the other destinations 1 GbE.
     */
    static HostView host(long id, HostState state) {
        int limit = id >= 500 && id < 600 ? 2 : 64;
        return new HostView(id, "hv-" + id, 1, state, "GenuineIntel", 6, 15, "Intel Xeon 5130", Set.of(), 2000, 2, 4, 64 * GIB,
                1.0, 4.0, "KVM", "QEMU 10.0.2", "192.0.2.1", id > 1000 || id == 900 ? 1_250_000_000L : 125_000_000L, limit, limit, 0, null, null, null);
    }

    static Verdict verdict(long hostId, List<RuleResult> failed) {
        return new Verdict(hostId, "hv-" + hostId, failed.isEmpty(), failed, failed);
    }

    /**
     * hv-3 is the best host; VMs 600-699 may also go to hv-4, VMs 730-739 to hv-900; VMs 740-749 only to hv-590, VMs
     * 750-759 only to hv-591, VMs 560-569 (on hv-576) to hv-3 or hv-4, VMs 780-789 (on hv-778) only to hv-6, which no
     * other test fills; hv-2 has another CPU vendor.
     */
    static List<Candidate> candidates(long vmId) {
        List<Candidate> out = new ArrayList<>();
        if (vmId >= 8910 && vmId < 8930) { // cluster 89: the other host
            long other = vmId / 10 == 891 ? 892 : 891;
            return List.of(new Candidate(verdict(other, List.of()), room(other), 1024));
        }
        if (vmId >= 8810 && vmId < 8840) { // cluster 88: the other UP hosts
            for (long h = 881; h <= 883; h++) {
                if (h != vmId / 10) {
                    out.add(new Candidate(verdict(h, List.of()), room(h), 1024));
                }
            }
            return out;
        }
        for (long h : vmId >= 600 && vmId < 700 ? List.of(3L, 4L) : vmId >= 730 && vmId < 740 ? List.of(3L, 900L)
                : vmId >= 740 && vmId < 750 ? List.of(590L) : vmId >= 750 && vmId < 760 ? List.of(591L)
                : vmId >= 560 && vmId < 570 ? List.of(3L, 4L)
                : vmId >= 780 && vmId < 790 ? List.of(6L) : List.of(3L)) {
            List<RuleResult> failed = DOWN_HOSTS.contains(h) ? List.of(RuleResult.fail(Rule.TARGET_UP, "hv-" + h + " is MAINTENANCE, not UP"))
                    : List.of();
            out.add(new Candidate(verdict(h, failed), room(h), h == 590 ? 4 : 1024));
        }
        out.add(new Candidate(verdict(2, List.of(RuleResult.fail(Rule.CPU_VENDOR, "x"))), room(2), 1024));
        return out;
    }

    /**
     * The memory a host keeps with the VM on it: roomy enough for every test's queue, hv-3 the roomiest; hv-590 keeps
     * 6 GiB and 4 vCPUs, room for one more 4 GiB, 2-vCPU VM only; hv-591 keeps 2 GiB, room for the VM asked about only.
     */
    static long room(long hostId) {
        return hostId == 3 ? 512 * GIB : hostId == 590 ? 6 * GIB : hostId == 591 ? 2 * GIB : 256 * GIB;
    }

    /** The scheduler's token: issued by the test's provider to its own client, with the role scheduler. */
    private static boolean fromScheduler(String authorization) {
        return authorization != null && authorization.startsWith("Bearer ")
                && TestIdentity.roles(authorization.substring(7)).contains("scheduler");
    }

    /** The name in a person's token (one of the realm's users, relayed by the scheduler), or null. */
    private static String person(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        List<String> roles = TestIdentity.roles(authorization.substring(7));
        return roles.contains("viewer") || roles.contains("operator") || roles.contains("admin")
                ? TestIdentity.name(authorization.substring(7)) : null;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", exchange -> {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            boolean scheduler = fromScheduler(authorization);
            String person = scheduler ? null : person(authorization);
            if (person != null) {
                RELAYED.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " as " + person);
            }
            if (!scheduler && person == null) {
                // as inventory would: only the scheduler's own client (role scheduler) may call it like this
                byte[] refusal = "{\"type\": \"unauthenticated\", \"status\": 401}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
                exchange.sendResponseHeaders(401, refusal.length);
                exchange.getResponseBody().write(refusal);
                exchange.close();
                return;
            }
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/hosts/4040")) {
                // a proxy in front of inventory, answering for it in its own words (as Envoy does)
                byte[] text = "upstream connect error or disconnect/reset before headers".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/plain");
                exchange.sendResponseHeaders(503, text.length);
                exchange.getResponseBody().write(text);
                exchange.close();
                return;
            }
            int status = 200;
            Object body;
            if (method.equals("GET") && path.matches("/vms/\\d+")) {
                long id = Long.parseLong(path.substring(5));
                if (id == 404) {
                    status = 404;
                    body = Map.of("type", "https://ferry.dev/problems/vm-not-found", "status", 404, "detail", "VM 404 does not exist");
                } else {
                    body = vm(id);
                }
            } else if (method.equals("GET") && path.matches("/hosts/\\d+")) {
                long id = Long.parseLong(path.substring(7));
                HOST_READS.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                body = host(id, DOWN_HOSTS.contains(id) ? HostState.MAINTENANCE : HostState.UP);
            } else if (method.equals("POST") && path.matches("/vms/\\d+/compatibility")) {
                // a verdict per host asked about, as inventory gives them
                List<RuleResult> failures = COMPAT_FAILURES.get();
                List<Verdict> verdicts = new ArrayList<>();
                JSON.readTree(exchange.getRequestBody()).path("hostIds")
                        .forEach(h -> verdicts.add(verdict(h.asLong(), failures == null ? List.of() : failures)));
                body = verdicts;
            } else if (method.equals("GET") && path.equals("/hosts")) {
                // cluster 88: hv-881 runs six 4 GiB VMs, hv-882 one, hv-883 none; hv-884 is in maintenance
                String query = exchange.getRequestURI().getQuery();
                // cluster 89: hv-891 and hv-892, four 4 GiB VMs each, hv-891's measured busy (see below)
                body = query.contains("clusterId=89&") ? List.of(host(891, HostState.UP), host(892, HostState.UP))
                        : query.contains("clusterId=88&") ? List.of(host(881, HostState.UP),
                        host(882, HostState.UP), host(883, HostState.UP), host(884, HostState.MAINTENANCE))
                        : query.contains("clusterId=1&") && query.contains("page=0&") ? CLUSTER_1_DESTINATIONS.stream()
                                .map(id -> host(id, DOWN_HOSTS.contains(id) ? HostState.MAINTENANCE : HostState.UP)).toList()
                        : List.of();
            } else if (method.equals("GET") && path.equals("/vms") && exchange.getRequestURI().getQuery().matches(".*hostId=88\\d&.*")) {
                long hostId = Long.parseLong(exchange.getRequestURI().getQuery().replaceAll(".*hostId=(88\\d)&.*", "$1"));
                body = LongStream.rangeClosed(hostId * 10 + 1, hostId * 10 + (hostId == 881 ? 6 : hostId == 882 ? 1 : 0))
                        .mapToObj(id -> new VmView(id, "vm-" + id, 4 * GIB, 2, hostId, VmState.RUNNING, null, null, null, Set.of(),
                                List.of(), Set.of(), 0)).toList();
            } else if (method.equals("GET") && path.equals("/vms") && exchange.getRequestURI().getQuery().matches(".*hostId=89\\d&.*")) {
                // cluster 89: the guests on hv-891 were measured a minute ago at 1.5 cores each, those on hv-892 at 0.1
                long hostId = Long.parseLong(exchange.getRequestURI().getQuery().replaceAll(".*hostId=(89\\d)&.*", "$1"));
                Instant measured = Instant.now().minusSeconds(60);
                body = LongStream.rangeClosed(hostId * 10 + 1, hostId * 10 + 4)
                        .mapToObj(id -> new VmView(id, "vm-" + id, 4 * GIB, 2, hostId, VmState.RUNNING, null, null, null, Set.of(),
                                List.of(), Set.of(), 0, hostId == 891 ? 1.5 : 0.1, measured)).toList();
            } else if (method.equals("GET") && path.equals("/vms")) {
                // host 576 runs four VMs, 561-564; 577 one, 759; 776 four, 7761-7764; 777 three, 771-773; 778 two, 781-782;
                // 779 four, 791-794
                String query = exchange.getRequestURI().getQuery();
                long onHost = query.contains("hostId=576") ? 576 : query.contains("hostId=577") ? 577 : query.contains("hostId=776") ? 776
                        : query.contains("hostId=777") ? 777 : query.contains("hostId=778") ? 778 : query.contains("hostId=779") ? 779 : 0;
                int count = onHost == 576 ? 4 : onHost == 577 ? 1 : onHost == 776 ? 4 : onHost == 777 ? 3 : onHost == 778 ? 2
                        : onHost == 779 ? 4 : 0;
                long firstVm = onHost == 576 ? 561 : onHost == 577 ? 759 : onHost == 776 ? 7761 : onHost == 777 ? 771 : onHost == 778 ? 781 : 791;
                body = LongStream.range(firstVm, firstVm + count).mapToObj(id -> {
                    VmView v = vm(id);
                    return new VmView(v.id(), v.name(), v.memoryBytes(), v.vcpus(), onHost, v.state(), null, null, null,
                            Set.of(), List.of(), Set.of(), 0);
                }).toList();
            } else if (method.equals("PUT") && path.matches("/hosts/\\d+/state")) {
                if (scheduler) {
                    STATE_CHANGES.incrementAndGet(); // the scheduler's own changes (evacuations), not a person's
                }
                body = host(Long.parseLong(path.split("/")[2]), HostState.MAINTENANCE);
            } else if (method.equals("GET") && path.equals("/placement-rules")) {
                body = RULES.get();
            } else if (method.equals("GET") && path.matches("/vms/\\d+/candidates")) {
                body = candidates(Long.parseLong(path.split("/")[2]));
            } else if (method.equals("POST") && path.equals("/reservations")) {
                Object[] answer = RESERVE_ANSWER.get();
                long hostId = JSON.readTree(exchange.getRequestBody()).path("hostId").asLong();
                if (STALE_HOLD.get() != 0) {
                    status = 409;
                    body = Map.of("type", "https://ferry.dev/problems/reservation-exists", "status", 409,
                            "detail", "migration already holds reservation " + STALE_HOLD.get() + "; release it first",
                            "reservationId", STALE_HOLD.get());
                } else if (FULL_HOSTS.contains(hostId)) {
                    status = 422;
                    body = Map.of("type", "https://ferry.dev/problems/migration-not-possible", "status", 422,
                            "detail", "VM cannot migrate to hv-" + hostId + ": 1 rule(s) failed",
                            "failedRules", List.of(Map.of("code", "MEMORY_CAPACITY", "message", "hv-" + hostId + " is full")));
                } else if (answer != null) {
                    status = (int) answer[0];
                    body = JSON.readTree((String) answer[1]);
                } else {
                    status = 201;
                    Instant now = Instant.now();
                    body = new ReservationView(RESERVATION_IDS.incrementAndGet(), UUID.randomUUID(), 1, 1001, 2, 4 * GIB, 2,
                            ReservationState.ACTIVE, now, now.plusSeconds(3600), null, null);
                }
            } else if (method.equals("POST") && path.matches("/reservations/\\d+/release")) {
                RELEASES.incrementAndGet();
                long released = Long.parseLong(path.split("/")[2]);
                RELEASED_IDS.add(released);
                STALE_HOLD.compareAndSet(released, 0);
                Instant now = Instant.now();
                body = new ReservationView(Long.parseLong(path.split("/")[2]), UUID.randomUUID(), 1, 1001, 2, 4 * GIB, 2,
                        ReservationState.RELEASED, now, now, now, "released by request");
            } else {
                status = 404;
                body = Map.of();
            }
            byte[] bytes = JSON.writeValueAsBytes(body);
            exchange.getResponseHeaders().add("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return Map.of("ferry.scheduler.inventory-url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
