package dev.ferry.scheduler;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.testsupport.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(FakeInventory.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "scheduler_test"),
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-events-dlq")})
class OpenApiDocumentTest {

    @Test
    void everyEndpointIsSummarisedAndItsBodiesHaveExamples() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(given().queryParam("format", "json").get("/q/openapi").asString());
        JsonNode schemas = doc.path("components").path("schemas");
        List<String> missing = new ArrayList<>();
        int operations = 0;
        for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                operations++;
                String where = op.getKey().toUpperCase() + " " + path.getKey();
                if (op.getValue().path("summary").asText().isBlank()) {
                    missing.add(where + ": no summary");
                }
                JsonNode body = op.getValue().path("requestBody").path("content").path("application/json").path("schema");
                if (!body.isMissingNode() && !hasExample(body, schemas)) {
                    missing.add(where + ": request body without example");
                }
                for (String code : List.of("200", "201", "202")) {
                    JsonNode content = op.getValue().path("responses").path(code).path("content").path("application/json");
                    JsonNode response = content.path("schema");
                    if (!response.isMissingNode() && !content.has("examples") && !hasExample(response, schemas)) {
                        missing.add(where + ": " + code + " response without example");
                    }
                }
            }
        }
        assertThat(operations).isGreaterThanOrEqualTo(12);
        assertThat(missing).isEmpty();
    }

    private static boolean hasExample(JsonNode schema, JsonNode schemas) {
        if (schema.has("example") || schema.has("examples")) {
            return true;
        }
        if (schema.has("items")) {
            return hasExample(schema.get("items"), schemas);
        }
        String ref = schema.path("$ref").asText();
        if (!ref.isEmpty()) {
            return hasExample(schemas.path(ref.substring(ref.lastIndexOf('/') + 1)), schemas);
        }
        return false;
    }
}
