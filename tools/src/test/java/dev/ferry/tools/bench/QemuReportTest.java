package dev.ferry.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.RoundRecord;
import dev.ferry.tools.bench.QemuBenchmark.Load;
import dev.ferry.tools.bench.QemuSuite.Cell;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuReportTest {
    static final Cell CELL = new Cell("uniform", new Load(200, 100));
    static final QemuReport.Setup SETUP = new QemuReport.Setup("2 cores", "10.0.2", 256, 96, 3, 12);

    /** A move whose first pass sent {@code firstPassMib} and whose rounds ran at a throttle. */
    static QemuReport.Run run(String policy, int repeat, boolean moved, double seconds, int firstPassMib, int throttle,
            boolean verified) {
        List<RoundRecord> rounds = new ArrayList<>();
        long zero = (256L - firstPassMib) * 256; // the rest of 256 MiB, in 4 KiB pages, was zero in the first pass
        rounds.add(new RoundRecord(1, RoundRecord.Kind.LIVE, 0, (long) firstPassMib << 20, zero, 0, 0, seconds / 2, 0, 0, 0, 0, 0,
                null, null));
        rounds.add(new RoundRecord(2, RoundRecord.Kind.LIVE, 0, 1 << 20, 0, 0, 0, seconds / 2, 0, 0, 0, 0, throttle, null, null));
        var result = new MigrationResult(moved ? MigrationResult.Outcome.SUCCEEDED : MigrationResult.Outcome.ABORTED, rounds, null,
                moved ? 20 : 0, (long) (seconds * 1000), (long) (firstPassMib + 1) << 20, moved ? "" : "past the 31 s deadline");
        return new QemuReport.Run(CELL, policy, repeat, new GuestShuttle.Move(result, verified, verified ? "" : "bad pages: 3"));
    }

    static String row(String md, String policy) {
        return md.lines().filter(l -> l.startsWith("| " + CELL.name() + " | " + policy + " |")).findFirst().orElseThrow();
    }

    @Test
    void aCellIsTheMedianAndRangeOfItsMovesAgainstTheFirstPassBound() {
        List<QemuReport.Run> runs = List.of(
                run("qemu-default", 1, false, 31, 100, 0, true), run("qemu-default", 2, false, 31, 100, 0, true),
                run("qemu-default", 3, false, 31, 100, 0, true),
                run("qemu-auto-converge", 1, true, 10, 100, 40, true), run("qemu-auto-converge", 2, true, 12, 100, 40, true),
                run("qemu-auto-converge", 3, true, 8, 100, 40, true),
                run("ferry", 1, true, 4, 100, 10, true), run("ferry", 2, true, 5, 100, 10, true), run("ferry", 3, true, 3, 100, 10, true));

        String md = QemuReport.markdown(runs, List.of(CELL), SETUP);

        // no defaults finished, so there is no ratio to them; every move that was checked is counted
        assertThat(row(md, "qemu-default")).startsWith("| uniform, 200 MiB/s over 100 MiB/s | qemu-default | 0 / 3 | - | - |")
                .endsWith("| yes, 3 of 3 |");
        // 100 MiB of data and 156 MiB of zero pages at 8 bytes each over 100 MiB/s: a bound of 1.003 s, and 10 s is
        // 9.97 times that; half of the 10 s at 40 % is 2 throttle-s
        assertThat(row(md, "qemu-auto-converge")).contains("| 3 / 3 | 10.0 (8.0-12.0) | 9.97 | 20 (20-20) |")
                .contains("| 2.0 (1.6-2.4) |");
        assertThat(row(md, "ferry")).contains("| 4.0 (3.0-5.0) | 3.99 |").contains("|  | 0.40 | yes, 3 of 3 |");
        assertThat(md).contains("uniform, 200 MiB/s over 100 MiB/s, qemu-default #2: past the 31 s deadline after 31.0 s");
    }

    @Test
    void aMoveWhoseMemoryCheckFailedIsNamedInItsCell() {
        List<QemuReport.Run> runs = List.of(run("ferry", 1, true, 4, 100, 0, true), run("ferry", 2, true, 4, 100, 0, false));

        assertThat(row(QemuReport.markdown(runs, List.of(CELL), SETUP), "ferry")).endsWith("| NO: bad pages: 3 |");
    }

    @Test
    void theSuiteIsEveryPatternAtEveryRateAndTheSlowLinkCaseAndRefusesAnUnknownPattern() {
        assertThat(QemuSuite.cells(List.of())).hasSize(1 + QemuSuite.PATTERNS.size() * 3 + 1)
                .contains(new Cell("seq", new Load(0, 100)), new Cell("seq", new Load(200, 32)), new Cell("grow", new Load(50, 100)));
        assertThat(QemuSuite.cells(List.of("zipf"))).extracting(c -> c.load().dirtyMibPerSecond()).containsExactly(50, 100, 200);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> QemuSuite.cells(List.of("zipff")))
                .hasMessageContaining("no pattern zipff; the patterns are idle, seq, uniform, zipf, bursts, phase, grow");
    }
}
