package dev.ferry.tools.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One report file, several commands: each command rewrites its own "## " section and leaves the others as the runs
 * that produced them wrote them (each section names its own command, machine and date).
 */
final class ReportSections {
    private ReportSections() {
    }

    /**
     * The document with the section whose heading line starts with {@code heading} replaced by {@code section} (up to
     * the next "## " heading), or {@code section} appended when there is none.
     */
    static String replace(String document, String heading, String section) {
        List<String> lines = new ArrayList<>(document.lines().toList());
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(heading)) {
                start = i;
                break;
            }
        }
        String body = section.endsWith("\n") ? section : section + "\n";
        if (start < 0) {
            String head = document.isEmpty() || document.endsWith("\n\n") ? document : document.endsWith("\n") ? document + "\n" : document + "\n\n";
            return head + body;
        }
        int end = start + 1;
        while (end < lines.size() && !lines.get(end).startsWith("## ")) {
            end++;
        }
        StringBuilder out = new StringBuilder();
        lines.subList(0, start).forEach(l -> out.append(l).append('\n'));
        out.append(body);
        if (end < lines.size()) {
            out.append(body.endsWith("\n\n") ? "" : "\n");
            lines.subList(end, lines.size()).forEach(l -> out.append(l).append('\n'));
        }
        return out.toString();
    }

    /** The section whose heading line starts with {@code heading}, up to the next "## " heading; empty when there is none. */
    static String section(String document, String heading) {
        List<String> lines = document.lines().toList();
        StringBuilder out = new StringBuilder();
        boolean in = false;
        for (String l : lines) {
            if (in && l.startsWith("## ")) {
                break;
            }
            in = in || l.startsWith(heading);
            if (in) {
                out.append(l).append('\n');
            }
        }
        return out.toString();
    }
}
