package dev.ferry.events.schema;

import dev.ferry.events.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The words the contract's sources already say about a record and its fields (its Javadoc and {@code @param} tags),
 * so that the published schemas describe each field without a second copy of the text to drift from the code.
 */
final class Javadoc {
    private static final Pattern PARAM = Pattern.compile("@param\\s+(\\w+)\\s+(.*)");

    /** What the record says about itself, and about each field by name. */
    record Text(String summary, Map<String, String> fields) {
        static final Text NONE = new Text(null, Map.of());
    }

    private final Path sources;

    /** @param sources the contract module's {@code src/main/java}; null: no descriptions */
    Javadoc(Path sources) {
        this.sources = sources;
    }

    Text of(Class<?> type) {
        Class<?> outer = type;
        while (outer.getEnclosingClass() != null) {
            outer = outer.getEnclosingClass();
        }
        Path file = sources == null ? null : sources.resolve(outer.getName().replace('.', '/') + ".java");
        if (file == null || !Files.isRegularFile(file)) {
            return Text.NONE;
        }
        try {
            return parse(Files.readString(file), type.getSimpleName());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The comment right before {@code record Name(}, if there is one. */
    static Text parse(String source, String recordName) {
        Matcher declaration = Pattern.compile("\\brecord\\s+" + recordName + "\\s*\\(").matcher(source);
        if (!declaration.find()) {
            return Text.NONE;
        }
        int end = source.lastIndexOf("*/", declaration.start());
        int start = end < 0 ? -1 : source.lastIndexOf("/**", end);
        if (start < 0 || !source.substring(end + 2, declaration.start()).replaceAll("public|static|final|\\s", "").isEmpty()) {
            return Text.NONE;
        }
        StringBuilder summary = new StringBuilder();
        Map<String, String> fields = new LinkedHashMap<>();
        String field = null;
        for (String raw : source.substring(start + 3, end).split("\n")) {
            String line = raw.strip().replaceFirst("^\\*\\s?", "").strip();
            Matcher param = PARAM.matcher(line);
            if (param.matches()) {
                field = param.group(1);
                fields.put(field, param.group(2).strip());
            } else if (line.startsWith("@")) {
                field = "";
            } else if (field == null) {
                summary.append(summary.isEmpty() || line.isEmpty() ? "" : " ").append(line);
            } else if (!field.isEmpty() && !line.isEmpty()) {
                fields.merge(field, line, (a, b) -> a + " " + b);
            }
        }
        fields.replaceAll((k, v) -> plain(v));
        return new Text(summary.isEmpty() ? null : plain(summary.toString()), fields);
    }

    /** {@code {@link Topics#MIGRATION_EVENTS}} reads "migration-events", {@code {@code x}} plain "x", in a schema. */
    private static String plain(String javadoc) {
        Matcher link = Pattern.compile("\\{@(?:link|code)\\s+(?:(\\w+)#)?([^}]*)}").matcher(javadoc);
        StringBuilder words = new StringBuilder();
        while (link.find()) {
            link.appendReplacement(words, Matcher.quoteReplacement("Topics".equals(link.group(1))
                    ? topic(link.group(2)) : link.group(2)));
        }
        link.appendTail(words);
        return words.toString().replaceAll("<[^>]+>", "").replaceAll("\\s+", " ").strip();
    }

    private static String topic(String constant) {
        try {
            return (String) Topics.class.getField(constant.strip()).get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the contract's Javadoc links to Topics#" + constant + ", which does not exist", e);
        }
    }
}
