package dev.ferry.scheduler.console;

import dev.ferry.scheduler.service.SchedulerConfig;
import dev.ferry.support.Problem;
import dev.ferry.support.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Passes the web console's inventory reads (and the one host action it offers) to inventory-service, so that the
 * console reaches both APIs from the scheduler's origin and CORS stays closed on both. The caller's own token goes
 * along: inventory decides what the person may see and do, and records them, not the scheduler, as who changed a host.
 * Inventory's answer comes back unchanged (status, body, problem+json); when it cannot be reached the caller gets a
 * 503 that says so, as the scheduler's own calls do.
 */
@ApplicationScoped
public class InventoryRelay {
    private final HttpClient http;
    private final SchedulerConfig config;

    @Inject
    public InventoryRelay(SchedulerConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(config.inventoryConnectTimeout()).build();
    }

    /** {@code method path?query} at inventory, with the caller's Authorization header and JSON body (or none). */
    public Uni<Response> forward(String method, String path, String rawQuery, String authorization, String jsonBody) {
        URI uri = URI.create(strip(config.inventoryUrl()) + path + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(config.inventoryReadTimeout())
                .header("Accept", "application/json")
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return Uni.createFrom().completionStage(() -> http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()))
                .map(InventoryRelay::relayed)
                .onFailure(e -> !(e instanceof ProblemException)).transform(e -> new ProblemException(new Problem(
                        "inventory-unavailable", "Inventory unavailable", 503, "inventory-service could not be reached ("
                                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "); retry later")));
    }

    private static Response relayed(HttpResponse<byte[]> answer) {
        String type = answer.headers().firstValue("Content-Type").orElse("");
        if (answer.statusCode() >= 400 && !type.startsWith("application/problem+json")) {
            // every error of this API is a problem: one that inventory (or a proxy before it) did not write as one is
            // wrapped, its text kept as the detail
            String text = new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8);
            throw new ProblemException(new Problem("inventory-refused", "Inventory refused the request", answer.statusCode(),
                    "inventory-service answered " + answer.statusCode() + (text.isBlank() ? "" : ": "
                            + (text.length() > 500 ? text.substring(0, 500) + "..." : text))));
        }
        Response.ResponseBuilder r = Response.status(answer.statusCode()).entity(answer.body());
        answer.headers().firstValue("Content-Type").ifPresent(t -> r.header("Content-Type", t));
        answer.headers().firstValue("Retry-After").ifPresent(after -> r.header("Retry-After", after));
        return r.build();
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
