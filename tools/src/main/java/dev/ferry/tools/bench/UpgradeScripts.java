package dev.ferry.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** A service's Flyway scripts as the schema-upgrade benchmark reads them: in version order, each split into statements. */
final class UpgradeScripts {
    private static final Pattern NAME = Pattern.compile("V(\\d+)__.+\\.sql");

    private UpgradeScripts() {
    }

    /**
     * The scripts of {@code dir}, V2 before V10 (as Flyway orders them, not as names sort). A script named otherwise
     * (V2_1__, R__) is refused rather than left out, since leaving it out would measure against the wrong schema.
     */
    static List<Path> inOrder(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> scripts = files.filter(p -> p.getFileName().toString().endsWith(".sql")).toList();
            scripts.forEach(UpgradeScripts::version); // refuses any name it cannot order, even alone in its folder
            return scripts.stream().sorted(Comparator.comparingInt(UpgradeScripts::version)).toList();
        }
    }

    static int version(Path script) {
        Matcher m = NAME.matcher(script.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(script + " is not a script this benchmark can order (V<n>__<name>.sql)");
        }
        return Integer.parseInt(m.group(1));
    }

    /**
     * The statements of a script, comments left out, so that each can be timed: a statement ends with the line that
     * ends in a semicolon (a {@code --} inside a string would be taken for a comment). A script with a dollar-quoted
     * body (a function, a DO block) is refused rather than cut inside it; none of Ferry's has one.
     */
    static List<String> statements(String script) {
        if (script.contains("$$")) {
            throw new IllegalArgumentException("a script with a dollar-quoted body cannot be split by lines");
        }
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n")) {
            String code = line.replaceFirst("--.*$", "").strip();
            if (code.isEmpty()) {
                continue;
            }
            current.append(current.isEmpty() ? "" : " ").append(code);
            if (code.endsWith(";")) {
                statements.add(current.substring(0, current.length() - 1));
                current.setLength(0);
            }
        }
        if (!current.isEmpty()) {
            statements.add(current.toString());
        }
        return statements;
    }

    static String abbreviate(String statement, int length) {
        return statement.length() <= length ? statement : statement.substring(0, length - 3) + "...";
    }
}
