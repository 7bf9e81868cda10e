package dev.ferry.worker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.DirtyPageRound;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreCopySimulationTest {
    static final long GIB = 1L << 30;
    static final double TEN_GBE = 1.25e9;

    static List<DirtyPageRound> run(PreCopySimulation sim) {
        List<DirtyPageRound> rounds = new ArrayList<>();
        while (!sim.finished()) {
            rounds.add(sim.nextRound());
        }
        return rounds;
    }

    @Test
    void roundOneSendsAllMemoryAndTheLastRoundIsStopAndCopy() {
        var rounds = run(new PreCopySimulation(4 * GIB, TEN_GBE, 300, new Workload(50_000, 100_000)));

        assertThat(rounds.get(0).bytesSent()).isEqualTo(4 * GIB);
        assertThat(rounds.get(rounds.size() - 1).stopAndCopy()).isTrue();
        assertThat(rounds.subList(0, rounds.size() - 1)).noneMatch(DirtyPageRound::stopAndCopy);
        assertThat(rounds.stream().mapToLong(DirtyPageRound::bytesSent).sum()).isGreaterThanOrEqualTo(4 * GIB);
    }

    @Test
    void eachRoundSendsWhatThePreviousOneLeftDirty() {
        var rounds = run(new PreCopySimulation(8 * GIB, TEN_GBE, 50, new Workload(200_000, 150_000)));

        for (int i = 1; i < rounds.size(); i++) {
            assertThat(rounds.get(i).pagesSent()).isEqualTo(rounds.get(i - 1).remainingPages());
            assertThat(rounds.get(i).round()).isEqualTo(i + 1);
        }
    }

    @Test
    void aConvergingGuestPausesNoLongerThanTheTarget() {
        var rounds = run(new PreCopySimulation(4 * GIB, TEN_GBE, 300, new Workload(50_000, 100_000)));

        DirtyPageRound last = rounds.get(rounds.size() - 1);
        assertThat(last.expectedDowntimeMillis()).isLessThanOrEqualTo(300);
        assertThat(rounds.get(rounds.size() - 2).decision()).isEqualTo("STOP_AND_COPY");
    }

    @Test
    void anIdleGuestNeedsOneLiveRoundAndAnEmptyStopAndCopy() {
        var rounds = run(new PreCopySimulation(GIB, TEN_GBE, 300, new Workload(1, 0)));

        assertThat(rounds).hasSize(2);
        assertThat(rounds.get(1).bytesSent()).isZero();
    }

    @Test
    void aGuestDirtyingFasterThanTheLinkStopsAtTheRoundCapAndSaysSo() {
        long pages = 4 * GIB / PreCopySimulation.PAGE_SIZE;
        var rounds = run(new PreCopySimulation(4 * GIB, 1.25e8, 300, new Workload(pages, 3 * 1.25e8 / 4096)));

        assertThat(rounds).hasSize(PreCopySimulation.MAX_LIVE_ROUNDS + 1);
        DirtyPageRound lastLive = rounds.get(rounds.size() - 2);
        assertThat(lastLive.reason()).contains("round cap");
        assertThat(rounds.get(rounds.size() - 1).expectedDowntimeMillis()).isGreaterThan(300);
    }

    @Test
    void forcingCompletionMakesTheNextRoundTheStopAndCopy() {
        var sim = new PreCopySimulation(4 * GIB, 1.25e8, 300, new Workload(4 * GIB / 4096, 3 * 1.25e8 / 4096));
        DirtyPageRound first = sim.nextRound();
        sim.forceStopAndCopy();
        DirtyPageRound last = sim.nextRound();

        assertThat(last.stopAndCopy()).isTrue();
        assertThat(last.pagesSent()).isEqualTo(first.remainingPages());
        assertThat(sim.finished()).isTrue();
    }

    @Test
    void everyRoundSaysItIsASimulation() {
        var rounds = run(new PreCopySimulation(GIB, TEN_GBE, 300, new Workload(10_000, 50_000)));
        assertThat(rounds).allSatisfy(r -> assertThat(r.reason()).contains("simulated"));
    }
}
