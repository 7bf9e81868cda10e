package dev.ferry.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class PauseVsPendingTest {
    static final String ROUNDS = """
            uniform, 50 MiB/s over 100 MiB/s qemu-default         #1 SUCCEEDED in 2.0 s, downtime 17 ms, 6 rounds, 0.0 throttle-s
                round 1: 1.50 s, 156202326 bytes, 25048 zero pages, 63054 pages, 14096 left, throttle 0% -> CONTINUE 0%: pending
                round 2: 0.10 s, 13264146 bytes, 0 zero pages, 3232 pages, 7324 left, throttle 0% -> STOP_AND_COPY 0%: fits
                round 3: 0.10 s, 6303762 bytes, 0 zero pages, 1505 pages, 6616 left, throttle 0% -> STOP_AND_COPY 0%: fits
            idle, over 100 MiB/s              ferry                #1 SUCCEEDED in 1.5 s, downtime 27 ms, 2 rounds, 0.0 throttle-s
                round 1: 1.50 s, 156202326 bytes, 25048 zero pages, 63054 pages, 0 left, throttle 0% -> STOP_AND_COPY 0%: done
            zipf, 50 MiB/s over 100 MiB/s    qemu-default         #1 SUCCEEDED in 1.6 s, downtime 15 ms, 3 rounds, 0.0 throttle-s
                round 1: 1.50 s, 157843494 bytes, 25000 zero pages, 63406 pages, 6627 left, throttle 0% -> CONTINUE 0%: pending
                round 2: 0.00 s, 27317184 bytes, 1 zero pages, 6627 pages, 0 left, throttle 0% -> STOP_AND_COPY 0%: QEMU's rule: pending bytes fit bandwidth x downtime-limit
            seq, 200 MiB/s over 32 MiB/s     ferry                #1 SUCCEEDED in 12.4 s, downtime 9 ms, 9 rounds, 6.6 throttle-s
                round 1: 8.00 s, 156202326 bytes, 25048 zero pages, 63054 pages, 9000 left, throttle 60% -> STOP_AND_COPY 60%: throttled
            seq, 200 MiB/s over 100 MiB/s    qemu-default         #1 CANCELLED in 31.0 s, downtime 0 ms, 42 rounds, 0.0 throttle-s
                round 1: 1.50 s, 156202326 bytes, 25048 zero pages, 63054 pages, 5000 left, throttle 0% -> STOP_AND_COPY 0%: never
            """;

    @Test
    void eachSucceededUnthrottledMoveCountsOnceAtItsFirstStop() {
        var stops = PauseVsPending.stops(ROUNDS);

        // the second stop decision of the first move, the throttled move and the cancelled one are not counted; where
        // QEMU's rule ended a pass, the line is the pause's own pass and its pages are what was pending
        assertThat(stops).containsExactly(new PauseVsPending.Stop(7324 * 4096 / 1e6, 17), new PauseVsPending.Stop(0, 27),
                new PauseVsPending.Stop(6627 * 4096 / 1e6, 15));
    }

    @Test
    void aPauseThatShrinksWithMorePendingFitsANegativeSlope() {
        var fit = PauseVsPending.fit(PauseVsPending.stops(ROUNDS).subList(0, 2));

        // 30 MB more pending, 10 ms less pause
        assertThat(fit.millisPerMb()).isCloseTo(-10 / (7324 * 4096 / 1e6), Offset.offset(1e-9));
        assertThat(fit.interceptMillis()).isCloseTo(27, Offset.offset(1e-9));
        assertThat(fit.medianEmpty()).isEqualTo(27);
        assertThat(fit.medianFull()).isEqualTo(17);
        assertThat(fit.full()).isEqualTo(1);
    }
}
