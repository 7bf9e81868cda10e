package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.inventory.api.Verdict;
import dev.ferry.inventory.api.Views.Candidate;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.plan.DestinationClaims;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DestinationClaimsTest {
    static final long GIB = 1L << 30;

    /** A queued migration heading to {@code host}. */
    static Migration heading(long host, long memoryGib, Integer vcpus) {
        Migration m = Migration.accepted(UUID.randomUUID(), Instant.EPOCH);
        m.targetHostId = host;
        m.memoryBytes = memoryGib * GIB;
        m.vcpus = vcpus;
        return m;
    }

    static Candidate candidate(long host, long freeAfterGib, int vcpusAfter) {
        return new Candidate(new Verdict(host, "hv-" + host, true, List.of(), List.of()), freeAfterGib * GIB, vcpusAfter);
    }

    @Test
    void theQueuedMigrationsHeadingToAHostAddUp() {
        var claims = DestinationClaims.of(List.of(heading(3, 4, 2), heading(3, 8, 4), heading(4, 2, null)));

        assertThat(claims.on(3)).isEqualTo(new DestinationClaims.Claim(12 * GIB, 6, 2));
        assertThat(claims.on(4)).as("a row older than the vCPU count claims memory only").isEqualTo(new DestinationClaims.Claim(2 * GIB, 0, 1));
        assertThat(claims.on(5)).isEqualTo(new DestinationClaims.Claim(0, 0, 0));
    }

    @Test
    void aHostWhoseRoomTheQueueHasTakenSaysWhatItIsShortOf() {
        var claims = DestinationClaims.of(List.of(heading(3, 4, 2), heading(3, 4, 2)));

        assertThat(claims.room(candidate(3, 8, 4)).fits()).as("exactly full still fits").isTrue();
        var memoryShort = claims.room(candidate(3, 6, 8));
        assertThat(memoryShort.fits()).isFalse();
        assertThat(memoryShort.shortfall()).isEqualTo("hv-3 would be short of 2048 MiB of memory once the 2 queued "
                + "migration(s) heading there (8192 MiB, 4 vCPUs) are placed");
        assertThat(claims.room(candidate(3, 6, 2)).shortfall()).contains("short of 2048 MiB of memory and 2 vCPU(s)");
        assertThat(claims.room(candidate(3, 64, 3)).shortfall()).contains("short of 1 vCPU(s) once");
    }
}
