package dev.ferry.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.tools.bench.SlowReads.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlowReadsTest {
    @Test
    void aReadCountsAsInAStallOrPauseWhenHalfOfItIsCovered() {
        List<Span> reads = List.of(new Span(0, 200), new Span(1_000, 1_200), new Span(2_000, 2_200), new Span(3_000, 3_200));
        List<Span> stalls = List.of(new Span(50, 160), new Span(1_150, 1_300));
        List<Span> pauses = List.of(new Span(2_000, 2_120), new Span(1_000, 1_040));
        // 0-200: stall 110 of 200; 1000-1200: stall 50 and pause 40, touched but neither half;
        // 2000-2200: pause 120 of 200; 3000-3200: nothing
        assertEquals(new SlowReads.Counts(4, 1, 1, 2, 1), SlowReads.classify(reads, stalls, pauses));
    }

    @Test
    void twoLoopsStallingAtOnceCoverTheReadOnce() {
        Span read = new Span(0, 100);
        assertEquals(60, SlowReads.covered(read, List.of(new Span(-10, 40), new Span(20, 60))), 1e-9);
    }

    @Test
    void theLogsLinesAreRead() {
        assertEquals(List.of(new Span(1_765_072_131_901.5, 1_765_072_132_357.5)), SlowReads.reads(List.of(
                "slow running list: 456 ms, asked at 2025-12-07T01:48:51.9015Z")));
        assertEquals(List.of(new Span(1_765_072_131_000.0, 1_765_072_131_116.0)), SlowReads.stalls(List.of(
                "01:48:51.387 DEBUG [de.fe.su.lo.EventLoopStalls] event loop vert.x-eventloop-thread-1 stalled 116 ms from "
                        + "2025-12-07T01:48:51Z; it was running: (not seen)")));
        assertEquals(List.of(new Span(1_765_072_131_775.0 - 11.849, 1_765_072_131_775.0)), SlowReads.pauses(List.of(
                "[2025-12-07T01:48:51.775+0000][0.441s] GC(0) Pause Young (Allocation Failure) 8M->3M(30M) 11.849ms")));
    }
}
