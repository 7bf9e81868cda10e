package dev.ferry.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Ferry's two public APIs over HTTP, JSON in and out, every call bounded. A refusal keeps the service's problem body
 * ({@link Refused}), so that the operator reads the service's own words and failed rules; no answer at all is
 * {@link Unreachable}.
 */
public final class Api {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 1000;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The service answered 4xx or 5xx: its status and its RFC 7807 problem body. */
    public static final class Refused extends RuntimeException {
        public final int status;
        public final JsonNode problem;

        Refused(String what, int status, JsonNode problem) {
            super(what + ": " + status + " " + problem.path("title").asText("") + (problem.hasNonNull("detail")
                    ? " - " + problem.get("detail").asText() : ""));
            this.status = status;
            this.problem = problem;
        }
    }

    /** No answer: the service is down, or the address is wrong. */
    public static final class Unreachable extends RuntimeException {
        Unreachable(String what, Throwable cause) {
            super(what + ": no answer (" + cause.getMessage() + "); check the endpoint (ferryctl config view) and that Ferry runs",
                    cause);
        }
    }

    private final String inventory;
    private final String scheduler;
    private final Supplier<String> token;

    /** @param token the bearer token for each call (refreshed by the supplier when it must be) */
    public Api(String inventory, String scheduler, Supplier<String> token) {
        this.inventory = strip(inventory);
        this.scheduler = strip(scheduler);
        this.token = token;
    }

    public JsonNode inventory(String method, String path, Object body) {
        return call(method, inventory + path, body);
    }

    public JsonNode scheduler(String method, String path, Object body) {
        return call(method, scheduler + path, body);
    }

    /** Every row of an inventory listing, page by page (inventory serves at most 1,000 a page). */
    public com.fasterxml.jackson.databind.node.ArrayNode inventoryAll(String path) {
        com.fasterxml.jackson.databind.node.ArrayNode all = JSON.createArrayNode();
        String sep = path.contains("?") ? "&" : "?";
        for (int page = 0; ; page++) {
            JsonNode rows = inventory("GET", path + sep + "size=" + PAGE + "&page=" + page, null);
            rows.forEach(all::add);
            if (rows.size() < PAGE) {
                return all;
            }
        }
    }

    public String schedulerUrl() {
        return scheduler;
    }

    static String query(Map<String, ?> params) {
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> {
            if (v != null) {
                q.append(q.isEmpty() ? "?" : "&").append(k).append('=').append(URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8));
            }
        });
        return q.toString();
    }

    /** One call to a full URL (the launcher's and the tools' client is this one too). */
    public JsonNode call(String method, String url, Object body) {
        String what = method + " " + url;
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Accept", "application/json");
            String bearer = token.get();
            if (bearer != null) {
                b.header("Authorization", "Bearer " + bearer);
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = r.body().isBlank() ? JSON.nullNode() : parse(r.body());
            if (r.statusCode() >= 400) {
                throw new Refused(what, r.statusCode(), json);
            }
            return json;
        } catch (IOException e) {
            throw new Unreachable(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable(what, e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException notJson) {
            return JSON.createObjectNode().put("detail", body.length() > 300 ? body.substring(0, 300) + "..." : body);
        }
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
