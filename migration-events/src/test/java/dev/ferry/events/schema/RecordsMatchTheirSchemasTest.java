package dev.ferry.events.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.ferry.events.EventCodec;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The published schemas, read by an independent JSON Schema validator (networknt), describe the records the codec
 * writes: every example record passes, every field the codec writes is described, an older producer's record passes,
 * and a record a consumer could not use fails.
 */
class RecordsMatchTheirSchemasTest {
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

    static Stream<Record> examples() {
        return Channels.ALL.stream().flatMap(c -> c.examples().stream().map(Record.class::cast));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void everyRecordTheCodecWritesPassesItsPublishedSchema(Record record) throws IOException {
        ObjectNode json = RecordSchemas.json(record);
        assertThat(errors(record.getClass(), json)).isEmpty();
        JsonNode schema = published(record.getClass());
        Set<String> written = new TreeSet<>();
        json.fieldNames().forEachRemaining(written::add);
        Set<String> described = new TreeSet<>();
        schema.get("properties").fieldNames().forEachRemaining(described::add);
        assertThat(described).as("every field the codec writes is in the schema").isEqualTo(written);
    }

    @Test
    void aRecordOfAnOlderProducerStillPasses() throws IOException {
        ObjectNode command = RecordSchemas.json(Channels.ALL.get(0).examples().get(0));
        command.remove(List.of("requestedBy", "contract", "targetMigrationAddress", "sourceLibvirtUri", "targetLibvirtUri"));
        assertThat(errors(dev.ferry.events.MigrationCommand.class, command)).isEmpty();
        assertThat(EventCodec.command(command.toString()).requestedBy()).isNull();
    }

    @Test
    void aRecordWithoutARequiredFieldOrWithAWrongTypeFails() throws IOException {
        Record example = Channels.ALL.get(1).examples().get(0);
        ObjectNode noId = RecordSchemas.json(example);
        noId.remove("eventId");
        assertThat(errors(example.getClass(), noId)).anyMatch(m -> m.contains("eventId"));
        ObjectNode wrongType = RecordSchemas.json(example);
        wrongType.put("attempt", "first");
        assertThat(errors(example.getClass(), wrongType)).anyMatch(m -> m.contains("attempt"));
        ObjectNode badTime = RecordSchemas.json(example);
        badTime.put("timestamp", "yesterday");
        assertThat(errors(example.getClass(), badTime)).anyMatch(m -> m.contains("timestamp"));
        ObjectNode unknownRound = RecordSchemas.json(example);
        ((ObjectNode) unknownRound.get("round")).put("mode", "SIDEWAYS");
        assertThat(errors(example.getClass(), unknownRound)).anyMatch(m -> m.contains("mode"));
    }

    private static List<String> errors(Class<?> type, JsonNode json) throws IOException {
        JsonSchema schema = FACTORY.getSchema(published(type), CONFIG);
        List<String> messages = new java.util.ArrayList<>();
        for (ValidationMessage m : schema.validate(json)) {
            messages.add(m.getMessage());
        }
        return messages;
    }

    private static JsonNode published(Class<?> type) throws IOException {
        return RecordSchemas.JSON.readTree(PublishedSchemas.versionDirectory(PublishedSchemasTest.DOCS, EventCodec.CONTRACT)
                .resolve(PublishedSchemas.fileName(type)).toFile());
    }
}
