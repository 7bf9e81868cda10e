package dev.ferry.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Walks a service's generated OpenAPI document (JSON) and lists what an API user would miss: an operation
 * without a summary, a JSON request body or a 2xx JSON response without an example.
 */
public final class OpenApiCheck {

    /** What was checked and what is missing. */
    public record Result(int operations, List<String> gaps) {
    }

    private OpenApiCheck() {
    }

    public static Result check(String openApiJson) {
        JsonNode doc;
        try {
            doc = new ObjectMapper().readTree(openApiJson);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonNode schemas = doc.path("components").path("schemas");
        List<String> gaps = new ArrayList<>();
        int operations = 0;
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                operations++;
                String where = op.getKey().toUpperCase() + " " + path.getKey();
                if (op.getValue().path("summary").asText().isBlank()) {
                    gaps.add(where + ": no summary");
                }
                JsonNode body = op.getValue().path("requestBody").path("content").path("application/json");
                if (!body.isMissingNode() && !body.has("examples") && !hasExample(body.path("schema"), schemas)) {
                    gaps.add(where + ": request body without example");
                }
                for (String code : List.of("200", "201", "202")) {
                    JsonNode content = op.getValue().path("responses").path(code).path("content").path("application/json");
                    if (!content.isMissingNode() && !content.has("examples") && !hasExample(content.path("schema"), schemas)) {
                        gaps.add(where + ": " + code + " response without example");
                    }
                }
            }
        }
        return new Result(operations, gaps);
    }

    private static boolean hasExample(JsonNode schema, JsonNode schemas) {
        if (schema.has("example") || schema.has("examples")) {
            return true;
        }
        if (schema.has("items")) {
            return hasExample(schema.get("items"), schemas);
        }
        String ref = schema.path("$ref").asText();
        return !ref.isEmpty() && hasExample(schemas.path(ref.substring(ref.lastIndexOf('/') + 1)), schemas);
    }
}
