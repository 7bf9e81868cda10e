package dev.ferry.events.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a new schema of a record would break for a consumer written against the old one: a field removed, a field
 * retyped (its type, format, record or list element), a field that was always there becoming optional, an enum value
 * no longer written, or a required field added (a record written before it has none). Adding an optional field or an
 * enum value breaks nobody who follows the contract's rule to ignore what it does not know.
 */
public final class Compatibility {
    private Compatibility() {
    }

    /** The breaks, in words, from {@code before} to {@code after} (both schemas of one record); empty: compatible. */
    public static List<String> breaks(JsonNode before, JsonNode after) {
        List<String> found = new ArrayList<>();
        String name = before.path("title").asText();
        compareObjects(name, before, after, found);
        Iterator<Map.Entry<String, JsonNode>> defs = before.path("$defs").fields();
        while (defs.hasNext()) {
            Map.Entry<String, JsonNode> def = defs.next();
            JsonNode now = after.path("$defs").path(def.getKey());
            if (now.isMissingNode()) {
                continue; // no field refers to it any more: that field's change is reported where it is
            }
            compareObjects(def.getKey(), def.getValue(), now, found);
        }
        return found;
    }

    private static void compareObjects(String where, JsonNode before, JsonNode after, List<String> found) {
        Set<String> wasRequired = names(before.path("required"));
        Set<String> isRequired = names(after.path("required"));
        Iterator<Map.Entry<String, JsonNode>> fields = before.path("properties").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String path = where + "." + field.getKey();
            JsonNode now = after.path("properties").path(field.getKey());
            if (now.isMissingNode()) {
                found.add(path + ": removed");
                continue;
            }
            String typeBefore = shape(field.getValue());
            String typeAfter = shape(now);
            if (!typeBefore.equals(typeAfter)) {
                found.add(path + ": retyped from " + typeBefore + " to " + typeAfter);
            }
            if (wasRequired.contains(field.getKey()) && !isRequired.contains(field.getKey())) {
                found.add(path + ": was always present, may now be null or absent");
            }
            Set<String> lost = new TreeSet<>(values(field.getValue()));
            lost.removeAll(values(now));
            if (!lost.isEmpty()) {
                found.add(path + ": no longer allows " + String.join(", ", lost));
            }
        }
        for (String added : isRequired) {
            if (!before.path("properties").has(added)) {
                found.add(where + "." + added + ": added as required, but records written before it lack it");
            }
        }
    }

    /** A field's type in words, without its nullability (which "was always present" judges): "array of string". */
    static String shape(JsonNode property) {
        JsonNode p = property;
        if (p.has("anyOf")) {
            for (JsonNode option : p.get("anyOf")) {
                if (!"null".equals(option.path("type").asText())) {
                    p = option;
                }
            }
        }
        if (p.has("$ref")) {
            return "record " + p.get("$ref").asText().replace("#/$defs/", "");
        }
        Set<String> types = new TreeSet<>();
        if (p.path("type").isArray()) {
            p.get("type").forEach(t -> types.add(t.asText()));
        } else {
            types.add(p.path("type").asText());
        }
        types.remove("null");
        String type = String.join("|", types);
        if (p.has("format")) {
            type += " (" + p.get("format").asText() + ")";
        }
        if ("array".equals(type)) {
            type += " of " + shape(p.path("items"));
        }
        return type;
    }

    private static Set<String> names(JsonNode array) {
        Set<String> names = new HashSet<>();
        array.forEach(n -> names.add(n.asText()));
        return names;
    }

    private static Set<String> values(JsonNode property) {
        Set<String> values = new HashSet<>();
        property.path("enum").forEach(v -> {
            if (!v.isNull()) {
                values.add(v.asText());
            }
        });
        return values;
    }
}
