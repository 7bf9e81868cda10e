package dev.ferry.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.DirtyMeasurement;
import dev.ferry.tools.bench.QemuBenchmark.Load;
import dev.ferry.tools.bench.QemuSuite.Cell;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuForecastsTest {
    static final Cell CELL = new Cell("uniform", new Load(100, 100));
    /** A guest rewriting about 30 MiB: 4,300 pages in a quarter second, 7,700 in a second. */
    static final DirtyMeasurement MEASURED = new DirtyMeasurement(List.of(new DirtyMeasurement.Window(250, 4_300),
            new DirtyMeasurement.Window(1_000, 7_700)), "calc-dirty-rate page-sampling");

    /** A move of the cell that took {@code times} what its forecast says. */
    static QemuForecasts.Forecasted move(String policy, int repeat, double times, boolean moved) {
        double forecast = QemuForecasts.of(actual(policy, repeat, 1, moved), MEASURED, null).forecast().totalTimeMillis() / 1000.0;
        return QemuForecasts.of(actual(policy, repeat, forecast * times, moved), MEASURED, null);
    }

    static QemuRuns.Measured actual(String policy, int repeat, double seconds, boolean moved) {
        return new QemuRuns.Measured(CELL, policy, repeat, moved ? "SUCCEEDED" : "CANCELLED", true, seconds, 20, 5,
                300L << 20, 0, 20_000);
    }

    @Test
    void theForecastIsTheSchedulersFromTheMeasuredWindowsUnderTheMovesOwnLimits() {
        var f = QemuForecasts.of(actual("ferry", 1, 4.0, true), MEASURED, null);

        assertThat(f.model().basis()).startsWith("measured just before the start (calc-dirty-rate page-sampling");
        assertThat(f.model().hotPages()).isBetween(6_000L, 10_000L); // about the 30 MiB the windows saturate at
        assertThat(f.forecast().policy()).isEqualTo("ferry");
        assertThat(f.forecast().totalTimeMillis()).as("256 MiB over 100 MiB/s takes at least 2.56 s").isGreaterThan(2_560);
    }

    @Test
    void zeroPagesTheGuestsLastMoveCountedMakeTheFirstPassShorter() {
        long pages = (256L << 20) / 4096;
        // a first pass that announced every page and sent the bytes of 60 % of them
        long lastFirstPass = (long) (pages * 0.6) * 4096;

        var without = QemuForecasts.of(actual("ferry", 1, 4.0, true), MEASURED, null);
        var with = QemuForecasts.of(actual("ferry", 1, 4.0, true), MEASURED, lastFirstPass);

        assertThat(with.model().zeroShare()).isCloseTo(0.4, org.assertj.core.api.Assertions.within(0.001));
        assertThat(with.model().basis()).endsWith("; 40 % of memory zero pages (the guest's last move)");
        // 40 % of 256 MiB at 100 MiB/s is about a second of the first pass
        assertThat(without.forecast().totalTimeMillis() - with.forecast().totalTimeMillis()).isBetween(700L, 1_300L);
    }

    @Test
    void aGuestsFirstMovesAreThoseUpToItsFirstThatCompletedAndAreReportedApart() {
        var cancelled = move("ferry", 1, 2.0, false);
        var firstMoved = move("qemu-default", 1, 1.5, true);
        var later = move("qemu-auto-converge", 1, 1.05, true);
        var laterAgain = move("ferry", 2, 1.05, true);
        List<QemuForecasts.Forecasted> run = List.of(cancelled, firstMoved, later, laterAgain);

        assertThat(QemuForecasts.firstMoves(run)).containsExactlyInAnyOrder(cancelled, firstMoved);
        String report = QemuForecasts.markdown(run, "setup");
        assertThat(report).contains("| a guest's first moves (up to its first that completed: no move of it before to learn "
                + "from) | 2 | 42 % (33 %-50 %) | 0 |");
        assertThat(report).contains("| its later moves | 2 | 5 % (5 %-5 %) | 2 |");
    }

    @Test
    void theGoalIsTheMedianErrorOfEveryMoveAndAMoveWithoutAMeasurementIsNotJudged() {
        List<QemuForecasts.Forecasted> within = List.of(move("ferry", 1, 1.05, true), move("qemu-default", 1, 1.05, true),
                move("qemu-auto-converge", 1, 2.0, true), QemuForecasts.of(actual("ferry", 2, 3.0, true), null, null));

        String report = QemuForecasts.markdown(within, "setup");

        assertThat(report).contains("**Goal: median absolute error of total time <= 10 %, every policy and outcome: PASS (5 % "
                + "over 3 moves; Ferry's moves alone 5 %).**");
        assertThat(report).contains("1 of 4 moves had no measurement and are not judged.");
        assertThat(report).contains("| qemu-auto-converge | 1 | 50 % | 50 % | - | 0 |");
        assertThat(QemuForecasts.tsv(within)).contains("4300@250ms,7700@1000ms").contains("\t-\t-\t-\t-\t-\t-\t-\n");

        List<QemuForecasts.Forecasted> off = List.of(move("ferry", 1, 1.05, true), move("ferry", 2, 2.0, true));
        assertThat(QemuForecasts.markdown(off, "setup")).contains("FAIL (27 % over 2 moves");
    }
}
