package dev.ferry.events.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.events.EventCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The schemas published for the consumers of Ferry's topics, one directory per contract version
 * ({@code docs/events/schemas/v1/MigrationEvent.schema.json}). A published version is a promise: its schemas are
 * replaced only by compatible ones ({@link Compatibility}); a change that breaks a consumer needs the contract version
 * raised ({@link EventCodec#CONTRACT}), which publishes a new directory beside the old one.
 * <p>
 * {@code java ... PublishedSchemas DOCS SOURCES} writes the current version's schemas into DOCS, or refuses, listing the
 * breaks (exit 1). {@code ./ferry event-schemas} runs it.
 */
public final class PublishedSchemas {

    /** What the published schemas of the current version lack: changes that break consumers, and changes that do not. */
    public record Check(List<String> breaks, List<String> stale) {
        public boolean current() {
            return breaks.isEmpty() && stale.isEmpty();
        }
    }

    private PublishedSchemas() {
    }

    /** The schemas of the current contract, by file name. */
    public static Map<String, ObjectNode> generate(Path sources) {
        RecordSchemas schemas = new RecordSchemas(sources);
        Map<String, ObjectNode> files = new TreeMap<>();
        for (Channels.Channel<?> channel : Channels.ALL) {
            files.put(fileName(channel.record()), schema(schemas, channel));
        }
        return files;
    }

    public static String fileName(Class<?> record) {
        return record.getSimpleName() + ".schema.json";
    }

    public static Path versionDirectory(Path docs, int contract) {
        return docs.resolve("v" + contract);
    }

    /** How the published directory of the current version differs from what the code writes. */
    public static Check check(Path docs, Path sources) {
        Path published = versionDirectory(docs, EventCodec.CONTRACT);
        List<String> breaks = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        if (!Files.isDirectory(published)) {
            stale.add("contract version " + EventCodec.CONTRACT + " has no published schemas in " + published);
            return new Check(breaks, stale);
        }
        Map<String, ObjectNode> now = generate(sources);
        for (String file : list(published)) {
            JsonNode before = read(published.resolve(file));
            JsonNode after = now.get(file);
            if (after == null) {
                breaks.add(file + ": the record is no longer published");
            } else {
                breaks.addAll(Compatibility.breaks(before, after));
                if (!before.equals(after)) {
                    stale.add(file + " differs from what the code writes");
                }
            }
        }
        now.keySet().stream().filter(f -> !Files.exists(published.resolve(f))).forEach(f -> stale.add(f + " is not published"));
        return new Check(breaks, stale);
    }

    /** Writes the current version's schemas, unless that would break a consumer of the version as published. */
    public static Check publish(Path docs, Path sources) throws IOException {
        Check check = check(docs, sources);
        if (!check.breaks().isEmpty()) {
            return check;
        }
        Path dir = versionDirectory(docs, EventCodec.CONTRACT);
        Files.createDirectories(dir);
        for (Map.Entry<String, ObjectNode> file : generate(sources).entrySet()) {
            Files.writeString(dir.resolve(file.getKey()),
                    RecordSchemas.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(file.getValue()) + "\n");
        }
        return check;
    }

    private static <R extends Record> ObjectNode schema(RecordSchemas schemas, Channels.Channel<R> channel) {
        return schemas.schema(channel.record(), channel.examples(), EventCodec.CONTRACT);
    }

    private static List<String> list(Path dir) {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".schema.json")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode read(Path file) {
        try {
            return RecordSchemas.JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: PublishedSchemas DOCS-DIR SOURCES-DIR");
            System.exit(2);
        }
        Check check = publish(Path.of(args[0]), Path.of(args[1]));
        if (!check.breaks().isEmpty()) {
            System.err.println("not published: these changes break consumers of contract version " + EventCodec.CONTRACT + ":");
            check.breaks().forEach(b -> System.err.println("  " + b));
            System.err.println("raise EventCodec.CONTRACT (and keep reading the old version), then publish again");
            System.exit(1);
        }
        System.out.println(check.stale().isEmpty() ? "the published schemas of contract version " + EventCodec.CONTRACT
                + " are current" : "published contract version " + EventCodec.CONTRACT + " into "
                + versionDirectory(Path.of(args[0]), EventCodec.CONTRACT) + ": " + String.join("; ", check.stale()));
    }
}
