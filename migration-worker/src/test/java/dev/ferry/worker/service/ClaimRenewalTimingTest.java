package dev.ferry.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When a worker renews its claims and how long it waits for the answer, with the scheduler's defaults (a 15 s lease,
 * a 5 s heartbeat): a scheduler slow to answer one renewal, as under a thousand migrations at once, must not make
 * the worker stop every migration it runs while the claims still hold.
 */
class ClaimRenewalTimingTest {
    private static final ClaimClient.Grant DEFAULTS = new ClaimClient.Grant(15_000, 5_000);
    private static final Duration CALL = Duration.ofSeconds(5); // the worker's wait for any call to the scheduler
    private static final long S = 1_000_000_000L;

    private static MigrationRunner.Control grantedAt(long askedAtNanos) {
        var control = new MigrationRunner.Control(MigrationPlanTest.start(null, false, null));
        control.granted(askedAtNanos, DEFAULTS);
        return control;
    }

    @Test
    void aRenewalAskedHalfAHeartbeatAfterTheLastMayBeAnsweredSevenAndAHalfSecondsLater() {
        long t0 = 1_000 * S;
        MigrationRunner.Control claim = grantedAt(t0);
        long every = MigrationRunner.renewEveryMillis(Duration.ofSeconds(5)) * 1_000_000L;
        assertThat(every).isEqualTo(2_500_000_000L);

        Duration wait = MigrationRunner.renewalWait(List.of(claim), t0 + every, CALL);
        assertThat(wait).isEqualTo(Duration.ofMillis(7_500));
        // the claim holds until then (10 s after the last ask granted), and an answer that comes counts from its own ask
        assertThat(claim.claimValidUntil).isEqualTo(t0 + every + wait.toNanos());
        claim.granted(t0 + every, DEFAULTS);
        assertThat(claim.claimValidUntil).isEqualTo(t0 + every + 10 * S);
    }

    @Test
    void aRenewalAfterAFailedOneWaitsAtLeastAsLongAsAnyCallAndForTheClaimThatHoldsLongest() {
        long t0 = 1_000 * S;
        MigrationRunner.Control older = grantedAt(t0);
        MigrationRunner.Control newer = grantedAt(t0 + 2 * S); // claimed since
        // 7.5 s on, the older claim has 2.5 s left, the newer 4.5 s: less than a call's own wait
        assertThat(MigrationRunner.renewalWait(List.of(older, newer), t0 + 7_500_000_000L, CALL)).isEqualTo(CALL);
        // 1 s on, the newer has 11 s left
        assertThat(MigrationRunner.renewalWait(List.of(older, newer), t0 + S, CALL)).isEqualTo(Duration.ofSeconds(11));
    }

    @Test
    void afterASlowRenewalOneCatchUpAsksAgainAndTheOtherRunsItOwedDoNot() {
        long every = 2_500_000_000L;
        long t0 = 1_000 * S;
        // asked at t0, answered 6.5 s later: the runs owed for t0+2.5 and t0+5 fire at once
        assertThat(MigrationRunner.owedAndDone(t0 + 6_500_000_000L, t0, every)).isFalse(); // the catch-up asks
        long catchUp = t0 + 6_500_000_000L;
        // answered: the next owed run, a moment later, has nothing to add
        assertThat(MigrationRunner.owedAndDone(catchUp + 1_000_000L, catchUp, every)).isTrue();
        // unanswered (the last answered ask is still t0): every run asks again while the claims hold
        assertThat(MigrationRunner.owedAndDone(catchUp + 1_000_000L, t0, every)).isFalse();
        // on schedule, a run is never skipped
        assertThat(MigrationRunner.owedAndDone(t0 + every, t0, every)).isFalse();
    }

    @Test
    void aHeartbeatOfAFewMillisecondsStillRenewsAtASaneRate() {
        assertThat(MigrationRunner.renewEveryMillis(Duration.ofMillis(10))).isEqualTo(25);
        assertThat(MigrationRunner.renewEveryMillis(Duration.ofMillis(100))).isEqualTo(50);
    }
}
