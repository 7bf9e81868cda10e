package dev.ferry.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.RoundRecord;
import dev.ferry.tools.bench.QemuBenchmark.Load;
import dev.ferry.tools.bench.QemuSuite.Cell;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuChecksTest {
    static final Cell ABOVE = new Cell("uniform", new Load(200, 100));
    static final Cell BELOW = new Cell("seq", new Load(50, 100));

    /** Three moves of one policy: total seconds each (0 = did not finish), a downtime, and throttle-seconds. */
    static List<QemuReport.Run> moves(Cell cell, String policy, double[] seconds, long downtime, double throttleSeconds) {
        List<QemuReport.Run> runs = new ArrayList<>();
        for (int i = 0; i < seconds.length; i++) {
            boolean moved = seconds[i] > 0;
            double s = moved ? seconds[i] : 31;
            // one live round of s seconds whose throttle integrates to throttleSeconds
            int percent = (int) Math.round(throttleSeconds / s * 100);
            var round = new RoundRecord(1, RoundRecord.Kind.LIVE, 0, 0, 0, 0, 0, s, 0, 0, 0, 0, percent, null, null);
            var result = new MigrationResult(moved ? MigrationResult.Outcome.SUCCEEDED : MigrationResult.Outcome.ABORTED,
                    List.of(round), null, moved ? downtime + i : 0, (long) (s * 1000), 0, moved ? "" : "past the deadline");
            runs.add(new QemuReport.Run(cell, policy, i + 1, new GuestShuttle.Move(result, true, "")));
        }
        return runs;
    }

    static List<QemuReport.Run> all(List<List<QemuReport.Run>> parts) {
        return parts.stream().flatMap(List::stream).toList();
    }

    static String check(String md, String startsWith) {
        return md.lines().filter(l -> l.contains(startsWith)).findFirst().orElseThrow();
    }

    @Test
    void aboveTheLinkFerryIsJudgedAgainstAutoConvergesTimeAndThrottle() {
        var defaultsNever = moves(ABOVE, "qemu-default", new double[] {0, 0, 0}, 0, 0);
        var auto = moves(ABOVE, "qemu-auto-converge", new double[] {9, 10, 11}, 20, 4);

        String met = QemuChecks.markdown(all(List.of(defaultsNever, auto, moves(ABOVE, "ferry", new double[] {3.5, 4, 3}, 20, 1))),
                List.of(ABOVE));
        String missed = QemuChecks.markdown(all(List.of(defaultsNever, auto, moves(ABOVE, "ferry", new double[] {5, 5, 5}, 20, 1))),
                List.of(ABOVE));

        assertThat(check(met, "0.4x")).startsWith("- **PASS**").contains("uniform, 200 MiB/s over 100 MiB/s: 0.35x, throttle-s 1.0 vs 4.0");
        assertThat(check(missed, "0.4x")).startsWith("- **FAIL**").contains("not met: uniform, 200 MiB/s over 100 MiB/s: 0.50x");
    }

    @Test
    void aReferenceAsGoodOnEveryMetricAndBetterOnOneBeyondTheSpreadDominates() {
        var defaults = moves(BELOW, "qemu-default", new double[] {2.0, 2.1, 2.0}, 10, 0);
        var auto = moves(BELOW, "qemu-auto-converge", new double[] {2.0, 2.6, 3.0}, 10, 0);

        String slower = QemuChecks.markdown(all(List.of(defaults, auto, moves(BELOW, "ferry", new double[] {2.5, 2.6, 2.5}, 10, 0))),
                List.of(BELOW));
        String tie = QemuChecks.markdown(all(List.of(defaults, auto, moves(BELOW, "ferry", new double[] {2.1, 2.2, 2.0}, 10, 0))),
                List.of(BELOW));

        // clearly slower than QEMU's defaults with the same pause and no throttle: dominated, and more than 10 % worse
        assertThat(check(slower, "dominates")).startsWith("- **FAIL**").endsWith("seq, 50 MiB/s over 100 MiB/s by qemu-default");
        assertThat(check(slower, "Well below")).startsWith("- **FAIL**").contains("total 2.50 vs qemu-default's 2.00");
        // auto-converge's spread overlaps Ferry's: a tie, not a domination
        assertThat(check(slower, "dominates")).doesNotContain("by qemu-auto-converge");
        assertThat(check(tie, "dominates")).startsWith("- **PASS**");
        assertThat(check(tie, "Well below")).startsWith("- **PASS**");
    }

    @Test
    void throttlingAGuestThatAReferenceMovesUnthrottledEveryTimeFails() {
        var defaults = moves(BELOW, "qemu-default", new double[] {2.0, 2.1, 2.0}, 10, 0);
        var auto = moves(BELOW, "qemu-auto-converge", new double[] {2.0, 2.1, 2.0}, 10, 0);

        String md = QemuChecks.markdown(all(List.of(defaults, auto, moves(BELOW, "ferry", new double[] {2.0, 2.1, 2.0}, 10, 0.5))),
                List.of(BELOW));

        assertThat(check(md, "never throttles")).startsWith("- **FAIL**").contains("seq, 50 MiB/s over 100 MiB/s: up to 0.5 throttle-s");
    }

    @Test
    void aFerryThatNeverMovesAGuestWellBelowTheLinkFailsAndChecksWithNothingToJudgeSaySo() {
        var defaults = moves(BELOW, "qemu-default", new double[] {2.0, 2.1, 2.0}, 10, 0);
        var auto = moves(BELOW, "qemu-auto-converge", new double[] {2.0, 2.1, 2.0}, 10, 0);

        String md = QemuChecks.markdown(all(List.of(defaults, auto, moves(BELOW, "ferry", new double[] {0, 0, 0}, 0, 0))),
                List.of(BELOW));

        assertThat(check(md, "Well below")).startsWith("- **FAIL**");
        assertThat(check(md, "dominates")).startsWith("- **FAIL**");
        // no guest above the link and no slow-link guest in this run: nothing to judge, not a pass
        assertThat(check(md, "0.4x")).startsWith("- **NOT JUDGED**").endsWith("no such guest");
        assertThat(check(md, "32 MiB/s")).startsWith("- **NOT JUDGED**").endsWith("not run");
    }
}
