package dev.ferry.events.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Which schema changes break a consumer written against the old schema, and which do not. */
class CompatibilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String BEFORE = """
            {"title": "Event", "type": "object",
             "properties": {
               "id": {"type": "string"},
               "count": {"type": "integer"},
               "at": {"type": ["string", "null"], "format": "date-time"},
               "kind": {"type": "string", "enum": ["A", "B"]},
               "tags": {"type": ["array", "null"], "items": {"type": "string"}},
               "round": {"anyOf": [{"$ref": "#/$defs/Round"}, {"type": "null"}]}},
             "required": ["id", "count", "kind"],
             "$defs": {"Round": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}}}
            """;

    @Test
    void theSameSchemaBreaksNothing() {
        assertThat(Compatibility.breaks(read(BEFORE), read(BEFORE))).isEmpty();
    }

    @Test
    void addingAnOptionalFieldAnEnumValueOrWordsBreaksNobody() {
        String after = BEFORE.replace("\"count\": {\"type\": \"integer\"}", "\"count\": {\"type\": \"integer\", \"description\": \"how many\"}")
                .replace("[\"A\", \"B\"]", "[\"A\", \"B\", \"C\"]")
                .replace("\"id\": {\"type\": \"string\"},", "\"id\": {\"type\": \"string\"}, \"note\": {\"type\": [\"string\", \"null\"]},");
        assertThat(Compatibility.breaks(read(BEFORE), read(after))).isEmpty();
    }

    @Test
    void aRemovedFieldBreaks() {
        String after = BEFORE.replace("\"count\": {\"type\": \"integer\"},", "").replace("\"count\", ", "");
        assertThat(Compatibility.breaks(read(BEFORE), read(after))).containsExactly("Event.count: removed");
    }

    @Test
    void aRetypedFieldBreaks_itsTypeFormatListElementOrRecord() {
        assertThat(Compatibility.breaks(read(BEFORE), read(BEFORE.replace("\"count\": {\"type\": \"integer\"}", "\"count\": {\"type\": \"string\"}"))))
                .containsExactly("Event.count: retyped from integer to string");
        assertThat(Compatibility.breaks(read(BEFORE), read(BEFORE.replace("\"format\": \"date-time\"", "\"format\": \"date\""))))
                .containsExactly("Event.at: retyped from string (date-time) to string (date)");
        assertThat(Compatibility.breaks(read(BEFORE), read(BEFORE.replace("\"items\": {\"type\": \"string\"}", "\"items\": {\"type\": \"integer\"}"))))
                .containsExactly("Event.tags: retyped from array of string to array of integer");
        assertThat(Compatibility.breaks(read(BEFORE), read(BEFORE.replace("#/$defs/Round", "#/$defs/Pass").replace("\"Round\":", "\"Pass\":"))))
                .containsExactly("Event.round: retyped from record Round to record Pass");
    }

    @Test
    void aFieldThatWasAlwaysThereBecomingOptionalBreaks() {
        String after = BEFORE.replace("\"count\": {\"type\": \"integer\"}", "\"count\": {\"type\": [\"integer\", \"null\"]}")
                .replace("\"id\", \"count\", \"kind\"", "\"id\", \"kind\"");
        assertThat(Compatibility.breaks(read(BEFORE), read(after))).containsExactly("Event.count: was always present, may now be null or absent");
    }

    @Test
    void anEnumValueNoLongerWrittenBreaks() {
        assertThat(Compatibility.breaks(read(BEFORE), read(BEFORE.replace("[\"A\", \"B\"]", "[\"A\"]"))))
                .containsExactly("Event.kind: no longer allows B");
    }

    @Test
    void aRequiredFieldAddedBreaks_evenInANestedRecord() {
        String after = BEFORE.replace("\"id\": {\"type\": \"string\"},", "\"id\": {\"type\": \"string\"}, \"owner\": {\"type\": \"string\"},")
                .replace("\"id\", \"count\", \"kind\"", "\"id\", \"count\", \"kind\", \"owner\"")
                .replace("{\"n\": {\"type\": \"integer\"}}, \"required\": [\"n\"]", "{\"n\": {\"type\": \"integer\"}, \"m\": {\"type\": \"integer\"}}, \"required\": [\"n\", \"m\"]");
        assertThat(Compatibility.breaks(read(BEFORE), read(after))).containsExactlyInAnyOrder(
                "Event.owner: added as required, but records written before it lack it",
                "Round.m: added as required, but records written before it lack it");
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
