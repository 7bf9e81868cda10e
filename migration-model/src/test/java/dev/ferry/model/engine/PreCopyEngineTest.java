package dev.ferry.model.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.sim.GuestWorkload;
import dev.ferry.model.sim.SimulatedGuest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreCopyEngineTest {
    static final int PAGES = 4096; // 16 MiB
    static final double LINK = 16.0 * 1024 * 1024; // 16 MiB/s: round 1 takes a second, 4096 pages/s

    @Test
    void anIdleGuestNeedsOneLiveRoundAndAnEmptyStopAndCopy() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.idle(), 1);
        var result = new PreCopyEngine(guest, new QemuDefaultPolicy(), LINK, 300).run(Controls.NONE);

        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        assertThat(result.rounds()).hasSize(1);
        assertThat(result.finalPhase().kind()).isEqualTo(RoundRecord.Kind.STOP_AND_COPY);
        assertThat(result.finalPhase().pagesSent()).isZero();
        assertThat(result.downtimeMillis()).isEqualTo(PreCopyEngine.SWITCHOVER_MILLIS);
        assertThat(guest.destinationMatchesSource()).isTrue();
    }

    @Test
    void aShareOfTheLinkGivenMidMigrationAppliesFromTheNextRoundAndNeverExceedsTheLink() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.hotSet(0.05, 0.2, 800), 3);
        long[] share = {0};
        var result = new PreCopyEngine(guest, new XenPolicy(), LINK, 300).run(new Controls() {
            @Override
            public long bandwidthCapBytesPerSecond() {
                return share[0];
            }

            @Override
            public void roundCompleted(RoundRecord round) {
                // a second migration starts on the same link after round 1, and a huge cap is no more than the link
                share[0] = round.round() == 1 ? (long) (LINK / 2) : round.round() == 2 ? (long) (LINK * 10) : share[0];
            }
        });

        assertThat(result.rounds().size()).isGreaterThanOrEqualTo(3);
        assertThat(result.rounds().get(0).bandwidthBytesPerSecond()).isEqualTo(LINK);
        RoundRecord halved = result.rounds().get(1);
        assertThat(halved.bandwidthBytesPerSecond()).isEqualTo(LINK / 2);
        assertThat(halved.seconds()).isCloseTo(halved.bytesSent() / (LINK / 2), org.assertj.core.data.Offset.offset(0.01));
        assertThat(result.rounds().get(2).bandwidthBytesPerSecond()).isEqualTo(LINK);
        assertThat(guest.destinationMatchesSource()).isTrue();
    }

    @Test
    void thePausedFinalCopyGoesAtTheLinksOwnSpeedNotTheCapOrTheShare() {
        // QEMU lifts its rate limit as it completes: on the real-guest suite's capped loopback link the pause did not
        // grow with the bytes left at all
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.hotSet(0.05, 0.2, 800), 3);
        var limits = MigrationLimits.defaults(300).withBandwidthCap((long) (LINK / 4));
        var result = new PreCopyEngine(guest, new XenPolicy(), new Link(LINK, 0), limits).run(new Controls() {
            @Override
            public long bandwidthCapBytesPerSecond() {
                return (long) (LINK / 8); // the scheduler's share, below the cap
            }
        });

        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        assertThat(result.rounds()).allSatisfy(r -> assertThat(r.bandwidthBytesPerSecond()).isEqualTo(LINK / 8));
        RoundRecord pause = result.finalPhase();
        assertThat(pause.pagesSent()).isPositive();
        assertThat(pause.seconds()).isCloseTo(pause.bytesSent() / LINK, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(result.downtimeMillis()).isEqualTo(Math.round(pause.bytesSent() * 1000.0 / LINK) + PreCopyEngine.SWITCHOVER_MILLIS);
        // what the policy weighed before stopping is the pause at the rate the rounds had: the hypervisor's own rule
        // decides with that rate too
        RoundRecord last = result.rounds().get(result.rounds().size() - 1);
        assertThat(last.expectedDowntimeMillis()).isEqualTo(Math.round(last.remainingBytes() * 1000.0 / (LINK / 8)) + PreCopyEngine.SWITCHOVER_MILLIS);
        assertThat(result.downtimeMillis()).isLessThan(last.expectedDowntimeMillis());
        assertThat(guest.destinationMatchesSource()).isTrue();
    }

    @Test
    void zeroPagesAreAnnouncedNotSent() {
        var guest = new SimulatedGuest(PAGES, 0.5, GuestWorkload.idle(), 2);
        var result = new PreCopyEngine(guest, new QemuDefaultPolicy(), LINK, 300).run(Controls.NONE);

        assertThat(result.rounds().get(0).zeroPages()).isBetween(1800L, 2300L);
        assertThat(result.rounds().get(0).bytesSent()).isLessThan((long) PAGES * PreCopyEngine.PAGE_SIZE * 6 / 10);
        assertThat(guest.destinationMatchesSource()).isTrue();
    }

    @Test
    void eachRoundSendsWhatThePreviousOneLeftDirtyAndRecordsItsDecision() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.hotSet(0.05, 0.2, 800), 3);
        var result = new PreCopyEngine(guest, new XenPolicy(), LINK, 300).run(Controls.NONE);

        for (int i = 1; i < result.rounds().size(); i++) {
            assertThat(result.rounds().get(i).pagesSent()).isEqualTo(result.rounds().get(i - 1).remainingPages());
        }
        assertThat(result.rounds()).allSatisfy(r -> {
            assertThat(r.decision()).isNotNull();
            assertThat(r.decision().reason()).isNotBlank();
            assertThat(r.expectedDowntimeMillis()).isEqualTo(Math.round(r.remainingBytes() * 1000.0 / LINK) + PreCopyEngine.SWITCHOVER_MILLIS);
        });
        assertThat(result.finalPhase().pagesSent()).isEqualTo(result.rounds().get(result.rounds().size() - 1).remainingPages());
        assertThat(guest.destinationMatchesSource()).isTrue();
    }

    @Test
    void qemusDefaultNeverConvergesOnAGuestDirtyingFasterThanTheLinkAndTheEngineGivesUpCleanly() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(1.0, 8000), 5);
        var result = new PreCopyEngine(guest, new QemuDefaultPolicy(), LINK, 300).run(Controls.NONE);

        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.ABORTED);
        assertThat(result.rounds()).hasSize(PreCopyEngine.ROUND_CAP);
        assertThat(result.reason()).contains("did not converge");
        assertThat(guest.location()).isEqualTo(Hypervisor.GuestLocation.RUNNING_ON_SOURCE);
    }

    @Test
    void cancelLeavesTheGuestRunningOnTheSource() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(1.0, 8000), 6);
        int[] checks = {0};
        var result = new PreCopyEngine(guest, new QemuDefaultPolicy(), LINK, 300).run(Controls.cancelWhen(() -> ++checks[0] > 5));

        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.CANCELLED);
        assertThat(result.rounds()).hasSize(3); // asked before and after each round: the 6th question is after round 3
        assertThat(result.finalPhase()).isNull();
        assertThat(guest.location()).isEqualTo(Hypervisor.GuestLocation.RUNNING_ON_SOURCE);
    }

    @Test
    void forceCompleteStopsAndCopiesAfterTheCurrentRound() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(1.0, 8000), 7);
        List<RoundRecord> reported = new ArrayList<>();
        var controls = new Controls() {
            @Override
            public boolean forceCompleteRequested() {
                return reported.size() >= 1; // from the end of round 2 on (round 2 is decided before it is reported)
            }

            @Override
            public void roundCompleted(RoundRecord round) {
                reported.add(round);
            }
        };
        var result = new PreCopyEngine(guest, new QemuDefaultPolicy(), LINK, 300).run(controls);

        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        assertThat(result.rounds()).hasSize(2);
        assertThat(result.reason()).contains("forced by the operator");
        assertThat(reported).hasSize(3); // both live rounds and the stop-and-copy, as they happened
        assertThat(reported.get(2).kind()).isEqualTo(RoundRecord.Kind.STOP_AND_COPY);
        assertThat(guest.destinationMatchesSource()).isTrue();
    }

    @Test
    void theBandwidthCapSlowsEveryRound() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.idle(), 8);
        var limits = MigrationLimits.defaults(300).withBandwidthCap((long) (LINK / 4));
        var result = new PreCopyEngine(guest, new QemuDefaultPolicy(), new Link(LINK, 0), limits).run(Controls.NONE);

        assertThat(result.rounds().get(0).seconds()).isCloseTo(4.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(result.rounds().get(0).bandwidthBytesPerSecond()).isEqualTo(LINK / 4);
    }

    @Test
    void aThrottledGuestDirtiesLess() {
        var free = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(1.0, 2000), 9);
        var slowed = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(1.0, 2000), 9);
        free.runGuest(1.0, 0);
        slowed.runGuest(1.0, 75);

        assertThat(slowed.syncDirtyBitmap().cardinality()).isLessThan(free.syncDirtyBitmap().cardinality() / 3);
    }

    @Test
    void postCopyHandsTheGuestOverAfterOneSwitchOverAndPullsTheRest() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(1.0, 8000), 10);
        var limits = MigrationLimits.defaults(300).withPostCopy(true).withMaxThrottle(0);
        var result = new PreCopyEngine(guest, new FerryPolicy(), new Link(LINK, 0), limits).run(Controls.NONE);

        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        assertThat(result.postCopy()).isTrue();
        assertThat(result.finalPhase().pagesSent()).isPositive();
        assertThat(result.downtimeMillis()).isEqualTo(PreCopyEngine.SWITCHOVER_MILLIS);
        assertThat(guest.location()).isEqualTo(Hypervisor.GuestLocation.RUNNING_ON_DESTINATION);
        assertThat(guest.destinationMatchesSource()).isTrue();
    }

    @Test
    void theFirstRoundTakesTheDriversQuarterSecondLookAtTheBitmapAndNoOtherRoundDoes() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.uniform(0.5, 1000), 11);
        var result = new PreCopyEngine(guest, new QemuDefaultPolicy(), LINK, 300).run(Controls.NONE);

        var first = result.rounds().get(0);
        assertThat(first.earlySample()).isNotNull();
        assertThat(first.earlySample().seconds()).isBetween(0.25, 0.3); // the 1 s round's first quarter second, to a slice
        assertThat(first.earlySample().pages()).isBetween(150L, 350L); // 1,000 writes a second, few of them twice
        assertThat(result.rounds().subList(1, result.rounds().size())).allSatisfy(r -> assertThat(r.earlySample()).isNull());
    }

    @Test
    void xenLegacySkipsPagesWrittenAgainDuringTheRoundAndStillLosesNone() {
        var guest = new SimulatedGuest(PAGES, 0, GuestWorkload.hotSet(0.05, 0.3, 3000), 12);
        var result = new PreCopyEngine(guest, new XenLegacyPolicy(), LINK, 300).run(Controls.NONE);

        assertThat(result.rounds().get(0).pagesSkipped()).isZero(); // never in round 1
        assertThat(result.rounds().stream().mapToLong(RoundRecord::pagesSkipped).sum()).isPositive();
        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        assertThat(guest.destinationMatchesSource()).isTrue();
    }
}
