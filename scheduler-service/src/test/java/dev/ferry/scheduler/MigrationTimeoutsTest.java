package dev.ferry.scheduler;

import static dev.ferry.scheduler.model.MigrationPhase.CANCELLED;
import static dev.ferry.scheduler.model.MigrationPhase.FAILED;
import static dev.ferry.scheduler.model.MigrationPhase.QUEUED;
import static dev.ferry.scheduler.model.MigrationPhase.RUNNING;
import static dev.ferry.scheduler.model.MigrationPhase.SCHEDULED;
import static dev.ferry.scheduler.model.MigrationPhase.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.MigrationMode;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationTimeouts;
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

    static Facts m(MigrationPhase phase, long createdAgo, long updatedAgo, Instant deadline, Instant cancelAt) {
        return new Facts(phase, MigrationMode.PRE_COPY, ago(createdAgo), ago(updatedAgo), deadline, cancelAt, "w-1", 3);
    }

    /** A migration in post-copy: the guest already runs on the destination. */
    static Facts postCopy(long updatedAgo, Instant deadline, Instant cancelAt) {
        return new Facts(RUNNING, MigrationMode.POST_COPY, ago(3600), ago(updatedAgo), deadline, cancelAt, "w-1", 3);
    }

    static Arguments[] cases() {
        return new Arguments[] {
            Arguments.of("queued a minute", m(QUEUED, 60, 60, null, null), null, null),
            Arguments.of("queued past 30 min", m(QUEUED, 1801, 1801, null, null), FAILED, "queued for 30 min without a free migration slot"),
            Arguments.of("queued long but re-placed recently: the queue clock counts from creation", m(QUEUED, 1801, 5, null, null), FAILED, "without a free"),
            Arguments.of("scheduled 119 s", m(SCHEDULED, 300, 119, null, null), null, null),
            Arguments.of("scheduled 121 s", m(SCHEDULED, 300, 121, null, null), FAILED, "no worker picked the migration up within 120 s"),
            Arguments.of("running, last word 4 min ago", m(RUNNING, 3600, 240, null, null), null, null),
            Arguments.of("running, silent 5 min", m(RUNNING, 3600, 301, null, null), FAILED, "no progress from worker w-1 for 300 s (last round 3)"),
            Arguments.of("past the deadline while running", m(RUNNING, 60, 1, ago(1), null), FAILED, "past the operator's deadline"),
            Arguments.of("past the deadline while queued", m(QUEUED, 60, 60, ago(1), null), FAILED, "in phase QUEUED"),
            Arguments.of("deadline ahead", m(RUNNING, 60, 1, NOW.plusSeconds(60), null), null, null),
            Arguments.of("cancel asked 10 s ago", m(RUNNING, 60, 1, null, ago(10)), null, null),
            Arguments.of("cancel unconfirmed 31 s", m(RUNNING, 60, 40, null, ago(31)), CANCELLED, "no worker confirmed within 30 s"),
            Arguments.of("cancel pending, deadline passed: the cancel's own timeout decides", m(RUNNING, 60, 1, ago(1), ago(10)), null, null),
            Arguments.of("cancel pending, silent worker: the cancel's own timeout decides", m(RUNNING, 3600, 600, null, ago(10)), null, null),
            Arguments.of("cancel asked 40 s ago, the worker spoke 10 s ago: it still answers", m(RUNNING, 3600, 10, null, ago(40)), null, null),
            Arguments.of("post-copy, last word 4 min ago", postCopy(240, null, null), null, null),
            Arguments.of("post-copy, silent 5 min: nobody knows where the VM runs", postCopy(301, null, null), FAILED, "VM location is unknown"),
            Arguments.of("post-copy past the deadline: it cannot be failed back", postCopy(1, ago(60), null), null, null),
            Arguments.of("post-copy with a cancel unconfirmed 31 s: it cannot be cancelled", postCopy(31, null, ago(31)), null, null),
            Arguments.of("final phases never time out", m(SUCCEEDED, 99999, 99999, ago(5000), ago(5000)), null, null),
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void overdue(String what, Facts migration, MigrationPhase endsIn, String reasonPart) {
        var overdue = MigrationTimeouts.check(migration, NOW, S);
        if (endsIn == null) {
            assertThat(overdue).isEmpty();
        } else {
            assertThat(overdue).hasValueSatisfying(o -> {
                assertThat(o.endsIn()).isEqualTo(endsIn);
                assertThat(o.reason()).contains(reasonPart);
            });
        }
    }

    @org.junit.jupiter.api.Test
    void onlyAMigrationEndedBeforePostCopyIsKnownToHaveLeftTheVmOnItsSource() {
        assertThat(MigrationTimeouts.check(m(RUNNING, 3600, 301, null, null), NOW, S).orElseThrow().vmOnSource()).isTrue();
        assertThat(MigrationTimeouts.check(m(RUNNING, 60, 40, null, ago(31)), NOW, S).orElseThrow().vmOnSource()).isTrue();
        assertThat(MigrationTimeouts.check(postCopy(301, null, null), NOW, S).orElseThrow().vmOnSource()).isFalse();
    }

    @org.junit.jupiter.api.Test
    void theWatchdogsQueryLooksBackTheShortestWait() {
        assertThat(S.shortestWait()).isEqualTo(Duration.ofMinutes(2));
    }
}
