package dev.ferry.support.loops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
    void aStallCountsTheProbesItKeptFromGoing() {
        // 70 ms at one probe every 20 ms: the probe waited 70, and those due at 20, 40 and 60 would have waited 50, 30, 10
        assertArrayEquals(new long[] {70, 50, 30, 10}, LoopProbe.waits(70, 20));
        assertArrayEquals(new long[] {5}, LoopProbe.waits(5, 20), "a loop that answered within the interval: one sample");
        assertThrows(IllegalArgumentException.class, () -> LoopProbe.waits(5, 0));
    }

    @Test
    void aStallsStackEndsAtTheFirstFrameOfFerrysCode() {
        StackTraceElement[] frames = {new StackTraceElement("org.hibernate.Flush", "dirtyCheck", "Flush.java", 10),
                new StackTraceElement("dev.ferry.scheduler.Outcomes", "decided", "Outcomes.java", 20),
                new StackTraceElement("io.vertx.Context", "run", "Context.java", 30)};
        assertEquals("org.hibernate.Flush.dirtyCheck(Flush.java:10) < dev.ferry.scheduler.Outcomes.decided(Outcomes.java:20)",
                EventLoopStalls.stack(frames));
    }

    @Test
    void codeHibernateGeneratedIntoAnEntityIsNotWhereTheStackEnds() {
        StackTraceElement[] frames = {new StackTraceElement("dev.ferry.scheduler.model.Migration", "$$_hibernate_read_targetHostId",
                "Migration.java", -1), new StackTraceElement("dev.ferry.scheduler.plan.PlacementRanking", "rank", "PlacementRanking.java", 40),
                new StackTraceElement("io.vertx.Context", "run", "Context.java", 30)};
        assertEquals("dev.ferry.scheduler.model.Migration.$$_hibernate_read_targetHostId(Migration.java) < "
                + "dev.ferry.scheduler.plan.PlacementRanking.rank(PlacementRanking.java:40)", EventLoopStalls.stack(frames));
    }

    @Test
    void aRunWithoutASubmissionIsABug() {
        assertThrows(IllegalStateException.class, () -> new LoopProbe().ran(0));
    }
}
