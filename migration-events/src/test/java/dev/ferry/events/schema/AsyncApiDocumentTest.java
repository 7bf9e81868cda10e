package dev.ferry.events.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ferry.events.EventCodec;
import dev.ferry.events.Topics;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The hand-written AsyncAPI document says what the code does: every topic, each with its record's published schema. */
class AsyncApiDocumentTest {
    private static final Path DOCUMENT = Path.of("../docs/events/asyncapi.yaml");
    private static final JsonNode DOC = read();

    @Test
    void isAnAsyncApi3DocumentOfTheCurrentContractVersion() {
        assertThat(DOC.path("asyncapi").asText()).startsWith("3.");
        assertThat(DOC.at("/info/version").asText()).isEqualTo(String.valueOf(EventCodec.CONTRACT));
    }

    @Test
    void describesEveryTopicFerryProducesAndNoOther() throws IllegalAccessException {
        Set<String> topics = new TreeSet<>();
        for (Field f : Topics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                topics.add((String) f.get(null));
            }
        }
        Set<String> addresses = new TreeSet<>();
        DOC.get("channels").forEach(c -> addresses.add(c.path("address").asText()));
        assertThat(addresses).isEqualTo(topics);
        Set<String> sent = new TreeSet<>();
        DOC.get("operations").forEach(o -> {
            assertThat(o.path("action").asText()).isEqualTo("send");
            sent.add(channel(o.at("/channel/$ref").asText()).path("address").asText());
        });
        assertThat(sent).as("an operation says who sends on each topic").isEqualTo(topics);
    }

    @Test
    void eachTopicsMessageIsItsRecordsPublishedSchemaOfThisVersion() {
        Map<String, String> expected = new TreeMap<>();
        Channels.ALL.forEach(c -> expected.put(c.topic(), "schemas/v" + EventCodec.CONTRACT + "/" + PublishedSchemas.fileName(c.record())));
        Map<String, String> documented = new TreeMap<>();
        DOC.get("channels").forEach(c -> c.get("messages").forEach(m -> {
            JsonNode message = DOC.at(m.path("$ref").asText().substring(1));
            assertThat(message.isMissingNode()).as("%s resolves", m.path("$ref").asText()).isFalse();
            JsonNode ref = message.at("/payload/schema/$ref");
            if (!ref.isMissingNode()) {
                documented.put(c.path("address").asText(), ref.asText());
                assertThat(DOCUMENT.resolveSibling(ref.asText())).exists();
            }
        }));
        assertThat(documented).isEqualTo(expected);
    }

    private static JsonNode channel(String ref) {
        return DOC.at(ref.substring(1));
    }

    private static JsonNode read() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(Files.readString(DOCUMENT));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
