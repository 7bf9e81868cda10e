package dev.ferry.scheduler;

import static dev.ferry.scheduler.model.MigrationPhase.CANCELLED;
import static dev.ferry.scheduler.model.MigrationPhase.OUTCOME_UNKNOWN;
import static dev.ferry.scheduler.model.MigrationPhase.QUEUED;
import static dev.ferry.scheduler.model.MigrationPhase.RUNNING;
import static dev.ferry.scheduler.model.MigrationPhase.SCHEDULED;
import static dev.ferry.scheduler.model.MigrationPhase.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.scheduler.model.Claims;
import dev.ferry.scheduler.model.Claims.Facts;
import dev.ferry.scheduler.model.Claims.Request;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Who may act on the hypervisor for a migration: every case a worker can meet, and the answer it gets. */
class ClaimsTest {
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static final Request W1 = new Request(2, "w-1", "simulated", false);

    static Arguments[] cases() {
        return new Arguments[] {
            Arguments.of("a scheduled migration nobody holds", new Facts(SCHEDULED, 2, null, null, null, null), "granted"),
            Arguments.of("the owner renews in time", new Facts(RUNNING, 2, "w-1", NOW.plusSeconds(5), null, null), "renewed"),
            Arguments.of("the owner renews while the outcome is unknown: it still runs the job", new Facts(OUTCOME_UNKNOWN, 2, "w-1", NOW.plusSeconds(5), null, null), "renewed"),
            Arguments.of("the owner renews after its lease lapsed (a paused worker)", new Facts(RUNNING, 2, "w-1", NOW.minusSeconds(1), null, null), "claim-lapsed"),
            Arguments.of("another live worker holds it", new Facts(RUNNING, 2, "w-2", NOW.plusSeconds(5), null, null), "claimed"),
            Arguments.of("another worker held it and lapsed: it is taken over as a new attempt, not by this one", new Facts(RUNNING, 2, "w-2", NOW.minusSeconds(1), null, null), "claimed"),
            Arguments.of("a START of an older attempt (replayed, or delivered late)", new Facts(SCHEDULED, 3, null, null, null, null), "stale-attempt"),
            Arguments.of("an attempt the scheduler never issued", new Facts(SCHEDULED, 1, null, null, null, null), "stale-attempt"),
            Arguments.of("a migration that succeeded long ago (START replayed from offset 0)", new Facts(SUCCEEDED, 2, null, null, null, null), "migration-ended"),
            Arguments.of("a migration cancelled before anyone took it", new Facts(CANCELLED, 2, null, null, NOW.minusSeconds(3), null), "migration-ended"),
            Arguments.of("a cancel pending on an unclaimed migration", new Facts(SCHEDULED, 2, null, null, NOW.minusSeconds(1), null), "cancel-requested"),
            Arguments.of("a queued migration (no START was ever sent)", new Facts(QUEUED, 2, null, null, null, null), "not-claimable"),
            Arguments.of("a running migration without an owner (an older worker reported on it)", new Facts(RUNNING, 2, null, null, null, null), "not-claimable"),
            Arguments.of("a job left running by a worker that died waits for a new owner", new Facts(SCHEDULED, 2, null, null, null, "w-2"), "granted"),
            Arguments.of("a cancel waits on a job left running: its new owner must stop it", new Facts(SCHEDULED, 2, null, null, NOW.minusSeconds(1), "w-2"), "granted"),
        };
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("cases")
    void theClaimRules(String what, Facts migration, String expected) {
        Claims.Verdict v = Claims.decide(UUID.randomUUID(), migration, W1, NOW);
        String got = v.granted() ? (v.renewal() ? "renewed" : "granted") : v.slug();
        assertThat(got).isEqualTo(expected);
        if (!v.granted()) {
            assertThat(v.detail()).isNotBlank();
        }
    }
}
