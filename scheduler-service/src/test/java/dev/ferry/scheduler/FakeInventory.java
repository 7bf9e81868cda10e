package dev.ferry.scheduler;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stands in for inventory-service in the scheduler's own suite, so that each refusal can be provoked at
 * will. The real inventory-service is exercised against the scheduler in the end-to-end test.
 */
public class FakeInventory implements QuarkusTestResourceLifecycleManager {
    /** What POST /reservations answers next: status and body. */
    public static final AtomicReference<Object[]> RESERVE_ANSWER = new AtomicReference<>();
    public static final AtomicInteger RELEASES = new AtomicInteger();
    /** The failed rules POST /vms/{id}/compatibility reports next; null: compatible. */
    public static final AtomicReference<String> COMPAT_FAILURES = new AtomicReference<>();
    private static final AtomicInteger RESERVATION_IDS = new AtomicInteger(100);
    private HttpServer server;

    public static void reserveSucceeds() {
        RESERVE_ANSWER.set(null);
        COMPAT_FAILURES.set(null);
    }

    public static void reserveAnswers(int status, String body) {
        RESERVE_ANSWER.set(new Object[] {status, body});
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            int status = 200;
            String body;
            if (method.equals("GET") && path.matches("/vms/\\d+")) {
                long id = Long.parseLong(path.substring(5));
                if (id == 404) {
                    status = 404;
                    body = "{\"type\":\"https://ferry.dev/problems/vm-not-found\",\"status\":404,\"detail\":\"VM 404 does not exist\"}";
                } else {
                    // every VM runs on a host of its own id, so that tests do not share source limits
                    body = "{\"id\":" + id + ",\"name\":\"vm-" + id + "\",\"memoryBytes\":4294967296,\"vcpus\":2,\"hostId\":" + (1000 + id) + "}";
                }
            } else if (method.equals("GET") && path.matches("/hosts/\\d+")) {
                long id = Long.parseLong(path.substring(7));
                // hosts 500-599 have the usual limit of 2 inbound and 2 outbound; the rest are roomy
                int limit = id >= 500 && id < 600 ? 2 : 64;
                body = "{\"id\":" + id + ",\"name\":\"hv-" + id + "\",\"linkBandwidthBytesPerSecond\":" + (id > 1000 ? 1250000000L : 125000000L)
                        + ",\"maxInboundMigrations\":" + limit + ",\"maxOutboundMigrations\":" + limit + "}";
            } else if (method.equals("POST") && path.matches("/vms/\\d+/compatibility")) {
                String hostId = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).replaceAll("\\D+", " ").trim();
                String failures = COMPAT_FAILURES.get();
                body = "[{\"hostId\":" + hostId + ",\"hostName\":\"hv-" + hostId + "\",\"compatible\":" + (failures == null)
                        + ",\"failed\":" + (failures == null ? "[]" : failures) + "}]";
            } else if (method.equals("GET") && path.equals("/vms")) {
                // host 777 runs three VMs, 771-773
                body = exchange.getRequestURI().getQuery().contains("hostId=777")
                        ? "[" + String.join(",", java.util.stream.IntStream.rangeClosed(771, 773).mapToObj(id ->
                                "{\"id\":" + id + ",\"name\":\"vm-" + id + "\",\"memoryBytes\":4294967296,\"vcpus\":2,\"hostId\":777}")
                                .toList()) + "]"
                        : "[]";
            } else if (method.equals("PUT") && path.matches("/hosts/\\d+/state")) {
                body = "{\"state\":\"MAINTENANCE\"}";
            } else if (method.equals("GET") && path.matches("/vms/\\d+/candidates")) {
                body = "[{\"verdict\":{\"hostId\":3,\"hostName\":\"hv-3\",\"compatible\":true,\"failed\":[]},\"freeMemoryAfterBytes\":8589934592},"
                        + "{\"verdict\":{\"hostId\":2,\"hostName\":\"hv-2\",\"compatible\":false,\"failed\":[{\"code\":\"CPU_VENDOR\",\"message\":\"x\"}]},\"freeMemoryAfterBytes\":0}]";
            } else if (method.equals("POST") && path.equals("/reservations")) {
                Object[] answer = RESERVE_ANSWER.get();
                if (answer != null) {
                    status = (int) answer[0];
                    body = (String) answer[1];
                } else {
                    status = 201;
                    body = "{\"id\":" + RESERVATION_IDS.incrementAndGet() + ",\"state\":\"ACTIVE\"}";
                }
            } else if (method.equals("POST") && path.matches("/reservations/\\d+/release")) {
                RELEASES.incrementAndGet();
                body = "{\"state\":\"RELEASED\"}";
            } else {
                status = 404;
                body = "{}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return Map.of("quarkus.rest-client.inventory.url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
