package dev.ferry.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small JSON-over-HTTP client for the launcher and the tools; every call is bounded. */
public final class Http {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A response that was not 2xx, with the problem body the service sent. */
    public static final class Failure extends RuntimeException {
        final int status;
        final JsonNode body;

        Failure(String method, String url, int status, JsonNode body) {
            super(method + " " + url + " answered " + status + ": " + body.path("detail").asText(body.toString()));
            this.status = status;
            this.body = body;
        }
    }

    /** The caller's bearer token, put on every request once signed in (a command acts as one user). */
    private static volatile String bearer;

    private Http() {
    }

    /** From now on every request carries this token (see {@link LocalLogin}). */
    public static void signIn(String token) {
        bearer = token;
    }

    public static JsonNode get(String url) {
        return send("GET", url, null);
    }

    public static JsonNode post(String url, Object body) {
        return send("POST", url, body);
    }

    public static JsonNode put(String url, Object body) {
        return send("PUT", url, body);
    }

    static JsonNode send(String method, String url, Object body) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Accept", "application/json");
            if (bearer != null) {
                b.header("Authorization", "Bearer " + bearer);
            }
            if (body != null) {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
            if (r.statusCode() >= 300) {
                throw new Failure(method, url, r.statusCode(), json);
            }
            return json;
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + url + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
