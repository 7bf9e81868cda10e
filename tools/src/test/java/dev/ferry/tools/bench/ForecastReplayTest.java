package dev.ferry.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ForecastReplayTest {
    /** Two moves of one guest as bench-qemu logs them; the name fills its 32 columns, so one space follows it. */
    static final String ROUNDS = """
            bursts, 100 MiB/s over 100 MiB/s qemu-default         #1 SUCCEEDED in 2.3 s, downtime 11 ms, 6 rounds, 0.0 throttle-s
                round 1: 1.50 s, 161861795 bytes, 25302 zero pages, 64686 pages, 19541 left, throttle 0% -> CONTINUE 0%: pending
                round 2: 0.60 s, 66326619 bytes, 185 zero pages, 16346 pages, 10182 left, throttle 0% -> STOP_AND_COPY 0%: fits
            bursts, 100 MiB/s over 100 MiB/s ferry                #1 SUCCEEDED in 2.3 s, downtime 16 ms, 5 rounds, 0.0 throttle-s
                round 1: 1.40 s, 150000000 bytes, 25302 zero pages, 64686 pages, 19541 left, throttle 0% -> CONTINUE 0%: pending
            bursts, 100 MiB/s over 100 MiB/s qemu-default         #2 SUCCEEDED in 2.3 s, downtime 16 ms, 5 rounds, 0.0 throttle-s
            """;

    /** As the runs before the zero-page sample recorded them. */
    static final String FORECASTS = QemuForecasts.HEADER_BEFORE_ZERO_PAGES + "\n"
            + "bursts\t100\t100\tqemu-default\t1\tSUCCEEDED\t2.300\t11\t6\t5000@250ms,12000@1000ms\t1\t1\t1\t1\t1\ttrue\n"
            + "bursts\t100\t100\tferry\t1\tSUCCEEDED\t2.300\t16\t5\t5000@250ms,12000@1000ms\t1\t1\t1\t1\t1\ttrue\n"
            + "bursts\t100\t100\tqemu-default\t2\tSUCCEEDED\t2.300\t16\t5\t-\t-\t-\t-\t-\t-\t-\n";

    static final String RUNS = QemuRuns.HEADER + "\n"
            + "bursts\t100\t100\tqemu-default\t1\tSUCCEEDED\ttrue\t2.300\t11\t6\t227000000\t0.000\t25302\n"
            + "bursts\t100\t100\tferry\t1\tSUCCEEDED\ttrue\t2.300\t16\t5\t220000000\t0.000\t25302\n"
            + "bursts\t100\t100\tqemu-default\t2\tSUCCEEDED\ttrue\t2.300\t16\t5\t220000000\t0.000\t25302\n";

    @Test
    void theRoundsLogGivesEachMoveAndItsFirstPassWhateverTheNamesWidth() {
        List<ForecastReplay.Logged> moves = ForecastReplay.rounds(ROUNDS);

        assertThat(moves).containsExactly(
                new ForecastReplay.Logged("bursts, 100 MiB/s over 100 MiB/s", "qemu-default", 1, "SUCCEEDED", 161_861_795),
                new ForecastReplay.Logged("bursts, 100 MiB/s over 100 MiB/s", "ferry", 1, "SUCCEEDED", 150_000_000),
                new ForecastReplay.Logged("bursts, 100 MiB/s over 100 MiB/s", "qemu-default", 2, "SUCCEEDED", -1));
    }

    @Test
    void aMoveIsForecastFromItsWindowsAndTheFirstPassOfTheGuestsMoveBefore() {
        var replayed = ForecastReplay.replay(QemuRuns.parse(RUNS), ForecastReplay.windows(FORECASTS), ForecastReplay.rounds(ROUNDS));

        assertThat(replayed).hasSize(3);
        var first = replayed.get(0);
        assertThat(first.measured().windows()).extracting(w -> w.millis() + ":" + w.pages()).containsExactly("250:5000", "1000:12000");
        // the guest's first move: no move before it, so every page is taken to carry data
        assertThat(first.model().zeroShare()).isZero();
        assertThat(first.forecast().policy()).isEqualTo("qemu-default");
        // the next move takes its zero pages from the first pass of the move before it
        assertThat(replayed.get(1).model().zeroShare()).isCloseTo(1 - 161_861_795.0 / (256L << 20),
                org.assertj.core.api.Assertions.within(1e-9));
        assertThat(replayed.get(1).forecast().policy()).isEqualTo("ferry");
        // a move whose guest QEMU could not measure has no forecast, and is not judged
        assertThat(replayed.get(2).forecast()).isNull();
        assertThat(ForecastReplay.judged(replayed)).hasSize(2);
    }

    @Test
    void zeroPagesSampledWithTheWindowsComeBeforeThoseOfTheGuestsLastMove() {
        String sampled = QemuForecasts.HEADER + "\n"
                + "bursts\t100\t100\tqemu-default\t1\tSUCCEEDED\t2.300\t11\t6\t5000@250ms,12000@1000ms\t1\t1\t1\t1\t1\ttrue\t0.3800\n"
                + "bursts\t100\t100\tferry\t1\tSUCCEEDED\t2.300\t16\t5\t5000@250ms,12000@1000ms\t1\t1\t1\t1\t1\ttrue\t0.4100\n"
                + "bursts\t100\t100\tqemu-default\t2\tSUCCEEDED\t2.300\t16\t5\t-\t-\t-\t-\t-\t-\t-\t-\n";

        var replayed = ForecastReplay.replay(QemuRuns.parse(RUNS), ForecastReplay.windows(sampled), ForecastReplay.rounds(ROUNDS));

        assertThat(replayed.get(0).model().zeroShare()).as("a guest's first move, sampled").isEqualTo(0.38);
        assertThat(replayed.get(0).zeroPages()).isEqualTo(QemuForecasts.ZeroPagesFrom.SAMPLED);
        assertThat(replayed.get(1).model().zeroShare()).as("the sample, not the last move's first pass").isEqualTo(0.41);
        assertThat(QemuForecasts.tsv(replayed)).contains("\ttrue\t0.38\n");
        assertThatThrownBy(() -> ForecastReplay.windows(sampled.replace("0.3800", "most"))).hasMessageContaining("zero share");
    }

    @Test
    void filesOfDifferentRunsAreRefusedAndSayWhere() {
        String otherRun = RUNS.replace("\tferry\t1\t", "\tferry\t2\t");
        // a round line is never taken for a move, however it is worded
        assertThat(ForecastReplay.rounds("    round 1: x  y #3 SUCCEEDED in 1 s")).isEmpty();

        assertThatThrownBy(() -> ForecastReplay.replay(QemuRuns.parse(otherRun), ForecastReplay.windows(FORECASTS),
                ForecastReplay.rounds(ROUNDS))).hasMessage("move 2: the runs file says ferry #2 SUCCEEDED, the rounds log ferry #1 SUCCEEDED");
        assertThatThrownBy(() -> ForecastReplay.windows("pattern\n")).hasMessageStartingWith("not a forecasts file");
        assertThatThrownBy(() -> ForecastReplay.replay(QemuRuns.parse(RUNS), ForecastReplay.windows(FORECASTS), List.of()))
                .hasMessageContaining("3 moves in the runs file, 3 in the forecasts file, 0 in the rounds log");
        assertThatThrownBy(() -> ForecastReplay.windows(QemuForecasts.HEADER + "\nseq\t1\n")).hasMessageContaining("line 2");
        assertThatThrownBy(() -> ForecastReplay.windows(FORECASTS.replace("5000@250ms", "many@250ms")))
                .hasMessage("line 2 of the forecasts file: a window is pages@millis, not many@250ms");
        assertThatThrownBy(() -> ForecastReplay.read("no-such-run.tsv")).hasMessage("cannot read no-such-run.tsv: no such file");
    }
}
