package dev.ferry.scheduler;

import static dev.ferry.scheduler.model.MigrationPhase.CANCELLED;
import static dev.ferry.scheduler.model.MigrationPhase.FAILED;
import static dev.ferry.scheduler.model.MigrationPhase.OUTCOME_UNKNOWN;
import static dev.ferry.scheduler.model.MigrationPhase.QUEUED;
import static dev.ferry.scheduler.model.MigrationPhase.RUNNING;
import static dev.ferry.scheduler.model.MigrationPhase.SCHEDULED;
import static dev.ferry.scheduler.model.MigrationPhase.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.MigrationMode;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationTimeouts;
import dev.ferry.scheduler.model.MigrationTimeouts.Action;
import dev.ferry.scheduler.model.MigrationTimeouts.Facts;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** When a waiting migration is overdue: a table of cases, each with the phase it ends in and the words of its reason. */
class MigrationTimeoutsTest {
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static final MigrationTimeouts.Settings S = new MigrationTimeouts.Settings(Duration.ofMinutes(30), Duration.ofMinutes(2),
            Duration.ofMinutes(5), Duration.ofSeconds(30));

    static Instant ago(long seconds) {
        return NOW.minusSeconds(seconds);
    }

    /** A migration a worker reported on without a claim (as before claims existed). */
    static Facts m(MigrationPhase phase, long createdAgo, long updatedAgo, Instant deadline, Instant cancelAt) {
        return new Facts(phase, MigrationMode.PRE_COPY, ago(createdAgo), ago(updatedAgo), deadline, cancelAt, "w-1", 3, null, null, 1,
                1, 1, false, false);
    }

    /** A migration no worker ever took. */
    static Facts untouched(MigrationPhase phase, long createdAgo, long updatedAgo, Instant deadline, Instant cancelAt) {
        return new Facts(phase, MigrationMode.PRE_COPY, ago(createdAgo), ago(updatedAgo), deadline, cancelAt, null, 0, null, null, 1,
                1, 1, false, false);
    }

    /**
     * A move of an evacuation no worker took yet, queued {@code createdAgo} seconds ago; a move of its evacuation was
     * last under way {@code movedAgo} seconds ago (0: one is now; null: none has started).
     */
    static Facts evacuationMove(long createdAgo, Long movedAgo) {
        return new Facts(QUEUED, MigrationMode.PRE_COPY, Facts.waitingSince(ago(createdAgo), movedAgo == null ? null : ago(movedAgo)),
                ago(createdAgo), null, null, null, 0, null, null, 1, 1, 1, false, true);
    }

    /** Claimed by worker w-1, its lease lapsing {@code leaseIn} seconds from now (negative: lapsed). */
    static Facts claimed(long updatedAgo, long leaseIn, int attempt, boolean jobsOutlive, Instant deadline, Instant cancelAt) {
        return new Facts(RUNNING, MigrationMode.PRE_COPY, ago(3600), ago(updatedAgo), deadline, cancelAt, "w-1", 3, "w-1",
                NOW.plusSeconds(leaseIn), attempt, 1, 1, jobsOutlive, false);
    }

    /** Claimed by w-1 in its second run (it took a job over), its lease lapsing {@code leaseIn} seconds from now. */
    static Facts takenOver(long leaseIn) {
        return new Facts(RUNNING, MigrationMode.PRE_COPY, ago(3600), ago(1), null, null, "w-1", 3, "w-1", NOW.plusSeconds(leaseIn), 1,
                2, 1, true, false);
    }

    /** Worker w-1 died; its QEMU job may still run, and the attempt waits for a worker to take it over. */
    static Facts awaitingTakeover(long updatedAgo, Instant deadline, Instant cancelAt) {
        return new Facts(SCHEDULED, MigrationMode.PRE_COPY, ago(3600), ago(updatedAgo), deadline, cancelAt, "w-1", 3, null, null, 1,
                2, 1, true, false);
    }

    /** A migration in post-copy: the guest already runs on the destination. */
    static Facts postCopy(long updatedAgo, Instant deadline, Instant cancelAt) {
        return new Facts(RUNNING, MigrationMode.POST_COPY, ago(3600), ago(updatedAgo), deadline, cancelAt, "w-1", 3, null, null, 1, 1,
                1, false, false);
    }

    static Arguments[] cases() {
        return new Arguments[] {
            Arguments.of("queued a minute", untouched(QUEUED, 60, 60, null, null), null, null),
            Arguments.of("queued past 30 min", untouched(QUEUED, 1801, 1801, null, null), end(FAILED), "queued for 30 min without a free migration slot"),
            Arguments.of("queued long but re-placed recently: the queue clock counts from creation", untouched(QUEUED, 1801, 5, null, null), end(FAILED), "without a free"),
            Arguments.of("a move of an evacuation queued 2 h while a move ahead of it runs: it waits its turn", evacuationMove(7200, 0L), null, null),
            Arguments.of("a move of an evacuation queued 2 h, the last move ahead of it ended 29 min ago", evacuationMove(7200, 1740L), null, null),
            Arguments.of("a move of an evacuation queued 2 h, nothing of its evacuation moved for 31 min", evacuationMove(7200, 1860L), end(FAILED), "queued for 30 min while none of its evacuation's moves ran or ended"),
            Arguments.of("a move of an evacuation queued 31 min, none of its evacuation ever started", evacuationMove(1860, null), end(FAILED), "while none of its evacuation's moves ran or ended"),
            Arguments.of("a move of an evacuation queued 31 min, its last move ended before it was queued", evacuationMove(1860, 3600L), end(FAILED), "while none of its evacuation's moves ran or ended"),
            Arguments.of("scheduled 119 s", untouched(SCHEDULED, 300, 119, null, null), null, null),
            Arguments.of("scheduled 121 s, nobody claimed it", untouched(SCHEDULED, 300, 121, null, null), end(FAILED), "no worker picked the migration up within 120 s"),
            Arguments.of("running, last word 4 min ago", m(RUNNING, 3600, 240, null, null), null, null),
            Arguments.of("running without a claim, silent 5 min", m(RUNNING, 3600, 301, null, null), end(FAILED), "no progress from worker w-1 for 300 s (last round 3)"),
            Arguments.of("claimed and renewed, silent 5 min: the worker is asked to stop", claimed(301, 10, 1, false, null, null), Action.ASK_CANCEL, "no progress from worker w-1"),
            Arguments.of("past the deadline while claimed: the worker is asked to stop", claimed(1, 10, 1, false, ago(1), null), Action.ASK_CANCEL, "past the operator's deadline"),
            Arguments.of("past the deadline while queued", untouched(QUEUED, 60, 60, ago(1), null), end(FAILED), "in phase QUEUED"),
            Arguments.of("deadline ahead", m(RUNNING, 60, 1, NOW.plusSeconds(60), null), null, null),
            Arguments.of("cancel asked 10 s ago", m(RUNNING, 60, 1, null, ago(10)), null, null),
            Arguments.of("cancel unconfirmed 31 s by a worker that ran it: it may have completed", m(RUNNING, 60, 40, null, ago(31)), Action.UNKNOWN, "did not confirm it within 30 s"),
            Arguments.of("cancel unconfirmed 31 s, nobody ever took it", untouched(SCHEDULED, 60, 40, null, ago(31)), end(CANCELLED), "no worker ever took the migration"),
            Arguments.of("cancel pending, deadline passed: the cancel's own timeout decides", m(RUNNING, 60, 1, ago(1), ago(10)), null, null),
            Arguments.of("cancel pending, silent worker: the cancel's own timeout decides", m(RUNNING, 3600, 600, null, ago(10)), null, null),
            Arguments.of("cancel asked 40 s ago, the worker spoke 10 s ago: it still answers", m(RUNNING, 3600, 10, null, ago(40)), null, null),
            Arguments.of("post-copy, last word 4 min ago", postCopy(240, null, null), null, null),
            Arguments.of("post-copy, silent 5 min: nobody knows where the VM runs", postCopy(301, null, null), Action.UNKNOWN, "VM location is unknown"),
            Arguments.of("post-copy past the deadline: it cannot be failed back", postCopy(1, ago(60), null), null, null),
            Arguments.of("post-copy with a cancel unconfirmed 31 s: it cannot be cancelled", postCopy(31, null, ago(31)), null, null),
            Arguments.of("claim renewed, lease ahead", claimed(1, 5, 1, false, null, null), null, null),
            Arguments.of("claim lapsed, a retry left: a new attempt", claimed(1, -1, 1, false, null, null), Action.RETRY, "retried as attempt 2 (retry 1 of 1)"),
            Arguments.of("claim lapsed, no retry left, the job died with the worker", claimed(1, -1, 2, false, null, null), end(FAILED), "the VM runs on the source; no retry left"),
            Arguments.of("claim lapsed, no retry left, the job may outlive the worker", claimed(1, -1, 2, true, null, null), Action.UNKNOWN, "may still run"),
            Arguments.of("claim lapsed, the job may outlive the worker: another worker takes the job over", claimed(1, -1, 1, true, null, null), Action.ADOPT, "takes it over as run 2 of attempt 1 (takeover 1 of 1)"),
            Arguments.of("claim lapsed past the deadline, the job may outlive the worker: its new owner stops it", claimed(1, -1, 1, true, ago(1), null), Action.ADOPT, "takes it over"),
            Arguments.of("the taker-over's claim lapsed too: the budget is spent", takenOver(-1), Action.UNKNOWN, "no retry is left"),
            Arguments.of("waiting 119 s for a worker to take the job over", awaitingTakeover(119, null, null), null, null),
            Arguments.of("nobody took the job over within 120 s: it may still run", awaitingTakeover(121, null, null), Action.UNKNOWN, "no worker took over the job worker w-1 left"),
            Arguments.of("waiting for a takeover past the deadline: the new owner stops the job", awaitingTakeover(10, ago(5), null), null, null),
            Arguments.of("a cancel waits for the taker-over, unconfirmed 31 s", awaitingTakeover(40, null, ago(31)), Action.UNKNOWN, "did not confirm it within 30 s"),
            Arguments.of("claim lapsed during a cancel, the job died with the worker", claimed(1, -1, 1, false, null, ago(5)), end(CANCELLED), "the VM runs on the source"),
            Arguments.of("claim lapsed during a cancel, the job may outlive the worker: taken over to confirm the cancel", claimed(1, -1, 1, true, null, ago(5)), Action.ADOPT, "takes it over"),
            Arguments.of("claim lapsed during a cancel, the job may outlive the worker, no takeover left", claimed(1, -1, 2, true, null, ago(5)), Action.UNKNOWN, "may have completed"),
            Arguments.of("claim lapsed past the deadline: no retry", claimed(1, -1, 1, false, ago(1), null), end(FAILED), "no retry left"),
            Arguments.of("final phases never time out", m(SUCCEEDED, 99999, 99999, ago(5000), ago(5000)), null, null),
            Arguments.of("an unknown outcome waits for an answer", m(OUTCOME_UNKNOWN, 99999, 99999, ago(5000), ago(5000)), null, null),
        };
    }

    /** An END in {@code phase}, as the table's expected action. */
    static MigrationPhase end(MigrationPhase phase) {
        return phase;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void overdue(String what, Facts migration, Object expected, String reasonPart) {
        var overdue = MigrationTimeouts.check(migration, NOW, S);
        if (expected == null) {
            assertThat(overdue).isEmpty();
        } else {
            assertThat(overdue).hasValueSatisfying(o -> {
                if (expected instanceof MigrationPhase endsIn) {
                    assertThat(o.action()).isEqualTo(Action.END);
                    assertThat(o.endsIn()).isEqualTo(endsIn);
                } else {
                    assertThat(o.action()).isEqualTo(expected);
                }
                assertThat(o.reason()).contains(reasonPart);
            });
        }
    }

    static MigrationTimeouts.Sibling sibling(MigrationPhase phase, boolean started, long updatedAgo) {
        return new MigrationTimeouts.Sibling(phase, started, ago(updatedAgo));
    }

    @org.junit.jupiter.api.Test
    void anEvacuationMovesWhileAMoveOfItRunsAndLastMovedWhenOneThatStartedLastChanged() {
        // one under way: it moves now, whatever ended before
        assertThat(MigrationTimeouts.evacuationMovedAt(java.util.List.of(sibling(SUCCEEDED, true, 600), sibling(RUNNING, true, 3600),
                sibling(QUEUED, false, 7200)), NOW)).isEqualTo(NOW);
        assertThat(MigrationTimeouts.evacuationMovedAt(java.util.List.of(sibling(SCHEDULED, true, 50)), NOW)).isEqualTo(NOW);
        // none under way: the last change of one that started (its end; an unknown outcome, or its resolution)
        assertThat(MigrationTimeouts.evacuationMovedAt(java.util.List.of(sibling(SUCCEEDED, true, 600), sibling(FAILED, true, 900),
                sibling(OUTCOME_UNKNOWN, true, 300)), NOW)).isEqualTo(ago(300));
        // a move that ended without ever starting (cancelled in the queue, refused, timed out there) moved nothing
        assertThat(MigrationTimeouts.evacuationMovedAt(java.util.List.of(sibling(SUCCEEDED, true, 2000), sibling(CANCELLED, false, 10),
                sibling(FAILED, false, 20)), NOW)).isEqualTo(ago(2000));
        // nothing started yet: the wait counts from the move's own creation
        assertThat(MigrationTimeouts.evacuationMovedAt(java.util.List.of(sibling(QUEUED, false, 5), sibling(CANCELLED, false, 5)), NOW)).isNull();
        assertThat(MigrationTimeouts.evacuationMovedAt(java.util.List.of(), NOW)).isNull();
    }

    @org.junit.jupiter.api.Test
    void theWatchdogsQueryLooksBackTheShortestWait() {
        assertThat(S.shortestWait()).isEqualTo(Duration.ofMinutes(2));
    }
}
