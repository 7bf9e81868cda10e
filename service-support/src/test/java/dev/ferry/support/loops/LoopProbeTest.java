package dev.ferry.support.loops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LoopProbeTest {
    @Test
    void aProbeMeasuresFromItsSubmissionToItsRun() {
        LoopProbe probe = new LoopProbe();
        assertTrue(probe.submit(1_000));
        assertEquals(250, probe.ran(1_250));
    }

    @Test
    void aStuckLoopGetsOneProbeWhichMeasuresTheWholeStall() {
        LoopProbe probe = new LoopProbe();
        assertTrue(probe.submit(0));
        assertFalse(probe.submit(20), "a second probe while the first waits");
        assertFalse(probe.submit(40));
        assertEquals(3_000, probe.ran(3_000));
        assertTrue(probe.submit(3_020), "the next one goes once it ran");
    }

    @Test
    void theStackIsTakenOncePerStallOncePastTheThreshold() {
        LoopProbe probe = new LoopProbe();
        assertFalse(probe.stalledPast(500, 100), "nothing pending");
        probe.submit(0);
        assertFalse(probe.stalledPast(99, 100));
        assertTrue(probe.stalledPast(100, 100));
        assertFalse(probe.stalledPast(150, 100), "once for this stall");
        probe.ran(160);
        probe.submit(200);
        assertTrue(probe.stalledPast(400, 100), "again for the next one");
    }

    @Test
    void aRunWithoutASubmissionIsABug() {
        assertThrows(IllegalStateException.class, () -> new LoopProbe().ran(0));
    }
}
