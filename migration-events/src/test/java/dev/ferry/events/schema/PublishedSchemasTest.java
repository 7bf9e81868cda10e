package dev.ferry.events.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.events.EventCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate of the published event API: the schemas in docs/ are what the code writes, and a change that would break a
 * consumer of the published version is refused unless the contract version is raised.
 */
class PublishedSchemasTest {
    static final Path DOCS = Path.of("../docs/events/schemas");
    static final Path SOURCES = Path.of("src/main/java");

    @Test
    void thePublishedSchemasAreTheOnesTheCodeWrites() {
        PublishedSchemas.Check check = PublishedSchemas.check(DOCS, SOURCES);
        assertThat(check.breaks()).as("these changes break consumers of contract version %d: raise EventCodec.CONTRACT, "
                + "keep reading the old version, then ./ferry event-schemas", EventCodec.CONTRACT).isEmpty();
        assertThat(check.stale()).as("the published schemas are out of date: ./ferry event-schemas, and commit docs/events")
                .isEmpty();
    }

    @Test
    void aChangeThatWouldBreakAConsumerIsNotPublished(@TempDir Path docs) throws IOException {
        Path published = copyOfThePublished(docs);
        // as if version 1 had been published with a field the code no longer writes
        Path file = published.resolve("MigrationEvent.schema.json");
        ObjectNode schema = (ObjectNode) RecordSchemas.JSON.readTree(file.toFile());
        ((ObjectNode) schema.get("properties")).putObject("hostName").put("type", "string");
        ((ArrayNode) schema.get("required")).add("hostName");
        String before = RecordSchemas.JSON.writeValueAsString(schema);
        Files.writeString(file, before);

        PublishedSchemas.Check check = PublishedSchemas.publish(docs, SOURCES);

        assertThat(check.breaks()).containsExactly("MigrationEvent.hostName: removed");
        assertThat(Files.readString(file)).as("the published version is left as it was").isEqualTo(before);
    }

    @Test
    void aCompatibleChangeIsPublishedOverTheSameVersion(@TempDir Path docs) throws IOException {
        Path published = copyOfThePublished(docs);
        // as if version 1 had been published before the optional requestedBy existed
        Path file = published.resolve("MigrationCommand.schema.json");
        ObjectNode schema = (ObjectNode) RecordSchemas.JSON.readTree(file.toFile());
        ((ObjectNode) schema.get("properties")).remove("requestedBy");
        Files.writeString(file, RecordSchemas.JSON.writeValueAsString(schema));

        PublishedSchemas.Check check = PublishedSchemas.publish(docs, SOURCES);

        assertThat(check.breaks()).isEmpty();
        assertThat(check.stale()).containsExactly("MigrationCommand.schema.json differs from what the code writes");
        assertThat(PublishedSchemas.check(docs, SOURCES).current()).isTrue();
        assertThat(RecordSchemas.JSON.readTree(file.toFile()).at("/properties/requestedBy").isMissingNode()).isFalse();
    }

    private static Path copyOfThePublished(Path docs) throws IOException {
        Path from = PublishedSchemas.versionDirectory(DOCS, EventCodec.CONTRACT);
        Path to = Files.createDirectories(PublishedSchemas.versionDirectory(docs, EventCodec.CONTRACT));
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
