package dev.ferry.tools.bench;

import dev.ferry.tools.bench.QemuBenchmark.Load;
import dev.ferry.tools.bench.QemuSuite.Cell;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The real-guest suite's moves, one line each, as the suite measured them (docs/benchmarks/qemu-runs.tsv): what the
 * simulator's fidelity is judged against without booting a guest again. Tab-separated, with a header. Pure.
 */
final class QemuRuns {
    private QemuRuns() {
    }

    static final String HEADER = "pattern\tdirty_mib_s\tcap_mib_s\tpolicy\trepeat\toutcome\tverified\ttotal_s\tdowntime_ms"
            + "\trounds\tbytes_sent\tthrottle_s\tfirst_pass_zero_pages";

    /** One move as measured: {@code moved} is QEMU's own verdict, completed (whatever its pause). */
    record Measured(Cell cell, String policy, int repeat, String outcome, boolean verified, double totalSeconds,
            long downtimeMillis, int rounds, long bytesSent, double throttleSeconds, long firstPassZeroPages) {
        boolean moved() {
            return outcome.equals("SUCCEEDED");
        }
    }

    static Measured of(QemuReport.Run run) {
        var r = run.move().result();
        long zero = r.rounds().isEmpty() ? 0 : r.rounds().get(0).zeroPages();
        return new Measured(run.cell(), run.policy(), run.repeat(), r.outcome().name(), run.move().verified(),
                run.totalSeconds(), r.downtimeMillis(), r.roundCount(), r.bytesSent(), r.throttleSeconds(), zero);
    }

    static String tsv(List<Measured> moves) {
        StringBuilder s = new StringBuilder(HEADER).append('\n');
        for (Measured m : moves) {
            s.append(String.format(Locale.ROOT, "%s\t%d\t%d\t%s\t%d\t%s\t%s\t%.3f\t%d\t%d\t%d\t%.3f\t%d%n", m.cell().pattern(),
                    m.cell().load().dirtyMibPerSecond(), m.cell().load().capMibPerSecond(), m.policy(), m.repeat(), m.outcome(),
                    m.verified(), m.totalSeconds(), m.downtimeMillis(), m.rounds(), m.bytesSent(), m.throttleSeconds(),
                    m.firstPassZeroPages()));
        }
        return s.toString();
    }

    private static boolean bool(String s) {
        if (!s.equals("true") && !s.equals("false")) {
            throw new IllegalArgumentException("verified must be true or false, not " + s);
        }
        return s.equals("true");
    }

    /** Reads what {@link #tsv} wrote; a line that does not fit says which and why. */
    static List<Measured> parse(String text) {
        List<String> lines = text.lines().toList();
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IllegalArgumentException("not a runs file of the real-guest suite: the first line must be\n" + HEADER);
        }
        List<Measured> moves = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] f = lines.get(i).split("\t");
            try {
                if (f.length != 13) {
                    throw new IllegalArgumentException(f.length + " fields, 13 expected");
                }
                var cell = new Cell(f[0], new Load(Integer.parseInt(f[1]), Integer.parseInt(f[2])));
                moves.add(new Measured(cell, f[3], Integer.parseInt(f[4]), f[5], bool(f[6]),
                        Double.parseDouble(f[7]), Long.parseLong(f[8]), Integer.parseInt(f[9]), Long.parseLong(f[10]),
                        Double.parseDouble(f[11]), Long.parseLong(f[12])));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("line " + (i + 1) + " of the runs file: " + e.getMessage(), e);
            }
        }
        return moves;
    }
}
