package dev.ferry.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The role matrix of a running service, proven over real HTTP from its own OpenAPI document: every operation names
 * the roles it needs; without a token it answers 401, with a token of a role it does not name 403, both as
 * problem+json; with a role it names, neither. Path parameters and bodies are placeholders: authorisation is decided
 * before the request is read, so a permitted call may still fail validation (400/404/409/422) and that is fine here.
 */
public final class RoleMatrix {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * One operation and the roles the document lists for it.
     *
     * @param openBecause why the operation needs no token, as its {@code x-ferry-open} extension says; null if it does
     */
    public record Operation(String method, String path, Set<String> roles, String openBecause) {
        public Operation(String method, String path, Set<String> roles) {
            this(method, path, roles, null);
        }

        @Override
        public String toString() {
            return method + " " + path + " " + roles;
        }
    }

    /** What a call answered that the matrix did not expect. */
    public record Result(List<Operation> operations, List<String> violations) {
    }

    private RoleMatrix() {
    }

    /** The operations of a service's OpenAPI document (JSON) and the roles each lists under its security requirement. */
    public static List<Operation> operations(String openApiJson) {
        JsonNode doc;
        try {
            doc = JSON.readTree(openApiJson);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an OpenAPI document: " + e.getMessage(), e);
        }
        List<Operation> ops = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                Set<String> roles = new TreeSet<>();
                op.getValue().path("security").forEach(req -> req.properties().forEach(s -> s.getValue().forEach(r -> roles.add(r.asText()))));
                String open = op.getValue().path("x-ferry-open").asText(null);
                ops.add(new Operation(op.getKey().toUpperCase(), path.getKey(), roles, open));
            }
        }
        return ops;
    }

    /**
     * Calls every operation of the service at {@code baseUrl} without a token and with each of the given tokens.
     *
     * @param tokens tokens of different roles (the realm's users and service clients)
     * @param included the roles a token's roles include (admin includes operator and viewer), as the service counts them
     */
    public static Result check(String baseUrl, String openApiJson, List<String> tokens, Function<Set<String>, Set<String>> included) {
        List<Operation> ops = operations(openApiJson);
        List<String> violations = new ArrayList<>();
        for (Operation op : ops) {
            if (op.openBecause() != null) {
                // open on purpose, and saying why in the document: it must really answer without a token
                int status = call(baseUrl, op, null).statusCode();
                if (status == 401 || status == 403 || !op.roles().isEmpty() || op.openBecause().isBlank()) {
                    violations.add(op + ": declared open (x-ferry-open) but answered " + status + " without a token, lists roles "
                            + "or gives no reason");
                }
                continue;
            }
            if (op.roles().isEmpty()) {
                violations.add(op + ": the document lists no role (an open operation)");
                continue;
            }
            expectRefused(baseUrl, op, null, 401, violations);
            for (String token : tokens) {
                Set<String> roles = included.apply(Set.copyOf(TestIdentity.roles(token)));
                if (roles.stream().anyMatch(op.roles()::contains)) {
                    int status = call(baseUrl, op, token).statusCode();
                    if (status == 401 || status == 403) {
                        violations.add(op + " as " + roles + ": answered " + status + " though the role is listed");
                    }
                } else {
                    expectRefused(baseUrl, op, token, 403, violations);
                }
            }
        }
        return new Result(ops, violations);
    }

    private static void expectRefused(String baseUrl, Operation op, String token, int expected, List<String> violations) {
        HttpResponse<java.io.InputStream> r = call(baseUrl, op, token);
        String as = token == null ? "without a token" : "as " + TestIdentity.roles(token);
        if (r.statusCode() != expected) {
            violations.add(op + " " + as + ": answered " + r.statusCode() + ", expected " + expected);
        } else if (!r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
            violations.add(op + " " + as + ": " + expected + " without a problem+json body");
        }
    }

    /**
     * Path parameters name nothing that exists (a UUID for migrations and evacuations, a number elsewhere) and bodies
     * are {}, so that a permitted call changes nothing.
     */
    private static HttpResponse<java.io.InputStream> call(String baseUrl, Operation op, String token) {
        boolean uuids = op.path().startsWith("/migrations") || op.path().startsWith("/evacuations");
        String path = op.path().replaceAll("\\{[^}]*}", uuids ? "00000000-0000-0000-0000-00000000f00d" : "999999999");
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(10))
                .header("Accept", "*/*"); // a stream produces text/event-stream and would refuse JSON with 406
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        boolean body = op.method().equals("POST") || op.method().equals("PUT");
        b.method(op.method(), body ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody());
        if (body) {
            b.header("Content-Type", "application/json");
        }
        try {
            // the status and headers are all this needs; a stream (text/event-stream) would never end
            HttpResponse<java.io.InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            r.body().close();
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(op + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
