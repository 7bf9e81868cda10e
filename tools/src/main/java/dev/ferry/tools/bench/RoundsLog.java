package dev.ferry.tools.bench;

import dev.ferry.model.engine.MigrationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rounds log the real-guest suite writes (qemu-rounds.txt; before 2026-12-07 on its standard error, with
 * {@code FERRY_BENCH_ROUNDS} set): a line per move (guest, policy, repeat, outcome, total time, downtime), then a line
 * per round. Written and read in one place, for every tool that reads a recorded run.
 */
final class RoundsLog {
    /** A move's header; the guest's name fills its 32 columns, so a long one is followed by a single space. */
    private static final Pattern MOVE = Pattern.compile("^(\\S.*?)\\s+(\\S+)\\s+#(\\d+) ([A-Z_]+) in ([0-9.]+) s, downtime (\\d+) ms");
    private static final Pattern ROUND = Pattern.compile("^\\s+round (\\d+): ([0-9.]+) s, (\\d+) bytes, (\\d+) zero pages, "
            + "(\\d+) pages, (\\d+) left, throttle (\\d+)%(?: -> ([A-Z_]+) \\d+%: ?(.*))?");
    /** The reason the QEMU driver gives a pass that QEMU's own stop rule ended: the line is the paused final pass. */
    static final String QEMUS_RULE = "QEMU's rule";

    private RoundsLog() {
    }

    /** One round as logged: what it sent, what it left dirty, the throttle in force and the decision after it. */
    record Round(int number, double seconds, long bytes, long zeroPages, long pages, long left, int throttlePercent, String action,
            String reason) {
        /** The line QEMU's own stop rule ended: the pause's own pass, whose pages are what the pause copied. */
        boolean endedByQemusRule() {
            return reason != null && reason.startsWith(QEMUS_RULE);
        }
    }

    /** One move and its rounds, in the log's order. */
    record Move(String guest, String policy, int repeat, String outcome, double totalSeconds, long downtimeMillis, List<Round> rounds) {
    }

    /** A move's header line, as {@link #parse} reads it; {@code note} follows it (an unverified guest's). */
    static String moveLine(String guest, String policy, int repeat, MigrationResult result, double totalSeconds, String note) {
        return String.format(Locale.ROOT, "%-32s %-20s #%d %s in %.1f s, downtime %d ms, %d rounds, %.1f throttle-s%s", guest,
                policy, repeat, result.outcome(), totalSeconds, result.downtimeMillis(), result.roundCount(),
                result.throttleSeconds(), note);
    }

    /** The move's header, then a line per round. */
    static String move(String guest, String policy, int repeat, MigrationResult result, double totalSeconds, String note) {
        StringBuilder out = new StringBuilder(moveLine(guest, policy, repeat, result, totalSeconds, note)).append('\n');
        result.rounds().forEach(x -> out.append(String.format(Locale.ROOT, "    round %d: %.2f s, %d bytes, %d zero pages, "
                + "%d pages, %d left, throttle %d%%%s\n", x.round(), x.seconds(), x.bytesSent(), x.zeroPages(), x.pagesSent(),
                x.remainingPages(), x.throttlePercent(), x.decision() == null ? ""
                        : " -> " + x.decision().action() + " " + x.decision().throttlePercent() + "%: " + x.decision().reason())));
        return out.toString();
    }

    static List<Move> parse(String log) {
        List<Move> out = new ArrayList<>();
        List<Round> rounds = null;
        for (String line : log.lines().toList()) {
            Matcher m = MOVE.matcher(line);
            if (m.find()) {
                rounds = new ArrayList<>();
                out.add(new Move(m.group(1).trim(), m.group(2), Integer.parseInt(m.group(3)), m.group(4),
                        Double.parseDouble(m.group(5)), Long.parseLong(m.group(6)), rounds));
                continue;
            }
            Matcher r = ROUND.matcher(line);
            if (r.find() && rounds != null) {
                rounds.add(new Round(Integer.parseInt(r.group(1)), Double.parseDouble(r.group(2)), Long.parseLong(r.group(3)),
                        Long.parseLong(r.group(4)), Long.parseLong(r.group(5)), Long.parseLong(r.group(6)),
                        Integer.parseInt(r.group(7)), r.group(8), r.group(9)));
            }
        }
        return out;
    }
}
