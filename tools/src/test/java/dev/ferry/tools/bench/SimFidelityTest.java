package dev.ferry.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.tools.bench.QemuBenchmark.Load;
import dev.ferry.tools.bench.QemuRuns.Measured;
import dev.ferry.tools.bench.QemuSuite.Cell;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimFidelityTest {
    static final Cell IDLE = new Cell("seq", new Load(0, 100));
    static final Cell SEQ_ABOVE = new Cell("seq", new Load(200, 100));
    static final long MEMORY = 256L << 20;

    /** A move as the suite records it: moved or not, total seconds, downtime, rounds, bytes as a share of memory. */
    static Measured move(Cell cell, String policy, int repeat, boolean moved, double seconds, long downtime, int rounds, double bytes) {
        return new Measured(cell, policy, repeat, moved ? "SUCCEEDED" : "ABORTED", true, seconds, moved ? downtime : 0, rounds,
                (long) (bytes * MEMORY), 0, 25_000);
    }

    @Test
    void theRunsFileReadsBackWhatTheSuiteWroteAndADamagedLineIsNamed() {
        var moves = List.of(move(SEQ_ABOVE, "ferry", 1, true, 5.4, 15, 8, 2.1), move(SEQ_ABOVE, "qemu-default", 2, false, 31.1, 0, 73, 12));

        assertThat(QemuRuns.parse(QemuRuns.tsv(moves))).isEqualTo(moves);

        String damaged = QemuRuns.tsv(moves).replace("\t5.400\t", "\tfive\t");
        assertThatThrownBy(() -> QemuRuns.parse(damaged)).hasMessageContaining("line 2 of the runs file");
        assertThatThrownBy(() -> QemuRuns.parse("guest\tpolicy\n")).hasMessageContaining("not a runs file");
        assertThatThrownBy(() -> QemuRuns.parse(QemuRuns.tsv(moves).replaceFirst("\ttrue\t", "\tyes\t")))
                .hasMessageContaining("line 2 of the runs file: verified must be true or false, not yes");
    }

    @Test
    void theErrorIsTheSimulatorsMedianOverQemusAndOnlyJudgedWhereBothMovedEveryTime() {
        List<Measured> qemu = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            // an idle guest: the first pass, 62 % of memory, over the cap; reported twice as long as it is
            qemu.add(move(IDLE, "ferry", i, true, 2 * 1.6, 10, 3, 0.62));
            // QEMU's defaults never moved this guest
            qemu.add(move(SEQ_ABOVE, "qemu-default", i, false, 31.1, 0, 73, 12));
        }

        List<SimFidelity.Pair> pairs = SimFidelity.compare(qemu, 3);

        var idle = pairs.stream().filter(p -> p.cell().equals(IDLE)).findFirst().orElseThrow();
        assertThat(idle.comparable()).isTrue();
        assertThat(idle.error(SimFidelity.Metric.TOTAL)).as("the simulated first pass takes about half the reported time").isBetween(-0.55, -0.4);
        assertThat(idle.error(SimFidelity.Metric.BYTES)).as("the same zero pages, so the same bytes").isBetween(-0.05, 0.05);
        var never = pairs.stream().filter(p -> p.cell().equals(SEQ_ABOVE)).findFirst().orElseThrow();
        assertThat(never.comparable()).isFalse();
        assertThat(never.simMoved()).as("the simulator's model of QEMU's defaults does not converge either").isEmpty();

        String md = SimFidelity.markdown(pairs, SimFidelity.zeroShare(qemu), 3, "./ferry bench-fidelity 3", "this machine",
                java.nio.file.Path.of("docs/benchmarks/qemu-runs.tsv"));
        assertThat(md).contains("| ferry | 1 of 1 | 1 / 0 / 0 |").contains("| 0 / 0 |\n").contains("| qemu-default | 0 of 1 | 0 / 1 / 0 | - |")
                .contains("| seq, 200 MiB/s over 100 MiB/s | qemu-default | 0 / 3, 0 / 3 | - |");
    }

    /**
     * The twelfth run's `uniform` at 100 over 100 MiB/s under QEMU's defaults (qemu-runs-run12.tsv): 2.92, 2.92 and
     * 3.03 s. The engine passing as QEMU does is closer to that than the simulator's whole passes.
     */
    @Test
    void theEngineAsQemuRunsAMoveIsCloserToQemuOnAGuestAtTheLink() {
        Cell uniform = new Cell("uniform", new Load(100, 100));
        List<Measured> qemu = List.of(move(uniform, "qemu-default", 1, true, 2.922, 18, 9, 1.1),
                move(uniform, "qemu-default", 2, true, 2.921, 18, 9, 1.1), move(uniform, "qemu-default", 3, true, 3.026, 16, 10, 1.1));

        var whole = SimFidelity.compare(qemu, 3, false).get(0);
        var asQemu = SimFidelity.compare(qemu, 3, true).get(0);

        assertThat(asQemu.comparable()).isTrue();
        assertThat(Math.abs(asQemu.error(SimFidelity.Metric.TOTAL))).isLessThan(Math.abs(whole.error(SimFidelity.Metric.TOTAL)));
        assertThat(SimFidelity.asQemu(List.of(asQemu))).contains("## The engine as QEMU runs a move")
                .contains("| qemu-default | 1 of 1 | 1 / 0 / 0 |");
    }
}
