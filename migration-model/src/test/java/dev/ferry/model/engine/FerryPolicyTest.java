package dev.ferry.model.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ferry.model.sim.GuestWorkload;
import dev.ferry.model.sim.SimulatedGuest;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class FerryPolicyTest {
    static final int PAGES = 65_536; // 256 MiB
    static final Link LINK = new Link(128.0 * 1024 * 1024, 0.002); // 128 MiB/s: round 1 takes 2 s

    static MigrationResult migrate(SimulatedGuest guest, ConvergencePolicy policy, MigrationLimits limits) {
        return new PreCopyEngine(guest, policy, LINK, limits).run(Controls.NONE);
    }

    static SimulatedGuest tooHotForTheLink(long seed) {
        // writes 1.5x as many pages per second as the link carries, over half of memory
        return new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(0.5, 1.5 * 32_768), seed);
    }

    @Test
    void convergesWhereQemusDefaultNeverFinishes() {
        var qemu = migrate(tooHotForTheLink(1), new QemuDefaultPolicy(), MigrationLimits.defaults(300));
        var guest = tooHotForTheLink(1);
        var ferry = migrate(guest, new FerryPolicy(), MigrationLimits.defaults(300));

        assertThat(qemu.outcome()).isEqualTo(MigrationResult.Outcome.ABORTED);
        assertThat(ferry.outcome()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        assertThat(ferry.downtimeMillis()).isLessThanOrEqualTo(300);
        assertThat(guest.destinationMatchesSource()).isTrue();
    }

    @Test
    void throttlesOnceToWhatTheMeasuredRatesNeedInsteadOfSteppingLikeAutoConverge() {
        var ferry = migrate(tooHotForTheLink(2), new FerryPolicy(), MigrationLimits.defaults(300));
        var auto = migrate(tooHotForTheLink(2), new QemuAutoConvergePolicy(), MigrationLimits.defaults(300));

        long ferryChanges = throttleChanges(ferry.rounds());
        assertThat(ferryChanges).isBetween(1L, 2L);
        assertThat(ferry.rounds().stream().filter(r -> r.decision().reason().startsWith("stall")).findFirst())
                .hasValueSatisfying(r -> assertThat(r.round()).isLessThanOrEqualTo(2)); // detected early
        assertThat(ferry.totalTimeMillis()).isLessThan(auto.totalTimeMillis());
        assertThat(ferry.bytesSent()).isLessThan(auto.bytesSent());
    }

    @Test
    void switchesToPostCopyWhenThrottlingIsForbiddenAndPostCopyAllowed() {
        var guest = tooHotForTheLink(3);
        var result = migrate(guest, new FerryPolicy(), MigrationLimits.defaults(300).withMaxThrottle(0).withPostCopy(true));

        assertThat(result.postCopy()).isTrue();
        assertThat(result.rounds().size()).isLessThanOrEqualTo(3);
        assertThat(result.downtimeMillis()).isEqualTo(PreCopyEngine.SWITCHOVER_MILLIS);
        assertThat(guest.destinationMatchesSource()).isTrue();
    }

    @Test
    void abortsCleanlyAndEarlyWhenNothingItMayDoConverges() {
        var guest = tooHotForTheLink(4);
        var result = migrate(guest, new FerryPolicy(), MigrationLimits.defaults(300).withMaxThrottle(0));

        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.ABORTED);
        assertThat(result.rounds().size()).isLessThanOrEqualTo(4);
        assertThat(result.reason()).contains("no post-copy allowed");
        assertThat(guest.location()).isEqualTo(Hypervisor.GuestLocation.RUNNING_ON_SOURCE);
    }

    @Test
    void neverThrottlesSoHardThatOneVcpuSleepOutlastsHalfTheTarget() {
        // writes 20x what the link carries over most of memory: 93 % leaves it 1.4x the link, only 99 % would do
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(0.9, 20 * 32_768), 5);
        var result = migrate(guest, new FerryPolicy(), MigrationLimits.defaults(300));

        assertThat(result.rounds()).allSatisfy(r -> assertThat(r.throttlePercent()).isLessThanOrEqualTo(93));
        assertThat(result.rounds()).anySatisfy(r -> assertThat(r.throttlePercent()).isEqualTo(93));
        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.ABORTED);
        assertThat(result.reason()).contains("93% ceiling (its 133 ms vCPU sleeps fit half the 300 ms target; the operator allows 99%)");
        assertThat(guest.location()).isEqualTo(Hypervisor.GuestLocation.RUNNING_ON_SOURCE);
    }

    static RoundRecord atCeiling(int n, long remaining) {
        // a round of 1 s at the 93 % ceiling over 32 MiB/s, leaving {@code remaining} pages
        return new RoundRecord(n, RoundRecord.Kind.LIVE, 8_192, 8_192L * 4096, 0, 0, 8_192, 1.0, 32.0 * 1024 * 1024,
                remaining, remaining * 4096, 0, 93, null, null);
    }

    @Test
    void atTheCeilingAnUnevenDescentGoesOnAndOnlyALevelledOneIsGivenUp() {
        var context = MigrationContext.of(256L << 20, new Link(32.0 * 1024 * 1024, 0.002), MigrationLimits.defaults(300).withDeadline(90));
        // pending (pages; the target allows about 2,400 over 32 MiB/s): falling, with one round that did not shrink
        var uneven = List.of(atCeiling(1, 24_000), atCeiling(2, 9_400), atCeiling(3, 5_900), atCeiling(4, 3_500), atCeiling(5, 3_600));
        var levelled = List.of(atCeiling(1, 24_000), atCeiling(2, 3_500), atCeiling(3, 3_600), atCeiling(4, 3_450), atCeiling(5, 3_600));

        var goesOn = new FerryPolicy().decide(uneven, context);
        assertThat(goesOn.action()).isEqualTo(Decision.Action.CONTINUE);
        assertThat(goesOn.reason()).contains("trying the 93% ceiling"); // judged at the ceiling, not projected to converge
        assertThat(new FerryPolicy().decide(levelled, context).action()).isEqualTo(Decision.Action.ABORT);
        assertThat(FerryPolicy.stillDescending(uneven)).isTrue();
        assertThat(FerryPolicy.stillDescending(levelled)).isFalse();
    }

    @Test
    void aGuestThatMovesWithinItsLimitsUnthrottledIsNotThrottledToSaveTraffic() {
        // the simulator suite's uniform-0.9 on 4 GiB over 10 GbE: QEMU's defaults move it unthrottled, sending 1.47x
        // memory, more than Ferry's own traffic budget for the rounds that only shorten the pause
        var spec = dev.ferry.model.sim.WorkloadSuite.named("uniform-0.9");
        Link link = Link.tenGigabit();
        var limits = MigrationLimits.defaults(300).withDeadline(120);
        double linkPages = link.effectiveBandwidth(limits) / PreCopyEngine.PAGE_SIZE;
        var qemu = new PreCopyEngine(new SimulatedGuest(1 << 20, spec.zeroShare(), spec.create(linkPages, 1), 1),
                new QemuDefaultPolicy(), link, limits).run(Controls.NONE);
        var guest = new SimulatedGuest(1 << 20, spec.zeroShare(), spec.create(linkPages, 1), 1);
        var ferry = new PreCopyEngine(guest, new FerryPolicy(), link, limits).run(Controls.NONE);

        assertThat(qemu.outcome()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        assertThat(qemu.rounds()).allSatisfy(r -> assertThat(r.throttlePercent()).isZero());
        assertThat(ferry.outcome()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        assertThat(ferry.rounds()).allSatisfy(r -> assertThat(r.throttlePercent()).isZero());
        assertThat(ferry.downtimeMillis()).isLessThanOrEqualTo(300);
        assertThat(guest.destinationMatchesSource()).isTrue();
    }

    /** A round of a real guest moved over 100 MiB/s unthrottled: so long, so many pages left (run 6's rounds). */
    private static RoundRecord unthrottled(int n, double seconds, long remaining) {
        return new RoundRecord(n, RoundRecord.Kind.LIVE, remaining, remaining * 4096, 0, 0, remaining, seconds,
                100.0 * 1024 * 1024, remaining, remaining * 4096, 0, 0, null, null);
    }

    private static final MigrationContext OVER_100 = MigrationContext.of(256L << 20, new Link(100.0 * 1024 * 1024, 0.002),
            MigrationLimits.defaults(300));

    @Test
    void waitsForACyclingGuestToComeWithinTheTargetOnItsOwnBeforeThrottlingIt() {
        // bursts at 200 MiB/s over 100 MiB/s, the sixth run's first Ferry move: round 2 ended at the target (the guest
        // was resting), round 3 found it busy again, and the policy asked for 45 %, which QEMU's defaults never needed
        var bursts = List.of(unthrottled(1, 1.5, 25_398), unthrottled(2, 0.8, 7_428), unthrottled(3, 0.1, 8_458));
        Decision waits = new FerryPolicy().decide(bursts, OVER_100);
        assertThat(waits.action()).isEqualTo(Decision.Action.CONTINUE);
        assertThat(waits.throttlePercent()).isZero();
        assertThat(waits.reason()).contains("pace varies");

        // the sixth run's second move: never near the target, but busy again, 1.46x the lowest pending since round 2;
        // it varied at the end of round 3 (2.7 s), which is now
        var busier = List.of(unthrottled(1, 1.5, 25_398), unthrottled(2, 0.8, 15_142), unthrottled(3, 0.4, 22_165));
        assertThat(FerryPolicy.paceVariedAt(busier, 300)).isCloseTo(2.7, within(1e-9));
        Decision stillWaits = new FerryPolicy().decide(busier, OVER_100);
        assertThat(stillWaits.throttlePercent()).isZero();
        assertThat(stillWaits.reason()).contains("pace varies (0.0 s ago)");
    }

    @Test
    void aGuestThatSlowedDownInTheSecondPassIsWaitedForBeforeQemuAppliesTheThrottleAskedAfterTheFirst() {
        // bursts at 200 MiB/s over 100 MiB/s, the tenth run's first Ferry move: 25,115 pages written in the 1.5 s first
        // pass (16,700 a second), 10,628 in the 0.8 s second (13,300 a second, 0.79x): neither near the target nor a
        // rise
        // its first pass's quarter-second window read 12,980 pages, twice the link: the fit sees a stall
        var first = new RoundRecord(1, RoundRecord.Kind.LIVE, 25_115, 25_115L * 4096, 0, 0, 25_115, 1.5, 100.0 * 1024 * 1024,
                25_115, 25_115L * 4096, 0, 0, new RoundRecord.Sample(0.25, 12_980), null);
        var slowed = List.of(first, unthrottled(2, 0.8, 10_628));
        assertThat(FerryPolicy.paceVariedAt(slowed, 300)).isCloseTo(2.3, within(1e-9));
        Decision waits = new FerryPolicy().decide(slowed, OVER_100);
        assertThat(waits.throttlePercent()).as(waits.reason()).isZero();
        assertThat(waits.reason()).contains("pace varies (0.0 s ago)");
        // phase at 200, the same run: 0.98x its first pass's pace, as a steady writer's; the policy throttles
        var steadyPace = List.of(new RoundRecord(1, RoundRecord.Kind.LIVE, 22_254, 22_254L * 4096, 0, 0, 22_254, 1.5,
                100.0 * 1024 * 1024, 22_254, 22_254L * 4096, 0, 0, new RoundRecord.Sample(0.25, 10_112), null),
                unthrottled(2, 0.7, 10_177));
        assertThat(FerryPolicy.paceVariedAt(steadyPace, 300)).isNaN();
        assertThat(new FerryPolicy().decide(steadyPace, OVER_100).throttlePercent()).isPositive();
        // a pass too short to time (QEMU paces in tenths of a second) says nothing of the pace (a 3 ms target, so that
        // its few pages are not near it)
        var short_ = List.of(unthrottled(1, 1.5, 25_115), unthrottled(2, 0.2, 2_000));
        assertThat(FerryPolicy.paceVariedAt(short_, 3)).isNaN();
        // nor does a pass a new owner watched from its middle (its pages left are the whole pass's, its seconds not)
        var adopted = List.of(unthrottled(4, 0.3, 20_000), unthrottled(5, 0.3, 9_000));
        assertThat(FerryPolicy.paceVariedAt(adopted, 3)).isNaN();
        assertThat(FerryPolicy.paceVariedAt(List.of(unthrottled(4, 0.3, 20_000), unthrottled(5, 0.3, 18_000),
                unthrottled(6, 0.3, 9_000)), 3)).as("from the second pass it watched whole").isCloseTo(0.9, within(1e-9));
    }

    @Test
    void theWaitEndsThreeSecondsAfterThePaceVariedAndNeverStartsOnceAThrottleIsInForce() {
        // quiet at 2.3 s (a sharp fall to the target), then busy: at 5.3 s it still waits, at 5.4 s it throttles
        var atThree = new java.util.ArrayList<>(List.of(unthrottled(1, 1.5, 25_398), unthrottled(2, 0.8, 7_428)));
        for (int n = 3; n <= 6; n++) {
            atThree.add(unthrottled(n, 0.7, 24_000));
        }
        atThree.add(unthrottled(7, 0.19, 24_000)); // 2.99 s after
        assertThat(new FerryPolicy().decide(atThree, OVER_100).reason()).contains("pace varies (3.0 s ago)");
        var pastThree = new java.util.ArrayList<>(atThree);
        pastThree.add(unthrottled(8, 0.11, 24_000));
        assertThat(new FerryPolicy().decide(pastThree, OVER_100).reason()).doesNotContain("pace varies").contains("stall");

        // 1 % in force is QEMU's auto-converge armed idle, throttling by itself: it does not end the wait
        var idle = List.of(unthrottled(1, 1.5, 25_398), unthrottled(2, 0.8, 7_428), new RoundRecord(3, RoundRecord.Kind.LIVE,
                8_458, 8_458L * 4096, 0, 0, 8_458, 0.1, 100.0 * 1024 * 1024, 8_458, 8_458L * 4096, 0, 1, null, null));
        assertThat(new FerryPolicy().decide(idle, OVER_100).reason()).contains("pace varies");

        // a throttle already in force: the policy steers it, no wait
        var throttled = List.of(unthrottled(1, 1.5, 25_398), unthrottled(2, 0.8, 7_428), new RoundRecord(3, RoundRecord.Kind.LIVE,
                8_458, 8_458L * 4096, 0, 0, 8_458, 0.1, 100.0 * 1024 * 1024, 8_458, 8_458L * 4096, 0, 30, null, null));
        assertThat(new FerryPolicy().decide(throttled, OVER_100).reason()).doesNotContain("pace varies");
    }

    @Test
    void noWaitThatWouldLeaveTheCeilingTooLittleTimeBeforeTheDeadline() {
        var bursts = List.of(unthrottled(1, 1.5, 25_398), unthrottled(2, 0.8, 7_428), unthrottled(3, 0.1, 8_458));
        var tight = MigrationContext.of(256L << 20, new Link(100.0 * 1024 * 1024, 0.002),
                MigrationLimits.defaults(300).withDeadline(5.5));
        // a 3 s wait would end at 5.3 s, 0.2 s before the deadline: the ceiling gets its chance now
        Decision now = new FerryPolicy().decide(bursts, tight);
        assertThat(now.reason()).doesNotContain("pace varies");
        assertThat(now.throttlePercent()).isPositive();
    }

    @Test
    void waitsOnlyOnceAndNotLongForAGuestWhosePaceVaried() {
        // the same guest, quiet once at 2.3 s and then busy for good: 3 s later it is throttled
        var stillBusy = new java.util.ArrayList<>(List.of(unthrottled(1, 1.5, 25_398), unthrottled(2, 0.8, 7_428)));
        for (int n = 3; n <= 7; n++) {
            stillBusy.add(unthrottled(n, 0.7, 24_000));
        }
        assertThat(FerryPolicy.paceVariedAt(stillBusy, 300)).isCloseTo(2.3, within(1e-9));
        Decision throttles = new FerryPolicy().decide(stillBusy, OVER_100);
        assertThat(throttles.throttlePercent()).as(throttles.reason()).isPositive();
        // what the wait sent (rounds 3 to 6, ending 3.0 to 5.1 s) is not charged to the throttle's traffic budget
        assertThat(FerryPolicy.sentWhileWaiting(stillBusy, 2.3)).isEqualTo(4 * 24_000 * 4096.0);
    }

    @Test
    void aSteadyWriterIsThrottledWithoutWaiting() {
        // seq at 200 MiB/s over 100 MiB/s, run 6: the pending settles from round to round; it never came near the
        // target or rose again
        var seq = List.of(unthrottled(1, 1.5, 25_080), unthrottled(2, 0.8, 23_751), unthrottled(3, 0.7, 23_426),
                unthrottled(4, 0.7, 24_107));
        assertThat(FerryPolicy.paceVariedAt(seq, 300)).isNaN();
        assertThat(new FerryPolicy().decide(seq, OVER_100).throttlePercent()).isPositive();
        // rounds run throttled say nothing of the guest's own pace
        var throttled = List.of(unthrottled(1, 1.5, 25_080), atCeiling(2, 7_000), atCeiling(3, 20_000));
        assertThat(FerryPolicy.paceVariedAt(throttled, 300)).isNaN();
    }

    @Property(tries = 40)
    void everyThrottleItAsksForSleepsTheGuestForAtMostHalfTheTarget(@ForAll @LongRange(min = 20, max = 2_000) long target,
            @ForAll @DoubleRange(min = 0.5, max = 6) double ratio, @ForAll long seed) {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(0.5, ratio * 32_768), seed);
        var result = migrate(guest, new FerryPolicy(), MigrationLimits.defaults(target).withDeadline(60));

        assertThat(result.rounds()).allSatisfy(r -> assertThat(ThrottleSlice.millis(r.throttlePercent()))
                .isLessThanOrEqualTo(target / 2.0));
        if (result.outcome() == MigrationResult.Outcome.SUCCEEDED) {
            assertThat(guest.destinationMatchesSource()).isTrue();
        }
    }

    @Test
    void goesOnPastTheTargetWhenAnotherRoundCutsTheDowntimeForLittle() {
        // converges on its own: a small hot set at a third of the link's speed
        var qemu = migrate(new SimulatedGuest(PAGES, 0, GuestWorkload.hotSet(0.02, 0.2, 10_000), 5), new QemuDefaultPolicy(),
                MigrationLimits.defaults(300));
        var ferry = migrate(new SimulatedGuest(PAGES, 0, GuestWorkload.hotSet(0.02, 0.2, 10_000), 5), new FerryPolicy(),
                MigrationLimits.defaults(300));

        assertThat(ferry.downtimeMillis()).isLessThan(qemu.downtimeMillis() / 2);
        assertThat(ferry.totalTimeMillis()).isLessThan((long) (qemu.totalTimeMillis() * 1.1));
        assertThat(ferry.rounds()).allSatisfy(r -> assertThat(r.throttlePercent()).isZero());
    }

    @Property(tries = 40)
    void neverRunsPastTheOperatorsDeadline(@ForAll @DoubleRange(min = 5, max = 60) double deadline,
            @ForAll @IntRange(min = 0, max = 99) int maxThrottle, @ForAll boolean postCopy,
            @ForAll @DoubleRange(min = 0.2, max = 3) double ratio, @ForAll long seed) {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(0.3, ratio * 32_768), seed);
        var limits = new MigrationLimits(300, 0, maxThrottle, postCopy, deadline);

        var result = migrate(guest, new FerryPolicy(), limits);

        assertThat(result.totalTimeMillis()).isLessThanOrEqualTo(Math.round(deadline * 1000) + PreCopyEngine.SWITCHOVER_MILLIS);
        if (result.outcome() == MigrationResult.Outcome.SUCCEEDED) {
            assertThat(guest.destinationMatchesSource()).isTrue();
            assertThat(result.postCopy() || result.downtimeMillis() <= 300).as("moved within the target").isTrue();
        }
    }

    private static long throttleChanges(List<RoundRecord> rounds) {
        long changes = 0;
        for (int i = 1; i < rounds.size(); i++) {
            if (rounds.get(i).throttlePercent() != rounds.get(i - 1).throttlePercent()) {
                changes++;
            }
        }
        return changes;
    }
}
