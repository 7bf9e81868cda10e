package dev.ferry.worker.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The scheduler's claim desk, as far as a worker test needs it (the real rules are tested in scheduler-service, and
 * the two together end to end): the first worker to claim an attempt holds it; a migration the test ended is refused;
 * while "away" every call answers 503.
 */
public class ClaimDesk implements QuarkusTestResourceLifecycleManager {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> OWNERS = new ConcurrentHashMap<>();
    static final Set<String> ENDED = ConcurrentHashMap.newKeySet();
    static final Map<String, Integer> CLAIMS = new ConcurrentHashMap<>();
    static final AtomicBoolean AWAY = new AtomicBoolean();
    private HttpServer server;

    /** From now on, every claim on the migration is refused: the scheduler decided it. */
    static void end(Object migrationId) {
        ENDED.add(migrationId.toString());
    }

    static int claims(Object migrationId) {
        return CLAIMS.getOrDefault(migrationId.toString(), 0);
    }

    /** As the scheduler would: only a worker's own client (role worker) may claim; anything else is answered 401. */
    private static boolean fromWorker(HttpExchange x) throws IOException {
        String authorization = x.getRequestHeaders().getFirst("Authorization");
        if (authorization != null && authorization.startsWith("Bearer ") && TestIdentity.roles(authorization.substring(7)).contains("worker")) {
            return true;
        }
        answer(x, 401, "{\"type\": \"unauthenticated\", \"detail\": \"no worker token (test)\"}");
        return false;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/migrations/", this::handle);
        server.createContext("/claims/renewals", this::renewals);
        server.start();
        return Map.of("ferry.worker.scheduler-url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange x) throws IOException {
        if (!fromWorker(x)) {
            return;
        }
        String[] path = x.getRequestURI().getPath().split("/"); // "", migrations, id, claims[, worker]
        String id = path[2];
        if (AWAY.get()) {
            answer(x, 503, "{\"type\": \"temporarily-unavailable\", \"detail\": \"scheduler away (test)\"}");
            return;
        }
        if ("DELETE".equals(x.getRequestMethod())) {
            OWNERS.remove(id, path[4]);
            answer(x, 204, "");
            return;
        }
        JsonNode body = JSON.readTree(x.getRequestBody().readAllBytes());
        String worker = body.path("workerId").asText();
        CLAIMS.merge(id, 1, Integer::sum);
        if (ENDED.contains(id)) {
            answer(x, 409, "{\"type\": \"migration-ended\", \"detail\": \"migration " + id + " ended (test)\"}");
            return;
        }
        String owner = OWNERS.putIfAbsent(id, worker);
        if (owner != null && !owner.equals(worker)) {
            answer(x, 409, "{\"type\": \"claimed\", \"detail\": \"held by " + owner + "\"}");
            return;
        }
        answer(x, 200, "{\"leaseMillis\": 1500, \"renewEveryMillis\": 100}");
    }

    /** The same rules, for every claim of one worker at once. */
    private void renewals(HttpExchange x) throws IOException {
        if (!fromWorker(x)) {
            return;
        }
        if (AWAY.get()) {
            answer(x, 503, "{\"type\": \"temporarily-unavailable\", \"detail\": \"scheduler away (test)\"}");
            return;
        }
        JsonNode body = JSON.readTree(x.getRequestBody().readAllBytes());
        String worker = body.path("workerId").asText();
        var renewed = JSON.createArrayNode();
        var refused = JSON.createArrayNode();
        for (JsonNode c : body.path("claims")) {
            String id = c.path("migrationId").asText();
            CLAIMS.merge(id, 1, Integer::sum);
            if (ENDED.contains(id) || !worker.equals(OWNERS.get(id))) {
                refused.addObject().put("migrationId", id).put("slug", "migration-ended").put("detail", "ended (test)");
            } else {
                renewed.add(id);
            }
        }
        var answer = JSON.createObjectNode().put("leaseMillis", 1500).put("renewEveryMillis", 100);
        answer.set("renewed", renewed);
        answer.set("refused", refused);
        answer(x, 200, JSON.writeValueAsString(answer));
    }

    private static void answer(HttpExchange x, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(status, status == 204 ? -1 : bytes.length);
        if (status != 204) {
            x.getResponseBody().write(bytes);
        }
        x.close();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
