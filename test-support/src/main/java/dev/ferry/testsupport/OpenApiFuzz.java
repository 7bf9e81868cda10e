package dev.ferry.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A property-based fuzzer over a service's own OpenAPI document: for every operation it builds requests from the
 * declared parameters and body schema, most of them wrong on purpose (wrong types, huge and negative numbers,
 * unicode and NUL characters, long strings, missing and extra fields, bodies that are not JSON), sends them over real
 * HTTP and reports each answer that breaks the contract every API user relies on: no 5xx, and every error a
 * problem+json body. Seeded: a failure names the seed that reproduces it.
 */
public final class OpenApiFuzz {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** An answer that broke the contract, with the request that caused it. */
    public record Finding(String request, int status, String contentType, String body) {
        @Override
        public String toString() {
            return status + " " + contentType + " <- " + request + " : " + body.substring(0, Math.min(300, body.length()));
        }
    }

    /** How many requests went out, the statuses they got, and what broke the contract. */
    public record Report(long seed, int requests, Map<Integer, Integer> statuses, List<Finding> findings) {
    }

    /** One operation of the document. */
    private record Operation(String method, String path, List<JsonNode> parameters, JsonNode body) {
    }

    private final String baseUrl;
    private final JsonNode doc;
    private final Random random;
    private final Map<String, List<Object>> known;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param known values that exist (by parameter or property name, e.g. "id", "vmId"), offered now and then so that
     *              requests also reach past the "not found" answers
     */
    private OpenApiFuzz(String baseUrl, String openApiJson, long seed, Map<String, List<Object>> known) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        try {
            this.doc = JSON.readTree(openApiJson);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an OpenAPI document", e);
        }
        this.random = new Random(seed);
        this.known = known;
    }

    /**
     * Sends {@code requests} requests spread over every operation but those whose path contains one of {@code skip}
     * (a stream that never ends, say).
     */
    public static Report run(String baseUrl, String openApiJson, long seed, int requests, Set<String> skip,
            Map<String, List<Object>> known) {
        return new OpenApiFuzz(baseUrl, openApiJson, seed, known).run(seed, requests, skip);
    }

    private Report run(long seed, int requests, Set<String> skip) {
        List<Operation> ops = operations(skip);
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("no operations to fuzz in the document");
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<Finding> findings = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            Operation op = ops.get(i % ops.size());
            HttpRequest request = build(op);
            String described = request.method() + " " + request.uri();
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                statuses.merge(r.statusCode(), 1, Integer::sum);
                String type = r.headers().firstValue("Content-Type").orElse("");
                if (r.statusCode() >= 500 || (r.statusCode() >= 400 && !type.startsWith("application/problem+json"))) {
                    findings.add(new Finding(described + lastBody, r.statusCode(), type, r.body()));
                }
            } catch (IOException e) {
                findings.add(new Finding(described + lastBody, -1, "", "no answer: " + e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new Report(seed, requests, statuses, findings);
    }

    private List<Operation> operations(Set<String> skip) {
        List<Operation> ops = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            if (skip.stream().anyMatch(path.getKey()::contains)) {
                continue;
            }
            for (Map.Entry<String, JsonNode> m : path.getValue().properties()) {
                JsonNode op = m.getValue();
                List<JsonNode> params = new ArrayList<>();
                path.getValue().path("parameters").forEach(params::add);
                op.path("parameters").forEach(params::add);
                JsonNode body = op.path("requestBody").path("content").path("application/json").path("schema");
                ops.add(new Operation(m.getKey().toUpperCase(), path.getKey(), params, body.isMissingNode() ? null : resolve(body)));
            }
        }
        return ops;
    }

    private String lastBody = "";

    private HttpRequest build(Operation op) {
        String path = op.path();
        StringBuilder query = new StringBuilder();
        inUrl = true;
        for (JsonNode p : op.parameters()) {
            String name = p.path("name").asText();
            String where = p.path("in").asText();
            JsonNode schema = resolve(p.path("schema"));
            if ("path".equals(where)) {
                path = path.replace("{" + name + "}", encode(scalarText(name, schema)));
            } else if ("query".equals(where) && random.nextInt(10) < 6) {
                query.append(query.isEmpty() ? "?" : "&").append(encode(name)).append('=').append(encode(scalarText(name, schema)));
            }
        }
        if (random.nextInt(10) == 0) {
            query.append(query.isEmpty() ? "?" : "&").append("unexpected=").append(encode(weirdText()));
        }
        inUrl = false;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path + query)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json");
        lastBody = "";
        if (op.body() != null || List.of("POST", "PUT", "PATCH").contains(op.method())) {
            String body = body(op.body());
            lastBody = " body " + body.substring(0, Math.min(200, body.length()));
            b.header("Content-Type", "application/json").method(op.method(), HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(op.method(), HttpRequest.BodyPublishers.noBody());
        }
        return b.build();
    }

    private String body(JsonNode schema) {
        return switch (random.nextInt(20)) {
            case 0 -> "";
            case 1 -> "{not json";
            case 2 -> "[]";
            case 3 -> "null";
            case 4 -> "\"" + weirdText() + "\"";
            default -> value("body", schema == null ? NODES.objectNode() : schema, 0).toString();
        };
    }

    /** A value for the schema, right most of the time at the top and wrong somewhere more often than not. */
    private JsonNode value(String name, JsonNode schema, int depth) {
        schema = resolve(schema);
        if (random.nextInt(8) == 0) {
            return wrong();
        }
        String type = type(schema);
        switch (type) {
            case "object" -> {
                ObjectNode o = NODES.objectNode();
                if (depth > 4) {
                    return o;
                }
                schema.path("properties").properties().forEach(e -> {
                    if (random.nextInt(10) < 8) {
                        o.set(e.getKey(), value(e.getKey(), e.getValue(), depth + 1));
                    }
                });
                if (random.nextInt(6) == 0) {
                    o.set("extra" + random.nextInt(100), wrong());
                }
                return o;
            }
            case "array" -> {
                ArrayNode a = NODES.arrayNode();
                int n = random.nextInt(10) == 0 ? 2000 : random.nextInt(4);
                for (int i = 0; i < n && depth <= 4; i++) {
                    a.add(value(name, schema.path("items"), depth + 1));
                }
                return a;
            }
            case "integer" -> {
                Object k = knownValue(name);
                return k instanceof Number n ? NODES.numberNode(n.longValue()) : NODES.numberNode(number());
            }
            case "number" -> {
                return NODES.numberNode(random.nextInt(5) == 0 ? -1e308 : random.nextDouble() * 100);
            }
            case "boolean" -> {
                return NODES.booleanNode(random.nextBoolean());
            }
            default -> {
                return NODES.textNode(scalarText(name, schema));
            }
        }
    }

    /** Anything of the wrong kind. */
    private JsonNode wrong() {
        return switch (random.nextInt(8)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.textNode(weirdText());
            case 2 -> NODES.numberNode(Long.MAX_VALUE);
            case 3 -> NODES.numberNode(-1);
            case 4 -> NODES.booleanNode(true);
            case 5 -> NODES.arrayNode().add(1).add("x");
            case 6 -> NODES.objectNode().put("nested", weirdText());
            default -> NODES.numberNode(1e40);
        };
    }

    private String scalarText(String name, JsonNode schema) {
        Object k = knownValue(name);
        if (k != null) {
            return k.toString();
        }
        String type = type(schema);
        String format = schema.path("format").asText();
        if (random.nextInt(4) == 0) {
            return weirdText();
        }
        if (schema.has("enum") && random.nextBoolean()) {
            JsonNode values = schema.path("enum");
            return values.get(random.nextInt(values.size())).asText();
        }
        return switch (type) {
            case "integer" -> Long.toString(number());
            case "number" -> Double.toString(random.nextDouble() * 1000);
            case "boolean" -> Boolean.toString(random.nextBoolean());
            default -> switch (format) {
                case "uuid" -> java.util.UUID.randomUUID().toString();
                case "date-time" -> random.nextBoolean() ? "2026-12-01T00:00:00Z" : "2999-01-01T00:00:00Z";
                default -> "x" + random.nextInt(1000);
            };
        };
    }

    private Object knownValue(String name) {
        List<Object> values = known.get(name);
        return values == null || values.isEmpty() || random.nextInt(3) != 0 ? null : values.get(random.nextInt(values.size()));
    }

    private long number() {
        return switch (random.nextInt(7)) {
            case 0 -> Long.MAX_VALUE;
            case 1 -> Long.MIN_VALUE;
            case 2 -> -1;
            case 3 -> 0;
            case 4 -> Integer.MAX_VALUE + 1L;
            default -> 1 + random.nextInt(50);
        };
    }

    /** Set while path and query values are made: a URL stays under the length servers accept (a few KiB). */
    private boolean inUrl;

    private String weirdText() {
        return switch (random.nextInt(7)) {
            case 0 -> "nul\u0000byte";
            case 1 -> "ünïcödé ✓ 𝄞 " + random.nextInt(100);
            case 2 -> "x".repeat(inUrl ? 500 + random.nextInt(1_000) : 10_000 + random.nextInt(10_000));
            case 3 -> "";
            case 4 -> "' OR 1=1 --";
            case 5 -> "../../etc/passwd";
            default -> "\uD800"; // a lone surrogate
        };
    }

    private String type(JsonNode schema) {
        String t = schema.path("type").asText("");
        if (t.isEmpty() && schema.has("properties")) {
            return "object";
        }
        return t;
    }

    /** Follows $ref into components/schemas and takes the first branch of allOf/oneOf/anyOf. */
    private JsonNode resolve(JsonNode schema) {
        for (int i = 0; i < 10 && schema != null; i++) {
            if (schema.has("$ref")) {
                String ref = schema.get("$ref").asText();
                schema = doc.at(ref.substring(1));
            } else if (schema.has("allOf")) {
                schema = schema.get("allOf").get(0);
            } else if (schema.has("oneOf")) {
                schema = schema.get("oneOf").get(0);
            } else if (schema.has("anyOf")) {
                schema = schema.get("anyOf").get(0);
            } else {
                break;
            }
        }
        return schema == null ? NODES.objectNode() : schema;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** What a test prints: the statuses seen and the first findings. */
    public static String describe(Report r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seed", r.seed());
        out.put("requests", r.requests());
        out.put("statuses", r.statuses());
        out.put("findings", r.findings().size());
        return out + (r.findings().isEmpty() ? "" : "\n  " + String.join("\n  ",
                r.findings().stream().limit(20).map(Finding::toString).toList()));
    }
}
