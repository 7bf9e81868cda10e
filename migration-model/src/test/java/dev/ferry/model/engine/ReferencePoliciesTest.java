package dev.ferry.model.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.sim.GuestWorkload;
import dev.ferry.model.sim.SimulatedGuest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferencePoliciesTest {
    static final int PAGES = 4096;
    static final double LINK = 16.0 * 1024 * 1024; // 4096 pages/s
    static final MigrationContext CONTEXT = new MigrationContext(PAGES * 4096L, MigrationLimits.defaults(300), LINK, 0);

    static RoundRecord round(int n, long sentBytes, long dirtiedPages, double seconds, int throttle) {
        return new RoundRecord(n, RoundRecord.Kind.LIVE, sentBytes / 4096, sentBytes, 0, 0, dirtiedPages, seconds, LINK,
                dirtiedPages, dirtiedPages * 4096, dirtiedPages * 4096 * 1000 / (long) LINK, throttle, null, null);
    }

    @Test
    void qemusDefaultStopsWhenThePendingBytesFitTheDowntimeLimit() {
        var policy = new QemuDefaultPolicy();
        // 300 ms at 16 MiB/s is 1228.8 pages
        assertThat(policy.decide(List.of(round(1, 4096L * 4096, 1228, 1, 0)), CONTEXT).action()).isEqualTo(Decision.Action.STOP_AND_COPY);
        assertThat(policy.decide(List.of(round(1, 4096L * 4096, 1229, 1, 0)), CONTEXT).action()).isEqualTo(Decision.Action.CONTINUE);
    }

    @Test
    void autoConvergeThrottlesOnTheSecondHighDirtyPeriodThenStepsByTen() {
        var policy = new QemuAutoConvergePolicy();
        // 1800 pages dirtied > 50 % of the 2000 sent, and too many to stop (7.4 MB > 16 MiB/s x 300 ms); rounds after
        // the first, each alone: taken as whole passes
        assertThat(policy.decide(List.of(round(2, 4096L * 2000, 1800, 1, 0)), CONTEXT).throttlePercent()).isZero();
        assertThat(policy.decide(List.of(round(3, 4096L * 2000, 1800, 1, 0)), CONTEXT).throttlePercent()).isEqualTo(20);
        assertThat(policy.decide(List.of(round(4, 4096L * 2000, 1800, 1, 20)), CONTEXT).throttlePercent()).isEqualTo(20);
        assertThat(policy.decide(List.of(round(5, 4096L * 2000, 1800, 1, 20)), CONTEXT).throttlePercent()).isEqualTo(30);
    }

    @Test
    void autoConvergeJudgesPeriodsOfAtLeastASecond() {
        var policy = new QemuAutoConvergePolicy();
        // four rounds of 0.25 s make one period; two periods trigger the throttle
        List<Integer> throttles = new ArrayList<>();
        for (int i = 2; i <= 9; i++) {
            throttles.add(policy.decide(List.of(round(i, 4096L * 500, 1800, 0.25, 0)), CONTEXT).throttlePercent());
        }
        assertThat(throttles).containsExactly(0, 0, 0, 0, 0, 0, 0, 20);
    }

    @Test
    void autoConvergeCountsOnlyThePagesASyncFoundNewlyWritten() {
        // QEMU ended the first pass with 3000 of 4096 pages sent: the 1096 unsent are pending, not newly written
        var first = round(1, 4096L * 3000, 1500, 1, 0);
        assertThat(QemuAutoConvergePolicy.newlyDirtied(List.of(first), CONTEXT)).isEqualTo(1500 - 1096);
        // the next round sent 1000 of those 1500 and found 1200 pending: 500 carried, 700 new
        var second = round(2, 4096L * 1000, 1200, 0.3, 0);
        assertThat(QemuAutoConvergePolicy.newlyDirtied(List.of(first, second), CONTEXT)).isEqualTo(700);
        // a whole pass carries nothing
        var whole = round(2, 4096L * 1500, 1200, 0.3, 0);
        assertThat(QemuAutoConvergePolicy.newlyDirtied(List.of(first, whole), CONTEXT)).isEqualTo(1200);
    }

    @Test
    void autoConvergeEndsAGuestThatQemusDefaultNeverFinishes() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(1.0, 8000), 7);
        var result = new PreCopyEngine(guest, new QemuAutoConvergePolicy(), LINK, 300).run(Controls.NONE);

        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        assertThat(result.rounds().size()).isLessThan(PreCopyEngine.ROUND_CAP);
        assertThat(result.rounds().stream().mapToInt(RoundRecord::throttlePercent).max().orElse(0)).isGreaterThanOrEqualTo(20);
        assertThat(guest.destinationMatchesSource()).isTrue();
    }

    @Test
    void xenStopsAfterFiveRoundsOnAGuestThatNeverSettles() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(1.0, 8000), 4);
        var result = new PreCopyEngine(guest, new XenPolicy(), LINK, 300).run(Controls.NONE);

        assertThat(result.rounds()).hasSize(5);
        assertThat(result.reason()).contains("cap of 5");
        assertThat(result.downtimeMillis()).isGreaterThan(300);
    }

    @Test
    void xenStopsEarlyUnderFiftyDirtyPages() {
        var policy = new XenPolicy();
        assertThat(policy.decide(List.of(round(1, 4096L * 4096, 49, 1, 0)), CONTEXT).action()).isEqualTo(Decision.Action.STOP_AND_COPY);
        assertThat(policy.decide(List.of(round(1, 4096L * 4096, 50, 1, 0)), CONTEXT).action()).isEqualTo(Decision.Action.CONTINUE);
    }

    @Test
    void xenLegacyStopsAtRound29UnderFiftyPagesOrPastThreeTimesMemory() {
        var policy = new XenLegacyPolicy();
        assertThat(policy.decide(List.of(round(29, 4096L * 1000, 1000, 1, 0)), CONTEXT).reason()).contains("cap of 29");
        assertThat(policy.decide(List.of(round(1, 4096L * 4096, 4000, 1, 0), round(2, 4096L * 40, 30, 0.01, 0)), CONTEXT).reason())
                .contains("< 50");
        List<RoundRecord> heavy = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            heavy.add(round(i, 4096L * 4096, 4000, 1, 0));
        }
        assertThat(policy.decide(heavy, CONTEXT).reason()).contains("> 3x");
        assertThat(policy.decide(heavy.subList(0, 3), CONTEXT).action()).isEqualTo(Decision.Action.CONTINUE);
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
        // a 16 MiB guest counts as 1 GiB for Nova: 800 s; a slow link makes every round long enough to get there
        var result = new PreCopyEngine(guest, new NovaPolicy(PAGES * 4096L), LINK / 64, 300).run(Controls.NONE);

        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.ABORTED);
        assertThat(result.reason()).contains("completion timeout");
        assertThat(guest.location()).isEqualTo(Hypervisor.GuestLocation.RUNNING_ON_SOURCE);
    }

    @Test
    void kubeVirtAbortsAStallAtALocalMinimumWhenPostCopyIsNotAllowed() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(1.0, 8000), 9);
        // slow link: rounds of tens of seconds, so that its 40 s window passes
        var result = new PreCopyEngine(guest, new KubeVirtPolicy(), LINK / 16, 300).run(Controls.NONE);

        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.ABORTED);
        assertThat(result.reason()).containsAnyOf("stalled", "no progress", "completion timeout");
        assertThat(guest.location()).isEqualTo(Hypervisor.GuestLocation.RUNNING_ON_SOURCE);
    }

    @Test
    void kubeVirtSwitchesAStallToPostCopyWhereAllowed() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(1.0, 8000), 10);
        var limits = MigrationLimits.defaults(300).withPostCopy(true);
        var result = new PreCopyEngine(guest, new KubeVirtPolicy(), new Link(LINK / 16, 0), limits).run(Controls.NONE);

        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        assertThat(result.postCopy()).isTrue();
        assertThat(result.reason()).contains("post-copy");
        assertThat(guest.destinationMatchesSource()).isTrue();
    }
}
