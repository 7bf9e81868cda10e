package dev.ferry.worker.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.events.MigrationCommand;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import dev.ferry.support.tracing.TraceParents;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The worker's side of the claims (scheduler-service's POST /migrations/{id}/claims): ask before acting on the
 * hypervisor, renew twice per heartbeat, give back at shutdown. Blocking: it runs on the worker's own threads.
 */
final class ClaimClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The least a replica is given, even past the call's wait: a question is always asked. */
    private static final Duration MIN_WAIT = Duration.ofMillis(100);
    private static final String NOT_SAMPLED = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";

    /** The scheduler said no: this worker must not act for the migration. */
    static final class Refused extends Exception {
        final String slug;

        Refused(String slug, String detail) {
            super(detail);
            this.slug = slug;
        }
    }

    /** The scheduler did not answer (away, overloaded, or the network): the question stands. */
    static final class Unanswered extends IOException {
        Unanswered(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A granted claim, as the scheduler measures it, and what the operator asked while nobody held the migration
     * (a cancel or force-complete sent before this worker took it over).
     */
    record Grant(long leaseMillis, long renewEveryMillis, boolean cancelRequested, boolean forceCompleteRequested) {
        Grant(long leaseMillis, long renewEveryMillis) {
            this(leaseMillis, renewEveryMillis, false, false);
        }
    }

    private final HttpClient http;
    /** The scheduler's replicas, tried in turn: the one that answered last is asked first. */
    private final java.util.List<String> replicas;
    private volatile int current;
    private final Duration timeout;
    /** The worker's own bearer token: fetched, cached and renewed by the caller's identity provider client. */
    private final BearerToken token;

    /**
     * Where the worker's token comes from ({@link ServiceToken}); a provider that cannot be reached leaves the question
     * standing.
     */
    interface BearerToken {
        String get() throws Exception;

        /** The scheduler refused the token (401): fetch a new one next time. */
        void refused();
    }

    /** @param schedulerUrls one URL, or several (replicas) separated by commas */
    ClaimClient(String schedulerUrls, Duration timeout, BearerToken token) {
        this.replicas = java.util.Arrays.stream(schedulerUrls.split(",")).map(String::trim).filter(u -> !u.isEmpty())
                .map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u).toList();
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("ferry.worker.scheduler-url names no scheduler");
        }
        this.timeout = timeout;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** Claims (or renews) the command's attempt for this worker. */
    Grant claim(MigrationCommand command, String workerId, String driver, boolean jobsOutliveWorker)
            throws Refused, Unanswered, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("attempt", command.attempt());
        body.put("workerId", workerId);
        body.put("driver", driver);
        body.put("jobsOutliveWorker", jobsOutliveWorker);
        HttpResponse<String> r = send(base -> HttpRequest.newBuilder(claims(base, command))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(body))), null);
        JsonNode answer = parse(r.body());
        if (r.statusCode() == 200) {
            return new Grant(answer.path("leaseMillis").asLong(), answer.path("renewEveryMillis").asLong(),
                    answer.path("cancelRequested").asBoolean(false), answer.path("forceCompleteRequested").asBoolean(false));
        }
        if (r.statusCode() == 404 || r.statusCode() == 409 || r.statusCode() == 400 || r.statusCode() == 422) {
            throw new Refused(answer.path("type").asText("refused"), answer.path("detail").asText("HTTP " + r.statusCode()));
        }
        throw new Unanswered("claim answered HTTP " + r.statusCode() + ": " + answer.path("detail").asText(r.body()), null);
    }

    /** What one renewal of all of a worker's claims said: the lease of those renewed, and why the others were not. */
    record Renewal(Grant grant, java.util.Set<java.util.UUID> renewed, Map<java.util.UUID, String> refused) {
    }

    /**
     * Renews every claim this worker holds in one call, waiting for the answer at most {@code wait} (as long as the
     * claims are still this worker's: an answer after that saves nothing). A claim in neither list of the answer was not
     * renewed this time (its row was held elsewhere): it holds until its own end, and the next renewal asks again.
     */
    Renewal renewAll(String workerId, java.util.Collection<MigrationCommand> held, Duration wait) throws Unanswered, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("workerId", workerId);
        body.put("claims", held.stream().map(c -> Map.of("migrationId", c.migrationId().toString(), "attempt", c.attempt())).toList());
        // at least the configured timeout for every replica: a hung one must not leave the next a moment
        Duration all = wait.compareTo(eachReplica()) > 0 ? wait : eachReplica();
        HttpResponse<String> r = send(base -> HttpRequest.newBuilder(URI.create(base + "/claims/renewals"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json(body))), all);
        JsonNode answer = parse(r.body());
        if (r.statusCode() != 200) {
            throw new Unanswered("renewal answered HTTP " + r.statusCode() + ": " + answer.path("detail").asText(r.body()), null);
        }
        java.util.Set<java.util.UUID> renewed = new java.util.HashSet<>();
        answer.path("renewed").forEach(id -> renewed.add(java.util.UUID.fromString(id.asText())));
        Map<java.util.UUID, String> refused = new java.util.HashMap<>();
        answer.path("refused").forEach(f -> refused.put(java.util.UUID.fromString(f.path("migrationId").asText()),
                f.path("detail").asText(f.path("slug").asText())));
        return new Renewal(new Grant(answer.path("leaseMillis").asLong(), answer.path("renewEveryMillis").asLong()), renewed, refused);
    }

    /** Gives the claim back: the scheduler takes the migration over at once instead of waiting for the lease. */
    void release(MigrationCommand command, String workerId, String reason) throws Unanswered, InterruptedException {
        send(base -> HttpRequest.newBuilder(URI.create(claims(base, command) + "/" + encode(workerId) + "?attempt=" + command.attempt()
                + "&reason=" + encode(reason))).DELETE(), null);
    }

    private static URI claims(String base, MigrationCommand command) {
        return URI.create(base + "/migrations/" + command.migrationId() + "/claims");
    }

    /** The whole wait that gives every replica the configured timeout. */
    private Duration eachReplica() {
        return timeout.multipliedBy(replicas.size());
    }

    /**
     * Asks the replica that answered last, then the others in turn: a replica that does not answer, or answers that it
     * cannot serve now (502/503/504), is passed over. Unanswered only when none answered. Each replica is waited for the
     * configured timeout; with a {@code wait} (at least that for every replica), the last one is waited for whatever of
     * it remains.
     */
    private HttpResponse<String> send(java.util.function.Function<String, HttpRequest.Builder> request, Duration wait)
            throws Unanswered, InterruptedException {
        String bearer;
        try {
            bearer = token.get();
        } catch (Exception e) {
            throw new Unanswered("no token from the identity provider: " + e, e);
        }
        // from here, not before the token: a slow identity provider must not eat the scheduler's time
        long deadline = System.nanoTime() + (wait == null ? 0 : wait.toNanos());
        Unanswered last = null;
        int first = current;
        for (int i = 0; i < replicas.size(); i++) {
            int r = (first + i) % replicas.size();
            try {
                Duration patience = wait == null || i < replicas.size() - 1 ? timeout
                        : Duration.ofNanos(Math.max(MIN_WAIT.toNanos(), deadline - System.nanoTime()));
                HttpRequest.Builder ask = request.apply(replicas.get(r)).timeout(patience).header("Authorization", "Bearer " + bearer);
                String trace = TraceParents.current();
                // a claim joins the migration's trace; a renewal, made for all runs at once outside any trace, says
                // "not sampled" so that the scheduler does not start a trace for each one every few seconds
                ask.header(TraceParents.HEADER, trace != null ? trace : NOT_SAMPLED);
                HttpResponse<String> answer = http.send(ask.build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 401) {
                    // expired early or the provider's key changed: a new token, and the question stands meanwhile
                    token.refused();
                    last = new Unanswered("scheduler at " + replicas.get(r) + " refused the worker's token (401): "
                            + parse(answer.body()).path("detail").asText(answer.body()), null);
                    break;
                }
                if (answer.statusCode() >= 502 && answer.statusCode() <= 504 && i < replicas.size() - 1) {
                    last = new Unanswered("scheduler at " + replicas.get(r) + " answered " + answer.statusCode(), null);
                    continue;
                }
                current = r;
                return answer;
            } catch (IOException e) {
                last = new Unanswered("scheduler at " + replicas.get(r) + " did not answer: " + e, e);
            }
        }
        throw last;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
