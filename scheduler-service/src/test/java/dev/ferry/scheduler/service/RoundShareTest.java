package dev.ferry.scheduler.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.scheduler.model.Migration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The share of the links a round is judged at: the one that held throughout it, or none. */
class RoundShareTest {
    static final Instant END = Instant.parse("2026-12-04T12:00:00Z");

    static Migration migration(Long cap, Instant capChangedAt) {
        Migration m = new Migration();
        m.linkBandwidthBytesPerSecond = 125_000_000L;
        m.bandwidthCapBytesPerSecond = cap;
        m.capChangedAt = capChangedAt;
        return m;
    }

    @Test
    void aRoundHasTheShareThatHeldThroughoutItOrNone() {
        // the share it started with (a START's): its cap, or its whole link where it had no cap
        assertThat(MigrationEvents.shareThroughout(migration(62_500_000L, null), 5_000, END)).isEqualTo(62_500_000.0);
        assertThat(MigrationEvents.shareThroughout(migration(null, null), 5_000, END)).isEqualTo(125_000_000.0);
        // changed 10 s before a 5 s round ended: it held throughout
        assertThat(MigrationEvents.shareThroughout(migration(62_500_000L, END.minusSeconds(10)), 5_000, END)).isEqualTo(62_500_000.0);
        // changed 2 s before its end: the round ran at two shares, its mean unknown
        assertThat(MigrationEvents.shareThroughout(migration(62_500_000L, END.minusSeconds(2)), 5_000, END)).isNull();
        // changed after it ended: the cap read now is not the round's
        assertThat(MigrationEvents.shareThroughout(migration(62_500_000L, END.plusSeconds(1)), 5_000, END)).isNull();
    }
}
