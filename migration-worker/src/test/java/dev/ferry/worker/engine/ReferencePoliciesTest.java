package dev.ferry.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.worker.sim.GuestWorkload;
import dev.ferry.worker.sim.SimulatedGuest;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferencePoliciesTest {
    static final int PAGES = 4096;
    static final double LINK = 16.0 * 1024 * 1024; // 4096 pages/s

    static RoundRecord round(int n, long sentBytes, long dirtiedPages, double seconds) {
        return new RoundRecord(n, sentBytes / 4096, sentBytes, 0, dirtiedPages, seconds, LINK, dirtiedPages,
                dirtiedPages * 4096, dirtiedPages * 4096 * 1000 / (long) LINK, 0);
    }

    @Test
    void autoConvergeThrottlesOnTheSecondHighDirtyPeriodThenStepsByTen() {
        var policy = new QemuAutoConvergePolicy();
        // 1800 pages dirtied > 50 % of the 2000 sent, and too many to stop (7.4 MB > 16 MiB/s x 300 ms)
        var high = round(1, 4096L * 2000, 1800, 1);

        assertThat(policy.decide(List.of(high), 300, 0).throttlePercent()).isZero();
        assertThat(policy.decide(List.of(high, high), 300, 0).throttlePercent()).isEqualTo(20);
        policy.decide(List.of(high), 300, 20);
        assertThat(policy.decide(List.of(high, high), 300, 20).throttlePercent()).isEqualTo(30);
    }

    @Test
    void autoConvergeEndsAGuestThatQemusDefaultNeverFinishes() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(1.0, 8000), 7);
        var result = new PreCopyEngine(guest, new QemuAutoConvergePolicy(), LINK, 300).run(() -> false);

        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        assertThat(result.rounds().size()).isLessThan(PreCopyEngine.ROUND_CAP);
        assertThat(result.rounds().stream().mapToInt(RoundRecord::throttlePercent).max().orElse(0)).isGreaterThanOrEqualTo(20);
        assertThat(guest.destinationMatchesSource()).isTrue();
    }

    @Test
    void novasDowntimeLimitStepsFrom50To500Milliseconds() {
        var nova = new NovaPolicy(1L << 30); // 1 GiB: a step every 75 s
        assertThat(nova.downtimeLimitAfter(0)).isEqualTo(50);
        assertThat(nova.downtimeLimitAfter(75)).isEqualTo(95);
        assertThat(nova.downtimeLimitAfter(750)).isEqualTo(500);
        assertThat(nova.downtimeLimitAfter(10_000)).isEqualTo(500);
    }

    @Test
    void novaAbortsPastItsCompletionTimeoutAndTheGuestStaysOnTheSource() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(1.0, 8000), 8);
        // a 16 MiB guest counts as 1 GiB for Nova: 800 s timeout; at ~1 s a round the engine cap comes first,
        // so give Nova a slow link that makes every round long
        var result = new PreCopyEngine(guest, new NovaPolicy(PAGES * 4096L), LINK / 64, 300).run(() -> false);

        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.ABORTED);
        assertThat(result.reason()).contains("completion timeout");
        assertThat(guest.location()).isEqualTo(Hypervisor.GuestLocation.RUNNING_ON_SOURCE);
    }
}
