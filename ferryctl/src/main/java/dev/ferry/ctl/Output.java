package dev.ferry.ctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** How a listing is printed: a table for people, the API's own JSON or YAML for scripts (-o). */
final class Output {
    enum Format { table, json, yaml }

    /** A table column: its header and what it shows of a row. */
    record Column(String header, Function<JsonNode, String> value) {
    }

    private Output() {
    }

    static String render(JsonNode rows, Format format, List<Column> columns) {
        try {
            return switch (format) {
                case json -> Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rows) + "\n";
                case yaml -> Config.YAML.writeValueAsString(rows);
                case table -> table(rows, columns);
            };
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Columns as wide as their widest cell, two spaces apart, as kubectl prints them. */
    static String table(JsonNode rows, List<Column> columns) {
        List<String[]> cells = new ArrayList<>();
        cells.add(columns.stream().map(Column::header).toArray(String[]::new));
        for (JsonNode row : rows) {
            cells.add(columns.stream().map(c -> {
                String v = c.value().apply(row);
                return v == null ? "" : v;
            }).toArray(String[]::new));
        }
        int[] width = new int[columns.size()];
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                width[i] = Math.max(width[i], line[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] line : cells) {
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                l.append(i == line.length - 1 ? line[i] : String.format("%-" + (width[i] + 2) + "s", line[i]));
            }
            out.append(l.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? "" : v.asText();
    }
}
