package dev.ferry.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.HashMap;
import java.util.Map;

/** --watch: which rows of a new listing are new or differ from the last time they were seen, by id. */
final class Watcher {
    private final Map<String, JsonNode> seen = new HashMap<>();

    Watcher(JsonNode first) {
        changes(first);
    }

    ArrayNode changes(JsonNode rows) {
        ArrayNode changed = Api.JSON.createArrayNode();
        for (JsonNode row : rows) {
            JsonNode before = seen.put(row.path("id").asText(), row);
            if (!row.equals(before)) {
                changed.add(row);
            }
        }
        return changed;
    }
}
